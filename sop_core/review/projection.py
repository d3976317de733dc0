"""The supply picture of a review: counted stock, then the projection, against the target band."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..months import add_months, days_in_month
from .bundle import Review

PROJECTION_COLUMNS = [
    "family",
    "strategy",
    "month",
    "actual",
    "projected",
    "backorders",
    "band_lo",
    "band_hi",
    "days_of_supply",
    "min_days",
    "max_days",
]


def supply_projection(review: Review) -> pd.DataFrame:
    """Per family and month: actual stock (closed months), projected stock (horizon), backorders and the target band.

    Stock is on-hand inventory for make-to-stock and backlog for make-to-order.
    The target band in units is the family's min/max days of cover times the
    following month's daily demand plan (an approximation of the forward cover
    used for :func:`sop_core.calc.days_of_supply`; exact when demand is flat).
    """
    if review.master.empty:
        return pd.DataFrame(columns=PROJECTION_COLUMNS)
    strat = review.master.set_index("family")
    past = review.counts[["family", "month", "actual"]]
    gap = review.gap.assign(
        projected=np.where(review.gap["strategy"] == "mto", review.gap["backlog"], review.gap["ending_inventory"])
    )
    future = gap[["family", "month", "projected", "backorders", "days_of_supply", "demand"]]
    past_demand = review.sales[pd.to_datetime(review.sales["month"]) < pd.Timestamp(review.cycle)][
        ["family", "month", "plan"]
    ]
    frame = past.merge(future, on=["family", "month"], how="outer")
    demand = pd.concat(
        [
            past_demand.rename(columns={"plan": "d"}),
            future[["family", "month", "demand"]].rename(columns={"demand": "d"}),
        ]
    )
    frame = frame.merge(demand.drop_duplicates(["family", "month"]), on=["family", "month"], how="left")
    frame = frame[frame["family"].isin(strat.index)].sort_values(["family", "month"], ignore_index=True)
    frame["strategy"] = frame["family"].map(strat["strategy"])
    frame["min_days"] = frame["family"].map(strat["min_days_of_supply"])
    frame["max_days"] = frame["family"].map(strat["max_days_of_supply"])
    days_next = np.array([days_in_month(add_months(pd.Timestamp(m).date(), 1)) for m in frame["month"]], dtype=float)
    daily_next = frame.groupby("family")["d"].shift(-1).fillna(frame["d"]) / days_next
    frame["band_lo"] = frame["min_days"] * daily_next
    frame["band_hi"] = frame["max_days"] * daily_next
    frame["backorders"] = frame["backorders"].fillna(0.0)
    # The projection starts from the last count, so that the two lines join.
    last = pd.to_datetime(frame["month"]) == pd.Timestamp(add_months(review.cycle, -1))
    frame.loc[last, "projected"] = frame.loc[last, "actual"]
    return frame[PROJECTION_COLUMNS]


def inventory_value(review: Review) -> pd.DataFrame:
    """``family, month, value``: make-to-stock inventory at standard cost, counted then projected."""
    proj = supply_projection(review)
    proj = proj[proj["strategy"] == "mts"]
    if proj.empty:  # only make-to-order families chosen: no finished inventory
        return pd.DataFrame(
            {
                "family": pd.Series(dtype=str),
                "month": pd.Series(dtype="datetime64[ns]"),
                "value": pd.Series(dtype=float),
            }
        )
    cost = proj["family"].map(review.master.set_index("family")["unit_cost"])
    return proj.assign(value=proj["actual"].fillna(proj["projected"]) * cost)[["family", "month", "value"]]
