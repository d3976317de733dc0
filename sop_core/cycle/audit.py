"""The audit trail of the decision log and the assumption register: one row per changed field."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from ..store import Store

AUDIT_COLUMNS = ["register", "item_id", "field", "old_value", "new_value", "changed_by", "changed_at"]


def audit_change(
    cur: duckdb.DuckDBPyConnection,
    register: str,
    item_id: int,
    field: str,
    old: str | None,
    new: str | None,
    by: str,
    at: dt.datetime | None = None,
) -> None:
    """On an open transaction: append one audited change (``at`` default: now)."""
    cur.execute(
        "INSERT INTO register_audit (register, item_id, field, old_value, new_value, changed_by, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, coalesce(?, current_timestamp))",
        [register, item_id, field, old, new, by, at],
    )


def audit_trail(store: Store, register: str | None = None, item_id: int | None = None) -> pd.DataFrame:
    """The audited changes (:data:`AUDIT_COLUMNS`), oldest first; filter by register and item."""
    return store.query(
        "SELECT register, item_id, field, old_value, new_value, changed_by, changed_at FROM register_audit "
        "WHERE (? IS NULL OR register = ?) AND (? IS NULL OR item_id = ?) "
        "ORDER BY changed_at, rowid",
        [register, register, item_id, item_id],
    )
