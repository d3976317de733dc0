"""The built-in demo company: Nordwind Pumps & Valves, a mid-size manufacturer.

A deterministic generator (fixed seed, and the current month as the anchor so
the demo always looks current) that fills an empty store with 8 product
families (2 make-to-order), 40 SKUs, 3 regions, 4 work centres, 24 months of
actuals up to the current cycle, one approved plan version per past cycle, a
draft plan for the current cycle over an 18-month horizon, and the business
plan (budget).

The data tells the stories an S&OP meeting discusses:

* **Compact Pumps** (make-to-stock): demand has run well above plan for eight
  months; the forecast lags behind (positive bias, tracking signal above 4).
* **Industrial Pumps**: production has fallen short of plan for six months, so
  inventory is below target and backorders appear.
* **Assembly** is overloaded in a future quarter: a planned line refit removes
  hours while the seasonal peak arrives.
* **High-Pressure Valves** drift below budget: demand has softened while the
  business plan expected growth.
* **Custom Skids** (make-to-order): orders grow faster than shipments, so the
  backlog grows month after month.

Demand planning history (``forecast_*`` tables), for the last 12 approved cycles and the draft:

* the stored statistical baseline of each past cycle comes from the engine's **quick mode**
  (:func:`sop_core.forecast.models.quick_forecast`, no model fit) at family × region level from the
  demand actuals before that cycle; the draft's baseline is the **full** model choice at SKU × region,
  as the page's "Run baseline" leaves it (chosen models and holdout MASE on first look; +1.2–2.5 s);
* **Sales** is persistently optimistic on **Standard Valves** (about +16 % every cycle on a baseline
  that was nearly unbiased: negative FVA, flagged as an exception three cycles running);
* **Marketing** put in the **Compact Pumps** promotion once the campaign was planned (the last eight
  cycles), catching most of the surge the baseline lags behind (positive FVA);
* the **Demand planner** trims **High-Pressure Valves** as demand softens (positive FVA).

The forecast history draws from its own random stream, so the figures above stay unchanged.

The monthly cycle (:mod:`sop_core.cycle.demo_history`): the last 12 cycles were run in the tool and signed
off, with decisions (some done, one overdue, some open) and assumptions; the current cycle is part-way
(data and demand review done, supply review in progress).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .actuals import refresh_rollup
from .conventions import DEFAULT_WARNING_UTILISATION, PLAN_HORIZON_MONTHS
from .cycle.demo_history import write_cycle_history
from .forecast.baseline import write_baseline_rows
from .forecast.demo_history import forecast_demo_history, insert_demo_overrides
from .months import add_months, business_today, current_month, days_in_month, month_range, working_days
from .plans import write_plan_rows
from .store import Store, StoreError

HISTORY_MONTHS = 24
HORIZON_MONTHS = PLAN_HORIZON_MONTHS
REGIONS = ("North America", "Europe", "Asia Pacific")
RESOURCES = {
    "Machining": "CNC machining cells",
    "Assembly": "Final assembly lines",
    "Test Bay": "Pressure and flow testing",
    "Paint": "Coating and paint shop",
}


@dataclass(frozen=True)
class FamilySpec:
    """The demo's description of one product family."""

    family: str
    strategy: str
    base: float  # monthly demand at the start of the history
    growth: float  # planned yearly growth
    price: float
    unit_cost: float
    min_dos: float
    max_dos: float
    tolerance_pct: float
    region_mix: tuple[float, float, float]
    hours: dict[str, float]


# One family a row: the table reads better than the formatter's one value a line.
# fmt: off
FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec("Compact Pumps", "mts", 1800, 0.06, 420, 250, 20, 40, 5, (0.45, 0.35, 0.20),
               {"Machining": 0.30, "Assembly": 0.50, "Test Bay": 0.10, "Paint": 0.10}),
    FamilySpec("Industrial Pumps", "mts", 600, 0.04, 2400, 1500, 25, 45, 5, (0.40, 0.40, 0.20),
               {"Machining": 1.60, "Assembly": 2.20, "Test Bay": 0.60, "Paint": 0.40}),
    FamilySpec("Standard Valves", "mts", 5200, 0.03, 85, 48, 15, 35, 5, (0.35, 0.40, 0.25),
               {"Machining": 0.08, "Assembly": 0.12, "Test Bay": 0.03, "Paint": 0.02}),
    FamilySpec("High-Pressure Valves", "mts", 1400, 0.10, 640, 380, 20, 40, 5, (0.30, 0.45, 0.25),
               {"Machining": 0.55, "Assembly": 0.60, "Test Bay": 0.25, "Paint": 0.08}),
    FamilySpec("Filters", "mts", 3800, 0.05, 60, 31, 15, 30, 8, (0.40, 0.35, 0.25),
               {"Machining": 0.02, "Assembly": 0.10, "Paint": 0.03}),
    FamilySpec("Controllers", "mts", 900, 0.08, 950, 560, 30, 60, 6, (0.35, 0.35, 0.30),
               {"Assembly": 0.90, "Test Bay": 0.40}),
    FamilySpec("Custom Skids", "mto", 42, 0.05, 38000, 26000, 20, 45, 10, (0.50, 0.30, 0.20),
               {"Machining": 22.0, "Assembly": 30.0, "Test Bay": 8.0, "Paint": 6.0}),
    FamilySpec("Engineered Systems", "mto", 18, 0.04, 95000, 64000, 30, 60, 10, (0.40, 0.40, 0.20),
               {"Machining": 45.0, "Assembly": 60.0, "Test Bay": 20.0, "Paint": 12.0}),
)
# fmt: on
SKUS_PER_FAMILY = 5


def _season(month: dt.date) -> float:
    """A mild yearly seasonality peaking in spring."""
    return 1.0 + 0.12 * np.sin(2 * np.pi * (month.month - 1) / 12)


def _story(spec: FamilySpec, i: int) -> float:
    """The deviation of true demand from the planned path at month index ``i`` (0 = current)."""
    if spec.family == "Compact Pumps" and i >= -8:
        return 0.035 * (i + 9)  # demand surges: +3.5 % a month over the last 8 months
    if spec.family == "High-Pressure Valves" and i >= -10:
        return -0.018 * (i + 11)  # demand softens while the budget expects growth
    if spec.family == "Custom Skids" and i >= -9:
        return 0.05 * (i + 10)  # orders outgrow the shipping rate
    return 0.0


def load_demo(store: Store, seed: int = 0, as_of: dt.date | None = None, replace: bool = False) -> None:
    """Fill ``store`` with the demo company, anchored at the month of ``as_of`` (default: today).

    The store must be empty unless ``replace`` is true, in which case every
    table is emptied first. Everything is written in one transaction.
    """
    cycle = current_month(as_of)
    data = build_demo(seed, cycle)
    with store.transaction() as cur:
        if not replace and cur.execute("SELECT count(*) FROM families").fetchall()[0][0]:
            raise StoreError("The store already holds data; pass replace=True to overwrite it.")
        for table in (
            "families",
            "products",
            "regions",
            "resources",
            "bill_of_resources",
            "capacity",
            "calendar",
            "plan_versions",
            "demand_plan",
            "production_plan",
            "inventory_plan",
            "budget",
            "actuals",
            "actuals_monthly",
            "upload_replaced",
            "uploads",
            "decisions",
            "scenarios",
            "settings",
            "forecast_baseline",
            "forecast_models",
            "forecast_overrides",
            "forecast_override_history",
            "cycles",
            "cycle_steps",
            "cycle_tasks",
            "cycle_carried_overrides",
            "cycle_carried_items",
            "assumptions",
            "register_audit",
            "holidays",
        ):
            cur.execute(f"DELETE FROM {table}")  # fixed table names, no input
        for table in (
            "families",
            "products",
            "regions",
            "resources",
            "bill_of_resources",
            "capacity",
            "calendar",
            "actuals",
        ):
            frame = data[table]
            cur.register("_demo", frame)
            cols = ", ".join(frame.columns)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _demo")  # names from our frames
            cur.unregister("_demo")
        for version, (baseline, models) in data["forecast"].items():
            write_baseline_rows(cur, version, baseline, models, mode="full" if version == cycle else "quick")
        insert_demo_overrides(cur, data["overrides"])
        for version, frames in data["plans"].items():
            for table, frame in frames.items():
                write_plan_rows(cur, table, version, frame, replace_all=True)
            if version < cycle:
                cur.execute(
                    "UPDATE plan_versions SET status = 'approved', approved_by = 'Executive S&OP', "
                    "approved_at = CAST(? AS TIMESTAMP) + INTERVAL 20 DAY WHERE cycle = ?",
                    [version, version],
                )
        write_cycle_history(cur, cycle, as_of or business_today())
        cur.execute("INSERT INTO settings VALUES ('company', 'Nordwind Pumps & Valves'), ('currency', 'EUR')")
        refresh_rollup(cur)


def build_demo(seed: int, cycle: dt.date) -> dict:
    """Generate the demo's tables as DataFrames (no store involved)."""
    rng = np.random.default_rng(seed)
    first = add_months(cycle, -HISTORY_MONTHS)
    months = month_range(first, HISTORY_MONTHS + HORIZON_MONTHS)
    index = {m: k - HISTORY_MONTHS for k, m in enumerate(months)}  # 0 = current cycle

    families = pd.DataFrame(
        [
            (f.family, f.strategy, "units", f.price, f.unit_cost, f.min_dos, f.max_dos, f.tolerance_pct)
            for f in FAMILIES
        ],
        columns=[
            "family",
            "strategy",
            "unit",
            "price",
            "unit_cost",
            "min_days_of_supply",
            "max_days_of_supply",
            "tolerance_pct",
        ],
    )
    sku_rows: list[tuple[str, str, str]] = []
    sku_share: dict[str, dict[str, float]] = {}  # family -> sku -> share of the family
    for n, spec in enumerate(FAMILIES, start=1):
        shares = rng.dirichlet(np.full(SKUS_PER_FAMILY, 4.0))
        sku_share[spec.family] = {}
        for k in range(SKUS_PER_FAMILY):
            sku = f"{spec.family.split()[0][:3].upper()}-{n}{k + 1:02d}"
            sku_rows.append((sku, spec.family, f"{spec.family} model {k + 1}"))
            sku_share[spec.family][sku] = float(shares[k])
    products = pd.DataFrame(sku_rows, columns=["sku", "family", "description"])
    regions = pd.DataFrame({"region": REGIONS, "description": ["Americas", "EMEA", "APAC"]})
    resources = pd.DataFrame(
        {
            "resource": list(RESOURCES),
            "description": list(RESOURCES.values()),
            "warning_utilisation": DEFAULT_WARNING_UTILISATION,
        }
    )
    bill = pd.DataFrame(
        [(f.family, r, h) for f in FAMILIES for r, h in f.hours.items()],
        columns=["family", "resource", "hours_per_unit"],
    )
    calendar = pd.DataFrame({"month": months, "working_days": [working_days(m) for m in months]})

    # Planned (believed) demand path, and the true demand with the stories and noise.
    def planned(spec: FamilySpec, m: dt.date) -> float:
        years = (index[m] + HISTORY_MONTHS) / 12
        return spec.base * (1 + spec.growth * years) * _season(m)

    true_demand = {
        (f.family, m): planned(f, m) * (1 + _story(f, index[m])) * rng.normal(1, 0.04) for f in FAMILIES for m in months
    }

    # Capacity: sized for ~80 % load on the planned path; Assembly loses a third of
    # its hours to a line refit in months +3..+5 (the overloaded quarter).
    capacity_rows = []
    for res in RESOURCES:
        for m in months:
            load = sum(planned(f, m) * f.hours.get(res, 0.0) for f in FAMILIES)
            hours = round(load / 0.80 / _season(m) * (1 + 0.06 * _season(m)), -1)
            if res == "Assembly" and 3 <= index[m] <= 5:
                hours = round(hours * 0.72, -1)
            capacity_rows.append((res, m, hours))
    capacity = pd.DataFrame(capacity_rows, columns=["resource", "month", "available_hours"])

    plans: dict[dt.date, dict[str, pd.DataFrame]] = {}
    actual_rows: list[tuple] = []
    inventory = {f.family: planned(f, first) * (f.min_dos + f.max_dos) / 2 / 30 for f in FAMILIES}
    backorder = {f.family: 0.0 for f in FAMILIES}
    backlog = {f.family: planned(f, first) * (f.min_dos + f.max_dos) / 2 / 30 for f in FAMILIES}

    for version in months[: HISTORY_MONTHS + 1]:
        horizon = [m for m in months if version <= m < add_months(version, HORIZON_MONTHS)]
        plans[version] = _version_plan(
            version, horizon, rng, planned, true_demand, index, inventory, backorder, backlog
        )
        if version == cycle:
            break
        # Execute month ``version``: production against the plan of record, then shipments.
        for spec in FAMILIES:
            f, i = spec.family, index[version]
            plan_prod = float(plans[version]["production_plan"].set_index("family").loc[f, "quantity"].iloc[0])
            produced = plan_prod * rng.normal(1, 0.02)
            if f == "Industrial Pumps" and i >= -6:
                produced *= 0.82  # a supplier problem cuts output
            demand = true_demand[(f, version)]
            if spec.strategy == "mts":
                available = inventory[f] + produced
                shipped = min(demand + backorder[f], available)
                backorder[f] = demand + backorder[f] - shipped
                inventory[f] = available - shipped
                _sku_rows(actual_rows, "inventory", version, spec, sku_share, inventory[f], None)
            else:
                shipped = produced = min(produced, backlog[f] + demand)
                backlog[f] = backlog[f] + demand - shipped
                _family_row(actual_rows, "backlog", version, f, backlog[f])
            _sku_rows(actual_rows, "sales", version, spec, sku_share, shipped, spec.price, rng)
            _sku_rows(actual_rows, "orders", version, spec, sku_share, demand, None, rng)
            _family_row(actual_rows, "production", version, f, produced)

    actuals = pd.DataFrame(actual_rows, columns=["kind", "month", "sku", "family", "region", "quantity", "revenue"])
    strategies = {f.family: f.strategy for f in FAMILIES}
    forecast, overrides = forecast_demo_history(
        seed, cycle, actuals, products, true_demand, strategies, REGIONS, HORIZON_MONTHS
    )
    return {
        "families": families,
        "products": products,
        "regions": regions,
        "resources": resources,
        "bill_of_resources": bill,
        "capacity": capacity,
        "calendar": calendar,
        "actuals": actuals,
        "plans": plans,
        "forecast": forecast,
        "overrides": overrides,
    }


def _version_plan(version, horizon, rng, planned, true_demand, index, inventory, backorder, backlog):
    """The plan a planner would approve in ``version``: forecast, chase-to-target production."""
    demand_rows, prod_rows, inv_rows, budget_rows = [], [], [], []
    for spec in FAMILIES:
        f = spec.family
        # The forecast adapts to half of the gap it has seen in the last three months.
        seen = [add_months(version, -k) for k in (1, 2, 3) if add_months(version, -k) in index]
        gap = np.mean([true_demand[(f, m)] / planned(spec, m) - 1 for m in seen]) if seen else 0.0
        level = 1 + 0.5 * gap
        position = inventory[f] - backorder[f] if spec.strategy == "mts" else backlog[f]
        for lag, m in enumerate(horizon):
            forecast = planned(spec, m) * level * rng.normal(1, 0.015 + 0.004 * lag)
            for region, share in zip(REGIONS, spec.region_mix, strict=True):
                demand_rows.append((f, region, m, round(forecast * share, 1)))
            daily = forecast / days_in_month(m)
            target = daily * (spec.min_dos + spec.max_dos) / 2
            if spec.strategy == "mts":
                production = max(0.0, forecast + (target - position) / 3)  # close a third of the gap
                position = position + production - forecast
            else:
                production = max(0.0, forecast + (position - target) / 4)  # work the backlog down
                position = position + forecast - production
            prod_rows.append((f, m, round(production, 1)))
            inv_rows.append((f, m, round(position, 1)))
        # The business plan: the planned path with 1 % of ambition, for the whole
        # calendar years the version touches (the same figures in every version).
        ambition = 1.01
        year_start = dt.date(version.year, 1, 1)
        for m in month_range(year_start, 12 * (horizon[-1].year - version.year + 1)):
            if m in index:
                volume = planned(spec, m) * ambition
                budget_rows.append((f, m, round(volume, 1), round(volume * spec.price, 0)))
    return {
        "demand_plan": pd.DataFrame(demand_rows, columns=["family", "region", "month", "quantity"]),
        "production_plan": pd.DataFrame(prod_rows, columns=["family", "month", "quantity"]),
        "inventory_plan": pd.DataFrame(inv_rows, columns=["family", "month", "quantity"]),
        "budget": pd.DataFrame(budget_rows, columns=["family", "month", "volume", "revenue"]),
    }


def _sku_rows(rows, kind, month, spec, sku_share, total, price, rng=None) -> None:
    """Split a family total over its SKUs (and regions for sales and orders)."""
    regional = kind in ("sales", "orders")
    for sku, sku_part in sku_share[spec.family].items():
        for region, share in zip(REGIONS, spec.region_mix, strict=True) if regional else [("", 1.0)]:
            noise = rng.normal(1, 0.03) if rng is not None else 1.0
            qty = round(total * sku_part * share * noise, 1)
            revenue = round(qty * price, 2) if price is not None else None
            rows.append((kind, month, sku, None, region, qty, revenue))


def _family_row(rows, kind, month, family, quantity) -> None:
    """One family-level actual row (production and backlog arrive per family)."""
    rows.append((kind, month, None, family, "", round(quantity, 1), None))
