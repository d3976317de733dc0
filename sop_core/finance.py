"""Finance reconciliation: revenue, cost and margin for plan, actual and budget.

Revenue = volume × price; cost (COGS) = volume × standard unit cost; margin =
revenue − cost. Actual revenue is the revenue loaded with the shipments where
given, else shipped volume × price. The *outlook* of a month is its actual once
closed, else its plan; the gap to budget is outlook − budget (negative: behind
the business plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .facts import Facts, read_facts
from .months import month_column
from .plan_data import record_plan
from .plans import resolve_cycle
from .store import Store

FINANCE_COLUMNS = [
    "family",
    "month",
    "plan_volume",
    "plan_revenue",
    "plan_cost",
    "plan_margin",
    "actual_volume",
    "actual_revenue",
    "actual_cost",
    "actual_margin",
    "budget_volume",
    "budget_revenue",
    "budget_cost",
    "budget_margin",
    "outlook_revenue",
    "outlook_margin",
    "gap_to_budget",
    "margin_gap_to_budget",
]


def finance(store: Store, cycle: dt.date | str | None = None, families: Sequence[str] | None = None) -> pd.DataFrame:
    """Per family and month: plan, actual and budget money, the outlook and the gap to budget.

    The plan is the demand plan of record up to ``cycle`` (``None``: the latest
    version, the draft under review) and that version's horizon; the budget is
    the one carried by the latest version at or before ``cycle`` that has one.
    Volumes are in family units, money in the store's currency.
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        return pd.DataFrame(columns=FINANCE_COLUMNS)
    return finance_from(
        read_facts(
            store, chosen, families, parts={"record", "actuals", "budget"}, plans=("demand",), actual_kinds=("sales",)
        )
    )


def finance_from(facts: Facts) -> pd.DataFrame:
    """:func:`finance` of the facts' cycle over facts already read (all regions, whatever the facts' filter)."""
    plan = record_plan(facts, "demand", all_regions=True).rename(columns={"plan": "plan_volume"})
    master = facts.master[["family", "price", "unit_cost"]]
    sales = facts.actuals[facts.actuals["kind"] == "sales"]
    price = sales["family"].map(master.set_index("family")["price"])
    actual = (
        sales.assign(actual_volume=sales["quantity"], actual_revenue=sales["revenue"].fillna(sales["quantity"] * price))
        .groupby(["family", "month"], as_index=False)[["actual_volume", "actual_revenue"]]
        .sum()
    )
    budget = facts.budget
    frame = plan.merge(actual, on=["family", "month"], how="outer").merge(budget, on=["family", "month"], how="outer")
    frame = frame.merge(master, on="family", how="inner")
    frame["plan_revenue"] = frame["plan_volume"] * frame["price"]
    for prefix in ("plan", "actual", "budget"):
        frame[f"{prefix}_cost"] = frame[f"{prefix}_volume"] * frame["unit_cost"]
        frame[f"{prefix}_margin"] = frame[f"{prefix}_revenue"] - frame[f"{prefix}_cost"]
    closed = frame["actual_volume"].notna()
    frame["outlook_revenue"] = np.where(closed, frame["actual_revenue"], frame["plan_revenue"])
    frame["outlook_margin"] = np.where(closed, frame["actual_margin"], frame["plan_margin"])
    frame["gap_to_budget"] = frame["outlook_revenue"] - frame["budget_revenue"]
    frame["margin_gap_to_budget"] = frame["outlook_margin"] - frame["budget_margin"]
    frame["month"] = month_column(frame["month"])
    return frame.sort_values(["family", "month"], ignore_index=True)[FINANCE_COLUMNS]
