"""Revert an upload in one transaction, and the upload history.

Revert restores the rows the upload replaced (saved as JSON in ``upload_replaced``) and removes
its rows. It is refused when a later committed upload overwrote the same rows (the message names
that upload, who loaded it and when: revert it first), when the upload is already reverted (naming
who did and when) or when the plan it wrote has been approved since. It needs the action of the
upload's kind (access.py) and records the acting person's ``Actor.author`` as ``reverted_by``.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd

from ..actuals import refresh_rollup
from ..people import Actor, require
from ..plans import plan_status
from ..store import FrozenPlanError, Store, StoreError
from .access import action_for
from .commit import key_match, overwriters_sql, table_keys
from .kinds import KINDS


def _by_at(who: str, when: dt.datetime | None) -> str:
    """``by ann@example.com at 2026-03-04 10:42`` for refusal messages."""
    return f"by {who}" + (f" at {when:%Y-%m-%d %H:%M}" if when is not None else "")


def _struct(cur: duckdb.DuckDBPyConnection, table: str, columns: list[str] | None = None) -> str:
    """The JSON structure of ``table``'s (or ``columns``') types, for ``json_transform``."""
    rows = cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = 'main' ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return json.dumps({name: typ for name, typ in rows if columns is None or name in columns})


def revert_upload(store: Store, upload_id: int, actor: Actor) -> str:
    """Undo upload ``upload_id`` in one transaction as ``actor``; return a sentence saying what was done.

    Needs the action of the upload's kind (``budget`` for the budget, else ``upload``):
    ``PermissionError`` otherwise, before anything is written. ``reverted_by`` records
    ``actor.author``. Raises :class:`StoreError` when the upload is unknown, already reverted
    (naming who reverted it and when), overwritten by a later upload (naming it), or changed by
    another session at the same moment, and :class:`FrozenPlanError` when its plan is approved.
    """
    with store.cursor() as cur:
        found = cur.execute("SELECT kind FROM uploads WHERE upload_id = ?", [upload_id]).fetchall()
    if not found:
        raise StoreError(f"There is no upload {upload_id}.")
    require(actor, action_for(found[0][0]))
    try:
        with store.transaction() as cur:
            removed, restored = _revert_in(cur, upload_id, actor.author)
    except duckdb.TransactionException as exc:
        raise StoreError(
            f"Another change touched the data of upload {upload_id} at the same time; it was not reverted. Try again."
        ) from exc
    return f"Upload {upload_id} reverted: {removed} row(s) removed, {restored} row(s) restored."


def _revert_in(cur: duckdb.DuckDBPyConnection, upload_id: int, author: str) -> tuple[int, int]:
    """Revert upload ``upload_id`` inside the caller's transaction; ``(rows removed, rows restored)``."""
    rows = cur.execute(
        "SELECT kind, cycle, status, reverted_by, reverted_at FROM uploads WHERE upload_id = ?", [upload_id]
    ).fetchall()
    if not rows:
        raise StoreError(f"There is no upload {upload_id}.")
    kind_name, cycle, status, reverted_by, reverted_at = rows[0]
    if status != "committed":
        raise StoreError(f"Upload {upload_id} is already reverted ({_by_at(reverted_by, reverted_at)}).")
    kind = KINDS[kind_name]
    # The kind's fixed predicate; the upload id is bound.
    later = cur.execute(
        f"SELECT DISTINCT l.upload_id, l.uploaded_by, l.uploaded_at FROM uploads u, "
        f"LATERAL (SELECT l.upload_id, l.uploaded_by, l.uploaded_at {overwriters_sql(kind)}) l "
        "WHERE u.upload_id = ? ORDER BY 1 DESC",
        [upload_id],
    ).fetchall()
    if later:
        last, by, at = later[0]
        raise StoreError(
            f"A later upload overwrote rows of upload {upload_id} (upload {last} {_by_at(by, at)}); "
            "revert that upload first."
        )
    if kind.group == "plan" and plan_status(cur, cycle) == "approved":
        raise FrozenPlanError(f"The plan of cycle {cycle:%Y-%m} has been approved since; it is frozen.")
    if kind.group == "actuals":
        months = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT month FROM actuals WHERE upload_id = ? UNION "
                "SELECT DISTINCT CAST(payload->>'month' AS DATE) FROM upload_replaced "
                "WHERE upload_id = ? AND target = 'actuals'",
                [upload_id, upload_id],
            ).fetchall()
        ]
        removed = len(cur.execute("DELETE FROM actuals WHERE upload_id = ? RETURNING 1", [upload_id]).fetchall())
        restored = _restore(cur, upload_id, "actuals")
        refresh_rollup(cur, [kind_name], months)
    else:
        table = kind.table
        keys = table_keys(kind)
        key_struct = _struct(cur, table, keys)
        # Table/column names come from the kind spec; payloads are parsed with a fixed structure.
        removed = len(
            cur.execute(
                f"DELETE FROM {table} t USING (SELECT unnest(json_transform(payload, ?)) FROM upload_replaced "
                f"WHERE upload_id = ? AND target = ?) k WHERE {key_match(keys, 't', 'k')} RETURNING 1",
                [key_struct, upload_id, f"{table}:new"],
            ).fetchall()
        )
        restored = _restore(cur, upload_id, table)
    cur.execute(
        "UPDATE uploads SET status = 'reverted', reverted_at = current_timestamp, reverted_by = ? WHERE upload_id = ?",
        [author, upload_id],
    )
    return removed, restored


def _restore(cur: duckdb.DuckDBPyConnection, upload_id: int, table: str) -> int:
    """Re-insert the rows upload ``upload_id`` replaced in ``table``; return how many."""
    struct = _struct(cur, table)
    return len(
        cur.execute(
            f"INSERT INTO {table} BY NAME SELECT unnest(json_transform(payload, ?)) FROM upload_replaced "
            "WHERE upload_id = ? AND target = ? RETURNING 1",
            [struct, upload_id, table],
        ).fetchall()
    )


def upload_history(store: Store, limit: int = 200) -> pd.DataFrame:
    """The latest uploads, newest first."""
    return store.query(
        "SELECT upload_id, kind, file_name, cycle, uploaded_by, uploaded_at, rows_read, rows_loaded, months, "
        "status, reverted_at, reverted_by, sha256 FROM uploads ORDER BY upload_id DESC LIMIT ?",
        [limit],
    )
