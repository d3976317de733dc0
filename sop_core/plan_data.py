"""The plan of record, a version's plan and the typed actuals, selected from the store facts.

The *plan of record* for a month is the plan of the latest approved version
whose cycle is at or before that month (the frozen plan the month was run
against), among versions up to a chosen cycle; months after that cycle take the
chosen version's own plan. :mod:`sop_core.facts` reads it; the functions here
pick from a :class:`~sop_core.facts.Facts` without touching the store.

Demand actuals are shipments (``sales``) for make-to-stock families and
incoming ``orders`` for make-to-order; stock actuals are the month-end
``inventory`` count for make-to-stock and the ``backlog`` for make-to-order.
``all_regions=False`` applies the facts' region filter (the demand plan and
actuals carry regions; production and inventory are planned per family).

The store-taking :func:`families`, :func:`version_plan`, :func:`demand_actuals`
and :func:`calendar` serve callers that need one frame, not a whole set of facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .facts import Facts, read_facts, read_master
from .store import Store

PlanKind = Literal["demand", "production", "inventory"]
ActualMeasure = Literal["demand", "stock", "production"]

# The actual kind of each measure, per strategy (make-to-stock, make-to-order).
_ACTUAL_KIND = {
    "demand": ("sales", "orders"),
    "stock": ("inventory", "backlog"),
    "production": ("production", "production"),
}
# The demand rule as a SQL fragment over ``actuals_monthly a JOIN families f``, for reads outside the facts
# (built from the fixed kinds above, no input).
DEMAND_ACTUAL_SQL = "CASE WHEN f.strategy = 'mto' THEN '{1}' ELSE '{0}' END".format(*_ACTUAL_KIND["demand"])


def actual_kinds(measure: ActualMeasure) -> tuple[str, ...]:
    """The actual kinds ``measure`` reads (make-to-stock kind first)."""
    return tuple(dict.fromkeys(_ACTUAL_KIND[measure]))


def record_plan(facts: Facts, plan: PlanKind, all_regions: bool = False) -> pd.DataFrame:
    """``family, month, plan``: the plan of record of ``plan`` per family and month."""
    rows = facts.record[(facts.record["plan"] == plan) & facts.record["region"].isna()]
    return _plan_frame(rows, "total" if all_regions else "selected")


def regional_record(facts: Facts) -> pd.DataFrame:
    """``family, region, month, plan``: the demand plan of record per region (the months the facts hold)."""
    rows = facts.record[(facts.record["plan"] == "demand") & facts.record["region"].notna()]
    return pd.DataFrame(
        {"family": rows["family"], "region": rows["region"], "month": rows["month"], "plan": rows["total"]}
    ).reset_index(drop=True)


def version_plan_of(facts: Facts, plan: PlanKind, cycle: dt.date, all_regions: bool = False) -> pd.DataFrame:
    """``family, month, plan``: the plan of the version of ``cycle`` (the facts' cycle or the one before)."""
    rows = facts.plans[(facts.plans["plan"] == plan) & (facts.plans["cycle"] == pd.Timestamp(cycle))]
    return _plan_frame(rows, "total" if all_regions else "selected")


def lag_forecast(facts: Facts, lags: Sequence[int]) -> pd.DataFrame:
    """``family, month, lag, forecast``: per month and lag k, the demand plan of the version approved k months before."""
    plans = facts.plans
    rows = plans[
        (plans["plan"] == "demand")
        & plans["approved"].astype(bool)
        & plans["lag"].isin(list(lags))
        & plans["selected"].notna()
    ]
    return pd.DataFrame(
        {"family": rows["family"], "month": rows["month"], "lag": rows["lag"], "forecast": rows["selected"]}
    ).reset_index(drop=True)


def _plan_frame(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """``family, month, plan`` from facts rows (in the facts' order), leaving out the rows without a value."""
    frame = pd.DataFrame({"family": rows["family"], "month": rows["month"], "plan": rows[column]})
    return frame[frame["plan"].notna()].reset_index(drop=True)


def actual_of(facts: Facts, measure: ActualMeasure, all_regions: bool = False, by_region: bool = False) -> pd.DataFrame:
    """``family, month, actual`` (``family, region, month, actual`` with ``by_region``) of ``measure``.

    Only families of the facts' master count; ``all_regions=False`` keeps the
    regions of the facts' filter.
    """
    frame = facts.actuals
    strategy = frame["family"].map(facts.master.set_index("family")["strategy"])
    mts, mto = _ACTUAL_KIND[measure]
    keep = frame["kind"].to_numpy() == np.where(strategy == "mto", mto, mts)
    keep &= strategy.notna().to_numpy()
    if not all_regions and facts.regions is not None:
        keep &= frame["region"].isin(facts.regions).to_numpy()
    keys = ["family", "region", "month"] if by_region else ["family", "month"]
    rows = frame[keep]
    return (
        rows.groupby(keys, as_index=False, sort=True)["quantity"]
        .sum()
        .rename(columns={"quantity": "actual"})[[*keys, "actual"]]
    )


# ---------------------------------------------------------------- single reads
def families(store: Store, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The family master (optionally only ``names``), sorted by family."""
    return read_master(store, names)


def version_plan(
    store: Store,
    plan: PlanKind,
    cycle: dt.date,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``family, month, plan``: the plan of one version; ``regions`` filters the demand plan."""
    facts = read_facts(store, cycle, families, regions, parts={"plans"}, plans=(plan,))
    return version_plan_of(facts, plan, cycle)


def demand_actuals(
    store: Store, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """``family, month, actual``: shipments (make-to-stock) or orders (make-to-order) over ``regions``."""
    facts = read_facts(store, None, families, regions, parts={"actuals"}, actual_kinds=actual_kinds("demand"))
    return actual_of(facts, "demand")


def calendar(store: Store) -> pd.DataFrame:
    """``month, working_days``."""
    return store.query("SELECT month, working_days FROM calendar ORDER BY month")
