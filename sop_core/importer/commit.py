"""Write a validated upload in one transaction and keep its history (revert.py undoes one).

One upload is one ``BEGIN … COMMIT``: the ``uploads`` row, the rows it replaces
(saved as JSON in ``upload_replaced`` so the upload can be reverted) and the
new rows. A crash or kill before ``COMMIT`` leaves the store as it was.

Replacement rules:

- Actuals: an upload replaces, for its kind and each month in the file, the
  stored rows of the SKUs and families in the file (and of the regions in the
  file, when it has a region column). A family-level row replaces that family's
  SKU-level rows for the month and vice versa, so switching level never double
  counts.
- Master data and plans: rows with the same key (in plans: the same cycle and
  key) are replaced; other rows stay.
- Idempotency: a file whose SHA-256 matches a committed upload of the same kind
  (and cycle) that no later upload has overwritten, and whose preview shows no
  change, is "already loaded" and nothing is written.
- Revert (revert.py) restores the replaced rows and removes the upload's rows. It is refused
  when a later committed upload overwrote the same rows (revert that one first)
  or when the plan it wrote has been approved since.
- Two uploads at the same moment: DuckDB's optimistic concurrency either lets both commit (they
  touched different rows) or refuses one with a write-write conflict; the refused one is rolled back
  whole and reported as :class:`UploadConflict` (load it again). Neither is ever half-applied.
- Who: ``uploads.uploaded_by`` / ``reverted_by`` record the acting person's ``Actor.author``;
  :func:`~.revert.revert_upload` needs the action of the upload's kind (access.py).
"""

from __future__ import annotations

import datetime as dt
import os
import time

import duckdb
import pandas as pd

from ..actuals import UNMAPPED_FAMILY, refresh_rollup
from ..plans import PLAN_COLUMNS, write_plan_rows
from ..store import StoreError
from .kinds import Kind
from .report import ImportReport
from .workspace import REPLACED, STAGE, Workspace

PAUSE_ENV = "SOP_IMPORT_PAUSE_IN_COMMIT"  # test hook: seconds to sleep inside the transaction
PAUSE_MARKER_ENV = "SOP_IMPORT_PAUSE_MARKER"  # test hook: file written when the pause starts


class UploadConflict(StoreError):
    """Another upload wrote the same data at the same moment; this one was rolled back whole.

    ``report`` is the upload's report with status ``failed`` and the sentence to show as its message.
    """

    def __init__(self, report: ImportReport) -> None:
        report.status = "failed"
        report.upload_id = None
        report.message = (
            f"Another upload changed the same data at the same time; nothing of {report.file_name} was loaded. "
            "Load it again."
        )
        super().__init__(report.message)
        self.report = report


def table_keys(kind: Kind) -> list[str]:
    """The key columns of the kind's target table (plans include ``cycle``)."""
    return (["cycle"] if kind.group == "plan" else []) + list(kind.key)


# --- idempotency ------------------------------------------------------------------------------
def overwriters_sql(kind: Kind) -> str:
    """SQL ``FROM … WHERE …`` (parameter-free, correlated to ``u``) of the committed uploads ``l`` that overwrote ``u``."""
    if kind.group == "actuals":
        return (
            "FROM upload_replaced r JOIN uploads l ON l.upload_id = r.upload_id "
            "WHERE l.status = 'committed' AND r.target = 'actuals' "
            "AND CAST(r.payload->>'upload_id' AS BIGINT) = u.upload_id"
        )
    return (
        "FROM uploads l WHERE l.upload_id > u.upload_id AND l.status = 'committed' "
        "AND l.kind = u.kind AND l.cycle IS NOT DISTINCT FROM u.cycle"
    )


def _overwritten_sql(kind: Kind) -> str:
    """SQL (one parameter-free predicate on ``u``) true when a later committed upload overwrote ``u``."""
    return f"EXISTS (SELECT 1 {overwriters_sql(kind)})"


def already_loaded(cur: duckdb.DuckDBPyConnection, kind: Kind, sha256: str, cycle: dt.date | None) -> tuple | None:
    """``(upload_id, uploaded_at, uploaded_by)`` of a live committed upload of the same content, else ``None``."""
    rows = cur.execute(
        "SELECT upload_id, uploaded_at, uploaded_by FROM uploads u WHERE sha256 = ? AND kind = ? "
        "AND cycle IS NOT DISTINCT FROM ? AND status = 'committed' AND NOT "
        + _overwritten_sql(kind)
        + " ORDER BY upload_id DESC LIMIT 1",
        [sha256, kind.name, cycle if kind.group == "plan" else None],
    ).fetchall()
    return rows[0] if rows else None


# --- what the upload replaces -----------------------------------------------------------------
def _actuals_scope(ws: Workspace, kind: Kind, has_region: bool) -> None:
    """``REPLACED(rid)``: rowids of stored actuals the staged rows replace."""
    region = "region" if has_region else "CAST(NULL AS VARCHAR)"
    # What the staged rows cover, per level; a CTE, as a temp table costs more to write than to use.
    # Each part is distinct and has its own ``lvl``, so UNION ALL gives the set without another pass.
    scope = (
        f"WITH covered AS ("
        f"SELECT DISTINCT month, 'sku' AS lvl, sku AS item, {region} AS region FROM {STAGE} WHERE sku IS NOT NULL "
        f"UNION ALL SELECT DISTINCT s.month, 'family', coalesce(s.family, p.family), "
        f"{region.replace('region', 's.region')} FROM {STAGE} s LEFT JOIN products p ON p.sku = s.sku "
        f"UNION ALL SELECT DISTINCT month, 'fam_sku', family, {region} FROM {STAGE} WHERE sku IS NULL) "
    )
    region_ok = "(s.region IS NULL OR s.region = a.region)"
    # Names are constants (workspace.py) and ``region`` one of two constant expressions; the kind is bound.
    ws.create(
        REPLACED,
        f"{scope}SELECT a.rowid AS rid FROM actuals a JOIN covered s ON s.month = a.month AND s.lvl = 'sku' "
        f"  AND s.item = a.sku WHERE a.kind = ? AND {region_ok} "
        "UNION SELECT a.rowid FROM actuals a JOIN products p ON p.sku = a.sku JOIN covered s "
        f"  ON s.month = a.month AND s.lvl = 'fam_sku' AND s.item = p.family WHERE a.kind = ? AND {region_ok} "
        "UNION SELECT a.rowid FROM actuals a JOIN covered s ON s.month = a.month AND s.lvl = 'family' "
        f"  AND s.item = a.family WHERE a.sku IS NULL AND a.kind = ? AND {region_ok}",
        [kind.name] * 3,
    )


def key_match(keys: list[str], left: str, right: str) -> str:
    """``left.k = right.k AND …`` over ``keys`` (names from a kind spec, never from input)."""
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)


def _staged_with_cycle(kind: Kind) -> str:
    """The staged rows as the target table's rows (plans get their ``cycle``; one ``?`` when so)."""
    return f"(SELECT CAST(? AS DATE) AS cycle, * FROM {STAGE})" if kind.group == "plan" else STAGE


# The per family × month comparison of a preview, over CTEs f (in the file), r (rows
# the upload replaces), c (in the store now) and k (the keys of f and r).
_PREVIEW_TOTALS = """
    SELECT k.family, k.month, coalesce(c.q, 0) AS in_store, coalesce(r.q, 0) AS replaced,
           coalesce(f.q, 0) AS in_file,
           coalesce(c.q, 0) - coalesce(r.q, 0) + coalesce(f.q, 0) AS after_upload,
           coalesce(f.q, 0) - coalesce(r.q, 0) AS change
    FROM k LEFT JOIN c USING (family, month) LEFT JOIN r USING (family, month)
           LEFT JOIN f USING (family, month)
    ORDER BY k.family, k.month"""


def preview(ws: Workspace, kind: Kind, cycle: dt.date | None, has_region: bool) -> pd.DataFrame:
    """What the upload changes: per family and month for actuals and plans, per row for master data."""
    cur = ws.cur
    if kind.group == "actuals":
        _actuals_scope(ws, kind, has_region)
        return cur.execute(
            f"""WITH f AS (SELECT coalesce(s.family, p.family) AS family, s.month, sum(s.quantity) AS q
                          FROM {STAGE} s LEFT JOIN products p ON p.sku = s.sku GROUP BY ALL),
                    r AS (SELECT coalesce(a.family, p.family, ?) AS family, a.month, sum(a.quantity) AS q
                          FROM actuals a LEFT JOIN products p ON p.sku = a.sku
                          WHERE a.rowid IN (SELECT rid FROM {REPLACED}) GROUP BY ALL),
                    k AS (SELECT family, month FROM f UNION SELECT family, month FROM r),
                    c AS (SELECT m.family, m.month, sum(m.quantity) AS q FROM actuals_monthly m
                          JOIN k ON k.family = m.family AND k.month = m.month WHERE m.kind = ? GROUP BY ALL)
"""
            + _PREVIEW_TOTALS,
            [UNMAPPED_FAMILY, kind.name],
        ).df()
    keys = table_keys(kind)
    table = kind.table  # from the kind spec, never from input
    staged = _staged_with_cycle(kind)
    params: list[object] = [cycle] if kind.group == "plan" else []
    if kind.group == "plan":
        value = kind.values[0]
        return cur.execute(
            f"""WITH s AS (SELECT * FROM {staged}),
                    t AS (SELECT * FROM {table} WHERE cycle = ?),
                    f AS (SELECT family, month, sum({value}) AS q FROM s GROUP BY ALL),
                    r AS (SELECT t.family, t.month, sum(t.{value}) AS q FROM t SEMI JOIN s ON {key_match(keys, "t", "s")}
                          GROUP BY ALL),
                    c AS (SELECT family, month, sum({value}) AS q FROM t GROUP BY ALL),
                    k AS (SELECT family, month FROM f UNION SELECT family, month FROM r)
"""
            + _PREVIEW_TOTALS,
            [*params, cycle],
        ).df()
    differs = " OR ".join(f"s.{v} IS DISTINCT FROM t.{v}" for v in kind.values)
    first = keys[0]
    return cur.execute(
        f"SELECT s.*, CASE WHEN t.{first} IS NULL THEN 'new' WHEN {differs} THEN 'changed' ELSE 'unchanged' END "
        f"AS change FROM {staged} s LEFT JOIN {table} t ON {key_match(keys, 's', 't')} ORDER BY ALL",
        params,
    ).df()


# --- the write --------------------------------------------------------------------------------
def _pause_hook() -> None:
    """Test hook: sleep inside the open transaction (so a test can kill the process mid-commit)."""
    seconds = os.environ.get(PAUSE_ENV)
    if not seconds:
        return
    marker = os.environ.get(PAUSE_MARKER_ENV)
    if marker:
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
    time.sleep(float(seconds))


def write_upload(
    ws: Workspace,
    kind: Kind,
    *,
    file_name: str,
    sha256: str,
    cycle: dt.date | None,
    author: str,
    rows_read: int,
    rows_loaded: int,
    months: list[str],
    has_region: bool,
) -> int:
    """Write ``STAGE`` as one upload inside the transaction open on ``ws``; return the new upload id.

    ``author`` (the acting person's ``Actor.author``) is recorded as ``uploads.uploaded_by``.

    Table and column names come from the kind spec and workspace.py; every value is bound.
    """
    cur = ws.cur
    upload_id = int(
        cur.execute(
            "INSERT INTO uploads (upload_id, file_name, sha256, kind, cycle, uploaded_by, rows_read, rows_loaded, months) "
            "VALUES (nextval('upload_seq'), ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
            [
                file_name,
                sha256,
                kind.name,
                cycle if kind.group == "plan" else None,
                author,
                rows_read,
                rows_loaded,
                ",".join(months),
            ],
        ).fetchall()[0][0]
    )
    if kind.group == "actuals":
        _actuals_scope(ws, kind, has_region)
        touched = [
            r[0]
            for r in cur.execute(
                f"SELECT DISTINCT month FROM {STAGE} UNION SELECT DISTINCT month FROM actuals "
                f"WHERE rowid IN (SELECT rid FROM {REPLACED})"
            ).fetchall()
        ]
        cur.execute(
            "INSERT INTO upload_replaced SELECT ?, 'actuals', to_json(a) FROM actuals a "
            f"WHERE a.rowid IN (SELECT rid FROM {REPLACED})",
            [upload_id],
        )
        cur.execute(f"DELETE FROM actuals WHERE rowid IN (SELECT rid FROM {REPLACED})")  # workspace table names
        cur.execute(
            "INSERT INTO actuals (kind, month, sku, family, region, quantity, revenue, upload_id) "
            f"SELECT kind, month, sku, family, region, quantity, revenue, ? FROM {STAGE}",
            [upload_id],
        )
        refresh_rollup(cur, [kind.name], touched)
    elif kind.group == "plan":
        assert cycle is not None
        keys = table_keys(kind)
        table = kind.table
        cur.execute(
            f"INSERT INTO upload_replaced SELECT ?, '{table}', to_json(t) FROM {table} t "
            f"SEMI JOIN {_staged_with_cycle(kind)} s ON {key_match(keys, 't', 's')}",
            [upload_id, cycle],
        )
        cur.execute(
            f"INSERT INTO upload_replaced SELECT ?, '{table}:new', to_json(s) FROM {_staged_with_cycle(kind)} s",
            [upload_id, cycle],
        )
        keys_plan, values = PLAN_COLUMNS[table]
        cols = ", ".join(keys_plan + values)
        frame = cur.execute(f"SELECT {cols} FROM {STAGE}").df()  # kind columns, workspace table
        write_plan_rows(cur, table, cycle, frame)  # type: ignore[arg-type]  # a plan kind's table; refuses approved versions
    else:
        keys = table_keys(kind)
        table = kind.table
        cols = ", ".join([*keys, *kind.values])
        cur.execute(
            f"INSERT INTO upload_replaced SELECT ?, '{table}', to_json(t) FROM {table} t "
            f"SEMI JOIN {STAGE} s ON {key_match(keys, 't', 's')}",
            [upload_id],
        )
        cur.execute(
            f"INSERT INTO upload_replaced SELECT ?, '{table}:new', to_json(s) FROM (SELECT {cols} FROM {STAGE}) s",
            [upload_id],
        )
        cur.execute(f"DELETE FROM {table} t USING {STAGE} s WHERE {key_match(keys, 't', 's')}")  # kind table and keys
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {STAGE}")  # kind table and columns
    _pause_hook()
    return upload_id
