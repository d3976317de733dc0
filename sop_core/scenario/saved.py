"""Saved scenarios: save, list, load, delete, compare and promote (all their SQL lives here).

Saved scenarios keep only their levers (as JSON in the ``scenarios`` table);
their results are always recomputed from the current data. Every write is one
transaction; every value is a bound parameter. Saving, deleting and promoting
need the ``scenario`` permission (planner) and record ``actor.author``.

Version checks (two people on the same scenario; nothing is lost, nothing is
silently overwritten): a scenario's id is its version. Saving under a taken
name is refused naming who saved it and when, unless the call names the id it
replaces (``replaces=``), and then only while that id is still the current one.
Replacing and deleting keep the old version's levers in the decision log
(``replace_scenario`` / ``delete_scenario``), so a later delete or promote of a
vanished id is refused naming who removed it and when. Promoting one scenario
twice into the same draft is refused, and so is promoting onto a draft plan that
changed since the caller read it (``plan_seen``, from :func:`plan_fingerprint`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..people import Actor, require
from ..plans import plan_checksum, record_decision, resolve_cycle, write_plan_rows
from ..store import Store, StoreError
from .evaluate import evaluate_scenario
from .inputs import ScenarioInputs, baseline_inputs
from .levers import Levers
from .model import regional_demand
from .results import ScenarioResult

MAX_COMPARED = 3
COLUMNS = ["scenario_id", "name", "note", "author", "cycle", "levers", "created_at", "promoted_at", "promoted_by"]
"""The ``scenarios`` table's columns, in the order the version checks read them."""
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM scenarios"  # fixed column names; callers bind their values
# The recorded writes of a cycle's draft plan, newest first (fixed SQL, every value bound): plan events of
# the decision log, supply-plan adjustments, plan uploads, and override saves (each rewrites the consensus).
_LAST_PLAN_WRITE_SQL = """
    SELECT what, changed_by, changed_at FROM (
        SELECT replace(kind, '_', ' ') || ' ' || coalesce(subject, '') AS what, decided_by AS changed_by,
               decided_at AS changed_at
        FROM decisions WHERE cycle = $c AND kind IN ('open_cycle', 'supply_plan', 'promote_scenario', 'reopen_plan')
        UNION ALL SELECT 'supply adjustment ' || family, adjusted_by, adjusted_at FROM supply_adjustments
        WHERE cycle = $c
        UNION ALL SELECT 'upload ' || file_name, uploaded_by, uploaded_at FROM uploads
        WHERE cycle = $c AND kind IN ('demand_plan', 'production_plan', 'inventory_plan', 'budget')
        UNION ALL SELECT 'override ' || family, author, changed_at FROM forecast_override_history WHERE cycle = $c)
    ORDER BY changed_at DESC LIMIT 1"""


class ScenarioConflictError(StoreError):
    """A scenario write refused because someone else changed the scenario (or the draft) first.

    ``changed_by`` and ``changed_at`` name that change when it is known.
    """

    def __init__(self, message: str, changed_by: str | None = None, changed_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


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


def _at(value: object) -> str:
    """A timestamp as the refusals show it: ``2026-03-02 10:15``."""
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def _conflict(message: str, by: object, at: object) -> ScenarioConflictError:
    return ScenarioConflictError(message, str(by), pd.Timestamp(at).to_pydatetime())


def _vanished(cur: duckdb.DuckDBPyConnection, scenario_id: int, doing: str) -> StoreError:
    """The refusal for a scenario id that is not stored: who deleted or replaced it and when, if recorded."""
    rows = cur.execute(
        """SELECT kind, subject, decided_by, decided_at FROM decisions
           WHERE kind IN ('delete_scenario', 'replace_scenario')
             AND try_cast(json_extract_string(detail, '$.scenario_id') AS BIGINT) = ?
           ORDER BY decided_at DESC, decision_id DESC LIMIT 1""",
        [int(scenario_id)],
    ).fetchall()
    if not rows:
        return StoreError(f"There is no scenario {scenario_id}.")
    kind, name, by, at = rows[0]
    verb = "deleted" if kind == "delete_scenario" else "replaced by a newer version"
    return _conflict(
        f"The scenario {name!r} was {verb} by {by} at {_at(at)}, after you loaded it: nothing to {doing}. "
        "Reload to see the saved scenarios as they are now.",
        by,
        at,
    )


def _old_version(row: tuple[Any, ...]) -> dict[str, Any]:
    """A stored scenario row (:data:`COLUMNS`) as the decision log keeps it (levers as JSON, times as text)."""
    out = dict(zip(COLUMNS, row, strict=True))
    out["levers"] = json.loads(out["levers"])
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in out.items()}


def save_scenario(
    store: Store,
    name: str,
    levers: Levers,
    actor: Actor,
    note: str | None = None,
    cycle: dt.date | str | None = None,
    *,
    replaces: int | None = None,
) -> int:
    """Save ``levers`` under ``name`` with a note, signed by ``actor``; return the new id.

    ``PermissionError`` unless ``actor`` may save scenarios. A name already taken is refused with
    :class:`ScenarioConflictError` naming who saved it and when — unless ``replaces`` is the id of
    that scenario (the version the caller saw): then it is replaced by a new version with a new id,
    its old levers kept in the decision log (``replace_scenario``). When the name is free,
    ``replaces`` changes nothing (the version seen was deleted meanwhile: this save is new).
    """
    require(actor, "scenario")
    name = name.strip()
    if not name:
        raise ValueError("A scenario needs a name.")
    chosen = resolve_cycle(store, cycle)
    with store.transaction() as cur:
        found = cur.execute(f"{_SELECT} WHERE name = ?", [name]).fetchall()  # _SELECT: constant; name bound
        if found:
            old = found[0]
            if replaces is None or int(replaces) != int(old[0]):
                seen = "" if replaces is None else " since you loaded the version you meant to replace"
                raise _conflict(
                    f"A scenario named {name!r} was saved by {old[3]} at {_at(old[6])}{seen}. Nothing was saved: "
                    "choose another name, or load that scenario and replace it.",
                    old[3],
                    old[6],
                )
            cur.execute("DELETE FROM scenarios WHERE scenario_id = ?", [old[0]])
        rows = cur.execute(
            "INSERT INTO scenarios (scenario_id, name, note, author, cycle, levers) "
            "VALUES (nextval('scenario_seq'), ?, ?, ?, ?, ?) RETURNING scenario_id",
            [name, note or None, actor.author, chosen, levers.to_json()],
        ).fetchall()
        new_id = int(rows[0][0])
        if found:
            detail = {**_old_version(found[0]), "replaced_by": new_id}
            record_decision(cur, found[0][4], "replace_scenario", name, json.dumps(detail), actor.author)
    return new_id


def list_scenarios(store: Store) -> pd.DataFrame:
    """Saved scenarios, newest first.

    Columns ``scenario_id, name, note, author, cycle, created_at, promoted_at, promoted_by``.
    """
    return store.query(
        "SELECT scenario_id, name, note, author, cycle, created_at, promoted_at, promoted_by "
        "FROM scenarios ORDER BY created_at DESC, scenario_id DESC"
    )


def load_scenario(store: Store, scenario_id: int, *, doing: str = "load") -> SavedScenario:
    """One saved scenario with its levers.

    :class:`StoreError` when it does not exist: a :class:`ScenarioConflictError` naming who deleted or
    replaced it and when, if that is recorded (``doing`` completes its "nothing to …").
    """
    frame = store.query("SELECT * FROM scenarios WHERE scenario_id = ?", [int(scenario_id)])
    if frame.empty:
        cur = store.cursor()
        try:
            raise _vanished(cur, scenario_id, doing)
        finally:
            cur.close()
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


def delete_scenario(store: Store, scenario_id: int, actor: Actor) -> None:
    """Delete a saved scenario as ``actor`` (promoted plans and their decision records stay).

    ``PermissionError`` unless ``actor`` may delete scenarios; :class:`ScenarioConflictError` naming who
    and when when the scenario was deleted or replaced since it was read. The deleted levers are kept in
    the decision log (``delete_scenario``), so a deletion loses nothing.
    """
    require(actor, "scenario")
    with store.transaction() as cur:
        rows = cur.execute(f"{_SELECT} WHERE scenario_id = ?", [int(scenario_id)]).fetchall()  # _SELECT: constant
        if not rows:
            raise _vanished(cur, scenario_id, "delete")
        cur.execute("DELETE FROM scenarios WHERE scenario_id = ?", [int(scenario_id)])
        detail = json.dumps(_old_version(rows[0]))
        record_decision(cur, rows[0][4], "delete_scenario", rows[0][1], detail, actor.author)


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


def plan_fingerprint(store: Store, cycle: dt.date) -> str:
    """The fingerprint of ``cycle``'s plan as it is now: pass it back as :func:`promote_scenario`'s ``plan_seen``."""
    cur = store.cursor()
    try:
        return plan_checksum(cur, cycle)
    finally:
        cur.close()


def _refuse_stale(cur: duckdb.DuckDBPyConnection, saved: SavedScenario, cycle: dt.date, plan_seen: str | None) -> None:
    """On the promotion's transaction: the scenario is still there, not yet promoted here, the draft as seen."""
    if not cur.execute("SELECT count(*) FROM scenarios WHERE scenario_id = ?", [saved.scenario_id]).fetchall()[0][0]:
        raise _vanished(cur, saved.scenario_id, "promote")
    done = cur.execute(
        """SELECT decided_by, decided_at FROM decisions
           WHERE kind = 'promote_scenario' AND cycle = ?
             AND try_cast(json_extract_string(detail, '$.scenario_id') AS BIGINT) = ?
           ORDER BY decided_at DESC LIMIT 1""",
        [cycle, saved.scenario_id],
    ).fetchall()
    if done:
        by, at = done[0]
        raise _conflict(
            f"The scenario {saved.name!r} was already promoted to the draft of cycle {cycle:%Y-%m} by {by} at "
            f"{_at(at)}. Nothing was written.",
            by,
            at,
        )
    if plan_seen is None or plan_checksum(cur, cycle) == plan_seen:
        return
    last = cur.execute(_LAST_PLAN_WRITE_SQL, {"c": cycle}).fetchall()
    message = f"The draft plan of cycle {cycle:%Y-%m} changed since you loaded the scenario"
    tail = ". Nothing was written: look at the figures again, then promote."
    if not last:
        raise ScenarioConflictError(message + tail)
    what, by, at = last[0]
    raise _conflict(f"{message} (the last recorded change: {what.strip()} by {by} at {_at(at)}){tail}", by, at)


def promote_scenario(store: Store, scenario_id: int, actor: Actor, *, plan_seen: str | None = None) -> dt.date:
    """Write a saved scenario's plan into the draft of the current cycle as ``actor``; return that cycle.

    The production plan and the planned ending inventory / backlog over the
    scenario's horizon replace the draft's rows (and the demand plan, per
    region, when a demand lever moved). The current cycle is the latest plan
    version; when it is approved the write raises :class:`FrozenPlanError` and
    nothing changes. The promotion is recorded in ``decisions`` and on the
    scenario (``promoted_at``, ``promoted_by`` = ``actor.author``).

    Refused, nothing written: ``PermissionError`` unless ``actor`` may promote
    scenarios; :class:`ScenarioConflictError` naming who and when if the scenario
    was deleted or replaced since it was read, was already promoted to this
    draft, or — when ``plan_seen`` (:func:`plan_fingerprint` of the cycle, as
    read with the figures on screen) is given — the draft plan changed since.
    """
    require(actor, "scenario")
    saved = load_scenario(store, scenario_id, doing="promote")
    inputs = baseline_inputs(store)
    result = evaluate_scenario(inputs, saved.levers, tradeoff=False)
    production, inventory = _plan_rows(result)
    demand = _demand_rows(inputs, saved.levers, result.months) if saved.levers.moves_demand else None
    lv = saved.levers
    with store.transaction() as cur:
        _refuse_stale(cur, saved, inputs.cycle, plan_seen)
        written = write_plan_rows(cur, "production_plan", inputs.cycle, production)
        written += write_plan_rows(cur, "inventory_plan", inputs.cycle, inventory)
        if demand is not None:
            written += write_plan_rows(cur, "demand_plan", inputs.cycle, demand)
        detail = json.dumps(
            {"scenario_id": saved.scenario_id, "name": saved.name, "rows": written, "levers": json.loads(lv.to_json())}
        )
        record_decision(cur, inputs.cycle, "promote_scenario", saved.name, detail, actor.author)
        cur.execute(
            "UPDATE scenarios SET promoted_at = current_timestamp, promoted_by = ? WHERE scenario_id = ?",
            [actor.author, saved.scenario_id],
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
