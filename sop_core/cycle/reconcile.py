"""Reconciliation in money: the cycle's plan revenue and margin against the budget, by family and month."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..conventions import PLAN_HORIZON_MONTHS
from ..finance import finance
from ..months import add_months
from ..plans import resolve_cycle
from ..store import Store

RECONCILE_COLUMNS = [
    "family",
    "month",
    "plan_volume",
    "plan_revenue",
    "plan_margin",
    "budget_volume",
    "budget_revenue",
    "budget_margin",
    "revenue_gap",
    "margin_gap",
    "revenue_gap_pct",
]


def budget_reconciliation(store: Store, cycle: dt.date | str | None = None) -> pd.DataFrame:
    """Per family and horizon month of ``cycle``'s plan: plan and budget money and the gaps (plan − budget).

    Reuses :func:`sop_core.finance.finance` (revenue = volume × price, margin = revenue − volume × unit cost;
    the budget is the one the cycle carries, else the latest before it). The horizon is the cycle's
    :data:`~sop_core.conventions.PLAN_HORIZON_MONTHS` months; rows without a plan are left out.
    ``revenue_gap_pct`` is the gap over the budget revenue (NaN without a budget).
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    money = finance(store, chosen)
    months = pd.to_datetime(money["month"])
    frame = money[
        (months >= pd.Timestamp(chosen))
        & (months < pd.Timestamp(add_months(chosen, PLAN_HORIZON_MONTHS)))
        & money["plan_volume"].notna()
    ].copy()
    frame["revenue_gap"] = frame["plan_revenue"] - frame["budget_revenue"]
    frame["margin_gap"] = frame["plan_margin"] - frame["budget_margin"]
    budget = frame["budget_revenue"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["revenue_gap_pct"] = np.where(budget > 0, frame["revenue_gap"].to_numpy(float) / budget, np.nan)
    return frame[RECONCILE_COLUMNS].reset_index(drop=True)
