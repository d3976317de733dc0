"""The scenario model's inputs: the plan of one cycle read from the store once, as numpy arrays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import plan_data
from ..finance import finance
from ..months import days_in_month, working_days
from ..plans import resolve_cycle
from ..store import Store, StoreError
from ..supply import opening_positions


@dataclass(frozen=True, eq=False)
class ScenarioInputs:
    """Everything a scenario needs, pre-aggregated once into numpy arrays.

    Shapes: F families, G regions, R resources, T months of the plan horizon.
    Positions follow the package's sign convention (make-to-order = −backlog).
    """

    cycle: dt.date
    months: tuple[dt.date, ...]
    families: tuple[str, ...]
    regions: tuple[str, ...]
    resources: tuple[str, ...]
    mto: np.ndarray  # (F,) bool
    price: np.ndarray  # (F,)
    unit_cost: np.ndarray  # (F,)
    min_days: np.ndarray  # (F,)
    max_days: np.ndarray  # (F,)
    demand: np.ndarray  # (F, G, T) demand plan
    production: np.ndarray  # (F, T) production plan
    opening_inventory: np.ndarray  # (F,)
    opening_backorders: np.ndarray  # (F,)
    opening_backlog: np.ndarray  # (F,)
    hours: np.ndarray  # (F, R) bill of resources
    available: np.ndarray  # (R, T) available hours, NaN = no data
    warning: np.ndarray  # (R,) warning utilisation
    days: np.ndarray  # (T,) calendar days
    working_days: np.ndarray  # (T,)
    budget_revenue: np.ndarray  # (F, T), NaN = no budget

    @property
    def start_position(self) -> np.ndarray:
        """Opening net position per family: inventory − backorders, or −backlog."""
        return np.where(self.mto, -self.opening_backlog, self.opening_inventory - self.opening_backorders)

    @property
    def opening_shortfall(self) -> np.ndarray:
        """What is owed at the start per family: open backorders, or the backlog for make-to-order."""
        return np.where(self.mto, self.opening_backlog, self.opening_backorders)

    @property
    def default_target_days(self) -> np.ndarray:
        """The baseline target days per family: the middle of its min/max range."""
        return (self.min_days + self.max_days) / 2.0


def baseline_inputs(store: Store, cycle: dt.date | str | None = None) -> ScenarioInputs:
    """Read and pre-aggregate the plan of ``cycle`` (``None``: the latest version) for scenarios.

    Raises :class:`StoreError` when there is no plan.
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        raise StoreError("There is no plan to build scenarios on.")
    master = plan_data.families(store)
    demand = store.query(
        "SELECT family, region, month, sum(quantity) AS quantity FROM demand_plan WHERE cycle = ? GROUP BY ALL",
        [chosen],
    )
    production = plan_data.version_plan(store, "production", chosen)
    month_values = sorted(
        set(pd.to_datetime(demand["month"]).dt.date) | set(pd.to_datetime(production["month"]).dt.date)
    )
    if not month_values:
        raise StoreError(f"The plan of cycle {chosen:%Y-%m} is empty.")
    months = tuple(month_values)
    fams = tuple(master["family"])
    regions = tuple(sorted(set(demand["region"]))) or ("",)
    res = store.query("SELECT resource, warning_utilisation FROM resources ORDER BY resource")
    resources = tuple(res["resource"])
    f_ix, g_ix, r_ix, t_ix = (_positions(names) for names in (fams, regions, resources, months))

    dem = np.zeros((len(fams), len(regions), len(months)))
    d = demand[demand["family"].isin(f_ix)]
    np.add.at(
        dem, (_ix(d["family"], f_ix), _ix(d["region"], g_ix), _ix(d["month"], t_ix)), d["quantity"].to_numpy(float)
    )
    prod = np.zeros((len(fams), len(months)))
    p = production[production["family"].isin(f_ix)]
    np.add.at(prod, (_ix(p["family"], f_ix), _ix(p["month"], t_ix)), p["plan"].to_numpy(float))

    opening = opening_positions(store, chosen).set_index("family").reindex(list(fams)).fillna(0.0)
    cal = plan_data.calendar(store)
    wd_map = dict(zip(pd.to_datetime(cal["month"]).dt.date, cal["working_days"].astype(float), strict=True))
    return ScenarioInputs(
        cycle=chosen,
        months=months,
        families=fams,
        regions=regions,
        resources=resources,
        mto=(master["strategy"] == "mto").to_numpy(),
        price=master["price"].to_numpy(float),
        unit_cost=master["unit_cost"].to_numpy(float),
        min_days=master["min_days_of_supply"].to_numpy(float),
        max_days=master["max_days_of_supply"].to_numpy(float),
        demand=dem,
        production=prod,
        opening_inventory=opening["inventory"].to_numpy(float),
        opening_backorders=opening["backorders"].to_numpy(float),
        opening_backlog=opening["backlog"].to_numpy(float),
        hours=_bill_of_resources(store, f_ix, r_ix),
        available=_available_hours(store, r_ix, t_ix),
        warning=res["warning_utilisation"].to_numpy(float),
        days=np.array([days_in_month(m) for m in months], dtype=float),
        working_days=np.array([wd_map.get(m, working_days(m)) for m in months], dtype=float),
        budget_revenue=_budget_revenue(store, chosen, f_ix, t_ix),
    )


def _bill_of_resources(store: Store, f_ix: Mapping[str, int], r_ix: Mapping[str, int]) -> np.ndarray:
    """Hours per unit, (F, R); 0 where a family does not use a resource."""
    bill = store.query("SELECT family, resource, hours_per_unit FROM bill_of_resources")
    bill = bill[bill["family"].isin(f_ix) & bill["resource"].isin(r_ix)]
    hours = np.zeros((len(f_ix), len(r_ix)))
    hours[_ix(bill["family"], f_ix), _ix(bill["resource"], r_ix)] = bill["hours_per_unit"].to_numpy(float)
    return hours


def _available_hours(store: Store, r_ix: Mapping[str, int], t_ix: Mapping[dt.date, int]) -> np.ndarray:
    """Available hours, (R, T); NaN where the capacity table has no row (not constrained)."""
    months = list(t_ix)
    cap = store.query(
        "SELECT resource, month, available_hours FROM capacity WHERE month >= ? AND month <= ?", [months[0], months[-1]]
    )
    cap = cap[cap["resource"].isin(r_ix) & pd.to_datetime(cap["month"]).dt.date.isin(t_ix).to_numpy()]
    available = np.full((len(r_ix), len(t_ix)), np.nan)
    available[_ix(cap["resource"], r_ix), _ix(cap["month"], t_ix)] = cap["available_hours"].to_numpy(float)
    return available


def _budget_revenue(store: Store, cycle: dt.date, f_ix: Mapping[str, int], t_ix: Mapping[dt.date, int]) -> np.ndarray:
    """Budget revenue (F, T) as :func:`finance.finance` reports it; NaN for months without a budget."""
    fin = finance(store, cycle)
    budget = np.full((len(f_ix), len(t_ix)), np.nan)
    b = fin[fin["budget_revenue"].notna() & fin["family"].isin(f_ix)]
    b = b[pd.to_datetime(b["month"]).dt.date.isin(t_ix).to_numpy()]
    budget[_ix(b["family"], f_ix), _ix(b["month"], t_ix)] = b["budget_revenue"].to_numpy(float)
    return budget


def _positions(names: Sequence) -> dict:
    """Name → position in ``names``."""
    return {name: i for i, name in enumerate(names)}


def _ix(values: pd.Series, index: Mapping) -> np.ndarray:
    """Positions of ``values`` in ``index`` (months are matched as dates)."""
    if values.name == "month":
        values = pd.to_datetime(values).dt.date
    return values.map(index).to_numpy(dtype=np.int64)
