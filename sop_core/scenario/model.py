"""The scenario model: pure numpy over :class:`ScenarioInputs`, one named step per stage of the plan.

:func:`run` chains the steps: demand → targets → required production by strategy
→ rough-cut capacity → hybrid top-up → projection (inventory, backorders, backlog,
shipments, late demand) → money. Every step works on all families at once
((F, T) arrays); only the hybrid top-up loops over months. The strategies use the
row kernels of :mod:`sop_core.calc` (:func:`calc.level_rows`, :func:`calc.chase_rows`,
:func:`calc.backlog_rows`), the one definition of each. The modelling choices are
listed in the package docstring (:mod:`sop_core.scenario`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import calc
from .inputs import ScenarioInputs
from .levers import Levers, pct_factors
from .results import Outcome


class Capacity(NamedTuple):
    """Rough-cut capacity of the required production: (R, T) load and utilisation, (F, T) what can be made."""

    load: np.ndarray
    utilisation: np.ndarray
    made: np.ndarray


class Flows(NamedTuple):
    """The projection of a supply plan, (F, T) each."""

    inventory: np.ndarray
    backorders: np.ndarray
    backlog: np.ndarray
    shipments: np.ndarray
    late: np.ndarray


class Money(NamedTuple):
    """Price (F,) and the money figures, (F, T) each."""

    price: np.ndarray
    revenue: np.ndarray
    cost: np.ndarray
    inventory_value: np.ndarray
    working_capital: np.ndarray


# ------------------------------------------------------------------- horizon and targets
def horizon(inputs: ScenarioInputs, levers: Levers) -> int:
    """Months evaluated: the lever's horizon, within 1 … the plan's months (``None``: all of them)."""
    n = len(inputs.months)
    return n if levers.horizon_months is None else max(1, min(int(levers.horizon_months), n))


def chosen_target_days(inputs: ScenarioInputs, levers: Levers) -> np.ndarray:
    """Target days per family: the lever's value, else the family's default (middle of its range)."""
    default = inputs.default_target_days
    return np.array([float(levers.target_days.get(f, d)) for f, d in zip(inputs.families, default, strict=True)])


def target_positions(inputs: ScenarioInputs, demand: np.ndarray, target_days: np.ndarray) -> np.ndarray:
    """Target positions (F, T): ± target days × daily demand (negative for make-to-order backlog)."""
    sign = np.where(inputs.mto, -1.0, 1.0)
    return (sign * target_days)[:, None] * demand / inputs.days[None, : demand.shape[1]]


# ------------------------------------------------------------------- demand
def regional_demand(inputs: ScenarioInputs, levers: Levers, T: int) -> np.ndarray:
    """The demand plan with the demand levers applied, per family, region and month (F, G, T).

    Overall, family and region changes multiply.
    """
    family = pct_factors(levers.demand_pct_family, inputs.families) * (1.0 + levers.demand_pct / 100.0)
    region = pct_factors(levers.demand_pct_region, inputs.regions)
    return inputs.demand[:, :, :T] * (family[:, None] * region[None, :])[:, :, None]


def scenario_demand(inputs: ScenarioInputs, levers: Levers, T: int) -> np.ndarray:
    """Demand per family and month (F, T): :func:`regional_demand` summed over the regions."""
    return regional_demand(inputs, levers, T).sum(axis=1)


# ------------------------------------------------------------------- supply by strategy
def required_production(
    inputs: ScenarioInputs, strategies: np.ndarray, demand: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Regular production each family's strategy asks for (F, T), before the capacity check.

    ``plan`` keeps the current production plan and builds (or draws down) the change
    of target positions against the default targets; ``level`` and ``hybrid`` use
    :func:`calc.level_rows` (per working day), ``chase`` :func:`calc.chase_rows`.
    """
    T = demand.shape[1]
    start = inputs.start_position
    delta_target = target - target_positions(inputs, demand, inputs.default_target_days)
    required = np.maximum(inputs.production[:, :T] + np.diff(delta_target, axis=1, prepend=0.0), 0.0)
    is_level = (strategies == "level") | (strategies == "hybrid")
    if is_level.any():
        level = calc.level_rows(demand, start, target[:, -1], inputs.working_days[:T])
        required = np.where(is_level[:, None], level, required)
    is_chase = strategies == "chase"
    if is_chase.any():
        required = np.where(is_chase[:, None], calc.chase_rows(demand, start, target), required)
    return required


# ------------------------------------------------------------------- capacity
def rough_cut(inputs: ScenarioInputs, levers: Levers, required: np.ndarray) -> Capacity:
    """Required load against the (lever-changed) available hours, and the production that fits.

    Utilisation is reported for the required load (overloads show above 100 %; load
    on a resource with no hours is infinite; NaN where there is no capacity data).
    What can be made is the required production cut, per resource-month, by
    ``available / load``; a family takes the tightest cut of the resources it uses.
    """
    T = required.shape[1]
    available = inputs.available[:, :T] * pct_factors(levers.capacity_pct_resource, inputs.resources)[:, None]
    load = inputs.hours.T @ required
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(np.isfinite(available) & (available > 0), load / available, np.nan)
        utilisation = np.where(np.isfinite(available) & (available == 0) & (load > 0), np.inf, utilisation)
        cut = np.where(np.isfinite(available) & (load > available), available / load, 1.0)
    uses = inputs.hours > 0
    factor = np.where(uses[:, :, None], cut[None, :, :], 1.0).min(axis=1) if uses.any() else np.ones_like(required)
    return Capacity(load=load, utilisation=utilisation, made=required * factor)


def hybrid_top_up(
    inputs: ScenarioInputs,
    levers: Levers,
    hybrid: np.ndarray,
    demand: np.ndarray,
    required: np.ndarray,
    made: np.ndarray,
    target: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Overtime and subcontracting of the ``hybrid`` families (F, T each; zero elsewhere).

    Month by month, only what brings the position back up to the target: overtime
    first, then subcontracting, each up to its limit (% of the level base rate).
    """
    overtime = np.zeros_like(made)
    subcontract = np.zeros_like(made)
    if not hybrid.any():
        return overtime, subcontract
    rate = required[hybrid].mean(axis=1)
    ot_cap = rate * levers.overtime_limit_pct / 100.0
    sc_cap = rate * levers.subcontract_limit_pct / 100.0
    pos = inputs.start_position[hybrid]
    dem_h, made_h, tgt_h, mto_h = demand[hybrid], made[hybrid], target[hybrid], inputs.mto[hybrid]
    ot = np.zeros_like(made_h)
    sc = np.zeros_like(made_h)
    for t in range(made.shape[1]):
        pos = pos + made_h[:, t] - dem_h[:, t]
        need = np.maximum(tgt_h[:, t] - pos, 0.0)
        ot[:, t] = np.minimum(need, ot_cap)
        sc[:, t] = np.minimum(need - ot[:, t], sc_cap)
        pos = pos + ot[:, t] + sc[:, t]
        pos = np.where(mto_h, np.minimum(pos, 0.0), pos)
    overtime[hybrid], subcontract[hybrid] = ot, sc
    return overtime, subcontract


# ------------------------------------------------------------------- projection
def project_positions(start: np.ndarray, production: np.ndarray, demand: np.ndarray, mto: np.ndarray) -> np.ndarray:
    """Net positions per family and month.

    Make-to-stock rows: ``start + cumsum(production − demand)`` (negative =
    backorders; :func:`calc.project_inventory_arrays`). Make-to-order rows: the
    backlog ``b_t = max(b_{t−1} + orders_t − production_t, 0)`` (no shipping ahead
    of orders, :func:`calc.backlog_rows`), returned as ``−b``.
    """
    ending, backorders = calc.project_inventory_arrays(start, production, demand)
    pos = ending - backorders
    if mto.any():
        pos[mto] = -calc.backlog_rows(-start[mto], demand[mto], production[mto])[0]
    return pos


def project_flows(inputs: ScenarioInputs, demand: np.ndarray, supply: np.ndarray) -> Flows:
    """Inventory, backorders or backlog, shipments and late demand of a supply plan.

    Late demand: make-to-stock ``min(demand_t, backorders_t)`` (older backorders are
    served first); make-to-order ``min(orders_t, backlog_t − promise_t)`` where the
    promise is ``max_days_of_supply`` of demand.
    """
    T = demand.shape[1]
    mto = inputs.mto[:, None]
    pos = project_positions(inputs.start_position, supply, demand, inputs.mto)
    short = np.maximum(-pos, 0.0)
    prev_short = np.concatenate([inputs.opening_shortfall[:, None], short[:, :-1]], axis=1)
    backlog = np.where(mto, short, 0.0)
    promise = inputs.max_days[:, None] * demand / inputs.days[None, :T]
    late = np.where(mto, np.minimum(demand, np.maximum(backlog - promise, 0.0)), np.minimum(demand, short))
    return Flows(
        inventory=np.maximum(pos, 0.0),
        backorders=np.where(mto, 0.0, short),
        backlog=backlog,
        shipments=demand + prev_short - short,
        late=late,
    )


def make_to_order_supply(
    inputs: ScenarioInputs, shipments: np.ndarray, supply: np.ndarray, overtime: np.ndarray, subcontract: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Production, overtime and subcontracting with make-to-order rows limited to what ships.

    A make-to-order family keeps no finished stock: what it makes is what ships,
    and its overtime and subcontracting never exceed that.
    """
    mto = inputs.mto[:, None]
    production = np.where(mto, shipments, supply)
    if overtime.any() or subcontract.any():
        overtime = np.where(mto, np.minimum(overtime, shipments), overtime)
        room = np.maximum(shipments - overtime, 0.0)
        subcontract = np.where(mto, np.minimum(subcontract, room), subcontract)
    return production, overtime, subcontract


# ------------------------------------------------------------------- money
def money(inputs: ScenarioInputs, levers: Levers, flows: Flows, overtime: np.ndarray, subcontract: np.ndarray) -> Money:
    """Revenue, cost (standard cost + overtime/subcontracting premiums), inventory value, working capital.

    Receivables are ``receivable_days`` of each month's revenue (at most the whole month).
    """
    days = inputs.days[: flows.shipments.shape[1]]
    price = inputs.price * pct_factors(levers.price_pct_family, inputs.families)
    revenue = flows.shipments * price[:, None]
    premium = (overtime * levers.overtime_premium_pct + subcontract * levers.subcontract_premium_pct) / 100.0
    cost = (flows.shipments + premium) * inputs.unit_cost[:, None]
    inventory_value = flows.inventory * inputs.unit_cost[:, None]
    receivables = revenue * (np.minimum(levers.receivable_days, days) / days)[None, :]
    return Money(
        price=price,
        revenue=revenue,
        cost=cost,
        inventory_value=inventory_value,
        working_capital=inventory_value + receivables,
    )


# ------------------------------------------------------------------- the whole run
def run(inputs: ScenarioInputs, levers: Levers, target_days: np.ndarray, T: int) -> Outcome:
    """Evaluate ``levers`` over the first ``T`` months, with ``target_days`` per family."""
    demand = scenario_demand(inputs, levers, T)
    target = target_positions(inputs, demand, target_days)
    strategies = levers.strategy_of(inputs.families)
    required = required_production(inputs, strategies, demand, target)
    capacity = rough_cut(inputs, levers, required)
    overtime, subcontract = hybrid_top_up(
        inputs, levers, strategies == "hybrid", demand, required, capacity.made, target
    )
    supply = capacity.made + overtime + subcontract
    flows = project_flows(inputs, demand, supply)
    production, overtime, subcontract = make_to_order_supply(inputs, flows.shipments, supply, overtime, subcontract)
    cash = money(inputs, levers, flows, overtime, subcontract)
    return Outcome(
        demand=demand,
        production=production,
        overtime=overtime,
        subcontract=subcontract,
        inventory=flows.inventory,
        backorders=flows.backorders,
        backlog=flows.backlog,
        shipments=flows.shipments,
        late=flows.late,
        load=capacity.load,
        utilisation=capacity.utilisation,
        price=cash.price,
        revenue=cash.revenue,
        cost=cash.cost,
        margin=cash.revenue - cash.cost,
        inventory_value=cash.inventory_value,
        working_capital=cash.working_capital,
        budget_revenue=inputs.budget_revenue[:, :T],
    )
