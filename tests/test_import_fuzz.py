"""Property: whatever the bytes, the importer reports (never raises), keeps its counts, and a rejection writes nothing."""

from __future__ import annotations

from typing import cast

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_core import open_store
from sop_core.importer import import_file
from sop_core.importer.kinds import KINDS
from tests.support.imports import dump
from tests.support.people import EVERYONE
from tests.support.stores import build_tiny

STORE = open_store(":memory:")
build_tiny(STORE)
BEFORE = dump(STORE)

cells = st.sampled_from(
    [
        "2026-02-10",
        "2026-02",
        "01/02/2026",
        "A1",
        "A2",
        "ZZ",
        "N",
        "S",
        "",
        " ",
        "10",
        "-3",
        "1,5",
        "1.234,5",
        "x",
        '"q"',
        '"a,b"',
        "Total",
        "inf",
        "2026-02-30",
        "é",
    ]
)
rows = st.lists(st.lists(cells, min_size=1, max_size=6), min_size=0, max_size=8)
headers = st.lists(
    st.sampled_from(["date", "month", "sku", "family", "region", "quantity", "qty", "revenue", "", "note"]),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=headers,
    body=rows,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_random_csv_never_raises_and_counts_hold(header, body, delimiter, newline):
    text = newline.join(delimiter.join(r) for r in [header, *body])
    report = import_file(STORE, "sales", text.encode("utf-8"), "fuzz.csv", dry_run=True, actor=EVERYONE)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert report.status in ("rejected", "valid", "already_loaded")
    if report.status == "rejected":
        assert report.problem_count >= 1 and report.rows_loaded == 0
    assert dump(STORE) == BEFORE


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    report = import_file(STORE, "production", data, "fuzz.bin", dry_run=True, actor=EVERYONE)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert dump(STORE) == BEFORE


numberish = st.text(alphabet="0123456789+-.eE _infatyINF", min_size=0, max_size=7)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(numberish, min_size=1, max_size=5))
def test_reader_fast_path_agrees_with_the_text_path(values):
    """The typed fast path (DuckDB's number parser) accepts and refuses exactly what the text path does."""
    body = "".join(f"2026-02-{i + 1:02d},A1,{v}\n" for i, v in enumerate(values))
    fast = import_file(STORE, "sales", ("date,sku,quantity\n" + body).encode(), "a.csv", dry_run=True, actor=EVERYONE)
    # An ignored column holding "_" forces the text path without changing the meaning.
    text_body = "".join(f"2026-02-{i + 1:02d},A1,{v},x_y\n" for i, v in enumerate(values))
    text = import_file(
        STORE, "sales", ("date,sku,quantity,note\n" + text_body).encode(), "b.csv", dry_run=True, actor=EVERYONE
    )
    assert fast.status == text.status
    assert [(p.row, p.column, p.reason[:12]) for p in fast.problems] == [
        (p.row, p.column, p.reason[:12]) for p in text.problems
    ]
    if fast.preview is not None:
        assert fast.preview["in_file"].tolist() == cast(pd.DataFrame, text.preview)["in_file"].tolist()


any_cell = st.sampled_from(
    [
        "A",
        "B",
        "A1",
        "N",
        "R",
        "2026-04",
        "2026-03-15",
        "31/12/2026",
        "mts",
        "MTO",
        "x",
        "",
        "5",
        "-1",
        "0.5",
        "40",
        "1,5",
        "Total",
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_every_kind_reports_without_raising(kind, data):
    names = [c.name for c in KINDS[kind].columns]
    header = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    body = data.draw(st.lists(st.lists(any_cell, min_size=len(header), max_size=len(header)), max_size=5))
    text = "\n".join(",".join(r) for r in [header, *body]) + "\n"
    report = import_file(STORE, kind, text.encode(), f"{kind}.csv", dry_run=True, actor=EVERYONE)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert report.status in ("rejected", "valid", "already_loaded")
    assert dump(STORE) == BEFORE
