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

from . import plan_data
from .plans import resolve_cycle
from .store import Store

Measure = Literal["sales", "production", "inventory"]

PLAN_VS_ACTUAL_COLUMNS = [
    "family", "month", "plan", "actual", "deviation", "deviation_pct", "cum_deviation", "status",
]

# A deviation exactly on the tolerance is in tolerance; the epsilon absorbs float noise.
_EPS = 1e-9


def tolerance_status(deviation_pct: np.ndarray | pd.Series, tolerance: np.ndarray | pd.Series | float) -> np.ndarray:
    """``ok`` when |deviation %| ≤ tolerance (fractions), else ``above``/``below``; ``None`` if unknown."""
    dev = np.asarray(deviation_pct, dtype=float)
    tol = np.broadcast_to(np.asarray(tolerance, dtype=float), dev.shape)
    status = np.where(dev > tol + _EPS, "above", np.where(dev < -tol - _EPS, "below", "ok")).astype(object)
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
    plan_kind = {"sales": "demand", "production": "production", "inventory": "inventory"}[measure]
    plan = plan_data.plan_of_record(store, plan_kind, chosen, families, regions if measure == "sales" else None)
    if measure == "sales":
        actual = plan_data.demand_actuals(store, families, regions)
    elif measure == "production":
        actual = plan_data.production_actuals(store, families)
    else:
        actual = plan_data.stock_actuals(store, families)
    return compare(plan, actual, plan_data.families(store, families))


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
    frame["month"] = pd.to_datetime(frame["month"])
    return frame[PLAN_VS_ACTUAL_COLUMNS]
