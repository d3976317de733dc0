"""An uploaded file's records as typed DuckDB rows, with the file line of each.

A CSV file whose header is understood (reading.py) becomes :class:`CsvRecords`: one
DuckDB statement reads its records and trims and parses the cells in the same pass
(parse.py). Validation may read them straight into its check-and-stage query
(:meth:`RawFile.select`); when that finds nothing to report, no row table is kept.
Otherwise (and for Excel) they are loaded into the workspace's table ``ROWS``, under the
view ``TYPED(line, t_<col>, v_<col>, …)`` (workspace.py): ``line`` is the file's line (CSV)
or sheet row (Excel) of each record, the header being line 1 when it is the first line.
Structurally broken records (field counts, quotes) land in DuckDB's reject table and
go into the report with their line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .kinds import Kind
from .options import ImportOptions
from .parse import typed_select
from .report import ImportReport
from .workspace import LINE_MAP, REJECT_ERRORS, REJECT_SCANS, ROWS, TYPED, Workspace


def split_fields(line: str, delimiter: str) -> list[str]:
    """The fields of one CSV line."""
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'), [])


@dataclass
class CsvRecords:
    """A CSV file whose header is understood, ready for DuckDB to read its records."""

    ws: Workspace
    kind: Kind
    options: ImportOptions
    report: ImportReport
    decoded: str | None  # the text of a file DuckDB reads re-encoded; None: ``path`` holds its own bytes
    ascii_only: bool  # every character is ASCII
    path: str  # what DuckDB reads: the upload itself, or a UTF-8 copy of it
    temporary: bool  # ``path`` is a copy, removed by :meth:`close`
    delimiter: str
    header_index: int  # 0-based physical line of the header
    mapping: dict[int, str]  # field position → the kind's column
    width: int  # fields in the header
    typed: bool  # the reader may parse the number columns (see reading.py)

    def sql(self, typed: bool) -> tuple[str, list[object]]:
        """A SELECT of the typed rows straight from the file (read, trim, parse), and its parameters.

        With ``typed`` the reader parses the number columns itself and rejects a record with a
        cell it cannot parse; otherwise every cell is read as text and parsed by our own rules.
        """
        types = {"number": "DOUBLE", "int": "DOUBLE"}
        columns = {
            f"c{i}": types.get(self.kind.column(self.mapping[i]).type, "VARCHAR")
            if typed and i in self.mapping
            else "VARCHAR"
            for i in range(self.width)
        }
        outer, inner = typed_select(
            self.kind, self.mapping, self.width, self.options, typed, ascii_only=self.ascii_only
        )
        return (
            f"SELECT {outer} FROM (SELECT {inner} FROM read_csv(?, delim = ?, header = false, skip = ?, "
            "columns = ?, auto_detect = false, quote = '\"', escape = '\"', store_rejects = true, "
            "strict_mode = true, max_line_size = 1048576))",
            [self.path, self.delimiter, self.header_index + 1, columns],
        )

    def content(self) -> str | bytes:
        """The whole file: its text, or its UTF-8 bytes read again (only messy files need this)."""
        if self.decoded is not None:
            return self.decoded
        with open(self.path, "rb") as handle:
            return handle.read()

    def unify_line_endings(self) -> None:
        """Rewrite a file that mixes line endings (``\\r\\n``, ``\\n``, ``\\r``) with ``\\n`` only.

        DuckDB's reader takes one kind of line ending per file and fails on a mix (files
        pasted together from several exports). Only files that failed a read, or have
        problems to report, come here, so clean files never pay for the scan.
        """
        content = self.content()
        data = content.encode("utf-8") if isinstance(content, str) else content
        crlf = data.count(b"\r\n")
        if crlf == data.count(b"\n") == data.count(b"\r") or not (crlf or (b"\r" in data and b"\n" in data)):
            return  # one kind only
        unified = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if self.temporary:
            path = self.path
        else:
            fd, path = tempfile.mkstemp(suffix=".csv", prefix="sop_import_")
            os.close(fd)
        with open(path, "wb") as handle:
            handle.write(unified)
        self.path, self.temporary = path, True
        if self.decoded is not None:
            self.decoded = unified.decode("utf-8")

    def close(self) -> None:
        """Remove the temporary copy, if there is one."""
        if self.temporary:
            self.temporary = False
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


@dataclass
class RawFile:
    """What was read: the mapped columns present and the record count."""

    columns: list[str] = field(default_factory=list)  # canonical names present in TYPED
    rows: int = 0
    rejected_lines: set[int] = field(default_factory=set)
    source: str = "csv"
    typed: bool = False  # number and date columns were parsed by DuckDB's reader (the fast path)
    locate: Callable[[], None] | None = None  # makes ``line`` exact when it was only assumed
    records: CsvRecords | None = None  # the CSV file the rows come from
    pending: bool = False  # ``records`` are not read yet (see :meth:`select` and :meth:`load`)

    def locate_lines(self) -> None:
        """Make the ``line`` of ``TYPED`` exact (needed only to report problems)."""
        if self.locate is not None:
            locate, self.locate = self.locate, None
            locate()

    def select(self) -> tuple[str, list[object]]:
        """For a pending file: a subquery of its typed rows and its parameters.

        Unlike ``TYPED`` it keeps blank rows (their ``blank`` is true): filtering them out
        here would make DuckDB trim every cell twice.
        """
        assert self.records is not None and self.pending
        sql, params = self.records.sql(self.typed)
        return f"({sql})", params

    def load(self) -> bool:
        """Read a pending file into ``ROWS`` / ``TYPED``; False (with a problem) when it cannot be read."""
        assert self.records is not None and self.pending
        self.pending = False
        loaded = load_csv(self.records, self.typed)
        if loaded is None:
            return False
        self.columns, self.rows, self.rejected_lines = loaded.columns, loaded.rows, loaded.rejected_lines
        self.typed, self.locate = loaded.typed, loaded.locate
        return True

    def close(self) -> None:
        """Done with the file: remove the temporary copy DuckDB read, if any."""
        if self.records is not None:
            self.records.close()


def load_csv(records: CsvRecords, typed: bool) -> RawFile | None:
    """Read ``records`` into ``ROWS`` and the view ``TYPED``; ``None`` when the file cannot be read.

    The returned rows keep ``records`` (to find lines later; closing them removes a temporary copy).
    """
    ws, report, delimiter, width = records.ws, records.report, records.delimiter, records.width
    records.unify_line_endings()
    # Any record the reader cannot parse as typed sends the file down the text path.
    rejects: list[tuple] | None = []
    if typed:
        rejects = _duck_read(ws, *records.sql(True), report)
        typed = not rejects
    if not typed and rejects is not None:
        rejects = _duck_read(ws, *records.sql(False), report)
    if rejects is None:
        records.close()
        return None
    count = ws.count(ROWS)
    # One reject per record (DuckDB may report several errors for one record).
    seen: set[int] = set()
    unique_rejects = []
    for reject in rejects:
        if int(reject[0]) not in seen:
            seen.add(int(reject[0]))
            unique_rejects.append(reject)
    lines = _LineFinder(records, count)
    # A record's file line only matters to report a problem: in a plain UTF-8 file with nothing
    # to report yet, assume one line per record and let validation check it when it finds one.
    lazy = records.decoded is None and not unique_rejects and not report.blank_header_positions
    line_sql, join, reject_lines = lines.assumed() if lazy else lines.exact(unique_rejects)
    rejected: set[int] = set()
    for line, (_, error_type, csv_line, message) in zip(reject_lines, unique_rejects, strict=True):
        rejected.add(line)
        found = len(split_fields(str(csv_line or "").strip("\r\n"), delimiter))
        reason = {
            "TOO MANY COLUMNS": f"too many fields: the header has {width}, this row {found}",
            "MISSING COLUMNS": f"too few fields: the header has {width}, this row {found}",
            "UNQUOTED VALUE": 'unterminated or misplaced quote ("); quote the whole field and double inner quotes',
            "INVALID UNICODE": "invalid characters for the encoding",
        }.get(str(error_type), f"unreadable row: {message}")
        report.add(line, "", str(csv_line or "").strip("\r\n")[:200], reason)
    raw = finish_raw(ws, records.mapping, width, line_sql, join, count, rejected, "csv", report)
    raw.typed, raw.records = typed, records
    if lazy:
        raw.locate = lambda: _typed_view(ws, *lines.exact([])[:2])
    return raw


def _duck_read(ws: Workspace, sql: str, params: list[object], report: ImportReport) -> list[tuple] | None:
    """The typed table ``ROWS`` from the SELECT ``sql`` (see :meth:`CsvRecords.sql`).

    Returns the rejected records, or ``None`` when the file cannot be read at all.
    """
    ws.drop(REJECT_ERRORS, REJECT_SCANS)
    try:
        # ``sql`` is CsvRecords.sql(): built from the kind's column names; the file path and options are bound.
        ws.create(ROWS, sql, params)
    except duckdb.Error as exc:
        report.reject(f"the file cannot be read as CSV: {exc}")
        return None
    return ws.rows(f"SELECT line, error_type, csv_line, error_message FROM {REJECT_ERRORS} ORDER BY line")


class _LineFinder:
    """The file line of each record of ``ROWS`` (and of each reject), as SQL over its rows ``r``."""

    def __init__(self, records: CsvRecords, count: int) -> None:
        self.records, self.count = records, count
        self.first = records.header_index + 2  # the line of the first record when each record is one line

    def assumed(self) -> tuple[str, str, list[int]]:
        """``(line_sql, join, reject_lines)`` when every physical line after the header is one record."""
        return f"r.rowid + {self.first}", "", []

    def exact(self, rejects: list[tuple]) -> tuple[str, str, list[int]]:
        """``(line_sql, join, reject_lines)``, checked against the file."""
        rec, ws = self.records, self.records.ws
        content = rec.content()
        physical = _count_lines(content)
        ws.drop(LINE_MAP)
        reject_lines = [int(r[0]) for r in rejects]
        if not rejects and physical - rec.header_index - 1 == self.count:
            return (*self.assumed()[:2], reject_lines)
        # DuckDB's line numbers do not count line breaks inside quotes; recount with Python's csv
        # reader (messy files only) and use its physical lines when both parsers agree.
        text = content if isinstance(content, str) else content.decode("utf-8")
        kept, bad = _record_lines(text, rec.delimiter, rec.header_index, rec.width)
        if len(kept) == self.count and len(bad) == len(rejects):
            reject_lines = bad
        else:
            kept = list(range(self.first, self.first + self.count))
        frame = pd.DataFrame({"rid": range(len(kept)), "line": kept}, dtype="int64")
        with ws.frame(frame) as name:
            ws.create(LINE_MAP, f"SELECT * FROM {name}")
        return f"coalesce(m.line, r.rowid + {self.first})", f" LEFT JOIN {LINE_MAP} m ON m.rid = r.rowid", reject_lines


def _count_lines(text: str | bytes) -> int:
    """Physical lines in ``text`` (a final line ending does not start a new line)."""
    data = text.encode("utf-8") if isinstance(text, str) else text  # line endings are the same bytes
    n = data.count(b"\n") or data.count(b"\r")
    return n + (0 if data.endswith((b"\n", b"\r")) else 1)


def _record_lines(text: str, delimiter: str, header_index: int, width: int) -> tuple[list[int], list[int]]:
    """Start lines of the records after the header: those with ``width`` fields, and the others.

    Blank lines are skipped (as DuckDB does). On a quoting error the lists are cut short.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    kept: list[int] = []
    bad: list[int] = []
    previous = 0
    try:
        for record in reader:
            start = previous + 1
            previous = reader.line_num
            if start <= header_index + 1 or not record:
                continue
            (kept if len(record) == width else bad).append(start)
    except csv.Error:
        pass
    return kept, bad


def _typed_view(ws: Workspace, line_sql: str, join: str) -> None:
    """(Re)create the view ``TYPED`` over the rows ``r`` of ``ROWS``, numbered by ``line_sql``."""
    # ``line_sql`` and ``join`` are built by this module from table names and integers.
    ws.create_view(TYPED, f"SELECT {line_sql} AS line, r.* FROM {ROWS} r{join} WHERE NOT r.blank")


def finish_raw(
    ws: Workspace,
    mapping: dict[int, str],
    width: int,
    line_sql: str,
    join: str,
    count: int,
    rejected: set[int],
    kind_of_source: str,
    report: ImportReport,
) -> RawFile:
    """The view ``TYPED``: the typed rows of ``ROWS`` with their file ``line``, blank rows left out."""
    _typed_view(ws, line_sql, join)
    for pos in report.blank_header_positions:
        # Positions are integers, ``line_sql`` and ``join`` this module's SQL (see _LineFinder).
        rows = ws.rows(
            f"SELECT {line_sql}, r.c{pos} FROM {ROWS} r{join} WHERE nullif(trim(r.c{pos}), '') IS NOT NULL "
            "ORDER BY 1 LIMIT 5"
        )
        for line, value in rows:
            report.add(int(line), f"column {pos + 1}", value, "value in a column with a blank header")
    # ``rows`` counts blank rows until validate.py counts ``TYPED``.
    return RawFile(
        columns=list(mapping.values()), rows=count + len(rejected), rejected_lines=rejected, source=kind_of_source
    )
