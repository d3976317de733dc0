"""The supply plan checked: projection and rough-cut capacity of the draft, and the exceptions for the meeting.

:func:`supply_check` is the supply review's picture of a cycle's draft (whatever wrote it: the generator, an
adjustment or a promoted scenario): per family and month the projection (:func:`sop_core.supply.demand_supply_gap`:
inventory with backorders, or backlog, days of supply against the family's range), per resource and month the
rough-cut load and utilisation (:func:`sop_core.supply.capacity_load`), and the load split by family.

:func:`supply_exceptions` turns overloads and shortages into rows the agenda uses, with the review's own rules
and money at stake (:func:`sop_core.review.exceptions` over the cycle's whole horizon), keeping the rules of
:data:`SUPPLY_RULES`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..conventions import DEFAULT_WARNING_UTILISATION, EPS, PLAN_HORIZON_MONTHS
from ..review import EXCEPTION_COLUMNS, Review, exceptions, load_review
from ..store import Store
from ..supply import capacity_load, demand_supply_gap
from .supply_plan import require_plan

SUPPLY_RULES = ("Capacity overload", "Backorders", "Backlog above target", "Days of supply below target")
LOAD_COLUMNS = ["resource", "family", "month", "load_hours"]


@dataclass(frozen=True)
class SupplyCheck:
    """The supply picture of one cycle's draft.

    ``projection``: :data:`sop_core.supply.GAP_COLUMNS` per family and month (``status`` ``backorder``, ``below``,
    ``above`` or ``ok``); ``capacity``: :data:`sop_core.supply.CAPACITY_COLUMNS` per resource and month
    (``status`` ``overload`` above 100 %, ``warning`` at the resource's threshold) and the resource's
    ``warning_utilisation``; ``load``: :data:`LOAD_COLUMNS`.
    """

    cycle: dt.date
    projection: pd.DataFrame
    capacity: pd.DataFrame
    load: pd.DataFrame

    @property
    def overloads(self) -> pd.DataFrame:
        """The resource-months above 100 % of their available hours."""
        return self.capacity[self.capacity["status"] == "overload"].reset_index(drop=True)

    @property
    def shortages(self) -> pd.DataFrame:
        """The family-months short of supply: backorders (make-to-stock) or backlog above its cover (make-to-order)."""
        p = self.projection
        short = (p["backorders"].fillna(0.0) > EPS) | ((p["strategy"] == "mto") & (p["status"] == "above"))
        return p[short].reset_index(drop=True)

    @property
    def within_capacity(self) -> bool:
        """True when no resource-month is overloaded."""
        return self.overloads.empty


def supply_check(store: Store, cycle: dt.date | str | None = None) -> SupplyCheck:
    """The projection and rough-cut capacity of the draft of ``cycle`` (default: the latest); read only.

    :class:`~.errors.CycleError` when the store has no such plan.
    """
    chosen = require_plan(store, cycle)
    projection = demand_supply_gap(store, chosen)
    capacity = capacity_load(store, chosen)
    warning = store.query("SELECT resource, warning_utilisation FROM resources")
    capacity = capacity.merge(warning, on="resource", how="left").fillna(
        {"warning_utilisation": DEFAULT_WARNING_UTILISATION}
    )
    bill = store.query("SELECT family, resource, hours_per_unit FROM bill_of_resources")
    load = projection[["family", "month", "supply"]].merge(bill, on="family")
    load = load.assign(load_hours=load["supply"] * load["hours_per_unit"])
    load = load.sort_values(["resource", "family", "month"], ignore_index=True)[LOAD_COLUMNS]
    return SupplyCheck(chosen, projection.reset_index(drop=True), capacity.reset_index(drop=True), load)


def supply_exceptions_from(review: Review) -> pd.DataFrame:
    """The supply exceptions of a review bundle: its exceptions of :data:`SUPPLY_RULES`, by money at stake."""
    ranked = exceptions(review)
    return ranked[ranked["rule"].isin(SUPPLY_RULES)].reset_index(drop=True)[EXCEPTION_COLUMNS]


def supply_exceptions(store: Store, cycle: dt.date | str | None = None) -> pd.DataFrame:
    """Overloads and shortages of the draft of ``cycle`` over its whole horizon, ranked by money at stake.

    Columns :data:`sop_core.review.EXCEPTION_COLUMNS` (``rule, subject, detail, months, money, page``), the
    review's rules and money (capacity overload: hours over × planned revenue per load hour; backorders: the
    peak at price; backlog above target and cover below minimum: the worst month's units at price).
    """
    chosen = require_plan(store, cycle)
    return supply_exceptions_from(load_review(store, chosen, horizon=PLAN_HORIZON_MONTHS))
