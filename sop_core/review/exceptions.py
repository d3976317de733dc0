"""Exceptions worth an agenda slot (S&OP reference), one small function per rule, ranked by money at stake.

Rules and the money each puts at stake:

* **Biased forecast** — lag-1 tracking signal beyond ±:data:`TS_LIMIT`:
  |mean error| × :data:`EXPOSURE_MONTHS` months × price.
* **Backorders** (make-to-stock) — peak projected backorders × price.
* **Days of supply out of range** (make-to-stock) — the worst month's units
  below the minimum cover at price, or above the maximum at unit cost.
* **Growing backlog** (make-to-order) — backlog rising in each of the last
  :data:`ACCURACY_MONTHS` closed months, or projected above its target cover:
  the growth (or the excess) × price.
* **Capacity** — a resource above 100 % (any month), or at/above its warning
  threshold for :data:`WARNING_RUN` months in a row: the hours above the limit ×
  the planned revenue per load hour of that resource and month.
* **Revenue gap** — outlook more than :data:`REVENUE_GAP_ACT` below budget for
  :data:`REVENUE_GAP_RUN` consecutive months or more: the summed gap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..months import add_months
from .bundle import Review
from .projection import supply_projection
from .rules import (
    ACCURACY_HISTORY,
    ACCURACY_MONTHS,
    EXPOSURE_MONTHS,
    HISTORY_MONTHS,
    REVENUE_GAP_ACT,
    REVENUE_GAP_RUN,
    TS_LIMIT,
    WARNING_RUN,
    closed,
    runs,
    span,
)

EXCEPTION_COLUMNS = ["rule", "subject", "detail", "months", "money", "page"]
DEMAND, SUPPLY, FINANCE = "Demand review", "Supply review", "Finance review"

Row = dict[str, object]


def _row(rule: str, subject: str, detail: str, months: str, money: float, page: str) -> Row:
    return {"rule": rule, "subject": subject, "detail": detail, "months": months, "money": float(money), "page": page}


def biased_forecasts(review: Review) -> list[Row]:
    """Families whose lag-1 tracking signal is beyond ±:data:`TS_LIMIT`."""
    lag1 = review.accuracy[(review.accuracy["lag"] == 1) & (review.accuracy["tracking_signal"].abs() > TS_LIMIT)]
    return [
        _row(
            "Biased forecast",
            rec.family,
            f"tracking signal {rec.tracking_signal:+.1f} "
            f"({'under-forecast' if rec.tracking_signal > 0 else 'over-forecast'}, bias {rec.bias_pct:+.1%})",
            f"last {ACCURACY_HISTORY} months",
            abs(rec.bias) * EXPOSURE_MONTHS * review.prices.get(rec.family, 0),
            DEMAND,
        )
        for rec in lag1.itertuples()
    ]


def _horizon(review: Review) -> list[tuple[str, pd.DataFrame]]:
    """The supply projection of each family over the horizon, by month."""
    band = supply_projection(review)
    future = band[pd.to_datetime(band["month"]) >= pd.Timestamp(review.cycle)]
    return [(str(family), group.sort_values("month")) for family, group in future.groupby("family", sort=True)]


def _has_backorders(group: pd.DataFrame) -> bool:
    return bool((group["strategy"] != "mto").any() and (group["backorders"] > 0).any())


def backorders(review: Review, horizon: Sequence[tuple[str, pd.DataFrame]]) -> list[Row]:
    """Make-to-stock families with projected backorders: the peak at price."""
    rows = []
    for family, group in horizon:
        if _has_backorders(group):
            peak = group.loc[group["backorders"].idxmax()]
            rows.append(
                _row(
                    "Backorders",
                    family,
                    f"up to {peak['backorders']:,.0f} units on backorder",
                    span(group.loc[group["backorders"] > 0, "month"]),
                    peak["backorders"] * review.prices.get(family, 0),
                    SUPPLY,
                )
            )
    return rows


def cover_out_of_range(review: Review, horizon: Sequence[tuple[str, pd.DataFrame]]) -> list[Row]:
    """Stock outside its target band (families without backorders): the worst month's units at price or cost.

    Make-to-order: backlog above the target cover. Make-to-stock: below the
    minimum cover (at price), else above the maximum (at unit cost).
    """
    costs = review.master.set_index("family")["unit_cost"]
    rows = []
    for family, group in horizon:
        if _has_backorders(group):
            continue
        short = (group["band_lo"] - group["projected"]).clip(lower=0)
        excess = (group["projected"] - group["band_hi"]).clip(lower=0)
        price, cost = review.prices.get(family, 0), costs.get(family, 0)
        checks = (
            [("Backlog above target", excess, "backlog up to {:,.0f} units above target cover", price)]
            if (group["strategy"] == "mto").all()
            else [
                ("Days of supply below target", short, "up to {:,.0f} units short of minimum cover", price),
                ("Days of supply above target", excess, "up to {:,.0f} units above maximum cover", cost),
            ]
        )
        for rule, units, detail, value in checks:
            if units.max() > 0:
                rows.append(
                    _row(
                        rule,
                        family,
                        detail.format(units.max()),
                        span(group.loc[units > 0, "month"]),
                        units.max() * value,
                        SUPPLY,
                    )
                )
                break
    return rows


def growing_backlog(review: Review) -> list[Row]:
    """Make-to-order backlog counted higher in each of the last :data:`ACCURACY_MONTHS` closed months."""
    mto = set(review.master.loc[review.master["strategy"] == "mto", "family"])
    counts = closed(review.counts, review.cycle, ACCURACY_MONTHS + 1).dropna(subset=["actual"])
    rows = []
    for family, group in counts[counts["family"].isin(mto)].groupby("family"):
        values = group.sort_values("month")["actual"].to_numpy()
        if len(values) > ACCURACY_MONTHS and np.all(np.diff(values) > 0):
            rows.append(
                _row(
                    "Growing backlog",
                    str(family),
                    f"backlog up {values[-1] - values[0]:,.0f} units in {ACCURACY_MONTHS} months",
                    span(group["month"].iloc[1:]),
                    (values[-1] - values[0]) * review.prices.get(family, 0),
                    SUPPLY,
                )
            )
    return rows


def capacity_exceptions(review: Review) -> list[Row]:
    """Resources above 100 % in any month, else at their warning level for :data:`WARNING_RUN` months in a row."""
    rows = []
    for resource, group in review.capacity.groupby("resource", sort=True):
        group = group.sort_values("month").reset_index(drop=True)
        over = (group["status"] == "overload").to_numpy()
        if over.any():
            rule, picked, limit = "Capacity overload", [int(i) for i in np.flatnonzero(over)], group["available_hours"]
        else:
            rule, limit = "Capacity at warning level", group["available_hours"] * group["warning_utilisation"]
            picked = [i for run in runs((group["status"] == "warning").to_numpy(), WARNING_RUN) for i in run]
        if not picked:
            continue
        sel = group.iloc[picked]
        excess = (sel["load_hours"] - limit.iloc[picked]).clip(lower=0)
        rows.append(
            _row(
                rule,
                str(resource),
                f"peak {sel['utilisation'].max():.0%} of available hours ({excess.sum():,.0f} h over)",
                span(sel["month"]),
                (excess * sel["revenue_per_hour"].fillna(0)).sum(),
                SUPPLY,
            )
        )
    return rows


def revenue_below_budget(review: Review) -> list[Row]:
    """Outlook more than :data:`REVENUE_GAP_ACT` below budget for :data:`REVENUE_GAP_RUN` months in a row."""
    money = review.finance
    money = money[pd.to_datetime(money["month"]) >= pd.Timestamp(add_months(review.cycle, -HISTORY_MONTHS))]
    rows = []
    for family, group in money.groupby("family", sort=True):
        group = group.dropna(subset=["budget_revenue"]).sort_values("month")
        pct = (group["gap_to_budget"] / group["budget_revenue"].where(group["budget_revenue"] > 0)).to_numpy()
        for run in runs(np.nan_to_num(pct, nan=0.0) < -REVENUE_GAP_ACT, REVENUE_GAP_RUN):
            sel = group.iloc[run]
            rows.append(
                _row(
                    "Revenue below budget",
                    str(family),
                    f"{sel['gap_to_budget'].sum() / sel['budget_revenue'].sum():+.1%} vs budget for {len(run)} months",
                    span(sel["month"]),
                    -sel["gap_to_budget"].sum(),
                    FINANCE,
                )
            )
    return rows


def exceptions(review: Review) -> pd.DataFrame:
    """Every rule's exceptions (see the module doc), ranked by money at stake (whole currency units).

    Columns :data:`EXCEPTION_COLUMNS`; ``page`` names the review page to open.
    """
    horizon = _horizon(review)
    rows = [
        *biased_forecasts(review),
        *backorders(review, horizon),
        *cover_out_of_range(review, horizon),
        *growing_backlog(review),
        *capacity_exceptions(review),
        *revenue_below_budget(review),
    ]
    frame = pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)
    frame["money"] = frame["money"].astype(float).round(0)
    return frame.sort_values("money", ascending=False, kind="stable", ignore_index=True)


def decision_families(review: Review, ranked: pd.DataFrame, limit: int = 3) -> list[str]:
    """The families that need a decision: those with the most money at stake in ``ranked`` exceptions."""
    fams = set(review.master["family"])
    money = ranked[ranked["subject"].isin(fams)].groupby("subject")["money"].sum().sort_values(ascending=False)
    return money.index[:limit].tolist()
