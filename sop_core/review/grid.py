"""The overview's status grid: one traffic light per family and KPI (``ok`` / ``watch`` / ``act``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..conventions import EPS
from .bundle import Review
from .rules import (
    ACCURACY_MONTHS,
    REVENUE_GAP_ACT,
    REVENUE_GAP_RUN,
    REVENUE_GAP_WATCH,
    TS_LIMIT,
    TS_WATCH,
    closed,
    longest_run,
)
from .tables import year_finance

STATUS_COLUMNS = ["Demand", "Forecast bias", "Production", "Stock", "Revenue"]


def _deviation_status(pva: pd.DataFrame, cycle: dt.date, tolerance: pd.Series) -> dict[str, str | None]:
    """``act`` when the last closed months' cumulative deviation is out of tolerance, ``watch`` when the last month is."""
    recent = closed(pva, cycle, ACCURACY_MONTHS).dropna(subset=["actual"])
    out: dict[str, str | None] = {}
    for family, group in recent.groupby("family"):
        tol = float(tolerance.get(family, 0)) / 100
        plan = group["plan"].sum()
        cum = (group["actual"].sum() - plan) / plan if plan else np.nan
        last = group.sort_values("month")["status"].iloc[-1]
        out[str(family)] = "act" if abs(cum) > tol + EPS else ("watch" if last not in ("ok", None) else "ok")
    return out


def _stock_status(gap: pd.DataFrame) -> str | None:
    """``act`` on a projected backorder or a backlog above target for :data:`REVENUE_GAP_RUN` months,
    ``watch`` when the cover leaves its range in any month."""
    if gap.empty:
        return None
    if (gap["status"] == "backorder").any() or (
        (gap["strategy"] == "mto").all() and longest_run(gap["status"].eq("above").to_numpy()) >= REVENUE_GAP_RUN
    ):
        return "act"
    return "watch" if (gap["status"] != "ok").any() else "ok"


def _banded(value: float, act: float, watch: float) -> str | None:
    """``act`` beyond ``act``, ``watch`` beyond ``watch``, else ``ok`` (``None`` when unknown)."""
    if pd.isna(value):
        return None
    return "act" if value > act else "watch" if value > watch else "ok"


def status_grid(review: Review) -> pd.DataFrame:
    """Family × KPI traffic lights (``ok``/``watch``/``act``; ``None`` when there is no data).

    * Demand / Production: ``act`` when the deviation summed over the last
      :data:`ACCURACY_MONTHS` closed months is outside the family's tolerance,
      ``watch`` when only the last month is.
    * Forecast bias: lag-1 tracking signal over :data:`ACCURACY_HISTORY` months,
      ``act`` beyond ±:data:`TS_LIMIT`, ``watch`` beyond ±:data:`TS_WATCH`.
    * Stock: ``act`` on any projected backorder (make-to-stock) or a backlog above
      the target cover for :data:`REVENUE_GAP_RUN` months (make-to-order), ``watch``
      when the cover leaves its target range in any month of the horizon.
    * Revenue: the year's gap to budget below −:data:`REVENUE_GAP_ACT` is ``act``,
      below −:data:`REVENUE_GAP_WATCH` ``watch``.
    """
    tol = review.master.set_index("family")["tolerance_pct"]
    demand = _deviation_status(review.sales, review.cycle, tol)
    production = _deviation_status(review.production, review.cycle, tol)
    ts = review.accuracy[review.accuracy["lag"] == 1].set_index("family")["tracking_signal"]
    fin = year_finance(review).set_index("family")["gap_pct"]
    rows = [
        {
            "family": family,
            "Demand": demand.get(family),
            "Forecast bias": _banded(abs(ts.get(family, np.nan)), TS_LIMIT, TS_WATCH),
            "Production": production.get(family),
            "Stock": _stock_status(review.gap[review.gap["family"] == family]),
            "Revenue": _banded(-fin.get(family, np.nan), REVENUE_GAP_ACT, REVENUE_GAP_WATCH),
        }
        for family in review.master["family"]
    ]
    return pd.DataFrame(rows, columns=["family", *STATUS_COLUMNS])
