"""Read an Excel .xlsx workbook with python-calamine into the workspace's typed rows.

The sheet is the one chosen (``options.sheet``), else the one named after the kind, else
the first. Up to 20 non-empty rows above the header (the first row with two or more known
column names) are skipped as a title, with a warning. Each cell becomes the text a plain
export would hold, and that text goes through the same parsing SQL as a CSV cell
(parse.py), so one set of rules judges both:

- dates as ISO ``2026-02-10`` (a time of day kept: ``2026-02-10 13:05:00``), times and
  durations as Python prints them;
- numbers: whole ones without decimals (``1245``), others in Python's shortest form
  (``10.5``, ``1e-07``), with a decimal comma under the ``de`` and ``fr`` number formats;
- booleans ``True`` / ``False``; text as it is; formulas their cached value (blank when
  the file holds none, as in a workbook written by a program that does not calculate);
- error cells (``#N/A``, ``#DIV/0!``, …) their code, so that they are reported as the
  bad values they are.

calamine gives every number as a float, a date as a ``date`` or ``datetime`` by the cell's
number format, and both empty and error cells as ``''``: the error codes are read from the
sheet's XML, only when the sheet has an empty cell at all (a dense clean file never pays
for it). A column of numbers or of dates goes to DuckDB typed (through Arrow) and DuckDB
writes its text; other columns are converted cell by cell here. Rows with values beyond
the header's last column are refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import itertools
import operator
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

import pyarrow as pa
import pyarrow.compute as pc
import python_calamine

from .header import header_lookup, map_header, normalise_header
from .kinds import Kind
from .options import ImportOptions
from .parse import typed_select
from .records import RawFile, finish_raw
from .report import ImportReport
from .workspace import ROWS, Workspace

XLSX_MAGIC = b"PK\x03\x04"
TITLE_ROWS = 20  # the most non-empty rows looked through for the header
_OFFICE_DOCUMENT = "/officeDocument"  # the end of the package relationship naming the workbook part

# The sheet XML, scanned only for error cells: row and cell tags (any namespace prefix), a cell
# reference, the error type and a cell's value.
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*)>")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)(\d+)["']""")
_ERROR = re.compile(rb"""\st\s*=\s*["']e["']""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")

# What calamine gives for a cell (a datetime is also a date).
Cell = str | float | int | bool | dt.date | dt.time | dt.timedelta


def read_excel(
    ws: Workspace,
    data: bytes,
    kind: Kind,
    options: ImportOptions,
    report: ImportReport,
    progress: Callable[[float, str], None] | None = None,
) -> RawFile | None:
    """The workbook's records in ``ROWS`` / ``TYPED`` with their sheet row; ``None`` (a problem) when unreadable."""
    if progress is not None:
        progress(0.1, "Reading the workbook…")
    # A sheet is a list per row: hundreds of thousands of new containers that would set off the cyclic
    # garbage collector again and again (each pass walks every object of the process), to find nothing.
    with _gc_paused():
        read = _records(data, kind, options, report)
    if read is None:
        return None
    mapping, table, texts, rejected = read
    if progress is not None:
        progress(0.3, f"Parsing {table.num_rows:,} rows…")
    outer, inner = typed_select(kind, mapping, len(texts), options, False, extra=("xline",))
    with ws.frame(table) as name:
        # ``texts`` (see _column), ``outer`` and ``inner`` (parse.py) are built from column positions and
        # the kind's names, ``name`` by the workspace: no cell value is in the SQL text.
        cells = ", ".join(f"{text} AS c{i}" for i, text in enumerate(texts))
        ws.create(ROWS, f"SELECT {outer} FROM (SELECT {inner} FROM (SELECT {cells}, xline FROM {name}))")
    return finish_raw(ws, mapping, len(texts), "r.xline", "", table.num_rows, rejected, "xlsx", report)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (it ends enabled if it was, whatever other threads do)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _records(
    data: bytes, kind: Kind, options: ImportOptions, report: ImportReport
) -> tuple[dict[int, str], pa.Table, list[str], set[int]] | None:
    """``(mapping, table, texts, rejected)``: the header's columns, the records as an Arrow table
    (``c0…``, ``xline``), the SQL turning each ``c<i>`` into its text and the sheet rows refused."""
    read = _read_sheet(data, kind, options, report)
    if read is None:
        return None
    rows, sheet = read
    if any(map(operator.contains, rows, itertools.repeat(""))):
        for row, col, code in _error_cells(data, sheet):
            if row < len(rows) and col < len(rows[row]):
                rows[row][col] = code
    decimal = "," if options.locale in ("de", "fr") else "."
    found = _find_header(rows, kind, decimal, report)
    if found is None:
        report.reject("the workbook's sheet is empty")
        return None
    index, header = found
    while header and not header[-1].strip():
        header.pop()
    mapping = map_header(header, kind, index + 1, report)
    if mapping is None:
        return None
    width, first = len(header), index + 2  # ``first``: the sheet row of the first record
    body = rows[index + 1 :]
    rejected = _extra_cells(
        [[row[j] for row in body] for j in range(width, len(rows[index]))], first, width, decimal, report
    )
    columns = [_column([row[i] for row in body], i, decimal) for i in range(width)]
    table = pa.table(
        {
            **{f"c{i}": array for i, (array, _) in enumerate(columns)},
            "xline": pa.array(range(first, first + len(body)), pa.int64()),
        }
    )
    if rejected:
        table = table.filter(pc.invert(pc.is_in(table["xline"], pa.array(sorted(rejected), pa.int64()))))
    return mapping, table, [text for _, text in columns], rejected


def _read_sheet(
    data: bytes, kind: Kind, options: ImportOptions, report: ImportReport
) -> tuple[list[list[Cell]], str] | None:
    """The chosen sheet's cells from A1 (row by row) and its name; ``None`` (with a problem) when unreadable."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _workbook_part(archive)  # an .xlsx package (not .xlsb or .ods, which calamine would read too)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - any failure (calamine may panic) means "not a workbook we read"
        report.reject(f"not a readable Excel .xlsx workbook ({type(exc).__name__})")
        return None
    with book:
        names = book.sheet_names
        if not names:
            report.reject("not a readable Excel .xlsx workbook (it has no worksheet)")
            return None
        wanted = options.sheet or next((n for n in names if normalise_header(n) == kind.name), names[0])
        if wanted not in names:
            report.reject(f"no worksheet named {wanted!r} (sheets: {', '.join(names)})")
            return None
        try:
            # Not skipping the empty area keeps row i of the list as sheet row i + 1.
            return book.get_sheet_by_name(wanted).to_python(skip_empty_area=False), wanted
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - as above
            report.reject(f"not a readable Excel .xlsx workbook ({type(exc).__name__})")
            return None


def _find_header(
    rows: list[list[Cell]], kind: Kind, decimal: str, report: ImportReport
) -> tuple[int, list[str]] | None:
    """``(row index, header texts)``: the first non-empty row with two or more known names.

    After ``TITLE_ROWS`` other non-empty rows (a title, skipped with a warning), the next one is
    the header. When no row qualifies, the first non-empty row is (its problems are reported).
    """
    lookup = header_lookup(kind)
    title: list[tuple[int, list[str]]] = []
    for index, row in enumerate(rows):
        cells = [cell_text(v, decimal) for v in row]
        filled = [c for c in cells if c.strip()]
        if not filled:
            continue
        if len(title) >= TITLE_ROWS or sum(normalise_header(c) in lookup for c in filled) >= 2:
            if title:
                report.warnings.append(
                    f"{len(title)} row(s) above the header were skipped as a title: "
                    + " | ".join(" ".join(c for c in t if c) for _, t in title)[:200]
                )
            return index, cells
        title.append((index, cells))
    return title[0] if title else None


def _extra_cells(
    extra: Sequence[Sequence[Cell]], first: int, width: int, decimal: str, report: ImportReport
) -> set[int]:
    """Sheet rows with a value beyond the header's last column (columns ``extra``): reported, and returned."""
    found: dict[int, str] = {}
    for column in extra:
        for i, value in enumerate(column):
            if value != "" and i not in found:
                text = cell_text(value, decimal)
                if text.strip():
                    found[i] = text
    for i in sorted(found):
        report.add(
            first + i, "", found[i], f"too many fields: the header has {width} columns, this row has values beyond them"
        )
    return {first + i for i in found}


def cell_text(value: Cell, decimal: str = ".") -> str:
    """One cell as text (see the module docstring); ``''`` for an empty cell."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
        return text.replace(".", decimal) if decimal != "." else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _column(values: list[Cell], i: int, decimal: str) -> tuple[pa.Array, str]:
    """Column ``c<i>`` as an Arrow array, and the SQL that turns it into :func:`cell_text` of each cell.

    A column of numbers or of dates (blank cells allowed) stays typed for DuckDB to write out, far
    faster than Python; DuckDB writes a double as Python's ``repr`` does (checked by a test). Any
    other column is converted here, cell by cell.
    """
    column = f"c{i}"
    kinds = set(map(type, values))
    if kinds <= {str}:
        return pa.array(values, pa.string()), column
    if kinds <= {float, str} or kinds <= {dt.date, str}:
        typed = pa.float64() if float in kinds else pa.date32()
        try:
            array = pa.array([None if v == "" else v for v in values] if str in kinds else values, typed)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # text beside the numbers or dates: cell by cell
            pass
        else:
            return array, (f"CAST({column} AS VARCHAR)" if typed == pa.date32() else _number_text_sql(column, decimal))
    return pa.array([cell_text(v, decimal) for v in values], pa.string()), column


def _number_text_sql(column: str, decimal: str) -> str:
    """SQL writing the DOUBLE ``column`` as :func:`cell_text` writes a float (``column`` is ``c<i>``)."""
    text = (
        f"CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e16 "
        f"THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END"
    )
    return f"replace({text}, '.', ',')" if decimal == "," else text


# --- error cells, from the sheet's XML ------------------------------------------------------------
def _workbook_part(archive: zipfile.ZipFile) -> str:
    """The package's workbook part (``xl/workbook.xml``); raises ``ValueError`` when it is not an .xlsx."""
    relations = ElementTree.fromstring(archive.read("_rels/.rels"))
    for relation in relations:
        if relation.get("Type", "").endswith(_OFFICE_DOCUMENT):
            part = relation.get("Target", "").lstrip("/")
            if part.endswith(".xml") and part in archive.namelist():
                return part
    raise ValueError("not an .xlsx package")


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The part holding the worksheet named ``sheet``, or ``None``."""
    workbook = _workbook_part(archive)
    ids = [
        next((v for k, v in s.attrib.items() if k.endswith("}id")), None)
        for s in ElementTree.fromstring(archive.read(workbook)).iter()
        if s.tag.endswith("}sheet") and s.get("name") == sheet
    ]
    folder, name = posixpath.split(workbook)
    relations = ElementTree.fromstring(archive.read(posixpath.join(folder, "_rels", name + ".rels")))
    for relation in relations:
        if ids and relation.get("Id") == ids[0]:
            target = relation.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            return part if part in archive.namelist() else None
    return None


def _error_cells(data: bytes, sheet: str) -> list[tuple[int, int, str]]:
    """``(row, column, code)`` (0-based) of every error cell of ``sheet`` that holds a code."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, sheet)
            xml = archive.read(part) if part else b""
    except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return []
    if b't="e"' not in xml and b"t='e'" not in xml:
        return []
    found: list[tuple[int, int, str]] = []
    row, col = -1, -1
    for tag in _TAG.finditer(xml):
        name, attrs = tag.group(1), tag.group(2)
        ref = _REF.search(attrs)
        if name == b"row":
            row, col = (int(ref.group(2)) - 1 if ref else row + 1), -1
            continue
        col = _column_index(ref.group(1)) if ref and ref.group(1) else col + 1
        if ref:
            row = int(ref.group(2)) - 1
        if _ERROR.search(attrs) and not attrs.rstrip().endswith(b"/"):
            end = _CELL_END.search(xml, tag.end())
            value = _VALUE.search(xml, tag.end(), end.start() if end else len(xml))
            if value:
                found.append((row, col, unescape(value.group(1).decode("utf-8", "replace"))))
    return found


def _column_index(letters: bytes) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26, …"""
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - ord("A") + 1
    return index - 1
