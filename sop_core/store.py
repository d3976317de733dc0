"""The S&OP store: one DuckDB file, opened once, used through short-lived cursors.

A DuckDB connection is not thread-safe, so every use takes its own ``cursor()``
(Streamlit runs each session in its own thread). Every write runs inside an
explicit ``BEGIN … COMMIT`` and is rolled back on error: DuckDB does not undo
the statements of a batch that ran before a failing one.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from .schema import MIGRATIONS, SCHEMA_VERSION

DEFAULT_DB_PATH = Path(__file__).resolve().parent.parent / "data" / "sop.duckdb"


class StoreError(RuntimeError):
    """A store could not be opened or a write was refused."""


class StoreLockedError(StoreError):
    """Another process holds the database file open for writing."""


class FrozenPlanError(StoreError):
    """A write tried to change an approved (frozen) plan version."""


def default_db_path() -> str:
    """The store path: ``$SOP_DB_PATH`` if set, else ``data/sop.duckdb`` in the project."""
    return os.environ.get("SOP_DB_PATH") or str(DEFAULT_DB_PATH)


Scope = Literal["data", "registers"]
"""What a write transaction changes: ``registers`` for the decision and assumption registers alone (their
readers are the cycle's; the review pages' caches stay valid), ``data`` for everything else."""


@contextmanager
def transaction_on(cur: duckdb.DuckDBPyConnection, scope: Scope = "data") -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block inside ``BEGIN`` on ``cur``: ``COMMIT`` on success, ``ROLLBACK`` on error.

    The one transaction helper. :meth:`Store.transaction` runs it on a new cursor; the
    importer runs it on its own cursor, which holds its temp tables (DuckDB temp tables
    belong to one connection). A failed ``COMMIT`` has already ended the transaction, so an
    error from the ``ROLLBACK`` after it is ignored and the original error is raised.
    A commit moves the ``scope``'s :func:`write_generation`.
    """
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
        cur.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        raise
    _generation[scope] = next(_commits)  # itertools.count is atomic under the GIL: no lock needed


_commits = itertools.count(1)
_opened = itertools.count(1)
_generation: dict[str, int] = {"data": 0, "registers": 0}


def write_generation(scope: Scope = "data") -> int:
    """A number that moves with every write transaction this process commits in ``scope`` (0 before the first).

    The pages' cache keys (:func:`sop_core.facts.data_stamp`) are built on it: every write runs in
    :func:`transaction_on`, and while the app holds the store no other process can write it
    (scheduled loads run inside the app, sop_core.jobs), so a commit here is the only way data changes.
    """
    return _generation[scope]


class Store:
    """An open S&OP store. Use :func:`open_store` to get one."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self._con = con
        self.path = path
        self.opened = next(_opened)  # tells this open apart from an earlier one of the same path

    # --- lifecycle ------------------------------------------------------------------
    def close(self) -> None:
        """Close the file; afterwards another process can open it."""
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- access ---------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the shared connection (one per thread or use)."""
        return self._con.cursor()

    @contextmanager
    def transaction(self, scope: Scope = "data") -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a new cursor inside ``BEGIN``: ``COMMIT`` on success, ``ROLLBACK`` on error (transaction_on)."""
        cur = self._con.cursor()
        try:
            with transaction_on(cur, scope):
                yield cur
        finally:
            cur.close()

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a read-only query with bound parameters and return a DataFrame."""
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """Run a query that returns one value."""
        cur = self._con.cursor()
        try:
            rows = cur.execute(sql, params or []).fetchall()
            return rows[0][0] if rows else None
        finally:
            cur.close()

    def schema_version(self) -> int:
        """The schema version this file is at."""
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM schema_version"))

    def is_empty(self) -> bool:
        """True when the store holds no master data (a new file)."""
        return not self.scalar("SELECT count(*) FROM families")


_LENT: ContextVar[Store | None] = ContextVar("sop_lent_store", default=None)


@contextmanager
def lend_store(store: Store) -> Iterator[None]:
    """Within the block, :func:`open_store` of ``store.path`` in this thread gives a view of ``store``.

    The view's ``close()`` closes only its own cursor. ``sop_core.jobs`` runs a handed-over command on
    the app's own store this way (other threads are not affected: the setting is per thread).
    """
    token = _LENT.set(store)
    try:
        yield
    finally:
        _LENT.reset(token)


def filter_list(values: Sequence[str] | None) -> list[str] | None:
    """A filter for SQL written as ``?::VARCHAR[] IS NULL OR list_contains(?, col)``."""
    return None if values is None else list(values)


_LOCK_PID = re.compile(r"PID (\d+)")


def _holder(message: str) -> str:
    """Describe the process named in DuckDB's lock-conflict message."""
    match = _LOCK_PID.search(message)
    if not match:
        return "another process"
    pid = match.group(1)
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        cmd = ""
    return f"process {pid}" + (f" ({cmd})" if cmd else "")


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
    """Open (creating if needed) the store at ``path`` and bring its schema up to date.

    ``path`` defaults to :func:`default_db_path`; ``":memory:"`` gives a private
    in-memory store. Raises :class:`StoreLockedError` with the holding process
    when another process has the file open, and :class:`StoreError` when the file
    is newer than this code or is not a DuckDB database.
    """
    target = str(path) if path is not None else default_db_path()
    lent = _LENT.get()
    if lent is not None and target == lent.path:
        return Store(lent.cursor(), target)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" in message.lower():
            raise StoreLockedError(
                f"The S&OP database {target} is in use by {_holder(message)}. "
                "Stop the dashboard (or the other import) and try again, or use --db "
                "to point at another file."
            ) from exc
        raise StoreError(f"Cannot open {target}: {message}") from exc
    except duckdb.Error as exc:
        raise StoreError(f"Cannot open {target}: {exc}") from exc
    store = Store(con, target)
    try:
        if not read_only:
            migrate(store)
        elif store.schema_version() != SCHEMA_VERSION:
            raise StoreError(f"{target} needs a schema upgrade; open it read-write once.")
    except BaseException:
        con.close()
        raise
    return store


def migrate(store: Store) -> int:
    """Apply the migrations this file lacks, each in its own transaction; return the version."""
    has_table = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
    current = store.schema_version() if has_table else 0
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"{store.path} is at schema version {current}, newer than this code "
            f"({SCHEMA_VERSION}); upgrade the application."
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with store.transaction() as cur:
            for statement in MIGRATIONS[version - 1]:
                cur.execute(statement)
            cur.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    return SCHEMA_VERSION
