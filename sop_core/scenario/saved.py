"""Saved scenarios: save, list, load, delete, compare and promote (all their SQL lives here).

Saved scenarios keep only their levers (as JSON in the ``scenarios`` table);
their results are always recomputed from the current data. Every write is one
transaction; every value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..plans import record_decision, resolve_cycle, write_plan_rows
from ..store import Store, StoreError
from .evaluate import evaluate_scenario
from .inputs import ScenarioInputs, baseline_inputs
from .levers import Levers
from .model import regional_demand
from .results import ScenarioResult

MAX_COMPARED = 3


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
    store: Store,
    name: str,
    levers: Levers,
    author: str,
    note: str | None = None,
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

    def _opt(value: object) -> Any:
        return None if pd.isna(value) else value

    cycle = _opt(row["cycle"])
    return SavedScenario(
        scenario_id=int(row["scenario_id"]),
        name=str(row["name"]),
        note=_opt(row["note"]),
        author=str(row["author"]),
        cycle=None if cycle is None else pd.Timestamp(cycle).date(),
        levers=Levers.from_json(row["levers"]),
        created_at=pd.Timestamp(row["created_at"]),
        promoted_at=_opt(row["promoted_at"]),
        promoted_by=_opt(row["promoted_by"]),
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
    production, inventory = _plan_rows(result)
    demand = _demand_rows(inputs, saved.levers, result.months) if saved.levers.moves_demand else None
    lv = saved.levers
    with store.transaction() as cur:
        written = write_plan_rows(cur, "production_plan", inputs.cycle, production)
        written += write_plan_rows(cur, "inventory_plan", inputs.cycle, inventory)
        if demand is not None:
            written += write_plan_rows(cur, "demand_plan", inputs.cycle, demand)
        detail = json.dumps(
            {"scenario_id": saved.scenario_id, "name": saved.name, "rows": written, "levers": json.loads(lv.to_json())}
        )
        record_decision(cur, inputs.cycle, "promote_scenario", saved.name, detail, by.strip())
        cur.execute(
            "UPDATE scenarios SET promoted_at = current_timestamp, promoted_by = ? WHERE scenario_id = ?",
            [by.strip(), saved.scenario_id],
        )
    return inputs.cycle


def _plan_rows(result: ScenarioResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scenario's production plan and planned ending inventory (backlog for make-to-order) as plan rows."""
    inputs, scen, T = result.inputs, result.scenario, len(result.months)
    months = np.tile(np.array(result.months, dtype=object), len(inputs.families))
    fams = np.repeat(np.array(inputs.families, dtype=object), T)
    production = pd.DataFrame({"family": fams, "month": months, "quantity": scen.production.ravel()})
    stock = np.where(inputs.mto[:, None], scen.backlog, scen.inventory)
    return production, pd.DataFrame({"family": fams, "month": months, "quantity": stock.ravel()})


def _demand_rows(inputs: ScenarioInputs, levers: Levers, months: Sequence[dt.date]) -> pd.DataFrame:
    """The demand plan with the levers applied, per family, region and month (rows the plan had only)."""
    T = len(months)
    F, G = len(inputs.families), len(inputs.regions)
    rows = pd.DataFrame(
        {
            "family": np.repeat(np.array(inputs.families, dtype=object), G * T),
            "region": np.tile(np.repeat(np.array(inputs.regions, dtype=object), T), F),
            "month": np.tile(np.array(months, dtype=object), F * G),
            "quantity": regional_demand(inputs, levers, T).ravel(),
        }
    )
    return rows[inputs.demand[:, :, :T].ravel() != 0]
