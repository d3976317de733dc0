"""Excel uploads read with python-calamine: cell types, error cells, packages, and the typed fast path."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
import zipfile
from unittest import mock

import duckdb
import openpyxl
import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sop_core import open_store
from sop_core.importer import ImportOptions, ImportReport, import_file
from tests.support.imports import dump
from tests.support.people import EVERYONE
from tests.support.stores import build_tiny

excel = importlib.import_module("sop_core.importer.excel")

STORE = open_store(":memory:")
build_tiny(STORE)
BEFORE = dump(STORE)


def _xlsx(rows: list[list[object]], title: str = "Sheet") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _problems(report: ImportReport) -> list[tuple]:
    return [(p.row, p.column, p.value, p.reason) for p in report.problems]


# --- the typed fast path writes each cell as cell_text does -------------------------------------------------
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**17), 10**17).map(float),
    st.integers(-(10**9), 10**9).flatmap(lambda n: st.integers(0, 6).map(lambda k: round(n / 10**k, k))),
    st.sampled_from([0.0, -0.0, 1e15, 1e16, 9999999999999998.0, 1e-4, 1e-5, 2.5, 1245.0, 5e-324]),
)


def _rendered(values: list, decimal: str) -> list[str | None]:
    """What DuckDB makes of ``excel._column`` of ``values`` (blank cells NULL)."""
    array, sql = excel._column(values, 0, decimal)
    con = duckdb.connect()
    con.register("t", pa.table({"c0": array}))
    return [r[0] or None for r in con.execute(f"SELECT {sql} FROM t").fetchall()]  # '' and NULL both blank


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(FLOATS, st.just("")), max_size=30), decimal=st.sampled_from([".", ","]))
def test_number_columns_are_written_as_cell_text(values, decimal):
    assert _rendered(values, decimal) == [None if v == "" else excel.cell_text(v, decimal) for v in values]


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.one_of(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)), st.just("")), max_size=30))
def test_date_columns_are_written_as_cell_text(values):
    assert _rendered(values, ".") == [None if v == "" else excel.cell_text(v) for v in values]


def test_cell_text_of_each_calamine_type():
    assert [
        excel.cell_text(v)
        for v in (
            "x",
            "",
            1245.0,
            10.5,
            -0.0,
            1e16,
            1e-07,
            True,
            dt.date(2026, 2, 10),
            dt.datetime(2026, 2, 10),
            dt.datetime(2026, 2, 10, 13, 5),
            dt.time(12, 30),
            dt.timedelta(hours=26),
            7,
        )
    ] == [
        "x",
        "",
        "1245",
        "10.5",
        "0",
        "1e+16",
        "1e-07",
        "True",
        "2026-02-10",
        "2026-02-10",
        "2026-02-10 13:05:00",
        "12:30:00",
        "1 day, 2:00:00",
        "7",
    ]
    assert excel.cell_text(10.5, ",") == "10,5"


# --- the fast path and the cell-by-cell path give the same report ---------------------------------------------
CELLS: dict[str, list[object]] = {
    "date": [
        dt.date(2026, 2, 10),
        dt.datetime(2026, 2, 11),
        dt.datetime(2026, 2, 12, 13, 5),
        "2026-02-13",
        "13/02/2026",
        None,
        "#N/A",
        46060.0,
        True,
    ],
    "sku": ["A1", "A2", " A1 ", "ZZ", None, "#REF!", 12, "Total"],
    "region": ["N", "S", None, "Mars", 1],
    "quantity": [1, 2.5, -3, 0, 1e16, 123456789012345, 1e-7, "10,5", "x", None, "#DIV/0!", True, "=1+1", 10.25],
    "revenue": [None, 10, 3.5, "#VALUE!", "€4"],
}


def _slow_column(values: list, i: int, decimal: str) -> tuple[pa.Array, str]:
    """``excel._column`` without its typed fast path: every cell converted in Python."""
    return pa.array([excel.cell_text(v, decimal) for v in values], pa.string()), f"c{i}"


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[bytes, ImportOptions]:
    columns = [
        "date",
        "sku",
        *(["region"] if draw(st.booleans()) else []),
        "quantity",
        *(["revenue"] if draw(st.booleans()) else []),
    ]
    clean = draw(st.booleans())  # mostly the first, valid values: most such files load
    rows: list[list[object]] = [list(columns)]
    for _ in range(draw(st.integers(0, 8))):
        rows.append([draw(st.sampled_from(CELLS[c][:2] if clean else CELLS[c])) for c in columns])
    options = draw(
        st.sampled_from(
            [
                ImportOptions(),
                ImportOptions(locale="de"),
                ImportOptions(locale="en"),
                ImportOptions(sum_duplicates=True),
            ]
        )
    )
    return _xlsx(rows), options


DECIMALS: list[list[object]] = [
    ["date", "sku", "quantity", "revenue"],
    [dt.date(2026, 2, 10), "A1", 2.5, 1e-7],
    [dt.date(2026, 2, 11), "A2", 3, -0.0],
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=workbooks())
@example(case=(_xlsx(DECIMALS), ImportOptions(locale="de")))
@example(case=(_xlsx(DECIMALS), ImportOptions()))
def test_typed_columns_report_what_cell_by_cell_reports(case):
    data, options = case
    fast = import_file(STORE, "sales", data, "w.xlsx", options, dry_run=True, actor=EVERYONE)
    with mock.patch.object(excel, "_column", _slow_column):
        slow = import_file(STORE, "sales", data, "w.xlsx", options, dry_run=True, actor=EVERYONE)
    preview = [None if r.preview is None else r.preview.to_csv(index=False) for r in (fast, slow)]
    assert (fast.status, fast.rows_read, _problems(fast), fast.warnings, fast.months) == (
        slow.status,
        slow.rows_read,
        _problems(slow),
        slow.warnings,
        slow.months,
    )
    assert preview[0] == preview[1]
    assert dump(STORE) == BEFORE


# --- what calamine does not tell: error cells, and other packages it would read --------------------------------
def _without_cell_references(data: bytes) -> bytes:
    """The workbook with its sheet's ``r`` attributes removed (optional in the format)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb' r="[A-Z]*\d+"', b"", parts["xl/worksheets/sheet1.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_error_cells_are_reported_with_their_code(tiny):
    data = _xlsx(
        [
            ["date", "sku", "quantity", "revenue"],
            [dt.date(2026, 2, 10), "A1", "#N/A", None],
            [dt.date(2026, 2, 11), "A1", 3, "#DIV/0!"],
            [dt.date(2026, 2, 12), "A1", "=1+1", 1],
        ]
    )
    expected = [
        (2, "quantity", "#N/A", "not a number"),
        (3, "revenue", "#DIV/0!", "not a number"),
        (4, "quantity", "", "missing value"),
    ]  # a formula without a cached value is blank
    for body in (data, _without_cell_references(data)):
        report = import_file(tiny, "sales", body, "errors.xlsx", dry_run=True, actor=EVERYONE)
        assert report.status == "rejected" and _problems(report) == expected, report.to_text()


def test_sheet_is_chosen_by_kind_or_option(tiny):
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.append(["notes"])
    book.create_sheet("Sales").append(["date", "sku", "quantity"])
    book["Sales"].append([dt.date(2026, 2, 10), "A1", 4])
    buf = io.BytesIO()
    book.save(buf)
    report = import_file(tiny, "sales", buf.getvalue(), "book.xlsx", dry_run=True, actor=EVERYONE)
    assert report.status == "valid" and report.rows_read == 1, report.to_text()
    missing = import_file(
        tiny, "sales", buf.getvalue(), "book.xlsx", ImportOptions(sheet="Nope"), dry_run=True, actor=EVERYONE
    )
    assert "no worksheet named 'Nope'" in missing.to_text()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_other_zip_packages_are_refused(tiny):
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="xl/workbook.bin"/></Relationships>'
    )
    xlsb = _zip({"_rels/.rels": rels, "xl/workbook.bin": b"\x00"})
    for data in (ods, xlsb):
        report = import_file(tiny, "sales", data, "book.xlsx", dry_run=True, actor=EVERYONE)
        assert report.status == "rejected" and "not a readable Excel .xlsx workbook" in report.to_text()
