"""Frames shaped for the pages (one call per chart): the Demand planning page's family chart, its SKU choice, and
the Demand review's consensus outlook (consensus against the statistical baseline and the last approved plan).

The family chart's bands: the family (all SKUs, and all regions when no region is chosen) band is
the sum of the series' bounds — exact when the series' errors move together, wider than the truth
when they do not (a conservative, explainable choice; SKU splits of one family mostly move together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import plan_data
from ..conventions import EPS, PLAN_HORIZON_MONTHS
from ..months import add_months
from ..store import Store, filter_list
from .baseline import baseline_cycle, stored_baseline
from .consensus import consensus
from .overrides import forecast_layers

VIEW_COLUMNS = ["month", "series", "kind", "value", "lo80", "hi80", "lo95", "hi95"]
BANDS = ["lo80", "hi80", "lo95", "hi95"]
OUTLOOK_COLUMNS = ["family", "month", "baseline", "consensus", "approved", "gap"]
TOTAL_COLUMNS = ["family", "baseline", "consensus", "gap", "gap_pct", "approved", "vs_approved_pct"]


def family_skus(store: Store, family: str) -> list[str]:
    """The SKUs of ``family`` in the product master, sorted (the override grid's SKU choice)."""
    return store.query("SELECT sku FROM products WHERE family = ? ORDER BY sku", [family])["sku"].astype(str).tolist()


def last_approved_demand(
    store: Store, cycle: dt.date, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """``family, month, approved``: the demand plan of the latest approved version before ``cycle``
    (all its months), summed over ``regions`` (None: all)."""
    return store.query(
        """SELECT d.family, d.month, sum(d.quantity) AS approved FROM demand_plan d
           WHERE d.cycle = (SELECT max(cycle) FROM plan_versions WHERE status = 'approved' AND cycle < ?)
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], d.family))
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], d.region))
           GROUP BY ALL ORDER BY ALL""",
        [cycle, filter_list(families), filter_list(families), filter_list(regions), filter_list(regions)],
    )


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
    parts.append(
        pd.DataFrame(
            {"month": actual["month"], "series": "actual", "kind": "history", "value": actual["actual"].to_numpy(float)}
        )
    )
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
            if np.any(np.abs(change) > EPS):
                parts.append(
                    pd.DataFrame(
                        {"month": by_month["month"], "series": f"+ {label}", "kind": "layer", "value": running.copy()}
                    )
                )
        parts.append(
            pd.DataFrame(
                {
                    "month": by_month["month"],
                    "series": "consensus",
                    "kind": "consensus",
                    "value": by_month["consensus"].to_numpy(float),
                }
            )
        )
    approved = last_approved_demand(store, cycle_date, [family], regions)
    if not approved.empty:
        parts.append(
            pd.DataFrame(
                {
                    "month": approved["month"],
                    "series": "approved plan",
                    "kind": "approved",
                    "value": approved["approved"].to_numpy(float),
                }
            )
        )
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True) if parts else pd.DataFrame()
    frame = frame.reindex(columns=VIEW_COLUMNS)
    frame["month"] = pd.to_datetime(frame["month"])
    return frame.reset_index(drop=True)


def consensus_outlook(
    store: Store,
    cycle: dt.date | str | None = None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    horizon: int = PLAN_HORIZON_MONTHS,
) -> pd.DataFrame:
    """Family × month over ``cycle … cycle + horizon − 1``, columns :data:`OUTLOOK_COLUMNS`.

    ``baseline``: the cycle's stored statistical baseline; ``consensus``: baseline + every layer's
    overrides (:func:`.consensus.consensus`, floored at 0); ``approved``: the last approved plan before
    the cycle (NaN beyond its months); ``gap`` = consensus − baseline (the overrides' net change).
    Summed over ``regions`` (None: all). Empty when the cycle has no stored baseline and no override.
    """
    cycle_date = baseline_cycle(store, cycle)
    if cycle_date is None:
        return pd.DataFrame(columns=OUTLOOK_COLUMNS)
    cells = consensus(store, cycle_date, families, regions)
    if cells.empty:
        return pd.DataFrame(columns=OUTLOOK_COLUMNS)
    frame = cells.groupby(["family", "month"], as_index=False)[["baseline", "consensus"]].sum()
    frame["month"] = pd.to_datetime(frame["month"]).astype("datetime64[ns]")
    end = pd.Timestamp(add_months(cycle_date, horizon))
    frame = frame[(frame["month"] >= pd.Timestamp(cycle_date)) & (frame["month"] < end)]
    approved = last_approved_demand(store, cycle_date, families, regions)
    approved["month"] = pd.to_datetime(approved["month"]).astype("datetime64[ns]")
    frame = frame.merge(approved, on=["family", "month"], how="left")
    frame["approved"] = frame["approved"].astype("float64")
    frame["gap"] = frame["consensus"] - frame["baseline"]
    return frame[OUTLOOK_COLUMNS].sort_values(["family", "month"], ignore_index=True)


def outlook_totals(outlook: pd.DataFrame) -> pd.DataFrame:
    """Per family, the horizon's totals of :func:`consensus_outlook`, columns :data:`TOTAL_COLUMNS`.

    ``gap_pct`` = gap / baseline; ``vs_approved_pct`` = (consensus − approved) / approved over the
    months the last approved plan covers (NaN where it covers none, or a total is zero).
    """
    if outlook.empty:
        return pd.DataFrame(columns=TOTAL_COLUMNS)
    covered = outlook["approved"].notna()
    frame = outlook.assign(
        covered_consensus=outlook["consensus"].where(covered, 0.0),
        approved=outlook["approved"].fillna(0.0),
        covered=covered,
    )
    totals = frame.groupby("family", as_index=False, sort=True).agg(
        baseline=("baseline", "sum"),
        consensus=("consensus", "sum"),
        gap=("gap", "sum"),
        approved=("approved", "sum"),
        covered_consensus=("covered_consensus", "sum"),
        covered=("covered", "any"),
    )
    base = totals["baseline"].to_numpy(float)
    plan = totals["approved"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        totals["gap_pct"] = np.where(np.abs(base) > EPS, totals["gap"].to_numpy(float) / base, np.nan)
        totals["vs_approved_pct"] = np.where(
            np.abs(plan) > EPS, (totals["covered_consensus"].to_numpy(float) - plan) / plan, np.nan
        )
    totals["approved"] = totals["approved"].where(totals["covered"])
    return totals[TOTAL_COLUMNS]
