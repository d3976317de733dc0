"""Forecast accuracy by lag, from the frozen plan versions.

Accuracy at lag k compares the actual demand of month t with the forecast for t
in the plan approved k months before t (the version of cycle t − k). Actual
demand is shipments for make-to-stock and orders for make-to-order families.
Error e = actual − forecast: positive bias means under-forecasting.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from . import calc
from .facts import Facts, read_facts
from .months import month_column
from .plan_data import actual_kinds, actual_of, lag_forecast
from .store import Store

ACCURACY_COLUMNS = [
    "family",
    "n",
    "mad",
    "mape",
    "wmape",
    "bias",
    "bias_pct",
    "tracking_signal",
    "mape_excluded",
]


def forecast_pairs(
    store: Store, lag: int = 1, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """``family, month, actual, forecast``: each actual month beside its lag-``lag`` forecast."""
    if lag < 0:
        raise ValueError("lag must be 0 or more months")
    facts = read_facts(
        store,
        None,
        families,
        regions,
        parts={"plans", "actuals"},
        plans=("demand",),
        actual_kinds=actual_kinds("demand"),
        lags=[lag],
    )
    return forecast_pairs_from(facts, lag)


def forecast_pairs_from(facts: Facts, lag: int) -> pd.DataFrame:
    """:func:`forecast_pairs` over facts read with ``lag`` among their lags (the facts' region filter applies)."""
    pairs = lagged_pairs(facts, [lag])
    return pairs[["family", "month", "actual", "forecast"]]


def lagged_pairs(facts: Facts, lags: Sequence[int]) -> pd.DataFrame:
    """``family, month, lag, actual, forecast`` for each of ``lags`` (read with the facts), sorted by lag, family, month."""
    pairs = actual_of(facts, "demand").merge(lag_forecast(facts, lags), on=["family", "month"], how="inner")
    pairs["month"] = month_column(pairs["month"])
    return pairs.sort_values(["lag", "family", "month"], ignore_index=True)[
        ["family", "month", "lag", "actual", "forecast"]
    ]


def forecast_accuracy(
    store: Store, lag: int = 1, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per family: ``n, mad, mape, wmape, bias, bias_pct, tracking_signal, mape_excluded`` at ``lag``.

    Metrics as in :func:`sop_core.calc.accuracy_metrics` (ratios as fractions);
    ``tracking_signal`` is the value after the latest month (beyond ±4 flags a
    biased forecast). Families without any pair are left out.
    """
    return accuracy_by_family(forecast_pairs(store, lag, families, regions))


def accuracy_by_family(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per family of ``pairs`` (``family, month, actual, forecast``): the metrics of :func:`forecast_accuracy`."""
    rows = [
        {"family": family, **calc.accuracy_metrics(group["actual"], group["forecast"])}
        for family, group in pairs.groupby("family", sort=True)
    ]
    return pd.DataFrame(rows, columns=ACCURACY_COLUMNS)
