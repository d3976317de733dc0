"""The one-scan path (read, check and stage actuals in one query) agrees with the exact checks."""

from __future__ import annotations

import importlib
import tempfile
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_core import open_store
from sop_core.importer import ImportOptions, ImportReport, import_file
from tests.support.imports import dump
from tests.support.people import EVERYONE
from tests.support.stores import build_tiny

validate_module = importlib.import_module("sop_core.importer.validate")

STORE = open_store(":memory:")
build_tiny(STORE)
BEFORE = dump(STORE)


def _outcome(report: ImportReport) -> tuple:
    """Everything a report tells, the preview included."""
    preview = None if report.preview is None else report.preview.to_csv(index=False)
    return (
        report.status,
        report.rows_read,
        report.rows_loaded,
        report.rows_rejected,
        report.rows_with_problems,
        report.rows_stored,
        [(p.row, p.column, p.value, p.reason) for p in report.problems],
        report.problem_count,
        report.warnings,
        report.notes,
        report.months,
        report.families,
        preview,
    )


def _both_ways(kind: str, data: bytes, options: ImportOptions) -> tuple[tuple, tuple]:
    """The report of the normal import, and of one that skips the one-scan path."""
    fast = import_file(STORE, kind, data, "a.csv", options, dry_run=True, actor=EVERYONE)
    with mock.patch.object(validate_module, "_stage_if_clean", return_value=False):
        exact = import_file(STORE, kind, data, "a.csv", options, dry_run=True, actor=EVERYONE)
    return _outcome(fast), _outcome(exact)


CELLS = {
    "date": [
        "2026-02-10",
        "2026-02-11",
        "2026-01-31",
        "2026-02-28",
        "2026-05-01",
        "2026-02-30",
        "x",
        "",
        " 2026-02-10 ",
    ],
    "month": ["2026-02", "2026-01", "2026-03", "2026-07", "13/2026", ""],
    "sku": ["A1", "A2", "A1", " A2", "ZZ", "", "Total"],
    "family": ["A", "B", "", "Nope"],
    "region": ["N", "S", "", "Mars", "N "],
    "quantity": ["1", "2.5", "-3", "0", "", "inf", "1,5", "x", "1e3"],
    "revenue": ["", "10", "3.5", "€4"],
}


@st.composite
def actuals_files(draw: st.DrawFn) -> tuple[str, bytes, ImportOptions]:
    kind = draw(st.sampled_from(["sales", "orders", "production", "inventory"]))
    value = "on_hand" if kind == "inventory" else "quantity"
    columns = [draw(st.sampled_from(["date", "month"])), *draw(st.sampled_from([["sku"], ["family"]]))]
    if kind in ("sales", "orders"):
        columns += draw(st.sampled_from([[], ["region"], ["region", "revenue"]]))
    columns.append(value)
    pools = {**CELLS, value: CELLS["quantity"]}
    rows = draw(
        st.lists(
            st.lists(st.sampled_from([0, 1, 2, 3]), min_size=len(columns), max_size=len(columns)),
            min_size=0,
            max_size=8,
        )
    )
    lines = [
        ",".join(columns),
        *(",".join(pools[c][i % len(pools[c])] for c, i in zip(columns, row, strict=True)) for row in rows),
    ]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(1, len(lines))), "," * (len(columns) - 1))  # a blank row
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    options = ImportOptions(sum_duplicates=draw(st.booleans()))
    return kind, (newline.join(lines) + newline).encode(), options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=actuals_files())
def test_one_scan_path_reports_what_the_exact_checks_report(case):
    kind, data, options = case
    fast, exact = _both_ways(kind, data, options)
    assert fast == exact
    assert dump(STORE) == BEFORE


def test_family_beside_sku_without_duplicates_loads():
    """Two rows of one SKU and date, one also naming its family, are different keys: no duplicate."""
    data = b"date,sku,family,region,quantity\n2026-02-10,A1,A,N,1\n2026-02-10,A1,,N,2\n"
    fast, exact = _both_ways("sales", data, ImportOptions())
    assert fast == exact and fast[0] == "valid"


def test_plain_file_read_from_a_temporary_copy_leaves_nothing_behind(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    clean = import_file(tiny, "sales", b"date,sku,quantity\n2026-02-10,A1,1\n", "ok.csv", actor=EVERYONE)
    bad = import_file(tiny, "sales", b"date,sku,quantity\n2026-02-10,ZZ,1\n", "bad.csv", actor=EVERYONE)
    assert clean.status == "committed" and bad.status == "rejected"
    assert list(tmp_path.iterdir()) == []


def test_total_row_of_known_names_is_refused(tiny):
    """A row reading like a total is refused even when every name in it is known (and no check fires)."""
    with tiny.transaction() as cur:
        cur.execute("INSERT INTO products VALUES ('Total Pump', 'A', 'named like a total')")
    data = b"date,sku,quantity,revenue\n2026-02-10,A1,1,5\n2026-02-11,Total Pump,1,\n"
    report = import_file(tiny, "sales", data, "total.csv", dry_run=True, actor=EVERYONE)
    assert report.status == "rejected"
    assert [(p.row, p.reason) for p in report.problems] == [
        (3, "a total/footer row: remove totals and footers from the file")
    ]
