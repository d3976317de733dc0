"""Read an uploaded file into a DuckDB table of text cells, with its header mapped to a kind.

The result is the typed table ``_imp_csv`` (written in the same pass as the file is
read, see parse.py) and over it the view ``_imp_typed(line, t_<col>, v_<col>, …)`` on
the caller's cursor: ``line`` is the file's line (CSV) or sheet row (Excel) of each
record, the header being line 1 when it is the first line. Structural problems (encoding, delimiter, header, field counts,
quotes) go into the report with their line.

Dialect rules:

- Encoding: UTF-8 with or without BOM, and UTF-16 with a BOM, are recognised;
  anything else is refused with the offending byte unless the user chose
  ``cp1252`` or ``latin-1``.
- Delimiter: ``, ; tab |``; an Excel ``sep=X`` first line is honoured; otherwise the
  delimiter whose header splits into the most known column names wins.
- Quotes: ``"`` quoting with ``""`` escapes; quoted fields may hold delimiters and
  line breaks. Line endings ``\\n``, ``\\r\\n`` and ``\\r`` are all accepted.
- Blank lines (and rows whose cells are all blank) are skipped and not counted.
- Excel: the first worksheet (or the sheet named after the kind); typed cells are
  taken as typed (dates as dates, numbers as numbers).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .kinds import Kind, header_lookup, normalise_header
from .options import DELIMITERS, ImportOptions
from .parse import typed_select
from .report import ImportReport

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGIC = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                b"\x1f\x8b": "a gzip archive", b"PAR1": "a Parquet file"}


@dataclass
class RawFile:
    """What was read: the mapped columns present and the record count."""

    columns: list[str] = field(default_factory=list)  # canonical names present in _imp_typed
    rows: int = 0
    rejected_lines: set[int] = field(default_factory=set)
    source: str = "csv"
    typed: bool = False  # number and date columns were parsed by DuckDB's reader (the fast path)


def read_file(cur: duckdb.DuckDBPyConnection, data: bytes, kind: Kind, options: ImportOptions,
              report: ImportReport, path: str | None = None,
              progress: Callable[[float, str], None] | None = None) -> RawFile | None:
    """Load ``data`` into ``_imp_csv`` / the view ``_imp_typed`` on ``cur``; ``None`` when unreadable.

    ``path``, when given, is where ``data`` came from: DuckDB then reads it in place
    unless it must be re-encoded.
    """
    if len(data) > options.max_bytes:
        report.reject(f"the file is {len(data) / 1e6:.1f} MB, over the {options.max_bytes / 1e6:.0f} MB limit; "
                      "split it (for example by month)")
        return None
    blank = b" \t\r\n\x00\xef\xbb\xbf"
    if not data[:4096].strip(blank) and not data.strip(blank):
        report.reject("the file is empty")
        return None
    if data.startswith(XLSX_MAGIC):
        return _read_excel(cur, data, kind, options, report, progress)
    if data.startswith(OLE_MAGIC):
        report.reject("this is an old Excel .xls (or other OLE) file; save it as .xlsx or CSV")
        return None
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            report.reject(f"this is {what}, not a CSV or Excel workbook")
            return None
    text = _decode(data, options, report)
    if text is None:
        return None
    return _read_csv(cur, text, data, kind, options, report, path)


# --- encoding -----------------------------------------------------------------------------
def _decode(data: bytes, options: ImportOptions, report: ImportReport) -> str | None:
    """The file as text, or ``None`` (with a problem) when the encoding is not known."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16")
    if options.encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(options.encoding)
        except UnicodeDecodeError as exc:
            report.reject(f"byte 0x{data[exc.start]:02x} is not valid {options.encoding}",
                          value=repr(data[max(0, exc.start - 10):exc.start + 10]),
                          row=data.count(b"\n", 0, exc.start) + 1)
            return None
    if options.encoding == "utf-16":
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            report.reject("the file is not valid UTF-16")
            return None
    if b"\x00" in data[:4096]:
        report.reject("the file holds binary data (NUL bytes): not a CSV or Excel workbook")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.reject(
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8; the file looks like a Windows/ANSI export: "
            "save it as UTF-8, or choose the encoding cp1252 (Windows Western) or latin-1",
            value=data[max(0, exc.start - 12):exc.start + 12].decode("utf-8", "replace"), row=line)
        return None


# --- CSV ------------------------------------------------------------------------------------
def _physical_lines(text: str, limit: int = 50) -> list[str]:
    """The first ``limit`` physical lines (any line ending)."""
    return io.StringIO(text[:200_000], newline=None).read().split("\n")[:limit]


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'), [])


def _choose_delimiter(header: str, kind: Kind) -> str:
    """The delimiter under which ``header`` has the most known names (then the most fields)."""
    lookup = header_lookup(kind)

    def score(delim: str) -> tuple[int, int]:
        fields = _split(header, delim)
        return sum(normalise_header(f) in lookup for f in fields), len(fields)

    return max(DELIMITERS, key=score)


def _known_names(line: str, kind: Kind, delimiter: str | None) -> int:
    """How many known column names ``line`` holds (under ``delimiter``, or the best delimiter)."""
    lookup = header_lookup(kind)
    delims = [delimiter] if delimiter else list(DELIMITERS)
    return max(sum(normalise_header(f) in lookup for f in _split(line, d)) for d in delims)


def _find_header(lines: list[str], start: int, kind: Kind, delimiter: str | None, look: int = 20) -> int:
    """The header line: the first of the next ``look`` lines with two or more known names (else ``start``)."""
    for i in range(start, min(len(lines), start + look)):
        if lines[i].strip() and _known_names(lines[i], kind, delimiter) >= 2:
            return i
    return start


def _read_csv(cur: duckdb.DuckDBPyConnection, text: str, data: bytes, kind: Kind, options: ImportOptions,
              report: ImportReport, source_path: str | None = None) -> RawFile | None:
    lines = _physical_lines(text)
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    delimiter = options.delimiter
    if index < len(lines) and lines[index].strip().lower().startswith("sep=") and len(lines[index].strip()) == 5:
        delimiter = delimiter or lines[index].strip()[4]
        index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
    if index >= len(lines):
        report.reject("the file is empty")
        return None
    found = _find_header(lines, index, kind, delimiter)
    if found != index:
        skipped = [ln.strip() for ln in lines[index:found] if ln.strip()]
        report.warnings.append(f"{len(skipped)} line(s) above the header were skipped as a title: "
                               + " | ".join(skipped)[:200])
        index = found
    header_line = lines[index]
    if delimiter is None:
        delimiter = _choose_delimiter(header_line, kind)
    elif delimiter not in DELIMITERS:
        report.reject(f"unsupported delimiter {delimiter!r}; use one of , ; tab |")
        return None
    headers = _split(header_line, delimiter)
    mapping = _map_header(headers, kind, index + 1, report)
    if mapping is None:
        return None
    width = len(headers)
    # DuckDB reads the UTF-8 bytes from a file; re-encode only when the input was not plain UTF-8.
    plain = options.encoding in (None, "utf-8") and not data.startswith(codecs.BOM_UTF16_LE) \
        and not data.startswith(codecs.BOM_UTF16_BE)
    in_place = (plain and source_path is not None and not data.startswith(codecs.BOM_UTF8)
                and not any(ch in str(source_path) for ch in "*?[]{}"))  # DuckDB would glob those
    if in_place:
        path = str(source_path)
    else:
        payload = data[3:] if plain and data.startswith(codecs.BOM_UTF8) else data if plain else text.encode("utf-8")
        fd, path = tempfile.mkstemp(suffix=".csv", prefix="sop_import_")
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
    try:
        # Fast path: with the default (plain) number format, let DuckDB's reader parse the number
        # columns; any cell it cannot parse sends the file down the text path, which checks and
        # reports every cell. Files holding ``_``, ``+-`` or ``-+`` take the text path because the
        # reader accepts 1_000 and +-1, which the plain format refuses. (Dates stay text: the
        # reader's date parser is more lenient than our rules, e.g. it takes "epoch".)
        typed = options.locale is None and b"_" not in data and (
            b"+" not in data or (b"+-" not in data and b"-+" not in data))  # one-byte scans first: fast
        types = {"number": "DOUBLE", "int": "DOUBLE"}
        rejects: list[tuple] = []
        if typed:
            col_types = {f"c{i}": types.get(kind.column(mapping[i]).type, "VARCHAR") if i in mapping else "VARCHAR"
                         for i in range(width)}
            rejects = _duck_read(cur, path, delimiter, index + 1, col_types, report,
                                 typed_select(kind, mapping, width, options, True))
            if rejects is None:
                return None
            typed = not rejects
        if not typed:
            rejects = _duck_read(cur, path, delimiter, index + 1, {f"c{i}": "VARCHAR" for i in range(width)}, report,
                                 typed_select(kind, mapping, width, options, False))
            if rejects is None:
                return None
    finally:
        if not in_place:
            os.unlink(path)
    count = int(cur.execute("SELECT count(*) FROM _imp_csv").fetchall()[0][0])
    first_data_line = index + 2
    # One reject per record (DuckDB may report several errors for one record).
    seen: set[int] = set()
    unique_rejects = []
    for reject in rejects:
        if int(reject[0]) not in seen:
            seen.add(int(reject[0]))
            unique_rejects.append(reject)
    # Line of each record: direct when every physical line after the header is one record.
    direct = not unique_rejects and _count_lines(data if plain else text) - index - 1 == count
    cur.execute("DROP TABLE IF EXISTS _imp_linemap")
    reject_lines = [int(r[0]) for r in unique_rejects]
    if direct:
        line_sql = f"r.rowid + {first_data_line}"
        join = ""
    else:
        # DuckDB's line numbers do not count line breaks inside quotes; recount with Python's csv
        # reader (messy files only) and use its physical lines when both parsers agree.
        kept, bad = _record_lines(text, delimiter, index, len(headers))
        if len(kept) == count and len(bad) == len(unique_rejects):
            reject_lines = bad
        else:
            kept = list(range(first_data_line, first_data_line + count))
        frame = pd.DataFrame({"rid": range(len(kept)), "line": kept}, dtype="int64")
        cur.register("_imp_lm", frame)
        cur.execute("CREATE TEMP TABLE _imp_linemap AS SELECT * FROM _imp_lm")
        cur.unregister("_imp_lm")
        line_sql = f"coalesce(m.line, r.rowid + {first_data_line})"
        join = " LEFT JOIN _imp_linemap m ON m.rid = r.rowid"
    rejected: set[int] = set()
    for line, (_, error_type, csv_line, message) in zip(reject_lines, unique_rejects, strict=True):
        rejected.add(line)
        found = len(_split(str(csv_line or "").strip("\r\n"), delimiter))
        reason = {
            "TOO MANY COLUMNS": f"too many fields: the header has {width}, this row {found}",
            "MISSING COLUMNS": f"too few fields: the header has {width}, this row {found}",
            "UNQUOTED VALUE": "unterminated or misplaced quote (\"); quote the whole field and double inner quotes",
            "INVALID UNICODE": "invalid characters for the encoding",
        }.get(str(error_type), f"unreadable row: {message}")
        report.add(line, "", str(csv_line or "").strip("\r\n")[:200], reason)
    raw = _finish_raw(cur, "_imp_csv", mapping, width, line_sql, join, count, rejected, "csv", report)
    if raw is not None:
        raw.typed = typed
    return raw


def _duck_read(cur: duckdb.DuckDBPyConnection, path: str, delimiter: str, skip: int, columns: dict[str, str],
               report: ImportReport, select: tuple[str, str]) -> list[tuple] | None:
    """The typed table ``_imp_csv`` straight from the file (one pass: read, trim, parse).

    Returns the rejected records, or ``None`` when the file cannot be read at all.
    """
    outer, inner = select
    cur.execute("DROP TABLE IF EXISTS _imp_csv")
    cur.execute("DROP TABLE IF EXISTS reject_errors")
    cur.execute("DROP TABLE IF EXISTS reject_scans")
    try:
        cur.execute(
            f"CREATE TEMP TABLE _imp_csv AS SELECT {outer} FROM (SELECT {inner} FROM read_csv(?, delim = ?, "
            "header = false, skip = ?, columns = ?, auto_detect = false, quote = '\"', escape = '\"', "
            "store_rejects = true, strict_mode = true, max_line_size = 1048576))",
            [path, delimiter, skip, columns],
        )
    except duckdb.Error as exc:
        report.reject(f"the file cannot be read as CSV: {exc}")
        return None
    return cur.execute(
        "SELECT line, error_type, csv_line, error_message FROM reject_errors ORDER BY line").fetchall()


def _count_lines(text: str | bytes) -> int:
    """Physical lines in ``text`` (a final line ending does not start a new line)."""
    nl, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    n = text.count(nl) or text.count(cr)
    return n + (0 if text.endswith((nl, cr)) else 1)


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


def _map_header(headers: list[str], kind: Kind, line: int, report: ImportReport) -> dict[int, str] | None:
    """Position → canonical column; problems for blank/duplicate/missing headers."""
    lookup = header_lookup(kind)
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    blank_positions: list[int] = []
    for pos, text in enumerate(headers):
        norm = normalise_header(text)
        if not norm:
            blank_positions.append(pos)
            continue
        name = lookup.get(norm)
        if name is None:
            report.warnings.append(f"column {text!r} is not used by {kind.name} and was ignored")
            continue
        if name in seen:
            report.add(line, text, text, f"duplicate column: {seen[name]!r} and {text!r} both mean {name!r}")
            continue
        seen[name] = text
        mapping[pos] = name
    present = set(mapping.values())
    grouped = {c for group in kind.one_of for c in group}
    for col in kind.columns:
        if col.required and col.name not in grouped and col.name not in present:
            aliases = ", ".join(col.aliases[:6])
            report.add(line, col.name, "", f"missing column {col.name!r}" + (f" (also accepted: {aliases})"
                                                                            if aliases else ""))
    for group in kind.one_of:
        have = [c for c in group if c in present]
        if not have:
            report.add(line, "/".join(group), "", "missing column: one of " + " or ".join(repr(c) for c in group))
        elif len(have) > 1 and group == ("date", "month"):
            report.add(line, "date/month", "", "both a date and a month column: keep only one")
    report.blank_header_positions = blank_positions
    if report.problem_count:
        report.status = "rejected"
        return None
    return mapping


def _finish_raw(cur: duckdb.DuckDBPyConnection, source: str, mapping: dict[int, str], width: int,
                line_sql: str, join: str, count: int, rejected: set[int], kind_of_source: str,
                report: ImportReport) -> RawFile | None:
    """The view ``_imp_typed``: the typed rows of ``source`` with their file ``line``, blank rows left out."""
    cur.execute("DROP VIEW IF EXISTS _imp_typed")
    cur.execute(f"CREATE TEMP VIEW _imp_typed AS SELECT {line_sql} AS line, r.* FROM {source} r{join} "
                "WHERE NOT r.blank")
    for pos in report.blank_header_positions:
        rows = cur.execute(
            f"SELECT {line_sql}, r.c{pos} FROM {source} r{join} WHERE nullif(trim(r.c{pos}), '') IS NOT NULL "
            "ORDER BY 1 LIMIT 5").fetchall()
        for line, value in rows:
            report.add(int(line), f"column {pos + 1}", value, "value in a column with a blank header")
    # ``rows`` counts blank rows until validate.py counts ``_imp_typed``.
    return RawFile(columns=list(mapping.values()), rows=count + len(rejected), rejected_lines=rejected,
                   source=kind_of_source)


# --- Excel ----------------------------------------------------------------------------------
def _cell_text(value: object, decimal: str) -> str | None:
    """An Excel cell as text: dates ISO, numbers plain (with the chosen decimal mark)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        return text.replace(".", decimal) if decimal != "." else text
    return str(value)


def _read_excel(cur: duckdb.DuckDBPyConnection, data: bytes, kind: Kind, options: ImportOptions,
                report: ImportReport, progress: Callable[[float, str], None] | None = None) -> RawFile | None:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        report.reject(f"not a readable Excel .xlsx workbook ({type(exc).__name__})")
        return None
    try:
        names = book.sheetnames
        wanted = options.sheet or next((n for n in names if normalise_header(n) == kind.name), names[0])
        if wanted not in names:
            report.reject(f"no worksheet named {wanted!r} (sheets: {', '.join(names)})")
            return None
        decimal = "," if options.locale in ("de", "fr") else "."
        rows_iter = book[wanted].iter_rows(values_only=True)
        header: list[str] | None = None
        header_row = 0
        records: list[list[str | None]] = []
        lines: list[int] = []
        lookup = header_lookup(kind)
        title: list[tuple[int, list[str | None]]] = []
        total = book[wanted].max_row or 0
        for number, row in enumerate(rows_iter, start=1):
            if progress is not None and number % 20_000 == 0:
                progress(0.05 + 0.3 * min(1.0, number / max(total, 1)), f"Reading the workbook: row {number:,}…")
            cells = [_cell_text(v, decimal) for v in row]
            if header is None:
                filled = [c for c in cells if c is not None and c.strip()]
                if not filled:
                    continue
                known = sum(normalise_header(c) in lookup for c in filled)
                if known >= 2 or len(title) >= 20:
                    header = [c or "" for c in cells]
                    header_row = number
                else:
                    title.append((number, cells))
                continue
            records.append(cells)
            lines.append(number)
        if header is None and title:
            # No line looks like a header: take the first non-empty row (its problems are reported).
            header_row, first = title[0]
            header = [c or "" for c in first]
            for number, cells in title[1:]:
                records.append(cells)
                lines.append(number)
            title = []
        if title:
            report.warnings.append(f"{len(title)} row(s) above the header were skipped as a title: " + " | ".join(
                " ".join(c for c in cells if c) for _, cells in title)[:200])
    finally:
        book.close()
    if header is None:
        report.reject("the workbook's sheet is empty")
        return None
    while header and not header[-1].strip():
        header.pop()
    mapping = _map_header(header, kind, header_row, report)
    if mapping is None:
        return None
    width = len(header)
    rejected: set[int] = set()
    for line, cells in zip(lines, records, strict=True):
        extra = [c for c in cells[width:] if c is not None and str(c).strip()]
        if extra:
            rejected.add(line)
            report.add(line, "", extra[0], f"too many fields: the header has {width} columns, "
                                            f"this row has values beyond them")
    frame = pd.DataFrame({f"c{i}": pd.Series([r[i] if i < len(r) else None for r in records], dtype=object)
                          for i in range(width)})
    frame.insert(0, "xline", pd.Series(lines, dtype="int64"))
    if rejected:
        frame = frame[~frame["xline"].isin(rejected)]
    outer, inner = typed_select(kind, mapping, width, options, False, extra=("xline",))
    cur.register("_imp_xl", frame)
    cur.execute("DROP TABLE IF EXISTS _imp_csv")
    cur.execute(f"CREATE TEMP TABLE _imp_csv AS SELECT {outer} FROM (SELECT {inner} FROM _imp_xl)")
    cur.unregister("_imp_xl")
    return _finish_raw(cur, "_imp_csv", mapping, width, "r.xline", "", len(frame), rejected, "xlsx", report)
