"""Frames shaped for the Demand planning page (one call per chart).

The family chart's bands: the family (all SKUs, and all regions when no region is chosen) band is
the sum of the series' bounds — exact when the series' errors move together, wider than the truth
when they do not (a conservative, explainable choice; SKU splits of one family mostly move together).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import plan_data
from ..months import add_months
from ..store import Store
from .baseline import baseline_cycle, stored_baseline
from .consensus import consensus
from .overrides import forecast_layers

VIEW_COLUMNS = ["month", "series", "kind", "value", "lo80", "hi80", "lo95", "hi95"]
BANDS = ["lo80", "hi80", "lo95", "hi95"]


def family_view(
    store: Store,
    family: str,
    region: str | None = None,
    cycle: dt.date | str | None = None,
    history_months: int = 24,
) -> pd.DataFrame:
    """One long frame for the family chart, columns :data:`VIEW_COLUMNS`.

    ``series``/``kind``: ``actual``/history (the ``history_months`` before the cycle),
    ``baseline``/baseline (with the 80/95 bands), ``+ <layer label>``/layer (baseline + the layers up
    to it, one series per layer with an override in the selection), ``consensus``/consensus,
    ``approved plan``/approved (the latest approved version before ``cycle``, all its months).
    ``region`` None: all regions summed.
    """
    cycle_date = baseline_cycle(store, cycle)
    if cycle_date is None:
        return pd.DataFrame(columns=VIEW_COLUMNS)
    regions = None if region is None else [region]
    parts: list[pd.DataFrame] = []
    actual = plan_data.demand_actuals(store, [family], regions)
    actual["month"] = pd.to_datetime(actual["month"])
    start = pd.Timestamp(add_months(cycle_date, -history_months))
    actual = actual[(actual["month"] >= start) & (actual["month"] < pd.Timestamp(cycle_date))]
    parts.append(pd.DataFrame({"month": actual["month"], "series": "actual", "kind": "history",
                               "value": actual["actual"].to_numpy(float)}))
    base = stored_baseline(store, cycle_date, [family], regions)
    if not base.empty:
        summed = base.groupby("month", as_index=False)[["forecast", *BANDS]].sum()
        parts.append(summed.rename(columns={"forecast": "value"}).assign(series="baseline", kind="baseline"))
    cells = consensus(store, cycle_date, [family], regions)
    if not cells.empty:
        layers = forecast_layers(store)
        by_month = cells.drop(columns=["family", "region"]).groupby("month", as_index=False).sum()
        running = by_month["baseline"].to_numpy(float).copy()
        for layer, label in zip(layers["layer"], layers["label"], strict=True):
            change = by_month[layer].to_numpy(float)
            running = running + change
            if np.any(np.abs(change) > 1e-9):
                parts.append(pd.DataFrame({"month": by_month["month"], "series": f"+ {label}", "kind": "layer",
                                           "value": running.copy()}))
        parts.append(pd.DataFrame({"month": by_month["month"], "series": "consensus", "kind": "consensus",
                                   "value": by_month["consensus"].to_numpy(float)}))
    approved = store.query(
        """SELECT d.month, sum(d.quantity) AS value FROM demand_plan d
           WHERE d.cycle = (SELECT max(cycle) FROM plan_versions WHERE status = 'approved' AND cycle < ?)
             AND d.family = ? AND (?::VARCHAR IS NULL OR d.region = ?)
           GROUP BY d.month ORDER BY d.month""",
        [cycle_date, family, region, region],
    )
    if not approved.empty:
        parts.append(approved.assign(series="approved plan", kind="approved"))
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True) if parts else pd.DataFrame()
    frame = frame.reindex(columns=VIEW_COLUMNS)
    frame["month"] = pd.to_datetime(frame["month"])
    return frame.reset_index(drop=True)
