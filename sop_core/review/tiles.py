"""The headline KPI tiles of the overview and executive pages, each with its value last cycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import calc
from .bundle import Review
from .rules import ACCURACY_MONTHS, closed
from .tables import year_finance


@dataclass(frozen=True)
class Kpi:
    """One headline figure: ``value`` this cycle, ``previous`` last cycle (``None`` when unknown).

    ``unit`` is ``pct`` (a fraction), ``money``, ``days`` or ``ratio``; ``higher_is_better``
    says which way the change is good; ``note`` is a short context line.
    """

    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str
    higher_is_better: bool
    note: str = ""


def forecast_accuracy_kpi(review: Review) -> float | None:
    """1 − WMAPE of the lag-1 forecast over the last :data:`ACCURACY_MONTHS` closed months (floored at 0)."""
    pairs = closed(review.pairs, review.cycle, ACCURACY_MONTHS)
    wmape = calc.accuracy_metrics(pairs["actual"], pairs["forecast"])["wmape"] if len(pairs) else np.nan
    return None if np.isnan(wmape) else max(0.0, 1.0 - wmape)


def _first_month(frame: pd.DataFrame, cycle: dt.date) -> pd.Series:
    return pd.to_datetime(frame["month"]) == pd.Timestamp(cycle)


def _days_of_supply(review: Review) -> tuple[float | None, float, float, int]:
    """Value-weighted make-to-stock cover at the end of the cycle's first month, target range, families out."""
    gap = review.gap
    first = gap[(gap["strategy"] == "mts") & _first_month(gap, review.cycle)]
    first = first.merge(review.master[["family", "unit_cost"]], on="family")
    weight = first["ending_inventory"] * first["unit_cost"]
    cover = first["days_of_supply"].replace(np.inf, np.nan)
    if weight.sum() <= 0 or cover.isna().all():
        return None, np.nan, np.nan, 0
    ok = cover.notna()
    w = weight[ok]
    value = float((cover[ok] * w).sum() / w.sum())
    lo, hi = float((first["min_days"][ok] * w).sum() / w.sum()), float((first["max_days"][ok] * w).sum() / w.sum())
    outside = int(((cover < first["min_days"]) | (cover > first["max_days"])).sum())
    return value, lo, hi, outside


def _backorder_value(review: Review) -> float | None:
    gap = review.gap[review.gap["strategy"] == "mts"]
    if gap.empty:
        return None
    peak = gap.groupby("family")["backorders"].max()
    return float((peak * review.prices.reindex(peak.index)).sum())


def _backlog_value(review: Review) -> float | None:
    gap = review.gap[review.gap["strategy"] == "mto"]
    if gap.empty:
        return None
    first = gap[_first_month(gap, review.cycle)].set_index("family")["backlog"]
    return float((first * review.prices.reindex(first.index)).sum())


def _peak_utilisation(review: Review) -> tuple[float | None, str]:
    cap = review.capacity.dropna(subset=["utilisation"])
    if cap.empty:
        return None, ""
    row = cap.loc[cap["utilisation"].idxmax()]
    return float(row["utilisation"]), f"{row['resource']}, {pd.Timestamp(row['month']):%b %Y}"


def _revenue_gap(review: Review) -> float | None:
    fin = year_finance(review)
    return float(fin["gap_to_budget"].sum()) if fin["budget_revenue"].notna().any() else None


def overview_kpis(review: Review, previous: Review | None) -> list[Kpi]:
    """The overview's headline KPIs with their value in the previous cycle.

    * Forecast accuracy: 1 − WMAPE, lag 1, last :data:`ACCURACY_MONTHS` closed months.
    * Revenue vs budget: outlook (actual where closed, else plan) − budget over the cycle's calendar year.
    * Days of supply: make-to-stock cover at the end of the cycle's first month, weighted by inventory value.
    * Backorders: the peak projected backorders of each make-to-stock family at price, summed.
    * Backlog: make-to-order backlog at the end of the cycle's first month at price.
    * Peak utilisation: the highest rough-cut utilisation of any resource over the horizon.
    """

    def per(fn: Callable[[Review], float | None]) -> tuple[float | None, float | None]:
        return fn(review), (fn(previous) if previous is not None and not previous.empty else None)

    acc, acc_prev = per(forecast_accuracy_kpi)
    gap_now = _revenue_gap(review)
    gap_prev = _revenue_gap(previous) if previous is not None else None
    budget = float(year_finance(review)["budget_revenue"].sum())
    dos, lo, hi, outside = _days_of_supply(review)
    dos_prev = _days_of_supply(previous)[0] if previous is not None else None
    bo, bo_prev = per(_backorder_value)
    bl, bl_prev = per(_backlog_value)
    util, where = _peak_utilisation(review)
    util_prev = _peak_utilisation(previous)[0] if previous is not None else None
    return [
        Kpi(
            "accuracy",
            "Forecast accuracy",
            acc,
            acc_prev,
            "pct",
            True,
            f"1 − WMAPE, lag 1, last {ACCURACY_MONTHS} closed months",
        ),
        Kpi(
            "revenue_gap",
            f"Revenue vs budget {review.cycle.year}",
            gap_now,
            gap_prev,
            "money",
            True,
            f"{gap_now / budget:+.1%} of budget" if gap_now is not None and budget else "no budget",
        ),
        Kpi(
            "days_of_supply",
            "Days of supply",
            dos,
            dos_prev,
            "days",
            True,
            f"target {lo:.0f}–{hi:.0f} d; {outside} {'family' if outside == 1 else 'families'} outside"
            if dos is not None
            else "no inventory",
        ),
        Kpi("backorders", "Backorders at stake", bo, bo_prev, "money", False, "peak projected backorders at price"),
        Kpi(
            "backlog", "Make-to-order backlog", bl, bl_prev, "money", False, "end of the cycle's first month, at price"
        ),
        Kpi("utilisation", "Peak capacity utilisation", util, util_prev, "pct", False, where),
    ]
