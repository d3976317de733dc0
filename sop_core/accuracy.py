"""Forecast accuracy by lag, from the frozen plan versions.

Accuracy at lag k compares the actual demand of month t with the forecast for t
in the plan approved k months before t (the version of cycle t − k). Actual
demand is shipments for make-to-stock and orders for make-to-order families.
Error e = actual − forecast: positive bias means under-forecasting.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from . import calc, plan_data
from .store import Store, filter_list

ACCURACY_COLUMNS = [
    "family", "n", "mad", "mape", "wmape", "bias", "bias_pct", "tracking_signal", "mape_excluded",
]


def forecast_pairs(
    store: Store, lag: int = 1, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """``family, month, actual, forecast``: each actual month beside its lag-``lag`` forecast."""
    if lag < 0:
        raise ValueError("lag must be 0 or more months")
    forecast = store.query(
        """SELECT d.family, d.month, sum(d.quantity) AS forecast
           FROM demand_plan d JOIN plan_versions v ON v.cycle = d.cycle AND v.status = 'approved'
           WHERE d.month = d.cycle + to_months(?::INTEGER)
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], d.family))
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], d.region))
           GROUP BY ALL""",
        [lag, filter_list(families), filter_list(families), filter_list(regions), filter_list(regions)],
    )
    actual = plan_data.demand_actuals(store, families, regions)
    pairs = actual.merge(forecast, on=["family", "month"], how="inner")
    pairs["month"] = pd.to_datetime(pairs["month"])
    return pairs.sort_values(["family", "month"], ignore_index=True)[["family", "month", "actual", "forecast"]]


def forecast_accuracy(
    store: Store, lag: int = 1, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per family: ``n, mad, mape, wmape, bias, bias_pct, tracking_signal, mape_excluded`` at ``lag``.

    Metrics as in :func:`sop_core.calc.accuracy_metrics` (ratios as fractions);
    ``tracking_signal`` is the value after the latest month (beyond ±4 flags a
    biased forecast). Families without any pair are left out.
    """
    pairs = forecast_pairs(store, lag, families, regions)
    rows = [
        {"family": family, **calc.accuracy_metrics(group["actual"], group["forecast"])}
        for family, group in pairs.groupby("family", sort=True)
    ]
    return pd.DataFrame(rows, columns=ACCURACY_COLUMNS)
