"""The import pipeline: read, check, compare with the store and write one file, as one call.

``import_file(store, kind, data)`` reads the file (reading.py, excel.py), checks every
cell (validate.py), previews the change against the store (``commit.preview``) and, unless
``dry_run``, writes it as one transaction with its history (``commit.write_upload``). It
runs in a :class:`~sop_core.importer.workspace.Workspace`: its own cursor, whose temp
tables are dropped at the end whatever happens. See docs/import.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..conventions import EPS
from ..months import add_months, month_start
from ..people import Actor
from ..store import Store, transaction_on
from .access import require_import
from .commit import UploadConflict, already_loaded, preview, write_upload
from .kinds import KINDS, Kind
from .options import ImportOptions
from .reading import read_file
from .records import RawFile
from .report import ImportReport
from .templates import template_csv
from .validate import current_cycle, validate
from .workspace import STAGE, Workspace

Progress = Callable[[float, str], None]


def actuals_cycle(store: Store) -> dt.date:
    """The current cycle actuals are checked against (no month after it may be loaded)."""
    cur = store.cursor()
    try:
        return current_cycle(cur)
    finally:
        cur.close()


def template_for(store: Store, kind: str) -> str:
    """The kind's CSV template, dated so that it passes the checks of this store.

    Actuals are dated in the month before the current cycle, everything else in the cycle's month.
    """
    cycle = actuals_cycle(store)
    return template_csv(kind, add_months(cycle, -1) if KINDS[kind].group == "actuals" else cycle)


def import_file(
    store: Store,
    kind: str,
    data: bytes | str | os.PathLike[str],
    file_name: str | None = None,
    options: ImportOptions | None = None,
    *,
    actor: Actor,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate ``data`` (bytes or a path) as ``kind``; write it unless ``dry_run`` or any problem.

    ``actor`` loads the file and is recorded as ``uploads.uploaded_by`` (:attr:`Actor.author`). A
    real import needs the kind's action (:func:`~.access.action_for`: ``budget`` for the budget,
    else ``upload``), a dry run only ``view``; otherwise ``PermissionError`` before anything is read.

    Nothing is written when the report has a problem, when the same file is
    already loaded, or on ``dry_run``. Raises :class:`~.commit.UploadConflict` (a
    :class:`StoreError` whose ``report`` has status ``failed``) when another upload wrote the same
    data at the same moment, and :class:`StoreError` for other store failures; every file problem
    is in the report, which lists each as (row, column, value, reason).
    """
    require_import(actor, kind, dry_run=dry_run)
    options = options or ImportOptions()
    step = progress or _no_progress
    source_path: str | None = None
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        file_name = file_name or path.name
        source_path = str(path)
        data = path.read_bytes()
    report = ImportReport(kind=kind, file_name=file_name or "upload")
    if kind not in KINDS:
        return report.reject(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    spec: Kind = KINDS[kind]
    # Hash in a thread while DuckDB reads (both release the GIL on large inputs). The thread holds
    # its own reference to the bytes, so they are freed as soon as both are done with them.
    hasher = threading.Thread(target=_hash_into, args=(report, data))
    hasher.start()
    raw: RawFile | None = None
    try:
        with Workspace.open(store) as ws:
            step(0.05, "Reading the file…")
            known, cycle = _target_cycle(ws, spec, options, report)
            if not known:
                return report
            raw = read_file(ws, data, spec, options, report, source_path, step)
            del data  # DuckDB reads the file itself from here on
            if not _checked(ws, spec, raw, options, report, cycle, step):
                return report
            assert raw is not None
            hasher.join()
            has_region = "region" in raw.columns
            _compare(ws, spec, raw, report, cycle, has_region, step)
            if report.status == "already_loaded":
                return report
            if dry_run:
                report.status = "valid"
                return report
            _write(ws, spec, report, cycle, has_region, actor.author, step)
            return report
    finally:
        hasher.join()
        if raw is not None:
            raw.close()
        report.problems.sort(key=lambda p: -1 if p.row is None else p.row)


def _no_progress(fraction: float, text: str) -> None:
    """The progress callback when none is given."""


def _target_cycle(
    ws: Workspace, spec: Kind, options: ImportOptions, report: ImportReport
) -> tuple[bool, dt.date | None]:
    """``(known, cycle)``: the cycle the upload is checked against (actuals) or writes to (plans).

    Master data has none. ``known`` is false, with a problem in the report, when a plan upload
    has no draft cycle to write to.
    """
    if spec.group == "plan":
        cycle = _plan_cycle(ws.cur, options, report)
        return cycle is not None, cycle
    return True, current_cycle(ws.cur) if spec.group == "actuals" else None


def _plan_cycle(cur: duckdb.DuckDBPyConnection, options: ImportOptions, report: ImportReport) -> dt.date | None:
    """The draft cycle a plan upload writes to (the chosen one, else the latest draft)."""
    if options.cycle is not None:
        try:
            cycle = month_start(options.cycle)
        except (ValueError, TypeError):
            report.reject(f"cycle {options.cycle!r} is not a month (use YYYY-MM)")
            return None
    else:
        rows = cur.execute("SELECT max(cycle) FROM plan_versions WHERE status = 'draft'").fetchall()
        if rows[0][0] is None:
            report.reject("choose the plan cycle (YYYY-MM) to write to: there is no draft plan version")
            return None
        cycle = rows[0][0]
    status = cur.execute("SELECT status FROM plan_versions WHERE cycle = ?", [cycle]).fetchall()
    if status and status[0][0] == "approved":
        report.reject(f"the plan of cycle {cycle:%Y-%m} is approved and frozen; upload into a draft cycle")
        return None
    return cycle


def _checked(
    ws: Workspace,
    spec: Kind,
    raw: RawFile | None,
    options: ImportOptions,
    report: ImportReport,
    cycle: dt.date | None,
    step: Progress,
) -> bool:
    """Check the file read (``None``: unreadable); True when it is clean and staged, else the report says why."""
    if raw is None:
        _count(report, 0)
        return False
    step(0.4, "Checking the rows…" if raw.pending else f"Checking {raw.rows:,} rows…")
    if validate(ws, spec, raw, options, report, cycle) and not report.problem_count:
        return True
    report.rows_with_problems += len(raw.rejected_lines)
    _count(report, raw.rows)
    return False


def _compare(
    ws: Workspace,
    spec: Kind,
    raw: RawFile,
    report: ImportReport,
    cycle: dt.date | None,
    has_region: bool,
    step: Progress,
) -> None:
    """Counts, months, families and the preview of a clean file; status ``already_loaded`` when nothing changes."""
    step(0.7, "Comparing with the store…")
    report.rows_read = raw.rows
    report.rows_loaded = raw.rows
    report.rows_stored = ws.count(STAGE)
    report.months = (
        [f"{m:%Y-%m}" for (m,) in ws.rows(f"SELECT DISTINCT month FROM {STAGE} ORDER BY 1")]
        if "month" in ws.columns(STAGE)
        else []
    )
    report.preview = preview(ws, spec, cycle, has_region)
    if "family" in report.preview.columns:
        report.families = sorted(str(f) for f in report.preview["family"].dropna().unique())
    loaded = already_loaded(ws.cur, spec, report.sha256, cycle)
    if loaded is not None and _changes_nothing(report.preview):
        report.status = "already_loaded"
        report.upload_id = int(loaded[0])
        report.message = (
            f"Same content as upload {loaded[0]} ({loaded[1]:%Y-%m-%d %H:%M} by {loaded[2]}): "
            "already loaded, nothing changed."
        )


def _write(
    ws: Workspace,
    spec: Kind,
    report: ImportReport,
    cycle: dt.date | None,
    has_region: bool,
    author: str,
    step: Progress,
) -> None:
    """Write the staged rows as one upload by ``author``, in one transaction on the workspace's cursor.

    A write-write conflict with another transaction (DuckDB raises it at the conflicting statement
    or at ``COMMIT``) rolls this one back whole and raises :class:`UploadConflict`.
    """
    step(0.8, "Writing…")
    try:
        with transaction_on(ws.cur):
            # Re-check inside the transaction (another session may have loaded it meanwhile).
            if already_loaded(ws.cur, spec, report.sha256, cycle) is not None and _changes_nothing(
                preview(ws, spec, cycle, has_region)
            ):
                report.status = "already_loaded"
                report.message = "already loaded, nothing changed."
                return
            report.upload_id = write_upload(
                ws,
                spec,
                file_name=report.file_name,
                sha256=report.sha256,
                cycle=cycle,
                author=author,
                rows_read=report.rows_read,
                rows_loaded=report.rows_loaded,
                months=report.months,
                has_region=has_region,
            )
    except duckdb.TransactionException as exc:
        # DuckDB's optimistic concurrency: another transaction changed rows this one changes
        # (a write-write conflict). This transaction is rolled back whole; the other one stands.
        raise UploadConflict(report) from exc
    report.status = "committed"
    report.message = f"{report.rows_stored:,} row(s) stored after summing into months."
    step(1.0, "Done")


def _hash_into(report: ImportReport, data: bytes) -> None:
    """Set ``report.sha256`` to the SHA-256 of ``data``."""
    report.sha256 = hashlib.sha256(data).hexdigest()


def _changes_nothing(preview: pd.DataFrame | None) -> bool:
    """True when the preview shows no change (same bytes read with other options may differ)."""
    if preview is None:
        return False
    if "change" not in preview.columns:
        return True
    change = preview["change"]
    if not pd.api.types.is_numeric_dtype(change):
        return bool((change == "unchanged").all())
    # Relative: DuckDB sums a large file in parallel, in no fixed order, so the same content can
    # total differently in the last digits (about 1e-8 on a million rows, measured).
    # A relative 1e-12 allows for that and still sees a change of 0.01 in a total of 10^8.
    scale = np.maximum(preview["in_file"].abs(), preview["replaced"].abs())
    return bool((change.abs() <= EPS + 1e-12 * scale).all())


def _count(report: ImportReport, rows: int) -> None:
    """A rejected file: every row read is rejected (all or nothing)."""
    report.rows_read = max(rows, report.rows_read)
    report.rows_loaded = 0
    report.rows_rejected = report.rows_read
    report.status = "rejected"
