"""Scenarios: plan levers, their evaluation against the current plan, and their persistence.

A scenario is a set of :class:`Levers` (demand, price, capacity, inventory
target, production strategy, horizon). :func:`evaluate_scenario` projects it over
the plan of the current cycle and returns every figure as *scenario vs baseline*
(the baseline is the current plan: the latest version's production plan,
unchanged) with the deltas. Saved scenarios keep only their levers; results are
always recomputed from the current data.

Modelling choices (rough-cut, monthly buckets; APICS/CPIM, Wallace):

* **Position.** Each family carries a net position per month: make-to-stock
  ``inventory − backorders`` (unmet demand is a backorder, served first when
  supply returns — never dropped, see :func:`calc.project_inventory_arrays`);
  make-to-order ``−backlog`` (shipments cannot run ahead of orders, as in
  :func:`calc.project_backlog_arrays`). One sign convention lets every strategy
  work on both kinds: a make-to-order *target backlog* is a negative target
  position.
* **Targets.** ``target_t = target_days × demand_t / days_in_month_t`` (units of
  inventory, or of backlog for make-to-order). Default target days: the middle
  of the family's min/max range.
* **Strategies.** ``plan`` keeps the current production plan and only builds
  (or draws down) a change of target days, in the first month and then along
  the target path; ``level`` and ``chase`` are :func:`calc.level_rows` and
  :func:`calc.chase_rows` (the kernels of :func:`calc.level_plan_arrays` and
  :func:`calc.chase_plan_arrays`) over every family at once (level per
  working day when the calendar has them); ``hybrid`` is a level base rate plus
  overtime, then subcontracting, each up to a limit (% of the base rate) and at
  a premium per unit (% of the standard unit cost), used month by month only to
  bring the position back up to the target.
* **Capacity.** Regular production (everything but overtime and subcontracting)
  is checked against available hours (rough-cut: ``load = Σ production ×
  hours per unit``). Utilisation is reported for the *required* load, so
  overloads show above 100 %; what can be made is the required production cut,
  per resource-month, by ``available / load`` (a family takes the tightest cut
  of the resources it uses), and the shortfall becomes backorders (or backlog).
  Months without capacity data are not constrained. Overtime and
  subcontracting are extra hours / outside supply and are not capped by
  regular capacity.
* **Service.** Fill rate = demand served on time / demand. Make-to-stock: the
  late part of month ``t``'s demand is ``min(demand_t, backorders_t)`` (older
  backorders are served first). Make-to-order: orders are late when the backlog
  exceeds the family's promised cover (``max_days_of_supply`` of demand);
  the late part is ``min(orders_t, backlog_t − promise_t)``.
* **Money.** Revenue = shipments × price (price levers applied); cost = shipments
  × standard cost + overtime/subcontracting premiums; margin = revenue − cost;
  inventory value = ending inventory × standard cost (make-to-order: no finished
  stock); working capital = inventory value + receivables, receivables =
  revenue × ``receivable_days`` / days in month; gap to budget = revenue −
  budget revenue (months with a budget only).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Literal

import numpy as np
import pandas as pd

from . import calc, plan_data
from .finance import finance
from .months import days_in_month, working_days
from .plans import record_decision, resolve_cycle, write_plan_rows
from .store import Store, StoreError
from .supply import opening_positions

Strategy = Literal["plan", "level", "chase", "hybrid"]
STRATEGIES: tuple[str, ...] = ("plan", "level", "chase", "hybrid")
MAX_COMPARED = 3
LEVER_LABELS = {
    "demand_pct": "demand %", "demand_pct_family": "demand % by family", "demand_pct_region": "demand % by region",
    "price_pct_family": "price % by family", "capacity_pct_resource": "capacity % by resource",
    "target_days": "target days", "strategy": "strategy", "overtime_limit_pct": "overtime limit %",
    "overtime_premium_pct": "overtime premium %", "subcontract_limit_pct": "subcontracting limit %",
    "subcontract_premium_pct": "subcontracting premium %", "horizon_months": "horizon (months)",
    "receivable_days": "receivable days",
}
TRADEOFF_SCALES: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


# =========================================================================== levers
@dataclass(frozen=True)
class Levers:
    """The what-if levers of a scenario; the default (all zero / ``plan``) is the current plan.

    Percentages are in percent (``10`` = +10 %); mappings are keyed by family,
    region or resource name and missing keys mean "no change".
    """

    demand_pct: float = 0.0
    demand_pct_family: Mapping[str, float] = field(default_factory=dict)
    demand_pct_region: Mapping[str, float] = field(default_factory=dict)
    price_pct_family: Mapping[str, float] = field(default_factory=dict)
    capacity_pct_resource: Mapping[str, float] = field(default_factory=dict)
    target_days: Mapping[str, float] = field(default_factory=dict)
    strategy: Mapping[str, Strategy] = field(default_factory=dict)
    overtime_limit_pct: float = 15.0
    overtime_premium_pct: float = 30.0
    subcontract_limit_pct: float = 20.0
    subcontract_premium_pct: float = 45.0
    horizon_months: int | None = None
    receivable_days: float = 30.0

    def __post_init__(self) -> None:
        for name, value in self.strategy.items():
            if value not in STRATEGIES:
                raise ValueError(f"Unknown strategy {value!r} for {name}; use one of {STRATEGIES}")
        for key in ("demand_pct_family", "demand_pct_region", "price_pct_family", "capacity_pct_resource"):
            floor = -100.0 if key == "capacity_pct_resource" else -100.0 + 1e-9  # a resource may be shut
            for name, value in getattr(self, key).items():
                if not np.isfinite(value) or value < floor:
                    raise ValueError(f"{key}[{name!r}] must be a finite percentage (at least {floor:.0f})")
        if self.demand_pct <= -100:
            raise ValueError("demand_pct must be above -100")
        if any(v < 0 for v in self.target_days.values()):
            raise ValueError("target_days must not be negative")
        if self.horizon_months is not None and self.horizon_months < 1:
            raise ValueError("horizon_months must be at least 1")

    def to_json(self) -> str:
        """The levers as JSON (for the ``scenarios`` table)."""
        data = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in asdict(self).items()}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | Mapping) -> Levers:
        """Levers from :meth:`to_json` output; unknown keys (from newer code) are ignored."""
        data = json.loads(text) if isinstance(text, str) else dict(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def changes(self) -> list[str]:
        """A short human description of every lever moved away from the current plan."""
        out = []
        default = Levers()
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name) and value not in ({}, None):
                shown = ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}"
                                  for k, v in value.items()) if isinstance(value, Mapping) else f"{value:g}"
                out.append(f"{LEVER_LABELS.get(f.name, f.name)}: {shown}")
        return out


# =========================================================================== inputs
@dataclass(frozen=True, eq=False)
class ScenarioInputs:
    """Everything a scenario needs, pre-aggregated once into numpy arrays.

    Shapes: F families, G regions, R resources, T months of the plan horizon.
    Positions follow the module's sign convention (make-to-order = −backlog).
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
    f_ix = {f: i for i, f in enumerate(fams)}
    g_ix = {g: i for i, g in enumerate(regions)}
    r_ix = {r: i for i, r in enumerate(resources)}
    t_ix = {m: i for i, m in enumerate(months)}
    F, G, R, T = len(fams), len(regions), len(resources), len(months)

    dem = np.zeros((F, G, T))
    d = demand[demand["family"].isin(f_ix)]
    np.add.at(dem, (_ix(d["family"], f_ix), _ix(d["region"], g_ix),
                    _ix(d["month"], t_ix)), d["quantity"].to_numpy(float))
    prod = np.zeros((F, T))
    p = production[production["family"].isin(f_ix)]
    np.add.at(prod, (_ix(p["family"], f_ix), _ix(p["month"], t_ix)),
              p["plan"].to_numpy(float))

    bill = store.query("SELECT family, resource, hours_per_unit FROM bill_of_resources")
    bill = bill[bill["family"].isin(f_ix) & bill["resource"].isin(r_ix)]
    hours = np.zeros((F, R))
    hours[_ix(bill["family"], f_ix), _ix(bill["resource"], r_ix)] = bill["hours_per_unit"].to_numpy(float)
    cap = store.query(
        "SELECT resource, month, available_hours FROM capacity WHERE month >= ? AND month <= ?", [months[0], months[-1]]
    )
    cap = cap[cap["resource"].isin(r_ix) & pd.to_datetime(cap["month"]).dt.date.isin(t_ix).to_numpy()]
    available = np.full((R, T), np.nan)
    available[_ix(cap["resource"], r_ix), _ix(cap["month"], t_ix)] = (
        cap["available_hours"].to_numpy(float)
    )

    opening = opening_positions(store, chosen).set_index("family").reindex(list(fams)).fillna(0.0)
    cal = plan_data.calendar(store)
    wd_map = dict(zip(pd.to_datetime(cal["month"]).dt.date, cal["working_days"].astype(float)))
    fin = finance(store, chosen)
    budget = np.full((F, T), np.nan)
    b = fin[fin["budget_revenue"].notna() & fin["family"].isin(f_ix)]
    b = b[pd.to_datetime(b["month"]).dt.date.isin(t_ix).to_numpy()]
    budget[_ix(b["family"], f_ix), _ix(b["month"], t_ix)] = (
        b["budget_revenue"].to_numpy(float)
    )
    return ScenarioInputs(
        cycle=chosen, months=months, families=fams, regions=regions, resources=resources,
        mto=(master["strategy"] == "mto").to_numpy(), price=master["price"].to_numpy(float),
        unit_cost=master["unit_cost"].to_numpy(float), min_days=master["min_days_of_supply"].to_numpy(float),
        max_days=master["max_days_of_supply"].to_numpy(float), demand=dem, production=prod,
        opening_inventory=opening["inventory"].to_numpy(float),
        opening_backorders=opening["backorders"].to_numpy(float),
        opening_backlog=opening["backlog"].to_numpy(float), hours=hours, available=available,
        warning=res["warning_utilisation"].to_numpy(float),
        days=np.array([days_in_month(m) for m in months], dtype=float),
        working_days=np.array([wd_map.get(m, working_days(m)) for m in months], dtype=float),
        budget_revenue=budget,
    )


def _ix(values: pd.Series, index: Mapping) -> np.ndarray:
    """Positions of ``values`` in ``index`` (months are matched as dates)."""
    if values.name == "month":
        values = pd.to_datetime(values).dt.date
    return values.map(index).to_numpy(dtype=np.int64)


# =========================================================================== positions
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


# =========================================================================== evaluation
@dataclass(frozen=True, eq=False)
class Outcome:
    """One evaluated plan: (F, T) arrays per family and month, (R, T) per resource and month."""

    demand: np.ndarray
    production: np.ndarray  # made: regular (capacity-cut) + overtime + subcontracting
    overtime: np.ndarray
    subcontract: np.ndarray
    inventory: np.ndarray  # ending finished-goods inventory (0 for make-to-order)
    backorders: np.ndarray  # open backorders (0 for make-to-order)
    backlog: np.ndarray  # order backlog (0 for make-to-stock)
    shipments: np.ndarray
    late: np.ndarray
    load: np.ndarray  # (R, T) required hours
    utilisation: np.ndarray  # (R, T) required / available (NaN: no data)
    price: np.ndarray  # (F,)
    revenue: np.ndarray
    cost: np.ndarray
    margin: np.ndarray
    inventory_value: np.ndarray
    working_capital: np.ndarray
    budget_revenue: np.ndarray

    @property
    def fill_rate(self) -> float:
        """Demand served on time / demand over the horizon (1 when there is no demand)."""
        total = float(self.demand.sum())
        return 1.0 - float(self.late.sum()) / total if total > 0 else 1.0

    def family_fill_rate(self) -> np.ndarray:
        """Fill rate per family."""
        d = self.demand.sum(axis=1)
        return np.where(d > 0, 1.0 - self.late.sum(axis=1) / np.where(d > 0, d, 1.0), 1.0)

    def kpis(self) -> dict[str, float]:
        """The headline figures over the horizon (money in the store's currency)."""
        util = self.utilisation
        has_budget = np.isfinite(self.budget_revenue)
        return {
            "Fill rate": self.fill_rate,
            "Revenue": float(self.revenue.sum()),
            "Cost": float(self.cost.sum()),
            "Margin": float(self.margin.sum()),
            "Avg inventory value": float(self.inventory_value.sum(axis=0).mean()),
            "End inventory value": float(self.inventory_value[:, -1].sum()),
            "Avg working capital": float(self.working_capital.sum(axis=0).mean()),
            "End backorders value": float((self.backorders[:, -1] * self.price).sum()),
            "End backlog value": float((self.backlog[:, -1] * self.price).sum()),
            "Overtime + subcontract units": float((self.overtime + self.subcontract).sum()),
            "Peak utilisation": float(np.nanmax(util)) if np.isfinite(util).any() else float("nan"),
            "Overloaded resource-months": float(np.nansum(util > 1.0 + 1e-9)),
            "Budget revenue": float(np.nansum(self.budget_revenue)),
            "Gap to budget": float((self.revenue[has_budget] - self.budget_revenue[has_budget]).sum()),
        }


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """A scenario next to the baseline (the current plan), with the trade-off curve."""

    inputs: ScenarioInputs
    levers: Levers
    months: tuple[dt.date, ...]
    scenario: Outcome
    baseline: Outcome
    tradeoff: pd.DataFrame  # scale, target_days_scale, fill_rate, avg_inventory_value, current

    def delta_table(self) -> pd.DataFrame:
        """``metric, baseline, scenario, delta, delta_pct`` for the headline figures."""
        base, scen = self.baseline.kpis(), self.scenario.kpis()
        rows = []
        for key in base:
            b, s = base[key], scen[key]
            rows.append((key, b, s, s - b, (s - b) / abs(b) if b else np.nan))
        return pd.DataFrame(rows, columns=["metric", "baseline", "scenario", "delta", "delta_pct"])

    def family_table(self) -> pd.DataFrame:
        """Per family: fill rate, revenue, margin, average inventory value and end shortfall, both sides."""
        b, s = self.baseline, self.scenario
        frame = pd.DataFrame({
            "family": self.inputs.families,
            "strategy": np.where(self.inputs.mto, "mto", "mts"),
            "plan_strategy": [self.levers.strategy.get(f, "plan") for f in self.inputs.families],
            "fill_rate_baseline": b.family_fill_rate(), "fill_rate": s.family_fill_rate(),
            "revenue_baseline": b.revenue.sum(axis=1), "revenue": s.revenue.sum(axis=1),
            "margin_baseline": b.margin.sum(axis=1), "margin": s.margin.sum(axis=1),
            "avg_inventory_value_baseline": b.inventory_value.mean(axis=1),
            "avg_inventory_value": s.inventory_value.mean(axis=1),
            "end_shortfall_baseline": b.backorders[:, -1] + b.backlog[:, -1],
            "end_shortfall": s.backorders[:, -1] + s.backlog[:, -1],
        })
        frame["revenue_delta"] = frame["revenue"] - frame["revenue_baseline"]
        frame["margin_delta"] = frame["margin"] - frame["margin_baseline"]
        return frame

    def family_months(self) -> pd.DataFrame:
        """Long form per family and month, scenario and baseline columns side by side."""
        F, T = self.scenario.demand.shape
        out = {"family": np.repeat(self.inputs.families, T), "month": np.tile(pd.to_datetime(self.months), F)}
        for name in ("demand", "production", "inventory", "backorders", "backlog", "shipments", "revenue", "margin",
                     "inventory_value"):
            out[name] = getattr(self.scenario, name).ravel()
            out[f"{name}_baseline"] = getattr(self.baseline, name).ravel()
        return pd.DataFrame(out)

    def capacity(self) -> pd.DataFrame:
        """Per resource and month: required load, available hours, utilisation both sides, overload flag."""
        R, T = self.scenario.load.shape
        avail = self.scenario.load / np.where(np.isfinite(self.scenario.utilisation), self.scenario.utilisation, np.nan)
        frame = pd.DataFrame({
            "resource": np.repeat(self.inputs.resources, T), "month": np.tile(pd.to_datetime(self.months), R),
            "load_hours": self.scenario.load.ravel(), "available_hours": avail.ravel(),
            "utilisation": self.scenario.utilisation.ravel(),
            "utilisation_baseline": self.baseline.utilisation.ravel(),
        })
        frame["overload"] = frame["utilisation"] > 1.0 + 1e-9
        return frame


def _pct(mapping: Mapping[str, float], names: Sequence[str]) -> np.ndarray:
    """``1 + pct/100`` per name (1 where the mapping has no entry)."""
    return np.array([1.0 + float(mapping.get(n, 0.0)) / 100.0 for n in names])


def _targets(inputs: ScenarioInputs, demand: np.ndarray, target_days: np.ndarray, T: int) -> np.ndarray:
    """Target positions (F, T): ± target days × daily demand (negative for make-to-order backlog)."""
    sign = np.where(inputs.mto, -1.0, 1.0)
    return (sign * target_days)[:, None] * demand / inputs.days[None, :T]


def _run(inputs: ScenarioInputs, levers: Levers, target_days: np.ndarray, T: int) -> Outcome:
    """Evaluate ``levers`` over the first ``T`` months, with ``target_days`` per family."""
    fams = inputs.families
    mto = inputs.mto
    demand = np.einsum(
        "fgt,g->ft", inputs.demand[:, :, :T], _pct(levers.demand_pct_region, inputs.regions)
    ) * (_pct(levers.demand_pct_family, fams) * (1.0 + levers.demand_pct / 100.0))[:, None]
    start = inputs.start_position
    target = _targets(inputs, demand, target_days, T)
    strategies = np.array([levers.strategy.get(f, "plan") for f in fams])

    # Required regular production per strategy.
    base_target = _targets(inputs, demand, inputs.default_target_days, T)
    delta_target = target - base_target
    plan = np.maximum(inputs.production[:, :T] + np.diff(delta_target, axis=1, prepend=0.0), 0.0)
    required = plan
    is_level = (strategies == "level") | (strategies == "hybrid")
    if is_level.any():
        level = calc.level_rows(demand, start, target[:, -1], inputs.working_days[:T])
        required = np.where(is_level[:, None], level, required)
    is_chase = strategies == "chase"
    if is_chase.any():
        required = np.where(is_chase[:, None], calc.chase_rows(demand, start, target), required)

    # Rough-cut capacity: required load, and the cut of what can be made.
    available = inputs.available[:, :T] * _pct(levers.capacity_pct_resource, inputs.resources)[:, None]
    load = inputs.hours.T @ required
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(np.isfinite(available) & (available > 0), load / available, np.nan)
        utilisation = np.where(np.isfinite(available) & (available == 0) & (load > 0), np.inf, utilisation)
        cut = np.where(np.isfinite(available) & (load > available), available / load, 1.0)
    uses = inputs.hours > 0
    factor = np.where(uses[:, :, None], cut[None, :, :], 1.0).min(axis=1) if uses.any() else np.ones_like(required)
    made = required * factor

    overtime = np.zeros_like(made)
    subcontract = np.zeros_like(made)
    hybrid = strategies == "hybrid"
    if hybrid.any():
        rate = required[hybrid].mean(axis=1)
        ot_cap = rate * levers.overtime_limit_pct / 100.0
        sc_cap = rate * levers.subcontract_limit_pct / 100.0
        pos = start[hybrid].copy()
        dem_h, made_h, tgt_h, mto_h = demand[hybrid], made[hybrid], target[hybrid], mto[hybrid]
        ot = np.zeros_like(made_h)
        sc = np.zeros_like(made_h)
        for t in range(T):
            pos = pos + made_h[:, t] - dem_h[:, t]
            need = np.maximum(tgt_h[:, t] - pos, 0.0)
            ot[:, t] = np.minimum(need, ot_cap)
            sc[:, t] = np.minimum(need - ot[:, t], sc_cap)
            pos = pos + ot[:, t] + sc[:, t]
            pos = np.where(mto_h, np.minimum(pos, 0.0), pos)
        overtime[hybrid], subcontract[hybrid] = ot, sc

    supply = made + overtime + subcontract
    pos = project_positions(start, supply, demand, mto)
    short = np.maximum(-pos, 0.0)
    inventory = np.maximum(pos, 0.0)
    opening_short = np.where(mto, inputs.opening_backlog, inputs.opening_backorders)
    prev_short = np.concatenate([opening_short[:, None], short[:, :-1]], axis=1)
    shipments = demand + prev_short - short
    backorders = np.where(mto[:, None], 0.0, short)
    backlog = np.where(mto[:, None], short, 0.0)
    promise = inputs.max_days[:, None] * demand / inputs.days[None, :T]
    late = np.where(mto[:, None], np.minimum(demand, np.maximum(backlog - promise, 0.0)), np.minimum(demand, short))
    # Make-to-order: what is produced is what ships (no finished stock).
    production = np.where(mto[:, None], shipments, supply)
    if hybrid.any():  # overtime/subcontracting of make-to-order never exceeds what ships
        overtime = np.where(mto[:, None], np.minimum(overtime, shipments), overtime)
        room = np.maximum(shipments - overtime, 0.0)
        subcontract = np.where(mto[:, None], np.minimum(subcontract, room), subcontract)

    price = inputs.price * _pct(levers.price_pct_family, fams)
    revenue = shipments * price[:, None]
    premium = (overtime * levers.overtime_premium_pct + subcontract * levers.subcontract_premium_pct) / 100.0
    cost = (shipments + premium) * inputs.unit_cost[:, None]
    inventory_value = inventory * inputs.unit_cost[:, None]
    receivables = revenue * (np.minimum(levers.receivable_days, inputs.days[:T]) / inputs.days[:T])[None, :]
    return Outcome(
        demand=demand, production=production, overtime=overtime, subcontract=subcontract, inventory=inventory,
        backorders=backorders, backlog=backlog, shipments=shipments, late=late, load=load,
        utilisation=utilisation, price=price, revenue=revenue, cost=cost, margin=revenue - cost,
        inventory_value=inventory_value, working_capital=inventory_value + receivables,
        budget_revenue=inputs.budget_revenue[:, :T],
    )


def _target_days(inputs: ScenarioInputs, levers: Levers) -> np.ndarray:
    default = inputs.default_target_days
    return np.array([float(levers.target_days.get(f, d)) for f, d in zip(inputs.families, default)])


def tradeoff_curve(
    inputs: ScenarioInputs, levers: Levers, scales: Sequence[float] = TRADEOFF_SCALES
) -> pd.DataFrame:
    """Service level against inventory investment as the make-to-stock targets move.

    Every make-to-stock family's target days are scaled by each factor in
    ``scales`` (make-to-order targets stay); the row with scale 1 is the
    scenario's own choice (``current``). Columns ``scale, target_days_mean,
    fill_rate, avg_inventory_value, current``.
    """
    T = _horizon(inputs, levers)
    chosen = _target_days(inputs, levers)
    rows = []
    for scale in sorted(set(scales) | {1.0}):
        days = np.where(inputs.mto, chosen, chosen * scale)
        out = _run(inputs, levers, days, T)
        mts_days = days[~inputs.mto]
        rows.append((scale, float(mts_days.mean()) if mts_days.size else 0.0, out.fill_rate,
                     float(out.inventory_value.sum(axis=0).mean()), scale == 1.0))
    return pd.DataFrame(rows, columns=["scale", "target_days_mean", "fill_rate", "avg_inventory_value", "current"])


def _horizon(inputs: ScenarioInputs, levers: Levers) -> int:
    n = len(inputs.months)
    return n if levers.horizon_months is None else max(1, min(int(levers.horizon_months), n))


def evaluate_scenario(
    source: Store | ScenarioInputs, levers: Levers | None = None, *, tradeoff: bool = True
) -> ScenarioResult:
    """Evaluate ``levers`` against the current plan (the baseline) of the latest cycle.

    ``source`` is a store (read with :func:`baseline_inputs`) or inputs already
    read (what the page caches). The baseline is the same projection with no
    lever moved (the current production plan unchanged) over the same horizon,
    so a zero-change scenario equals it exactly. ``tradeoff=False`` skips the
    trade-off curve (an empty frame).
    """
    inputs = source if isinstance(source, ScenarioInputs) else baseline_inputs(source)
    levers = levers or Levers()
    T = _horizon(inputs, levers)
    scenario = _run(inputs, levers, _target_days(inputs, levers), T)
    base_levers = Levers(horizon_months=T, receivable_days=levers.receivable_days)
    baseline = _run(inputs, base_levers, inputs.default_target_days, T)
    curve = tradeoff_curve(inputs, levers) if tradeoff else pd.DataFrame(
        columns=["scale", "target_days_mean", "fill_rate", "avg_inventory_value", "current"])
    return ScenarioResult(inputs=inputs, levers=levers, months=inputs.months[:T], scenario=scenario,
                          baseline=baseline, tradeoff=curve)


# =========================================================================== persistence
@dataclass(frozen=True)
class SavedScenario:
    """A saved scenario: its levers and who saved / promoted it."""

    scenario_id: int
    name: str
    note: str | None
    author: str
    cycle: dt.date | None
    levers: Levers
    created_at: pd.Timestamp
    promoted_at: pd.Timestamp | None
    promoted_by: str | None


def save_scenario(
    store: Store, name: str, levers: Levers, author: str, note: str | None = None,
    cycle: dt.date | str | None = None,
) -> int:
    """Save ``levers`` under ``name`` (unique) with a note and its author; return the new id."""
    name, author = name.strip(), author.strip()
    if not name or not author:
        raise ValueError("A scenario needs a name and an author.")
    chosen = resolve_cycle(store, cycle)
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM scenarios WHERE name = ?", [name]).fetchall()[0][0]:
            raise StoreError(f"A scenario named {name!r} already exists; choose another name.")
        rows = cur.execute(
            "INSERT INTO scenarios (scenario_id, name, note, author, cycle, levers) "
            "VALUES (nextval('scenario_seq'), ?, ?, ?, ?, ?) RETURNING scenario_id",
            [name, note or None, author, chosen, levers.to_json()],
        ).fetchall()
    return int(rows[0][0])


def list_scenarios(store: Store) -> pd.DataFrame:
    """Saved scenarios, newest first.

    Columns ``scenario_id, name, note, author, cycle, created_at, promoted_at, promoted_by``.
    """
    return store.query(
        "SELECT scenario_id, name, note, author, cycle, created_at, promoted_at, promoted_by "
        "FROM scenarios ORDER BY created_at DESC, scenario_id DESC"
    )


def load_scenario(store: Store, scenario_id: int) -> SavedScenario:
    """One saved scenario with its levers; :class:`StoreError` when it does not exist."""
    frame = store.query("SELECT * FROM scenarios WHERE scenario_id = ?", [int(scenario_id)])
    if frame.empty:
        raise StoreError(f"There is no scenario {scenario_id}.")
    row = frame.iloc[0]

    def _opt(value):
        return None if pd.isna(value) else value

    cycle = _opt(row["cycle"])
    return SavedScenario(
        scenario_id=int(row["scenario_id"]), name=str(row["name"]), note=_opt(row["note"]),
        author=str(row["author"]), cycle=None if cycle is None else pd.Timestamp(cycle).date(),
        levers=Levers.from_json(row["levers"]), created_at=pd.Timestamp(row["created_at"]),
        promoted_at=_opt(row["promoted_at"]), promoted_by=_opt(row["promoted_by"]),
    )


def delete_scenario(store: Store, scenario_id: int) -> None:
    """Delete a saved scenario (promoted plans and their decision records stay)."""
    with store.transaction() as cur:
        cur.execute("DELETE FROM scenarios WHERE scenario_id = ?", [int(scenario_id)])


def compare_scenarios(inputs: ScenarioInputs | Store, saved: Sequence[SavedScenario]) -> pd.DataFrame:
    """Headline figures of up to three saved scenarios beside the baseline (one column each).

    Each scenario is recomputed from the current data. Columns: ``metric``,
    ``Baseline``, then one per scenario name.
    """
    if len(saved) > MAX_COMPARED:
        raise ValueError(f"Compare at most {MAX_COMPARED} scenarios at once.")
    data = inputs if isinstance(inputs, ScenarioInputs) else baseline_inputs(inputs)
    out: pd.DataFrame | None = None
    for item in saved:
        result = evaluate_scenario(data, item.levers, tradeoff=False)
        table = result.delta_table()
        if out is None:
            out = table[["metric"]].copy()
            out["Baseline"] = table["baseline"]
        out[item.name] = table["scenario"].to_numpy()
    if out is None:
        table = evaluate_scenario(data, Levers(), tradeoff=False).delta_table()
        out = pd.DataFrame({"metric": table["metric"], "Baseline": table["baseline"]})
    return out


def promote_scenario(store: Store, scenario_id: int, by: str) -> dt.date:
    """Write a saved scenario's plan into the draft of the current cycle; return that cycle.

    The production plan and the planned ending inventory / backlog over the
    scenario's horizon replace the draft's rows (and the demand plan, per
    region, when a demand lever moved). The current cycle is the latest plan
    version; when it is approved the write raises :class:`FrozenPlanError` and
    nothing changes. The promotion is recorded in ``decisions`` and on the
    scenario (``promoted_at``, ``promoted_by``).
    """
    if not by.strip():
        raise ValueError("Say who promotes the scenario.")
    saved = load_scenario(store, scenario_id)
    inputs = baseline_inputs(store)
    result = evaluate_scenario(inputs, saved.levers, tradeoff=False)
    scen, T = result.scenario, len(result.months)
    F = len(inputs.families)
    months = np.tile(np.array(result.months, dtype=object), F)
    fams = np.repeat(np.array(inputs.families, dtype=object), T)
    production = pd.DataFrame({"family": fams, "month": months, "quantity": scen.production.ravel()})
    stock = np.where(inputs.mto[:, None], scen.backlog, scen.inventory)
    inventory = pd.DataFrame({"family": fams, "month": months, "quantity": stock.ravel()})
    lv = saved.levers
    demand_changed = bool(lv.demand_pct or any(lv.demand_pct_family.values()) or any(lv.demand_pct_region.values()))
    with store.transaction() as cur:
        written = write_plan_rows(cur, "production_plan", inputs.cycle, production)
        written += write_plan_rows(cur, "inventory_plan", inputs.cycle, inventory)
        if demand_changed:
            factor = (_pct(lv.demand_pct_family, inputs.families) * (1.0 + lv.demand_pct / 100.0))[:, None, None] * (
                _pct(lv.demand_pct_region, inputs.regions)[None, :, None])
            dem = inputs.demand[:, :, :T] * factor
            G = len(inputs.regions)
            rows = pd.DataFrame({
                "family": np.repeat(np.array(inputs.families, dtype=object), G * T),
                "region": np.tile(np.repeat(np.array(inputs.regions, dtype=object), T), F),
                "month": np.tile(np.array(result.months, dtype=object), F * G),
                "quantity": dem.ravel(),
            })
            original = inputs.demand[:, :, :T].ravel()
            written += write_plan_rows(cur, "demand_plan", inputs.cycle, rows[original != 0])
        detail = json.dumps({"scenario_id": saved.scenario_id, "name": saved.name, "rows": written,
                             "levers": json.loads(lv.to_json())})
        record_decision(cur, inputs.cycle, "promote_scenario", saved.name, detail, by.strip())
        cur.execute(
            "UPDATE scenarios SET promoted_at = current_timestamp, promoted_by = ? WHERE scenario_id = ?",
            [by.strip(), saved.scenario_id],
        )
    return inputs.cycle


# =========================================================================== synthetic inputs
def synthetic_inputs(n_families: int = 200, n_months: int = 36, n_resources: int = 6, seed: int = 0) -> ScenarioInputs:
    """Random but plausible inputs of a given size (for benchmarks and tests; no store)."""
    rng = np.random.default_rng(seed)
    months = tuple(dt.date(2027 + (k // 12), k % 12 + 1, 1) for k in range(n_months))
    F, G, R, T = n_families, 3, n_resources, n_months
    base = rng.uniform(50, 5000, F)
    demand = base[:, None, None] * rng.dirichlet(np.ones(G), F)[:, :, None] * rng.normal(1, 0.1, (F, G, T)).clip(0.5)
    production = demand.sum(axis=1) * rng.normal(1, 0.05, (F, T))
    hours = rng.uniform(0, 1, (F, R)) * (rng.random((F, R)) < 0.6) / np.sqrt(base)[:, None]
    available = (hours.T @ production) / rng.uniform(0.7, 1.05, (R, T))
    mto = rng.random(F) < 0.2
    price = rng.uniform(20, 5000, F)
    return ScenarioInputs(
        cycle=months[0], months=months, families=tuple(f"Family {i:03d}" for i in range(F)),
        regions=("North", "South", "East"), resources=tuple(f"Resource {r}" for r in range(R)),
        mto=mto, price=price, unit_cost=price * rng.uniform(0.5, 0.8, F), min_days=np.full(F, 15.0),
        max_days=np.full(F, 45.0), demand=demand, production=production,
        opening_inventory=np.where(mto, 0.0, base), opening_backorders=np.zeros(F),
        opening_backlog=np.where(mto, base * 0.8, 0.0), hours=hours, available=available, warning=np.full(R, 0.9),
        days=np.array([days_in_month(m) for m in months], dtype=float),
        working_days=np.array([working_days(m) for m in months], dtype=float),
        budget_revenue=demand.sum(axis=1) * price[:, None] * 1.02,
    )
