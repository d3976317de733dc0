"""The import corpus: every bad file is refused with its reason and changes nothing; good files load."""

from __future__ import annotations

import pytest

from sop_core import actuals
from sop_core.importer import import_file
from tests.support.imports import CORPUS, MANIFEST, dump, options
from tests.support.people import EVERYONE

BAD = MANIFEST["bad"]
GOOD = MANIFEST["good"]


def test_corpus_is_large_enough():
    assert len(BAD) >= 30
    assert len(GOOD) >= 10


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_refused_and_changes_nothing(tiny, name):
    case = BAD[name]
    before = dump(tiny)
    report = import_file(tiny, case["kind"], CORPUS / "bad" / name, options=options(case["options"]), actor=EVERYONE)
    assert report.status == "rejected", report.to_text()
    reasons = [p.reason for p in report.problems]
    assert any(case["reason"] in r for r in reasons), report.to_text()
    if case["row"] is not None:
        assert any(case["reason"] in p.reason and p.row == case["row"] for p in report.problems), report.to_text()
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert report.rows_loaded == 0
    assert case["reason"] in report.to_text()
    assert dump(tiny) == before


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_file_loads(tiny, name):
    case = GOOD[name]
    report = import_file(tiny, case["kind"], CORPUS / "good" / name, options=options(case["options"]), actor=EVERYONE)
    assert report.status == "committed", report.to_text()
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert report.rows_rejected == 0
    got = actuals(tiny, case["kind"])
    for family, months in case["expect"].items():
        for month, quantity in months.items():
            row = got[(got["family"] == family) & (got["month"].astype(str).str[:7] == month)]
            assert row["quantity"].sum() == pytest.approx(quantity), report.to_text()
