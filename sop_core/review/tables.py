"""Table shaping for the review pages: pivots, bands, finance by year, inventory value (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..months import month_window
from .bundle import Review
from .rules import TS_LIMIT


def year_finance(review: Review) -> pd.DataFrame:
    """Per family: budget, outlook and gap (money) over the calendar year of the cycle."""
    money = review.finance
    year = money[pd.to_datetime(money["month"]).dt.year == review.cycle.year]
    out = year.groupby("family", as_index=False)[
        ["budget_revenue", "outlook_revenue", "plan_revenue", "actual_revenue", "budget_margin", "outlook_margin"]
    ].sum(min_count=1)
    out["gap_to_budget"] = out["outlook_revenue"] - out["budget_revenue"]
    out["gap_pct"] = np.where(out["budget_revenue"] > 0, out["gap_to_budget"] / out["budget_revenue"], np.nan)
    return out


def with_tolerance_band(pva: pd.DataFrame, master: pd.DataFrame) -> pd.DataFrame:
    """``pva`` plus ``band_lo``/``band_hi``: the plan ± the family's tolerance (percent in the master)."""
    tol = pva["family"].map(master.set_index("family")["tolerance_pct"]).fillna(0) / 100
    return pva.assign(band_lo=pva["plan"] * (1 - tol), band_hi=pva["plan"] * (1 + tol))


def deviation_table(pva: pd.DataFrame, cumulative: bool = False) -> pd.DataFrame:
    """Family × month deviation in % of plan, closed months only.

    With ``cumulative`` a last column ``cum.`` holds Σ(actual − plan) / Σ plan over the months shown.
    """
    closed = pva.dropna(subset=["actual"])
    table = closed.pivot_table(index="family", columns="month", values="deviation_pct", aggfunc="first")
    if cumulative and not closed.empty:
        sums = closed.groupby("family")[["deviation", "plan"]].sum()
        table["cum."] = sums["deviation"] / sums["plan"].where(sums["plan"] != 0)
    return table


def accuracy_table(review: Review, metric: str = "wmape") -> pd.DataFrame:
    """Family × lag (``lag 0`` …) of an accuracy metric."""
    table = review.accuracy.pivot_table(index="family", columns="lag", values=metric, aggfunc="first")
    table.columns = [f"lag {c}" for c in table.columns]
    return table


def lag_column(review: Review, metric: str, label: str, lag: int = 1) -> pd.DataFrame:
    """Family × one column (``label``): an accuracy metric at ``lag``."""
    acc = review.accuracy[review.accuracy["lag"] == lag]
    return acc.set_index("family")[[metric]].rename(columns={metric: label})


def accuracy_summary(review: Review, lag: int = 1) -> pd.DataFrame:
    """Per family at ``lag``: months, WMAPE, accuracy (1 − WMAPE, floored), bias %, tracking signal, flag."""
    acc = review.accuracy[review.accuracy["lag"] == lag]
    return pd.DataFrame(
        {
            "family": acc["family"],
            "months": acc["n"],
            "wmape": acc["wmape"],
            "accuracy": (1 - acc["wmape"]).clip(lower=0),
            "bias_pct": acc["bias_pct"],
            "tracking_signal": acc["tracking_signal"],
            "biased": acc["tracking_signal"].abs() > TS_LIMIT,
        }
    ).reset_index(drop=True)


def region_table(review: Review) -> pd.DataFrame:
    """Family × region demand deviation in % of plan over the last closed months."""
    return review.regions.pivot_table(index="family", columns="region", values="deviation_pct", aggfunc="first")


def gap_table(review: Review) -> pd.DataFrame:
    """Family × month demand/supply gap (supply − demand) in % of demand."""
    gap = review.gap.assign(gap_pct=review.gap["gap"] / review.gap["demand"].where(review.gap["demand"] != 0))
    return gap.pivot_table(index="family", columns="month", values="gap_pct", aggfunc="first")


def finance_totals(review: Review) -> pd.DataFrame:
    """Per month, summed over the chosen families: actual, plan and budget revenue, cost and margin."""
    cols = [f"{r}_{m}" for r in ("actual", "plan", "budget") for m in ("revenue", "cost", "margin")]
    window = month_window(review.finance, review.months[0], review.months[-1]) if review.months else review.finance
    return window.groupby("month", as_index=False)[cols].sum(min_count=1)


def finance_table(review: Review) -> pd.DataFrame:
    """Per family over the cycle's year: budget, outlook, gap (money and %) and margins."""
    money = ["budget_revenue", "outlook_revenue", "gap_to_budget", "budget_margin", "outlook_margin"]
    table = year_finance(review)[
        ["family", "budget_revenue", "outlook_revenue", "gap_to_budget", "gap_pct", "budget_margin", "outlook_margin"]
    ]
    return table.assign(**{c: table[c].round(0) for c in money})


def demand_picture(review: Review) -> pd.DataFrame:
    """Demand actual vs plan of record with the tolerance band, and for the horizon the previous
    cycle's plan and last year's actuals (``previous_plan``, ``last_year``)."""
    band = with_tolerance_band(review.sales, review.master)
    return band.merge(
        review.outlook[["family", "month", "previous_plan", "last_year"]], on=["family", "month"], how="left"
    )
