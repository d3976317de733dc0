"""The import's workspace: its own cursor and the temp tables an import builds on it.

DuckDB temp tables belong to one connection, so an import runs on one cursor of its own
(:meth:`Workspace.open`) and writes through :func:`sop_core.store.transaction_on` on it.
The tables' names are defined here, once; every temp table and view is created and
dropped through the workspace, and closing it drops them all, whatever happened.

The tables, in the order an import builds them:

- ``ROWS``: the file's records as typed rows (``t_<col>`` trimmed text, ``v_<col>`` parsed
  value, ``blank``, ``footer``), read by records.py (CSV) or excel.py;
- ``LINE_MAP``: record → file line, for CSV files whose records span lines;
- ``TYPED`` (a view): the rows of ``ROWS`` that are not blank, with their file ``line``;
- ``AGG``: the one-scan aggregate of validate.py, which becomes ``STAGE`` when clean;
- ``PROBLEMS`` ``(line, col, value, reason)`` and ``DUPLICATES``: the exact checks' findings;
- ``STAGE``: the month-level rows to write (stage.py);
- ``REPLACED`` ``(rid)``: the stored actuals the upload replaces (commit.py);
- ``REJECT_ERRORS`` / ``REJECT_SCANS``: DuckDB's own tables of records its CSV reader rejected.

Every SQL text here is built from these constant names; values are bound.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb

from ..store import Store

ROWS = "_imp_csv"
LINE_MAP = "_imp_linemap"
TYPED = "_imp_typed"
AGG = "_imp_agg"
PROBLEMS = "_imp_problems"
DUPLICATES = "_imp_dups"
STAGE = "_imp_stage"
REPLACED = "_imp_repl"
REJECT_ERRORS = "reject_errors"  # named by DuckDB (``store_rejects`` of read_csv)
REJECT_SCANS = "reject_scans"

TABLES = (ROWS, LINE_MAP, AGG, PROBLEMS, DUPLICATES, STAGE, REPLACED, REJECT_ERRORS, REJECT_SCANS)
VIEWS = (TYPED,)


class Workspace:
    """One import's cursor and temp tables (see the module docstring). Use as a context manager."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self.cur = cur
        self._frames = itertools.count()

    @classmethod
    def open(cls, store: Store) -> Workspace:
        """A workspace on a new cursor of ``store``."""
        return cls(store.cursor())

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ----------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[object] | None = None) -> duckdb.DuckDBPyConnection:
        """Run ``sql`` on the workspace's cursor (callers bind every value in ``params``)."""
        return self.cur.execute(sql, params or [])

    def rows(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]:
        """All result rows of ``sql`` (``fetchall``: DuckDB 2.0 leaves a ``fetchone`` result unfinished)."""
        return self.cur.execute(sql, params or []).fetchall()

    def value(self, sql: str, params: Sequence[object] | None = None) -> Any:
        """The first value of the first row of ``sql``."""
        return self.rows(sql, params)[0][0]

    def count(self, table: str) -> int:
        """Rows of the table ``table`` (one of this module's names)."""
        return int(self.rows(f"SELECT count(*) FROM {table}")[0][0])

    def columns(self, table: str) -> list[str]:
        """The column names of ``table``."""
        return [d[0] for d in self.cur.execute(f"SELECT * FROM {table} LIMIT 0").description]  # a name of ours

    # --- creating and dropping ----------------------------------------------------------------
    def create(self, table: str, select: str, params: Sequence[object] | None = None) -> None:
        """(Re)create the temp table ``table`` as the result of ``select`` (SQL built by the importer)."""
        self.drop(table)
        self.cur.execute(f"CREATE TEMP TABLE {table} AS {select}", params or [])  # names and SQL of ours

    def create_empty(self, table: str, columns: str) -> None:
        """(Re)create the empty temp table ``table`` with the column list ``columns``, e.g. ``(a BIGINT)``."""
        self.drop(table)
        self.cur.execute(f"CREATE TEMP TABLE {table} {columns}")  # constants of the caller

    def create_view(self, view: str, select: str) -> None:
        """(Re)create the temp view ``view`` over ``select``."""
        self.cur.execute(f"DROP VIEW IF EXISTS {view}")  # names owned by the workspace
        self.cur.execute(f"CREATE TEMP VIEW {view} AS {select}")  # names and SQL of ours

    def rename(self, table: str, to: str, drop_columns: Sequence[str] = ()) -> None:
        """Make ``table`` the table ``to`` (replacing it), without ``drop_columns``: cheaper than a copy."""
        self.drop(to)
        self.cur.execute(f"ALTER TABLE {table} RENAME TO {to}")  # names owned by the workspace
        for column in drop_columns:
            self.cur.execute(f"ALTER TABLE {to} DROP COLUMN IF EXISTS {column}")  # names owned by the workspace

    def drop(self, *tables: str) -> None:
        """Drop the temp tables ``tables`` if they exist."""
        for table in tables:
            self.cur.execute(f"DROP TABLE IF EXISTS {table}")  # names owned by the workspace

    @contextlib.contextmanager
    def frame(self, data: object) -> Iterator[str]:
        """Register a DataFrame or Arrow table under a fresh name for the block; yield the name."""
        name = f"_imp_frame{next(self._frames)}"
        self.cur.register(name, data)
        try:
            yield name
        finally:
            self.cur.unregister(name)

    def close(self) -> None:
        """Drop every temp table and view of the import, then close the cursor (errors ignored)."""
        for statement in [*(f"DROP VIEW IF EXISTS {v}" for v in VIEWS), *(f"DROP TABLE IF EXISTS {t}" for t in TABLES)]:
            with contextlib.suppress(duckdb.Error):
                self.cur.execute(statement)
        self.cur.close()
