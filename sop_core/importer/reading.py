"""Read an uploaded file: its type, encoding, title lines, header and delimiter, mapped to a kind.

Its records become typed DuckDB rows (records.py): for a plain UTF-8 CSV file, when
validation reads them; for other CSV files and Excel workbooks, here, into the table
``_imp_csv`` under the view ``_imp_typed(line, t_<col>, v_<col>, …)`` on the caller's
cursor. Structural problems (encoding, delimiter, header, field counts, quotes) go
into the report with their line.

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
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable

import duckdb
import pandas as pd

from .encoding import FileText, decode
from .kinds import Kind, header_lookup, normalise_header
from .options import DELIMITERS, ImportOptions
from .parse import typed_select
from .records import CsvRecords, RawFile, finish_raw, load_csv, split_fields
from .report import ImportReport

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGIC = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                b"\x1f\x8b": "a gzip archive", b"PAR1": "a Parquet file"}


def read_file(cur: duckdb.DuckDBPyConnection, data: bytes, kind: Kind, options: ImportOptions,
              report: ImportReport, path: str | None = None,
              progress: Callable[[float, str], None] | None = None) -> RawFile | None:
    """The file's records: loaded into ``_imp_csv`` / ``_imp_typed`` on ``cur``, or pending (see
    :class:`RawFile`; the caller closes it); ``None`` when unreadable.

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
    text = decode(data, options, report)
    if text is None:
        return None
    return _read_csv(cur, text, data, kind, options, report, path)


# --- CSV ------------------------------------------------------------------------------------
def _physical_lines(text: FileText, limit: int = 50) -> list[str]:
    """The first ``limit`` physical lines (any line ending)."""
    return io.StringIO(text.head(), newline=None).read().split("\n")[:limit]


def _choose_delimiter(header: str, kind: Kind) -> str:
    """The delimiter under which ``header`` has the most known names (then the most fields)."""
    lookup = header_lookup(kind)

    def score(delim: str) -> tuple[int, int]:
        fields = split_fields(header, delim)
        return sum(normalise_header(f) in lookup for f in fields), len(fields)

    return max(DELIMITERS, key=score)


def _known_names(line: str, kind: Kind, delimiter: str | None) -> int:
    """How many known column names ``line`` holds (under ``delimiter``, or the best delimiter)."""
    lookup = header_lookup(kind)
    delims = [delimiter] if delimiter else list(DELIMITERS)
    return max(sum(normalise_header(f) in lookup for f in split_fields(line, d)) for d in delims)


def _find_header(lines: list[str], start: int, kind: Kind, delimiter: str | None, look: int = 20) -> int:
    """The header line: the first of the next ``look`` lines with two or more known names (else ``start``)."""
    for i in range(start, min(len(lines), start + look)):
        if lines[i].strip() and _known_names(lines[i], kind, delimiter) >= 2:
            return i
    return start


def _read_csv(cur: duckdb.DuckDBPyConnection, text: FileText, data: bytes, kind: Kind, options: ImportOptions,
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
    headers = split_fields(header_line, delimiter)
    mapping = _map_header(headers, kind, index + 1, report)
    if mapping is None:
        return None
    # DuckDB reads the UTF-8 bytes from a file; re-encode only when the input was not plain UTF-8.
    plain = options.encoding in (None, "utf-8") and not data.startswith(codecs.BOM_UTF16_LE) \
        and not data.startswith(codecs.BOM_UTF16_BE)
    in_place = (plain and source_path is not None and not data.startswith(codecs.BOM_UTF8)
                and not any(ch in str(source_path) for ch in "*?[]{}"))  # DuckDB would glob those
    if in_place:
        path = str(source_path)
    else:
        payload = (data[3:] if data.startswith(codecs.BOM_UTF8) else data) if plain else text.full().encode("utf-8")
        fd, path = tempfile.mkstemp(suffix=".csv", prefix="sop_import_")
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
    # Fast path: with the default (plain) number format, let DuckDB's reader parse the number
    # columns; any cell it cannot parse sends the file down the text path, which checks and
    # reports every cell. Files holding ``_``, ``+-`` or ``-+`` take the text path because the
    # reader accepts 1_000 and +-1, which the plain format refuses. (Dates stay text: the
    # reader's date parser is more lenient than our rules, e.g. it takes "epoch".)
    typed = options.locale is None and b"_" not in data and (
        b"+" not in data or (b"+-" not in data and b"-+" not in data))  # one-byte scans first: fast
    records = CsvRecords(cur, kind, options, report, None if plain else text.full(), text.ascii_only, path,
                         not in_place, delimiter, index, mapping, len(headers), typed)
    if plain and not report.blank_header_positions:
        # Left for validation to read, straight into its checks when it can (see records.py).
        return RawFile(columns=list(mapping.values()), typed=typed, records=records, pending=True)
    return load_csv(records, typed)


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
    return finish_raw(cur, "_imp_csv", mapping, width, "r.xline", "", len(frame), rejected, "xlsx", report)
