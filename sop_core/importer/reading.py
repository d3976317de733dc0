"""Read an uploaded file: its type, encoding, title lines, header and delimiter, mapped to a kind.

Its records become typed DuckDB rows (records.py): for a plain UTF-8 CSV file, when
validation reads them; for other CSV files, here, and for Excel workbooks in excel.py,
into the workspace's table ``ROWS`` under the view ``TYPED(line, t_<col>, v_<col>, …)``
(workspace.py). Structural problems (encoding, delimiter, header, field counts, quotes)
go into the report with their line.

Dialect rules:

- Encoding: UTF-8 with or without BOM, and UTF-16 with a BOM, are recognised;
  anything else is refused with the offending byte unless the user chose
  ``cp1252`` or ``latin-1``.
- Delimiter: ``, ; tab |``; an Excel ``sep=X`` first line is honoured; otherwise the
  delimiter whose header splits into the most known column names wins.
- Quotes: ``"`` quoting with ``""`` escapes; quoted fields may hold delimiters and
  line breaks. Line endings ``\\n``, ``\\r\\n`` and ``\\r`` are all accepted.
- Blank lines (and rows whose cells are all blank) are skipped and not counted.
- Excel (.xlsx): the first worksheet (or the sheet named after the kind); typed cells are
  taken as typed (dates as dates, numbers as numbers); see excel.py.
"""

from __future__ import annotations

import codecs
import io
import os
import tempfile
from collections.abc import Callable

from .encoding import FileText, decode
from .excel import XLSX_MAGIC, read_excel
from .header import header_lookup, map_header, normalise_header
from .kinds import Kind
from .options import DELIMITERS, ImportOptions
from .records import CsvRecords, RawFile, load_csv, split_fields
from .report import ImportReport
from .workspace import Workspace

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"PAR1": "a Parquet file",
}


def read_file(
    ws: Workspace,
    data: bytes,
    kind: Kind,
    options: ImportOptions,
    report: ImportReport,
    path: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> RawFile | None:
    """The file's records: loaded into the workspace's ``ROWS`` / ``TYPED``, or pending (see
    :class:`RawFile`; the caller closes it); ``None`` when unreadable.

    ``path``, when given, is where ``data`` came from: DuckDB then reads it in place
    unless it must be re-encoded.
    """
    if len(data) > options.max_bytes:
        report.reject(
            f"the file is {len(data) / 1e6:.1f} MB, over the {options.max_bytes / 1e6:.0f} MB limit; "
            "split it (for example by month)"
        )
        return None
    blank = b" \t\r\n\x00\xef\xbb\xbf"
    if not data[:4096].strip(blank) and not data.strip(blank):
        report.reject("the file is empty")
        return None
    if data.startswith(XLSX_MAGIC):
        return read_excel(ws, data, kind, options, report, progress)
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
    return _read_csv(ws, text, data, kind, options, report, path)


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


def _read_csv(
    ws: Workspace,
    text: FileText,
    data: bytes,
    kind: Kind,
    options: ImportOptions,
    report: ImportReport,
    source_path: str | None = None,
) -> RawFile | None:
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
        report.warnings.append(
            f"{len(skipped)} line(s) above the header were skipped as a title: " + " | ".join(skipped)[:200]
        )
        index = found
    header_line = lines[index]
    if delimiter is None:
        delimiter = _choose_delimiter(header_line, kind)
    elif delimiter not in DELIMITERS:
        report.reject(f"unsupported delimiter {delimiter!r}; use one of , ; tab |")
        return None
    headers = split_fields(header_line, delimiter)
    mapping = map_header(headers, kind, index + 1, report)
    if mapping is None:
        return None
    # DuckDB reads the UTF-8 bytes from a file; re-encode only when the input was not plain UTF-8.
    plain = (
        options.encoding in (None, "utf-8")
        and not data.startswith(codecs.BOM_UTF16_LE)
        and not data.startswith(codecs.BOM_UTF16_BE)
    )
    in_place = (
        plain
        and source_path is not None
        and not data.startswith(codecs.BOM_UTF8)
        and not any(ch in str(source_path) for ch in "*?[]{}")
    )  # DuckDB would glob those
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
    typed = (
        options.locale is None and b"_" not in data and (b"+" not in data or (b"+-" not in data and b"-+" not in data))
    )  # one-byte scans first: fast
    records = CsvRecords(
        ws,
        kind,
        options,
        report,
        None if plain else text.full(),
        text.ascii_only,
        path,
        not in_place,
        delimiter,
        index,
        mapping,
        len(headers),
        typed,
    )
    if plain and not report.blank_header_positions:
        # Left for validation to read, straight into its checks when it can (see records.py).
        return RawFile(columns=list(mapping.values()), typed=typed, records=records, pending=True)
    return load_csv(records, typed)
