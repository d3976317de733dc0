"""The Data page under AppTest: upload, see the report or the preview, load, see the history, revert."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sop_core import open_store
from tests.support.imports import CORPUS
from tests.support.stores import ROOT, build_tiny


@pytest.fixture()
def page(tmp_path, monkeypatch) -> Iterator[AppTest]:
    db = tmp_path / "sop.duckdb"
    with open_store(str(db)) as store:
        build_tiny(store)
    monkeypatch.setenv("SOP_DB_PATH", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    yield at.run()
    st.cache_resource.clear()


def _store():
    from sop_ui.store import get_store

    return get_store()


def test_page_renders_with_templates(page):
    assert not page.exception
    assert page.selectbox(key="data_kind").value == "sales"
    page.selectbox(key="data_kind").set_value("demand_plan").run()
    assert not page.exception
    assert page.selectbox(key="data_cycle").value == "2026-03"


def test_bad_file_shows_the_report_and_writes_nothing(page):
    data = (CORPUS / "bad" / "ambiguous_date.csv").read_bytes()
    page.file_uploader(key="data_file").upload("bad.csv", data, "text/csv").run()
    assert not page.exception
    assert any("nothing was written" in e.value for e in page.error)
    problems = page.dataframe[0].value
    assert "ambiguous date" in problems["reason"].iloc[0]
    assert not [b for b in page.button if b.key == "data_commit"]
    assert _store().scalar("SELECT count(*) FROM uploads") == 0


def test_upload_preview_commit_and_revert(page):
    data = (CORPUS / "good" / "comma_lf.csv").read_bytes()
    page.file_uploader(key="data_file").upload("feb.csv", data, "text/csv").run()
    assert not page.exception
    preview = page.dataframe[0].value
    assert preview.loc[0, "in_store"] == 132 and preview.loc[0, "after_upload"] == 1245
    page.button(key="data_commit").click().run()
    assert not page.exception
    assert any("COMMITTED" in s.value for s in page.success)
    store = _store()
    assert store.scalar("SELECT count(*) FROM uploads WHERE status = 'committed'") == 1
    # The same file again: already loaded.
    page.run()
    assert any("already loaded" in i.value for i in page.info)
    # History and revert.
    assert page.selectbox(key="data_revert_id").value == 1
    page.checkbox(key="data_revert_sure").check().run()
    page.button(key="data_revert").click().run()
    assert not page.exception
    assert store.scalar("SELECT status FROM uploads WHERE upload_id = 1") == "reverted"
    assert store.scalar("SELECT sum(quantity) FROM actuals WHERE kind = 'sales' AND month = DATE '2026-02-01'") == 132


def test_plan_upload_into_the_draft_cycle(page):
    page.selectbox(key="data_kind").set_value("production_plan").run()
    assert page.selectbox(key="data_cycle").value == "2026-03"
    page.file_uploader(key="data_file").upload("pp.csv", b"family,month,quantity\nB,2026-04,12\n", "text/csv").run()
    assert not page.exception
    page.button(key="data_commit").click().run()
    assert not page.exception
    assert (
        _store().scalar(
            "SELECT quantity FROM production_plan WHERE cycle = DATE '2026-03-01' AND family = 'B' "
            "AND month = DATE '2026-04-01'"
        )
        == 12
    )


def test_master_data_upload_shows_new_and_changed_rows(page):
    page.selectbox(key="data_kind").set_value("products").run()
    page.file_uploader(key="data_file").upload("p.xlsx", (CORPUS / "good" / "typed.xlsx").read_bytes(), "x").run()
    assert not page.exception
    assert any("missing column 'family'" in str(v) for v in page.dataframe[0].value["reason"])
    page.file_uploader(key="data_file").upload(
        "p.csv", b"sku,family,description\nA1,A,renamed\nC9,B,new\n", "text/csv"
    ).run()
    preview = page.dataframe[0].value
    assert dict(zip(preview["sku"], preview["change"], strict=True)) == {"A1": "changed", "C9": "new"}


def test_every_kind_renders_on_the_demo_company(tmp_path, monkeypatch):
    from sop_core import load_demo
    from tests.support.stores import DEMO_AS_OF

    db = tmp_path / "demo.duckdb"
    with open_store(str(db)) as store:
        load_demo(store, as_of=DEMO_AS_OF)
    monkeypatch.setenv("SOP_DB_PATH", str(db))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120).run()
    try:
        from sop_core.importer import KINDS

        for kind in KINDS:
            at.selectbox(key="data_kind").set_value(kind).run()
            assert at.selectbox(key="data_kind").value == kind
            assert not at.exception, kind
    finally:
        st.cache_resource.clear()


# ------------------------------------------------------------------------------ who may load and revert
@pytest.fixture()
def signed_in_db(tmp_path, monkeypatch):
    """A tiny store with one products upload (by all@example.com), a viewer and a planner listed."""
    from sop_core.importer import import_file
    from tests.support.apptest import list_person
    from tests.support.people import EVERYONE

    db = tmp_path / "sop.duckdb"
    with open_store(str(db)) as store:
        build_tiny(store)
        assert import_file(store, "products", b"sku,family\nC9,B\n", "p.csv", actor=EVERYONE).status == "committed"
    list_person(db, "viewer@example.com", "viewer")
    list_person(db, "planner@example.com", "planner")
    monkeypatch.setenv("SOP_DB_PATH", str(db))
    monkeypatch.delenv("SOP_ADMIN_EMAIL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield db
    st.cache_data.clear()
    st.cache_resource.clear()


def _captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.caption)


def _history_table(at: AppTest):
    """The History tab's table (the one with ``uploaded_by``)."""
    return next(d.value for d in at.dataframe if "uploaded_by" in d.value.columns)


def _data_page_as(email: str) -> AppTest:
    """The Data page with sign-in configured and ``email`` signed in."""
    from tests.support.apptest import open_app_page, signed_in_as

    return open_app_page("pages/data.py", signed_in_as(email))


def test_a_viewer_checks_a_file_but_sees_no_load_or_revert(signed_in_db):
    at = _data_page_as("viewer@example.com")
    assert "Loading data needs the planner role; you are signed in as viewer." in _captions(at)
    assert "Reverting data needs the planner role; you are signed in as viewer." in _captions(at)
    at.file_uploader(key="data_file").upload("feb.csv", (CORPUS / "good" / "comma_lf.csv").read_bytes(), "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "The file is valid." for s in at.success)  # the check (a dry run) is allowed
    assert not [b for b in at.button if b.key in ("data_commit", "data_revert")]
    assert not [s for s in at.selectbox if s.key == "data_revert_id"]
    history = _history_table(at)
    assert history["uploaded_by"].tolist() == ["all@example.com"]
    assert _store().scalar("SELECT count(*) FROM uploads") == 1


def test_a_planner_loads_and_is_shown_as_the_uploader_but_not_for_the_budget(signed_in_db):
    at = _data_page_as("planner@example.com")
    assert "needs the" not in _captions(at)
    at.file_uploader(key="data_file").upload("feb.csv", (CORPUS / "good" / "comma_lf.csv").read_bytes(), "text/csv")
    at.run()
    at.button(key="data_commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("COMMITTED" in s.value for s in at.success)
    history = _history_table(at)
    assert history["uploaded_by"].tolist() == ["planner@example.com", "all@example.com"]
    assert at.button(key="data_revert")  # the planner may revert
    # The budget is finance's: said when chosen, and no load button for a valid budget file.
    at.selectbox(key="data_kind").set_value("budget").run()
    assert "Loading the budget needs the finance role; you are signed in as planner." in _captions(at)
    at.file_uploader(key="data_file").upload(
        "budget.csv", b"family,month,volume,revenue\nA,2026-04,10,100\n", "text/csv"
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "The file is valid." for s in at.success)
    assert not [b for b in at.button if b.key == "data_commit"]
