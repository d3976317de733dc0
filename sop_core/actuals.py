"""Actuals: stored at the level they arrive (SKU or family), read rolled up to family.

``actuals`` keeps every loaded row; ``actuals_monthly`` is its family × region ×
month rollup through the product master, rebuilt for the touched kinds and
months inside the same transaction as each write. Every read goes through the
rollup, so a dashboard query touches thousands of rows, not millions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

import duckdb
import pandas as pd

from .store import Store, filter_list

ActualKind = Literal["sales", "orders", "production", "inventory", "backlog"]
ACTUAL_KINDS: tuple[str, ...] = ("sales", "orders", "production", "inventory", "backlog")

# SKU rows whose SKU is not in the product master roll up here, visibly.
UNMAPPED_FAMILY = "(unmapped)"


def refresh_rollup(
    cur: duckdb.DuckDBPyConnection,
    kinds: Iterable[str] | None = None,
    months: Iterable[dt.date] | None = None,
) -> None:
    """Rebuild ``actuals_monthly`` for the given kinds and months (all when ``None``).

    Runs on the caller's cursor, so it belongs to the caller's transaction.
    """
    kind_list = list(kinds) if kinds is not None else list(ACTUAL_KINDS)
    month_list = list(months) if months is not None else None
    where = "kind IN (SELECT unnest(?::VARCHAR[]))"
    params: list[object] = [kind_list]
    if month_list is not None:
        where += " AND month IN (SELECT unnest(?::DATE[]))"
        params.append(month_list)
    # ``where`` is built from the two fixed fragments above; values are bound.
    delete = "DELETE FROM actuals_monthly WHERE " + where
    insert = (
        "INSERT INTO actuals_monthly "
        "SELECT a.kind, coalesce(a.family, p.family, ?) AS family, a.region, a.month, "
        "       sum(a.quantity), sum(a.revenue) "
        "FROM actuals a LEFT JOIN products p ON a.sku = p.sku "
        "WHERE a." + where.replace(" AND month", " AND a.month") + " GROUP BY ALL"
    )
    cur.execute(delete, params)
    cur.execute(insert, [UNMAPPED_FAMILY, *params])


ACTUAL_COLUMNS = ["kind", "month", "sku", "family", "region", "quantity", "revenue"]


def insert_actuals(cur: duckdb.DuckDBPyConnection, rows: pd.DataFrame, upload_id: int | None = None) -> int:
    """Append actual rows (``ACTUAL_COLUMNS``; missing optional columns allowed) on an open transaction.

    The rollup is refreshed for the kinds and months written. Returns the row count.
    """
    frame = rows.reindex(columns=ACTUAL_COLUMNS)
    frame["region"] = frame["region"].fillna("")
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["upload_id"] = upload_id
    cur.register("_actual_rows", frame)
    try:
        cur.execute(
            "INSERT INTO actuals (kind, month, sku, family, region, quantity, revenue, upload_id) "
            "SELECT kind, month, sku, family, region, quantity, revenue, upload_id FROM _actual_rows"
        )
    finally:
        cur.unregister("_actual_rows")
    refresh_rollup(cur, frame["kind"].unique().tolist(), sorted(set(frame["month"])))
    return len(frame)


def actuals(
    store: Store,
    kind: ActualKind,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Loaded actuals of ``kind`` as family × month totals: ``family, month, quantity, revenue``.

    ``revenue`` is the sum of the revenue given in the files (``NaN`` where none
    was given). Optional ``families`` and ``regions`` filter the rows.
    """
    return store.query(
        """SELECT family, month, sum(quantity) AS quantity, sum(revenue) AS revenue
           FROM actuals_monthly
           WHERE kind = ?
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family))
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], region))
           GROUP BY family, month ORDER BY family, month""",
        [kind, filter_list(families), filter_list(families), filter_list(regions), filter_list(regions)],
    )


def last_actual_month(store: Store, kind: str | None = None) -> dt.date | None:
    """The latest month with actuals (of ``kind``, or of any kind)."""
    value = store.scalar("SELECT max(month) FROM actuals_monthly WHERE ?::VARCHAR IS NULL OR kind = ?", [kind, kind])
    return None if value is None else pd.Timestamp(value).date()
