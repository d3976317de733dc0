"""Plan versions: create, write (drafts only), approve and read.

A plan version belongs to one monthly cycle and plans the months from the
cycle onwards. It is ``draft`` until approved; an approved version is the plan
of record and is frozen: every write path here checks the status inside the
same transaction as the write, so no write can change an approved version.
Approval stores the sha256 of the frozen snapshot (the version's plan tables as
canonical text); reopening an approved version is logged with its reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Literal

import duckdb
import pandas as pd

from .months import month_start
from .people import Actor, require
from .store import FrozenPlanError, Store, StoreError

PlanTable = Literal["demand_plan", "production_plan", "inventory_plan", "budget"]

# The key and value columns of each plan table (beyond ``cycle``).
PLAN_COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    "demand_plan": (["family", "region", "month"], ["quantity"]),
    "production_plan": (["family", "month"], ["quantity"]),
    "inventory_plan": (["family", "month"], ["quantity"]),
    "budget": (["family", "month"], ["volume", "revenue"]),
}


def plan_status(cur: duckdb.DuckDBPyConnection, cycle: dt.date) -> str | None:
    """The status of the version of ``cycle`` (``None`` when there is none)."""
    rows = cur.execute("SELECT status FROM plan_versions WHERE cycle = ?", [cycle]).fetchall()
    return str(rows[0][0]) if rows else None


class NoPlanError(StoreError):
    """A write named a cycle that has no plan version (open the cycle first); nothing was written."""


def require_plan_version(cur: duckdb.DuckDBPyConnection, cycle: dt.date) -> str:
    """On an open transaction: the status of ``cycle``'s plan version; :class:`NoPlanError` naming the month
    when it has none (for writes that must not create a draft as a side effect: only opening a cycle does)."""
    status = plan_status(cur, cycle)
    if status is None:
        raise NoPlanError(
            f"There is no plan for cycle {cycle:%Y-%m}: open the cycle first (python -m sop_core cycle open "
            f"{cycle:%Y-%m}, or the Cycle page). Nothing was written."
        )
    return status


def require_draft(cur: duckdb.DuckDBPyConnection, cycle: dt.date) -> None:
    """On an open transaction: create the draft of ``cycle`` if missing; :class:`FrozenPlanError` if approved.

    Every write that belongs to a cycle's plan (plan tables, the stored baseline, overrides) calls it
    in the same transaction as the write, so nothing can change an approved cycle.
    """
    _require_draft(cur, cycle)


def _require_draft(cur: duckdb.DuckDBPyConnection, cycle: dt.date) -> None:
    status = plan_status(cur, cycle)
    if status is None:
        cur.execute("INSERT INTO plan_versions (cycle, status) VALUES (?, 'draft')", [cycle])
    elif status == "approved":
        raise FrozenPlanError(
            f"The plan of cycle {cycle:%Y-%m} is approved and frozen; write to the draft of a later cycle instead."
        )


def write_plan_rows(
    cur: duckdb.DuckDBPyConnection,
    table: PlanTable,
    cycle: dt.date | str,
    rows: pd.DataFrame,
    *,
    replace_all: bool = False,
) -> int:
    """Write ``rows`` into ``table`` of the draft version of ``cycle`` on an open transaction.

    The version is created as a draft if missing; an approved version raises
    :class:`FrozenPlanError`. Rows replace existing ones with the same key; with
    ``replace_all`` the version's whole table is replaced. Returns rows written.
    """
    if table not in PLAN_COLUMNS:
        raise StoreError(f"Unknown plan table {table!r}")
    keys, values = PLAN_COLUMNS[table]
    cycle_date = month_start(cycle)
    _require_draft(cur, cycle_date)
    frame = rows[keys + values].copy()
    frame.insert(0, "cycle", cycle_date)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    # Table and column names come from PLAN_COLUMNS (checked above), never from input.
    cols = ", ".join(["cycle", *keys, *values])
    match = " AND ".join(f"t.{k} = r.{k}" for k in keys)
    delete_all = f"DELETE FROM {table} WHERE cycle = ?"
    delete_keys = f"DELETE FROM {table} t USING _plan_rows r WHERE t.cycle = r.cycle AND {match}"
    insert = f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _plan_rows"
    cur.register("_plan_rows", frame)
    try:
        if replace_all:
            cur.execute(delete_all, [cycle_date])
        else:
            cur.execute(delete_keys)
        cur.execute(insert)
    finally:
        cur.unregister("_plan_rows")
    return len(frame)


def write_plan(
    store: Store,
    table: PlanTable,
    cycle: dt.date | str,
    rows: pd.DataFrame,
    *,
    actor: Actor,
    replace_all: bool = False,
) -> int:
    """Write plan rows into the draft of ``cycle`` in one transaction (see :func:`write_plan_rows`).

    Needs the ``upload`` role (``budget`` for the budget table); ``PermissionError`` otherwise, nothing written.
    """
    require(actor, "budget" if table == "budget" else "upload")
    with store.transaction() as cur:
        return write_plan_rows(cur, table, cycle, rows, replace_all=replace_all)


def approve_plan(store: Store, cycle: dt.date | str, actor: Actor, note: str | None = None) -> str:
    """Approve (freeze) the draft version of ``cycle`` and record the decision; returns the snapshot's sha256.

    Needs the ``approve`` role (``PermissionError`` otherwise, nothing written); recorded as ``actor.author``.
    """
    require(actor, "approve")
    with store.transaction() as cur:
        return freeze_plan(cur, month_start(cycle), actor.author, note)


def freeze_plan(cur: duckdb.DuckDBPyConnection, cycle: dt.date, approved_by: str, note: str | None = None) -> str:
    """On an open transaction: approve the draft of ``cycle``, store its checksum, record the decision.

    The one freezing rule (``approve_plan`` and the cycle engine's approval both use it). Raises
    :class:`StoreError` without a plan and :class:`FrozenPlanError` when already approved. Returns the
    sha256 of the frozen snapshot (:func:`plan_checksum`).
    """
    status = plan_status(cur, cycle)
    if status is None:
        raise StoreError(f"There is no plan for cycle {cycle:%Y-%m}.")
    if status == "approved":
        raise FrozenPlanError(f"The plan of cycle {cycle:%Y-%m} is already approved.")
    checksum = plan_checksum(cur, cycle)
    cur.execute(
        "UPDATE plan_versions SET status = 'approved', approved_at = current_timestamp, "
        "approved_by = ?, note = coalesce(?, note), checksum = ? WHERE cycle = ?",
        [approved_by, note, checksum, cycle],
    )
    record_decision(cur, cycle, "approve_plan", f"{cycle:%Y-%m}", json.dumps({"checksum": checksum}), approved_by)
    return checksum


def unfreeze_plan(cur: duckdb.DuckDBPyConnection, cycle: dt.date, reopened_by: str, reason: str) -> None:
    """On an open transaction: put the approved version of ``cycle`` back to draft and log why.

    The approval (who, when, checksum) stays in the decision log (kind ``approve_plan``); the reopening is
    logged as kind ``reopen_plan`` with the reason and the checksum the plan had.
    """
    rows = cur.execute("SELECT status, checksum FROM plan_versions WHERE cycle = ?", [cycle]).fetchall()
    if not rows or rows[0][0] != "approved":
        raise StoreError(f"The plan of cycle {cycle:%Y-%m} is not approved; there is nothing to reopen.")
    cur.execute(
        "UPDATE plan_versions SET status = 'draft', approved_at = NULL, approved_by = NULL, checksum = NULL "
        "WHERE cycle = ?",
        [cycle],
    )
    detail = json.dumps({"reason": reason, "checksum": rows[0][1]})
    record_decision(cur, cycle, "reopen_plan", f"{cycle:%Y-%m}", detail, reopened_by)


def plan_snapshot_rows(cur: duckdb.DuckDBPyConnection, cycles: Sequence[dt.date]) -> dict[dt.date, dict[str, list]]:
    """Per cycle and plan table, the rows (key columns, then values) in key order: the frozen snapshot."""
    out: dict[dt.date, dict[str, list]] = {c: {t: [] for t in PLAN_COLUMNS} for c in cycles}
    for table, (keys, values) in PLAN_COLUMNS.items():
        cols = ", ".join(["cycle", *keys, *values])
        order = ", ".join(["cycle", *keys])
        # Table and column names come from PLAN_COLUMNS, never from input; the cycles are bound.
        sql = f"SELECT {cols} FROM {table} WHERE list_contains(?::DATE[], cycle) ORDER BY {order}"
        for row in cur.execute(sql, [list(cycles)]).fetchall():
            out[row[0]][table].append(row[1:])
    return out


def snapshot_texts(cur: duckdb.DuckDBPyConnection, cycles: Sequence[dt.date]) -> dict[dt.date, str]:
    """The canonical text of each cycle's snapshot: per plan table in a fixed order, one line
    ``table|key|…|value`` per row in key order, every value as DuckDB writes it as text (dates ISO)."""
    parts: dict[dt.date, list[str]] = {c: [] for c in cycles}
    for table, (keys, values) in PLAN_COLUMNS.items():
        fields = ", ".join(f"{c}::VARCHAR" for c in [*keys, *values])
        order = ", ".join(keys)
        # Table and column names come from PLAN_COLUMNS, never from input; the cycles are bound.
        sql = (
            f"SELECT cycle, string_agg(concat_ws('|', '{table}', {fields}), chr(10) ORDER BY {order}) "
            f"FROM {table} WHERE list_contains(?::DATE[], cycle) GROUP BY cycle"
        )
        for cycle, text in cur.execute(sql, [list(cycles)]).fetchall():
            parts[cycle].append(text)
    return {c: "\n".join(p) for c, p in parts.items()}


def plan_checksums(cur: duckdb.DuckDBPyConnection, cycles: Sequence[dt.date]) -> dict[dt.date, str]:
    """The sha256 (hex) of each cycle's snapshot text (:func:`snapshot_texts`)."""
    return {c: hashlib.sha256(text.encode()).hexdigest() for c, text in snapshot_texts(cur, cycles).items()}


def plan_checksum(cur: duckdb.DuckDBPyConnection, cycle: dt.date) -> str:
    """The sha256 (hex) of the snapshot of ``cycle``'s plan tables as they are now."""
    return plan_checksums(cur, [cycle])[cycle]


def record_decision(
    cur: duckdb.DuckDBPyConnection,
    cycle: dt.date | None,
    kind: str,
    subject: str | None,
    detail_json: str | None,
    decided_by: str,
) -> int:
    """Append one row to the decision audit table on an open transaction; return its id."""
    rows = cur.execute(
        "INSERT INTO decisions (decision_id, cycle, kind, subject, detail, decided_by) "
        "VALUES (nextval('decision_seq'), ?, ?, ?, ?, ?) RETURNING decision_id",
        [cycle, kind, subject, detail_json, decided_by],
    ).fetchall()
    return int(rows[0][0])


def plan_versions(store: Store) -> pd.DataFrame:
    """All plan versions, newest first: ``cycle, status, approved_at, approved_by, note``."""
    return store.query("SELECT cycle, status, approved_at, approved_by, note FROM plan_versions ORDER BY cycle DESC")


def latest_cycle(store: Store, approved_only: bool = False) -> dt.date | None:
    """The newest cycle (optionally the newest approved one), or ``None``."""
    sql = "SELECT max(cycle) FROM plan_versions"
    if approved_only:
        sql += " WHERE status = 'approved'"
    value = store.scalar(sql)
    return None if value is None else pd.Timestamp(value).date()


def resolve_cycle(store: Store, cycle: dt.date | str | None, approved_only: bool = False) -> dt.date | None:
    """``cycle`` as a month date, or the latest (approved) cycle when ``None``."""
    return month_start(cycle) if cycle is not None else latest_cycle(store, approved_only)
