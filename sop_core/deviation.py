"""Plan versus actual by family and month, with tolerance status.

Sign convention (as everywhere in sop_core): deviation = actual − plan, so a
positive deviation means more happened than was planned. Ratios are fractions
(0.05 = 5 %); a family's ``tolerance_pct`` in the master is in percent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .conventions import EPS
from .facts import Facts, read_facts
from .months import month_column
from .plan_data import ActualMeasure, PlanKind, actual_kinds, actual_of, record_plan
from .plans import resolve_cycle
from .store import Store

Measure = Literal["sales", "production", "inventory"]

PLAN_VS_ACTUAL_COLUMNS = [
    "family",
    "month",
    "plan",
    "actual",
    "deviation",
    "deviation_pct",
    "cum_deviation",
    "status",
]
# The plan and the actual measure behind each plan-vs-actual measure.
_PLAN: dict[str, PlanKind] = {"sales": "demand", "production": "production", "inventory": "inventory"}
_ACTUAL: dict[str, ActualMeasure] = {"sales": "demand", "production": "production", "inventory": "stock"}


def tolerance_status(deviation_pct: np.ndarray | pd.Series, tolerance: np.ndarray | pd.Series | float) -> np.ndarray:
    """``ok`` when |deviation %| ≤ tolerance (fractions), else ``above``/``below``; ``None`` if unknown.

    A deviation exactly on the tolerance is in tolerance (:data:`~sop_core.conventions.EPS` absorbs float noise).
    """
    dev = np.asarray(deviation_pct, dtype=float)
    tol = np.broadcast_to(np.asarray(tolerance, dtype=float), dev.shape)
    status = np.where(dev > tol + EPS, "above", np.where(dev < -tol - EPS, "below", "ok")).astype(object)
    status[np.isnan(dev)] = None
    return status


def plan_vs_actual(
    store: Store,
    measure: Measure,
    cycle: dt.date | str | None = None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per family and month: ``plan, actual, deviation, deviation_pct, cum_deviation, status``.

    * ``sales``: the demand plan against shipments (make-to-stock) or incoming
      orders (make-to-order, whose demand plan is an order plan); ``regions``
      filters both.
    * ``production``: the production plan against produced quantity.
    * ``inventory``: the planned ending inventory against the month-end count
      (make-to-order: planned against actual backlog).

    The plan is the plan of record of each month (see :mod:`sop_core.plan_data`)
    among versions up to ``cycle``; ``cycle=None`` means the latest approved
    version. Months of the horizon have a plan and no actual (``actual`` NaN,
    ``status`` missing). ``deviation_pct`` is a fraction of plan (NaN when the plan
    is 0); ``cum_deviation`` is the running sum of deviations over the months
    with actuals; ``status`` compares ``deviation_pct`` with the family's
    tolerance, inclusive.
    """
    chosen = resolve_cycle(store, cycle, approved_only=True)
    if chosen is None:
        return pd.DataFrame(columns=PLAN_VS_ACTUAL_COLUMNS)
    facts = read_facts(
        store,
        chosen,
        families,
        regions if measure == "sales" else None,
        parts={"record", "actuals"},
        plans=(_PLAN[measure],),
        actual_kinds=actual_kinds(_ACTUAL[measure]),
    )
    return plan_vs_actual_from(facts, measure)


def plan_vs_actual_from(facts: Facts, measure: Measure) -> pd.DataFrame:
    """:func:`plan_vs_actual` over facts already read (``sales`` takes the facts' region filter)."""
    regional = measure == "sales"
    plan = record_plan(facts, _PLAN[measure], all_regions=not regional)
    actual = actual_of(facts, _ACTUAL[measure], all_regions=not regional)
    return compare(plan, actual, facts.master)


def compare(plan: pd.DataFrame, actual: pd.DataFrame, family_master: pd.DataFrame) -> pd.DataFrame:
    """Join ``plan(family, month, plan)`` with ``actual(family, month, actual)`` and score it."""
    frame = plan.merge(actual, on=["family", "month"], how="left")
    frame = frame.merge(family_master[["family", "tolerance_pct"]], on="family", how="left")
    frame = frame.sort_values(["family", "month"], ignore_index=True)
    frame["deviation"] = frame["actual"] - frame["plan"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(frame["plan"] != 0, frame["deviation"] / frame["plan"], np.nan)
    frame["deviation_pct"] = pct
    frame["cum_deviation"] = frame.groupby("family")["deviation"].cumsum()
    frame.loc[frame["actual"].isna(), "cum_deviation"] = np.nan
    frame["status"] = tolerance_status(frame["deviation_pct"], frame["tolerance_pct"].fillna(0) / 100)
    frame["month"] = month_column(frame["month"])
    return frame[PLAN_VS_ACTUAL_COLUMNS]
