"""The cycle's supply plan: generated from the consensus demand, adjusted by the planner with a reason.

**Generation** (:func:`generate_supply_plan`) reads the draft of the cycle once, as the scenarios do
(:func:`sop_core.scenario.baseline_inputs`: the draft's demand plan — the consensus, written there by the
demand review — the opening positions from the actuals, calendar, bill of resources), and runs each family's
strategy (:mod:`.supply_policy`) through the scenario model's steps, so every strategy has one definition:

* targets: ``target_t = ± target_days × demand_t / days_in_month_t`` (inventory for make-to-stock, backlog —
  a negative position — for make-to-order; :func:`sop_core.scenario.model.target_positions`);
* ``level``: :func:`sop_core.calc.level_rows` per working day, ending on the last month's target: total =
  Σ demand + target ending − opening inventory + opening backorders (make-to-order: Σ orders + opening
  backlog − target backlog), floored at 0; ``chase``: :func:`sop_core.calc.chase_rows`; ``hybrid``: the
  level base rate plus overtime, then subcontracting, each within the scenario levers' default limits
  (:class:`~sop_core.scenario.Levers`), only to bring the position back up to the target;
* the projection (inventory with backorders, or backlog) is :func:`sop_core.scenario.model.project_flows`;
  a make-to-order family makes what it ships (no shipping ahead of orders).

Unlike a scenario, the generated plan is **not cut to capacity**: it is what the strategy asks for, and the
rough-cut check (:mod:`.supply_check`) shows where it overloads a resource, so that operations resolves the
overload (a strategy change, an adjustment, a decision) in the supply review instead of the model hiding it
as backorders. The production plan holds one quantity per family and month, so the check loads the hybrid's
overtime and subcontracting on the resources too (conservative). The draft's ``production_plan`` and
``inventory_plan`` (planned ending inventory, or backlog) are written through :func:`plans.write_plan_rows`
(drafts only: an approved cycle raises ``FrozenPlanError``); scenarios keep promoting into the same draft.

**Adjustment** (:func:`adjust_supply_plan`) sets one family-month's production with a reason, re-projects that
family's planned inventory (or backlog) from the opening position (:func:`sop_core.supply.project_family`),
and logs who, when, old and new value and why in ``supply_adjustments``. Generating again replaces adjusted
cells; the log keeps them. An adjustment is a version check, not last-write-wins: the planner passes the quantity
they saw (``seen``), and when the cell changed since, the save is refused (:class:`~.errors.EditConflictError`)
naming the latest recorded write of the cycle's production plan (an adjustment of the cell, a generation, a
promoted scenario, an upload) with its author and time.

Generating, adjusting and storing policies need the ``supply_plan`` role (``PermissionError`` before anything
is written); the acting person's ``author`` is what the log and the decision audit record.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from ..conventions import EPS, PLAN_HORIZON_MONTHS
from ..months import add_months, days_in_month, month_start
from ..people import Actor, require
from ..plans import record_decision, require_draft, resolve_cycle, write_plan_rows
from ..scenario import Levers, ScenarioInputs, baseline_inputs, model
from ..store import Store
from ..supply import opening_positions, project_family
from .errors import CycleError, EditConflictError
from .supply_policy import check_strategy, check_target_days, supply_policies

PLAN_COLUMNS = ["family", "month", "strategy", "demand", "production", "overtime", "subcontract", "stock", "target"]
ADJUSTMENT_COLUMNS = [
    "cycle",
    "family",
    "month",
    "old_quantity",
    "new_quantity",
    "reason",
    "adjusted_by",
    "adjusted_at",
]


@dataclass(frozen=True)
class SupplyPlan:
    """A generated supply plan: :data:`PLAN_COLUMNS`, one row per family and month.

    ``production`` includes the hybrid's ``overtime`` and ``subcontract``; ``stock`` is the planned ending
    inventory (make-to-stock) or backlog (make-to-order); ``target`` is its target in units. ``rows`` is the
    number of plan rows written (0 for a preview).
    """

    cycle: dt.date
    plan: pd.DataFrame
    strategies: dict[str, str]
    target_days: dict[str, float]
    rows: int = 0

    def production_rows(self) -> pd.DataFrame:
        """``family, month, quantity`` of the production plan (for :func:`plans.write_plan_rows`)."""
        return self.plan[["family", "month", "production"]].rename(columns={"production": "quantity"})

    def inventory_rows(self) -> pd.DataFrame:
        """``family, month, quantity`` of the planned ending inventory / backlog."""
        return self.plan[["family", "month", "stock"]].rename(columns={"stock": "quantity"})


# ------------------------------------------------------------------- the pure plan
def plan_supply(
    inputs: ScenarioInputs,
    strategies: Mapping[str, str],
    target_days: Mapping[str, float] | None = None,
    families: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The supply plan of ``inputs`` with each family's strategy (pure): :data:`PLAN_COLUMNS`.

    ``strategies`` maps every family to ``level``, ``chase`` or ``hybrid`` (``ValueError`` otherwise);
    ``target_days`` overrides a family's target (default: the middle of its min/max days). ``families``
    limits the rows returned (all families are computed: they are independent). See the module doc.
    """
    strat = {f: check_strategy(f, strategies.get(f)) for f in inputs.families}
    levers = Levers(strategy=strat, target_days={f: float(v) for f, v in (target_days or {}).items()})  # type: ignore[arg-type]  # strategies checked by check_strategy
    T = len(inputs.months)
    demand = model.scenario_demand(inputs, levers, T)
    target = model.target_positions(inputs, demand, model.chosen_target_days(inputs, levers))
    kinds = levers.strategy_of(inputs.families)
    required = model.required_production(inputs, kinds, demand, target)
    overtime, subcontract = model.hybrid_top_up(inputs, levers, kinds == "hybrid", demand, required, required, target)
    flows = model.project_flows(inputs, demand, required + overtime + subcontract)
    production, overtime, subcontract = model.make_to_order_supply(
        inputs, flows.shipments, required + overtime + subcontract, overtime, subcontract
    )
    mto = inputs.mto[:, None]
    frame = pd.DataFrame(
        {
            "family": np.repeat(np.array(inputs.families, dtype=object), T),
            "month": np.tile(np.array(inputs.months, dtype=object), len(inputs.families)),
            "strategy": np.repeat(kinds.astype(object), T),
            "demand": demand.ravel(),
            "production": production.ravel(),
            "overtime": overtime.ravel(),
            "subcontract": subcontract.ravel(),
            "stock": np.where(mto, flows.backlog, flows.inventory).ravel(),
            "target": np.abs(target).ravel(),
        }
    )
    if families is not None:
        frame = frame[frame["family"].isin(list(families))]
    return frame.reset_index(drop=True)[PLAN_COLUMNS]


def _policy(
    store: Store, strategies: Mapping[str, str] | None, target_days: Mapping[str, float | None] | None
) -> tuple[dict[str, str], dict[str, float]]:
    """The stored policies with the call's overrides on top (overrides are checked, not stored)."""
    policies = supply_policies(store).set_index("family")
    strat = policies["strategy"].astype(str).to_dict()
    days = {str(f): float(v) for f, v in policies["target_days"].items()}
    unknown = sorted((set(strategies or {}) | set(target_days or {})) - set(strat))
    if unknown:
        raise CycleError(f"Unknown family: {', '.join(unknown)}.")
    strat.update({f: check_strategy(f, s) for f, s in (strategies or {}).items()})
    for family, value in (target_days or {}).items():
        checked = check_target_days(family, value)
        days[family] = float(policies.at[family, "default_target_days"]) if checked is None else checked
    return strat, days


def preview_supply_plan(
    store: Store,
    cycle: dt.date | str | None = None,
    *,
    strategies: Mapping[str, str] | None = None,
    target_days: Mapping[str, float | None] | None = None,
    families: Sequence[str] | None = None,
) -> SupplyPlan:
    """The supply plan :func:`generate_supply_plan` would write, without writing (``rows`` 0).

    ``families`` limits the plan to those families (default: every family with a demand plan in the cycle).
    """
    chosen = require_plan(store, cycle)
    strat, days = _policy(store, strategies, target_days)
    inputs = baseline_inputs(store, chosen)
    planned = set(store.query("SELECT DISTINCT family FROM demand_plan WHERE cycle = ?", [chosen])["family"])
    planned &= set(inputs.families)
    wanted = sorted(planned if families is None else planned & set(families))
    if families is not None and set(families) - planned:
        missing = ", ".join(sorted(set(families) - planned))
        raise CycleError(f"No demand plan in cycle {chosen:%Y-%m} for {missing}: nothing to plan supply from.")
    plan = plan_supply(inputs, strat, days, wanted)
    return SupplyPlan(chosen, plan, {f: strat[f] for f in wanted}, {f: days[f] for f in wanted})


def generate_supply_plan(
    store: Store,
    cycle: dt.date | str | None = None,
    *,
    actor: Actor,
    strategies: Mapping[str, str] | None = None,
    target_days: Mapping[str, float | None] | None = None,
    families: Sequence[str] | None = None,
) -> SupplyPlan:
    """Generate the supply plan of ``cycle`` (default: the latest) and write it into the draft; one transaction.

    Each family uses its stored policy (:func:`~.supply_policy.supply_policies`) unless ``strategies`` /
    ``target_days`` override it for this run (``None`` target: the default). Writes the draft's
    ``production_plan`` and ``inventory_plan`` for every month of the plan of the families generated
    (default: every family with a demand plan in the cycle) and logs the run (kind ``supply_plan``).
    ``FrozenPlanError`` when the cycle is approved (nothing changes); ``PermissionError`` without the
    ``supply_plan`` role (nothing written). The run is logged as ``actor.author``.
    """
    require(actor, "supply_plan")
    preview = preview_supply_plan(store, cycle, strategies=strategies, target_days=target_days, families=families)
    detail = json.dumps(
        {
            "families": len(preview.strategies),
            "strategies": preview.strategies,
            "target_days": {f: round(v, 4) for f, v in preview.target_days.items()},
        }
    )
    with store.transaction() as cur:
        written = write_plan_rows(cur, "production_plan", preview.cycle, preview.production_rows())
        written += write_plan_rows(cur, "inventory_plan", preview.cycle, preview.inventory_rows())
        record_decision(cur, preview.cycle, "supply_plan", f"{len(preview.strategies)} families", detail, actor.author)
    return SupplyPlan(preview.cycle, preview.plan, preview.strategies, preview.target_days, written)


# ------------------------------------------------------------------- adjustments
def adjust_supply_plan(
    store: Store,
    cycle: dt.date | str,
    family: str,
    month: dt.date | str,
    quantity: float,
    *,
    actor: Actor,
    reason: str,
    seen: float | None,
) -> float | None:
    """Set the production of ``family`` in ``month`` of the draft of ``cycle`` to ``quantity``, with a reason.

    One transaction: the production row is written (``FrozenPlanError`` when the cycle is approved), the
    family's planned inventory (or backlog) is re-projected over the cycle's plan months, and the change is
    logged in ``supply_adjustments`` as ``actor.author``. ``seen`` is the production the planner saw in the cell
    (``None`` or 0: none); when the cell holds another quantity now, the save is refused
    (:class:`~.errors.EditConflictError`, naming who changed the plan and when) and nothing is written.
    Refused (:class:`CycleError`) without a reason, for an unknown family or a month outside the cycle's horizon;
    ``ValueError`` for a negative or non-finite quantity; ``PermissionError`` without the ``supply_plan`` role.
    Returns the previous quantity (``None`` when the cell had none).
    """
    require(actor, "supply_plan")
    why = str(reason or "").strip()
    if not why:
        raise CycleError("Say why the supply plan is adjusted: a reason is required.")
    value = float(quantity)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Production must be a number of units, at least 0 (got {quantity!r}).")
    chosen, when = month_start(cycle), month_start(month)
    if not chosen <= when < add_months(chosen, PLAN_HORIZON_MONTHS):
        raise CycleError(
            f"{when:%Y-%m} is outside the plan of cycle {chosen:%Y-%m} "
            f"({chosen:%Y-%m} … {add_months(chosen, PLAN_HORIZON_MONTHS - 1):%Y-%m})."
        )
    kinds = store.query("SELECT strategy FROM families WHERE family = ?", [family])
    if kinds.empty:
        raise CycleError(f"Unknown family: {family}.")
    opening = opening_positions(store, chosen, [family]).set_index("family").loc[family].to_dict()
    with store.transaction() as cur:
        require_draft(cur, chosen)  # an approved plan is refused as frozen before any comparison
        old = cur.execute(
            "SELECT quantity FROM production_plan WHERE cycle = ? AND family = ? AND month = ?", [chosen, family, when]
        ).fetchall()
        now = float(old[0][0]) if old else 0.0
        if abs(now - float(seen or 0.0)) > EPS * max(1.0, abs(now)):
            _refuse_stale(cur, chosen, family, when, now, seen)
        write_plan_rows(
            cur, "production_plan", chosen, pd.DataFrame({"family": [family], "month": [when], "quantity": [value]})
        )
        rows = cur.execute(
            """SELECT m.month, coalesce(d.quantity, 0), coalesce(p.quantity, 0)
               FROM (SELECT month FROM demand_plan WHERE cycle = $c AND family = $f
                     UNION SELECT month FROM production_plan WHERE cycle = $c AND family = $f) m
               LEFT JOIN (SELECT month, sum(quantity) AS quantity FROM demand_plan
                          WHERE cycle = $c AND family = $f GROUP BY month) d USING (month)
               LEFT JOIN (SELECT month, quantity FROM production_plan WHERE cycle = $c AND family = $f) p
                 USING (month)
               ORDER BY m.month""",
            {"c": chosen, "f": family},
        ).fetchall()
        months = [pd.Timestamp(r[0]).date() for r in rows]
        demand, supply = (np.array([r[i] for r in rows], dtype=float) for i in (1, 2))
        days = np.array([days_in_month(m) for m in months], dtype=float)
        part = project_family(demand, supply, days, str(kinds["strategy"].iloc[0]), opening)
        stock = part["backlog"] if kinds["strategy"].iloc[0] == "mto" else part["ending_inventory"]
        write_plan_rows(
            cur, "inventory_plan", chosen, pd.DataFrame({"family": family, "month": months, "quantity": stock})
        )
        previous = float(old[0][0]) if old else None
        cur.execute(
            "INSERT INTO supply_adjustments (cycle, family, month, old_quantity, new_quantity, reason, adjusted_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [chosen, family, when, previous, value, why, actor.author],
        )
    return previous


# The recorded writes of a cycle's production plan: fixed SQL, every value bound.
_LAST_WRITE_SQL = """
    SELECT changed_by, changed_at FROM (
        SELECT adjusted_by AS changed_by, adjusted_at AS changed_at FROM supply_adjustments
        WHERE cycle = $c AND family = $f AND month = $m
        UNION ALL SELECT decided_by, decided_at FROM decisions
        WHERE cycle = $c AND kind IN ('supply_plan', 'promote_scenario', 'open_cycle')
        UNION ALL SELECT uploaded_by, uploaded_at FROM uploads WHERE cycle = $c AND kind = 'production_plan'
        UNION ALL SELECT reverted_by, reverted_at FROM uploads
        WHERE cycle = $c AND kind = 'production_plan' AND reverted_at IS NOT NULL)
    ORDER BY changed_at DESC LIMIT 1"""


def _refuse_stale(
    cur: duckdb.DuckDBPyConnection, cycle: dt.date, family: str, month: dt.date, now: float, seen: float | None
) -> None:
    """Raise :class:`~.errors.EditConflictError`: the cell holds ``now``, not the ``seen`` the planner saw."""
    rows = cur.execute(_LAST_WRITE_SQL, {"c": cycle, "f": family, "m": month}).fetchall()
    who, at = (str(rows[0][0]), pd.Timestamp(rows[0][1]).to_pydatetime()) if rows else (None, None)
    by = f" by {who} at {at:%Y-%m-%d %H:%M}" if who and at else ""
    raise EditConflictError(
        f"The production of {family} in {month:%Y-%m} was changed{by} after you opened it "
        f"(now {now:,.0f} units; you saw {float(seen or 0.0):,.0f}). Nothing was saved: reload to see "
        "their change, then apply yours again.",
        who,
        at,
    )


def supply_adjustments(store: Store, cycle: dt.date | str | None = None) -> pd.DataFrame:
    """The adjustment log (:data:`ADJUSTMENT_COLUMNS`) of ``cycle`` (``None``: every cycle), newest first."""
    chosen = None if cycle is None else month_start(cycle)
    return store.query(
        "SELECT cycle, family, month, old_quantity, new_quantity, reason, adjusted_by, adjusted_at "
        "FROM supply_adjustments WHERE ?::DATE IS NULL OR cycle = ? ORDER BY adjusted_at DESC, family, month",
        [chosen, chosen],
    )[ADJUSTMENT_COLUMNS]


def require_plan(store: Store, cycle: dt.date | str | None) -> dt.date:
    """``cycle`` resolved (``None``: the latest plan cycle); :class:`CycleError` when the store has none."""
    chosen = resolve_cycle(store, cycle)
    if chosen is None or not store.scalar("SELECT count(*) FROM plan_versions WHERE cycle = ?", [chosen]):
        raise CycleError("There is no plan for that cycle." if cycle is not None else "There is no plan cycle yet.")
    return chosen


__all__ = [
    "ADJUSTMENT_COLUMNS",
    "PLAN_COLUMNS",
    "SupplyPlan",
    "adjust_supply_plan",
    "generate_supply_plan",
    "plan_supply",
    "preview_supply_plan",
    "require_plan",
    "supply_adjustments",
]
