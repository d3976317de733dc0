"""The review bundle: every frame the review pages show, for one cycle, families, regions and horizon.

:func:`load_review` reads the store facts once (:func:`sop_core.facts.read_facts`,
a few statements) and :func:`review_from` computes the bundle from them with
the same pure functions the store-taking analytics use, so the pages and the
API cannot disagree. Finance and the demand/supply projection are per family
over all regions (the plan of production and inventory is kept per family); the
region filter applies to demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..accuracy import ACCURACY_COLUMNS, accuracy_by_family, lagged_pairs
from ..conventions import DEFAULT_WARNING_UTILISATION
from ..deviation import plan_vs_actual_from
from ..facts import Facts, cycles, read_facts
from ..finance import finance_from
from ..months import add_months, current_month, month_range, month_start, month_window
from ..plan_data import actual_of, regional_record, version_plan_of
from ..store import Store
from ..supply import capacity_load_from, demand_supply_gap_from
from .rules import ACCURACY_HISTORY, ACCURACY_LAGS, ACCURACY_MONTHS, HISTORY_MONTHS


@dataclass(frozen=True)
class Review:
    """Everything the review pages show for one cycle, families, regions and horizon."""

    cycle: dt.date
    horizon: int
    master: pd.DataFrame  # family master of the chosen families
    sales: pd.DataFrame  # plan_vs_actual('sales') in the window
    production: pd.DataFrame
    stock: pd.DataFrame  # plan_vs_actual('inventory'): inventory (mts) or backlog (mto)
    counts: pd.DataFrame  # family, month, actual: month-end inventory (mts) or backlog (mto) counts
    gap: pd.DataFrame  # demand_supply_gap over the horizon
    capacity: pd.DataFrame  # capacity_load over the horizon + revenue_per_hour, warning_utilisation
    finance: pd.DataFrame  # finance() over the cycle's year and the window
    accuracy: pd.DataFrame  # family, lag, n, wmape, bias, bias_pct, tracking_signal
    pairs: pd.DataFrame  # lag-1 forecast pairs (family, month, actual, forecast)
    outlook: pd.DataFrame  # family, month, plan, previous_plan, last_year
    regions: pd.DataFrame  # family, region, plan, actual, deviation_pct (last closed months)
    previous_cycle: dt.date | None = None
    months: list[dt.date] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when there is nothing to review (no family or no plan)."""
        return self.master.empty or (self.sales.empty and self.gap.empty)

    @property
    def prices(self) -> pd.Series:
        """Price per unit by family."""
        return self.master.set_index("family")["price"]


def load_review(
    store: Store,
    cycle: dt.date | None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    horizon: int = 12,
) -> Review:
    """Gather the review bundle of ``cycle`` (``None``: the latest) for the chosen filters.

    ``families``/``regions`` ``None`` or empty mean all. The previous cycle is the
    version one month before ``cycle`` when the store has it. Reads the store
    once (:func:`read_review_facts`), then computes (:func:`review_from`).
    """
    known = cycles(store)
    chosen = month_start(cycle) if cycle else (known[0] if known else current_month())
    previous = add_months(chosen, -1)
    facts = read_review_facts(store, chosen, families, regions)
    return review_from(facts, horizon, previous if previous in known else None)


def read_review_facts(
    store: Store, cycle: dt.date, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> Facts:
    """The store facts a review bundle of ``cycle`` needs (empty ``families``/``regions``: all)."""
    return read_facts(
        store,
        cycle,
        list(families) if families else None,
        list(regions) if regions else None,
        previous=True,
        lags=ACCURACY_LAGS,
        lag_months=ACCURACY_HISTORY,
        region_months=ACCURACY_MONTHS,
    )


def review_from(facts: Facts, horizon: int, previous_cycle: dt.date | None) -> Review:
    """The review bundle over facts read by :func:`read_review_facts` (pure)."""
    cycle = facts.cycle
    if cycle is None:
        raise ValueError("a review needs the facts of one cycle")
    start, end = add_months(cycle, -HISTORY_MONTHS), add_months(cycle, horizon - 1)
    fin_start, fin_end = min(start, dt.date(cycle.year, 1, 1)), max(end, dt.date(cycle.year, 12, 1))
    pairs = month_window(
        lagged_pairs(facts, ACCURACY_LAGS), add_months(cycle, -ACCURACY_HISTORY), add_months(cycle, -1)
    )
    return Review(
        cycle=cycle,
        horizon=horizon,
        master=facts.master,
        sales=month_window(plan_vs_actual_from(facts, "sales"), start, end),
        production=month_window(plan_vs_actual_from(facts, "production"), start, end),
        stock=month_window(plan_vs_actual_from(facts, "inventory"), start, end),
        counts=month_window(actual_of(facts, "stock", all_regions=True), start, add_months(cycle, -1)),
        gap=month_window(demand_supply_gap_from(facts), cycle, end),
        capacity=_with_revenue_per_hour(facts, cycle, month_window(capacity_load_from(facts), cycle, end)),
        finance=month_window(finance_from(facts), fin_start, fin_end),
        accuracy=_accuracy_by_lag(pairs),
        pairs=pairs[pairs["lag"] == 1].drop(columns="lag").reset_index(drop=True),
        outlook=_outlook(facts, cycle, previous_cycle, end),
        regions=_region_deviation(facts),
        previous_cycle=previous_cycle,
        months=month_range(start, HISTORY_MONTHS + horizon),
    )


def _accuracy_by_lag(pairs: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per family and lag of the forecast ``pairs`` (``lag`` column; the closed months of the window)."""
    rows = [
        {**rec, "lag": lag}
        for lag in ACCURACY_LAGS
        for rec in accuracy_by_family(pairs[pairs["lag"] == lag]).to_dict("records")
    ]
    return pd.DataFrame(rows, columns=["family", "lag", *ACCURACY_COLUMNS[1:]])


def _outlook(facts: Facts, cycle: dt.date, previous: dt.date | None, end: dt.date) -> pd.DataFrame:
    """Demand plan of ``cycle`` beside the previous cycle's plan and the actuals 12 months earlier."""
    frame = version_plan_of(facts, "demand", cycle)
    if previous is not None:
        prev = version_plan_of(facts, "demand", previous).rename(columns={"plan": "previous_plan"})
        frame = frame.merge(prev, on=["family", "month"], how="left")
    else:
        frame = frame.assign(previous_plan=np.nan)
    last = actual_of(facts, "demand")
    last = last.assign(month=last["month"] + pd.DateOffset(months=12)).rename(columns={"actual": "last_year"})
    frame = frame.merge(last, on=["family", "month"], how="left")
    return month_window(frame, cycle, end)[["family", "month", "plan", "previous_plan", "last_year"]]


def _region_deviation(facts: Facts) -> pd.DataFrame:
    """Demand plan vs actual per family and region over the last :data:`ACCURACY_MONTHS` closed months."""
    plan = regional_record(facts)
    actual = actual_of(facts, "demand", by_region=True)
    pva = plan.merge(actual, on=["family", "region", "month"], how="left").dropna(subset=["actual"])
    frame = pva.groupby(["region", "family"], as_index=False)[["plan", "actual"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["deviation_pct"] = np.where(frame["plan"] != 0, (frame["actual"] - frame["plan"]) / frame["plan"], np.nan)
    return frame[["family", "region", "plan", "actual", "deviation_pct"]]


def _with_revenue_per_hour(facts: Facts, cycle: dt.date, load: pd.DataFrame) -> pd.DataFrame:
    """Add ``revenue_per_hour`` (the planned revenue one load hour of the resource carries that month)
    and each resource's ``warning_utilisation``."""
    production = version_plan_of(facts, "production", cycle, all_regions=True)
    joined = production.merge(facts.bill, on="family").merge(facts.master[["family", "price"]], on="family")
    joined["hours"] = joined["plan"] * joined["hours_per_unit"]
    joined["revenue"] = joined["plan"] * joined["price"]
    per = joined.groupby(["resource", "month"], as_index=False)[["hours", "revenue"]].sum()
    per["revenue_per_hour"] = np.where(per["hours"] > 0, per["revenue"] / per["hours"].where(per["hours"] > 0, 1), 0)
    return (
        load.merge(per[["resource", "month", "revenue_per_hour"]], on=["resource", "month"], how="left")
        .merge(facts.resources, on="resource", how="left")
        .fillna({"warning_utilisation": DEFAULT_WARNING_UTILISATION})
    )


def open_trade_offs(store: Store, cycle: dt.date) -> pd.DataFrame:
    """Scenarios saved for ``cycle`` and not promoted yet: the trade-offs open this cycle."""
    return store.query(
        "SELECT name, author, note, created_at FROM scenarios WHERE cycle = ? AND promoted_at IS NULL "
        "ORDER BY created_at DESC",
        [cycle],
    )
