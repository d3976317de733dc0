"""The Demand planning page under AppTest: demo and empty store, an override saved with a reason, refused without;
SKU-level entry, the month-range form, and the overrides carried into a new cycle (flags and confirmation)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sop_core import open_store
from sop_core.forecast import DEFAULT_LAYERS, model_table, overrides, save_override
from sop_core.people import local_actor
from tests.support.apptest import APP, build_demo_file, list_person, open_app_page, signed_in_as, use_copy
from tests.support.stores import DEMO_AS_OF

PAGE = "pages/demand_planning.py"

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_file(tmp_path_factory.mktemp("demand_planning"), DEMO_AS_OF)


@pytest.fixture()
def db_file(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_copy(demo_file, tmp_path, monkeypatch)


def open_page(at: AppTest) -> AppTest:
    return open_app_page(PAGE, at)


@pytest.fixture()
def page(db_file: Path) -> AppTest:
    """The app on a copy of the demo company, switched to the Demand planning page."""
    return open_page(AppTest.from_file(APP, default_timeout=60))


def chart(at: AppTest, key: str = "dp_chart") -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key))


def consensus_line(at: AppTest) -> list[float]:
    trace = next(t for t in chart(at)["data"] if t.get("name") == "Consensus")
    y = trace["y"]
    if isinstance(y, dict):  # plotly packs numeric arrays as base64 typed arrays
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
    return [float(v) for v in y]


def edit_first_row(at: AppTest, **cells: object) -> None:
    """Seed an edit of the editor's first row (layer Sales, first month), as the browser would send it."""
    editor = at.data_editor[0]
    assert editor.key and editor.key.startswith("dp_grid_")
    at.session_state[editor.key] = {"edited_rows": {0: cells}, "added_rows": [], "deleted_rows": []}


def save_button(at: AppTest):
    return next(b for b in at.button if b.label == "Save overrides")


def sign_as(at: AppTest, name: str) -> None:
    """Local mode: the sidebar's "Your name" (it signs the session's changes) set to ``name``.

    AppTest runs a switched-to page without ``app.py``, so the sidebar box is not drawn: set its state.
    """
    at.session_state["local_name"] = name


def test_page_renders_on_the_demo_company(page: AppTest):
    assert page.title[0].value == "Demand planning"
    names = [t.get("name") for t in chart(page)["data"]]
    assert {"Actual", "Baseline (statistical)", "80 % band", "95 % band", "Consensus", "Last approved plan"} <= set(
        names
    )
    assert any(n and n.startswith("+ ") for n in names), "the demo's draft has a layer with overrides"
    editor = page.data_editor[0]
    grid = editor.value
    assert list(grid.columns[:5]) == ["Layer", "Month", "Baseline", "Kind", "Value"]
    assert len(grid) == 4 * 18  # four layers x the plan horizon
    assert chart(page, "dp_fva_chart")["data"], "the FVA stairstep"
    assert any("worse" in w.value for w in page.warning), "the demo's optimistic Sales layer is flagged"
    assert page.sidebar.selectbox(key="dp_family").value == "Compact Pumps"
    assert page.sidebar.selectbox(key="dp_region").value != "All regions"


def test_page_renders_on_an_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOP_DB_PATH", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("SOP_DEMO", "0")
    at = open_page(AppTest.from_file(APP, default_timeout=60))
    assert any("Nothing to plan yet" in i.value for i in at.info)
    assert not at.data_editor


def test_an_override_with_a_reason_is_saved_and_moves_the_consensus(page: AppTest, db_file: Path):
    family = str(page.sidebar.selectbox(key="dp_family").value)
    region = str(page.sidebar.selectbox(key="dp_region").value)
    before = consensus_line(page)
    sign_as(page, "Ana Planner")
    edit_first_row(page, Value=250, Reason="Promotion", Comment="trade fair")
    save_button(page).click().run()
    assert not page.exception, [e.value for e in page.exception]
    assert not page.error, [e.value for e in page.error]
    assert any("Saved 1 override cell" in s.value for s in page.success)
    after = consensus_line(page)
    assert after[0] == pytest.approx(before[0] + 250) and after[1:] == pytest.approx(before[1:])
    with open_store(db_file) as store:
        saved = overrides(store, families=[family], regions=[region])
        row = saved[(saved["layer"] == "sales") & (saved["author"] == "Ana Planner")]
        assert len(row) == 1
        assert row["value"].iloc[0] == 250 and row["reason"].iloc[0] == "promotion"
        assert row["comment"].iloc[0] == "trade fair" and row["kind"].iloc[0] == "units"
        first = row["month"].iloc[0]
        plan = store.scalar(
            "SELECT quantity FROM demand_plan WHERE cycle = (SELECT max(cycle) FROM plan_versions) "
            "AND family = ? AND region = ? AND month = ?",
            [family, region, first],
        )
        assert plan == pytest.approx(after[0], abs=0.5)  # the consensus is the draft's demand plan


def test_an_override_without_a_reason_is_refused_and_nothing_changes(page: AppTest, db_file: Path):
    with open_store(db_file) as store:
        before = overrides(store)
        plan_before = store.query("SELECT * FROM demand_plan ORDER BY ALL")
    sign_as(page, "Ana Planner")
    edit_first_row(page, Value=250)
    save_button(page).click().run()
    assert not page.exception, [e.value for e in page.exception]
    message = " ".join(e.value for e in page.error)
    assert "no reason" in message and "Nothing was saved" in message
    assert "Compact Pumps" in message and "2026-11" in message, "the message names the cell"
    assert not page.success
    with open_store(db_file) as store:
        assert overrides(store).equals(before)
        assert store.query("SELECT * FROM demand_plan ORDER BY ALL").equals(plan_before)


def test_an_override_saved_without_a_name_is_signed_by_the_local_user(page: AppTest, db_file: Path):
    """Local mode: the actor always has an author (the sidebar's name, else "Local user"); no name field here."""
    assert not [t for t in page.main.text_input if t.label == "Your name"]
    edit_first_row(page, Value=250, Reason="Promotion")
    save_button(page).click().run()
    assert not page.error, [e.value for e in page.error]
    assert any("as Local user" in s.value for s in page.success)
    with open_store(db_file) as store:
        saved = overrides(store)
        assert saved[saved["value"] == 250]["author"].tolist() == ["Local user"]


def test_an_approved_cycle_shows_a_read_only_grid_with_the_reason(page: AppTest):
    page.sidebar.selectbox(key="dp_cycle").set_value(dt.date(2026, 10, 1)).run()
    assert not page.exception, [e.value for e in page.exception]
    assert any("approved" in i.value and "frozen" in i.value for i in page.info)
    assert not [b for b in page.button if b.label in ("Save overrides", "Run baseline")]
    assert page.data_editor[0].proto.disabled


def test_a_conflicting_save_names_who_changed_the_cell_and_saves_nothing(page: AppTest, db_file: Path):
    family = str(page.sidebar.selectbox(key="dp_family").value)
    region = str(page.sidebar.selectbox(key="dp_region").value)
    with open_store(db_file) as store:  # someone else saves the same cell after the page was read
        save_override(
            store,
            "2026-11-01",
            layer="sales",
            family=family,
            region=region,
            start="2026-11-01",
            value=40,
            reason="new_customer",
            actor=local_actor("Bo Sales"),
        )
    sign_as(page, "Ana Planner")
    edit_first_row(page, Value=250, Reason="Promotion")
    save_button(page).click().run()
    assert not page.exception, [e.value for e in page.exception]
    message = " ".join(e.value for e in page.error)
    assert "Bo Sales" in message and "after you opened it" in message
    next(b for b in page.button if b.label.startswith("Reload the grid")).click().run()
    assert not page.error and page.data_editor[0].value["Value"].iloc[0] == 40  # their change, on screen
    with open_store(db_file) as store:
        saved = overrides(store, families=[family], regions=[region])
        assert saved[saved["layer"] == "sales"]["value"].tolist() == [40]


def test_run_baseline_for_the_family_stores_the_model_choice(page: AppTest, db_file: Path):
    family = str(page.sidebar.selectbox(key="dp_family").value)
    page.radio(key="dp_run_scope").set_value("This family")
    next(b for b in page.button if b.label == "Run baseline").click().run(timeout=300)
    assert not page.exception, [e.value for e in page.exception]
    assert any("Baseline of cycle 2026-11 run for" in s.value for s in page.success)
    with open_store(db_file) as store:
        models = model_table(store, families=[family])
        assert set(models["mode"]) == {"full"} and models["holdout_mase"].notna().any()
        assert (models["sku"] != "").all()  # the full run forecasts per SKU x region
    assert "Holdout MASE (median)" in [m.label for m in page.metric]
    assert next(m for m in page.metric if m.label == "Holdout MASE (median)").value != "–"


def test_first_look_shows_the_chosen_models_and_the_holdout_error(page: AppTest):
    """The demo's draft baseline is the real engine's (full mode, SKU x region), not the quick mode."""
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Chosen model"] not in ("Quick", "")
    assert metrics["Holdout MASE (median)"] != "–"
    assert not any("quick mode" in c.value for c in page.caption)
    drill = next(d.value for d in page.dataframe if "Total" in d.value.index)
    assert len(drill) == 5 + 1  # the family's five SKUs and the total


def test_empty_override_cells_show_empty_not_none(page: AppTest):
    editor = page.data_editor[0]
    assert editor.proto.HasField("placeholder") and editor.proto.placeholder == ""
    assert editor.value["Reason"].isna().any() and editor.value["Value"].isna().any()  # the cells it applies to


def test_the_no_reason_message_uses_the_labels_on_screen(page: AppTest):
    sign_as(page, "Ana Planner")
    edit_first_row(page, Value=250)
    save_button(page).click().run()
    message = " ".join(e.value for e in page.error)
    assert "Sales override for Compact Pumps" in message and "2026-11" in message
    assert "Promotion" in message and "Market trend" in message and "market_trend" not in message


# ------------------------------------------------------------------------------ who may save
def write_controls(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.label in ("Save overrides", "Run baseline")]


def open_signed_in(email: str) -> AppTest:
    """The page with sign-in configured and ``email`` signed in."""
    return open_app_page(PAGE, signed_in_as(email))


def test_a_viewer_sees_the_grid_read_only_and_why(db_file: Path):
    at = open_signed_in("vera@example.com")  # not listed: the default role, viewer
    assert not write_controls(at) and not at.radio
    assert at.data_editor[0].proto.disabled
    assert any("need the planner role; you are signed in as viewer" in c.value for c in at.caption)
    assert not [t for t in at.text_input if t.label == "Your name"], "no free-text author when signed in"


def test_a_signed_in_planner_saves_and_the_override_records_the_email(db_file: Path):
    list_person(db_file, "pat@example.com", "planner")
    at = open_signed_in("pat@example.com")
    assert write_controls(at) == ["Save overrides", "Run baseline"]
    assert not any("need the planner role" in c.value for c in at.caption)
    edit_first_row(at, Value=250, Reason="Promotion")
    save_button(at).click().run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert any("as pat@example.com" in s.value for s in at.success)
    with open_store(db_file) as store:
        saved = overrides(store)
        assert saved[saved["value"] == 250]["author"].tolist() == ["pat@example.com"]


# ------------------------------------------------------------------------------ SKU level and month ranges
def family_region(at: AppTest) -> tuple[str, str]:
    return str(at.sidebar.selectbox(key="dp_family").value), str(at.sidebar.selectbox(key="dp_region").value)


def test_at_sku_level_the_grid_shows_and_saves_that_skus_overrides(page: AppTest, db_file: Path):
    family, region = family_region(page)
    sku_box = page.selectbox(key="dp_sku")
    assert sku_box.value == "All SKUs (family level)"
    assert sku_box.options[1:] == ["COM-101", "COM-102", "COM-103", "COM-104", "COM-105"]
    sku_box.set_value("COM-102").run()
    assert not page.exception, [e.value for e in page.exception]
    editor = page.data_editor[0]
    assert "COM-102" in str(editor.key)
    with open_store(db_file) as store:
        sku_base = store.scalar(
            "SELECT sum(forecast) FROM forecast_baseline WHERE cycle = DATE '2026-11-01' AND family = ? "
            "AND region = ? AND sku = 'COM-102' AND month = DATE '2026-11-01'",
            [family, region],
        )
    assert editor.value["Baseline"].iloc[0] == round(sku_base)  # the SKU's baseline, not the family's
    assert editor.value["Value"].isna().all()  # the family-level overrides are not this SKU's
    edit_first_row(page, Value=30, Reason="New customer", Comment="key account")
    save_button(page).click().run()
    assert not page.exception and not page.error, [e.value for e in [*page.exception, *page.error]]
    assert any("Saved 1 override cell" in s.value for s in page.success)
    with open_store(db_file) as store:
        saved = overrides(store, families=[family], regions=[region])
        row = saved[saved["sku"] == "COM-102"]
        assert row[["layer", "value", "reason", "comment"]].values.tolist() == [
            ["sales", 30.0, "new_customer", "key account"]
        ]
    page.selectbox(key="dp_sku").set_value("All SKUs (family level)").run()
    listed = next(d.value for d in page.dataframe if "SKU" in d.value.columns and "Override" in d.value.columns)
    assert listed[["SKU", "Layer", "Override", "Reason"]].values.tolist() == [
        ["COM-102", "Sales", "+30 units", "New customer"]
    ]
    assert any("SKU-level overrides of" in e.label and "1 cell(s) on 1 SKU(s)" in e.label for e in page.expander)


def test_a_sku_override_saved_elsewhere_is_listed_at_family_level(page: AppTest, db_file: Path):
    family, region = family_region(page)
    assert not [e for e in page.expander if "SKU-level overrides" in e.label]
    with open_store(db_file) as store:  # e.g. from the command line or the API
        save_override(
            store,
            "2026-11-01",
            layer="marketing",
            family=family,
            region=region,
            sku="COM-104",
            start="2026-12",
            end="2027-01",
            value=-10,
            kind="pct",
            reason="price_change",
            actor=local_actor("Mara Marketing"),
        )
    page.run()
    listed = next(d.value for d in page.dataframe if "SKU" in d.value.columns and "Override" in d.value.columns)
    assert listed["SKU"].tolist() == ["COM-104", "COM-104"] and listed["Override"].tolist() == ["-10 %", "-10 %"]
    assert listed["Last change"].str.startswith("Mara Marketing").all()


def fill_range(at: AppTest, *, layer: str = "Sales", first: dt.date, last: dt.date, value: float | None, **more):
    at.selectbox(key="dp_range_layer").set_value(layer)
    at.selectbox(key="dp_range_from").set_value(first)
    at.selectbox(key="dp_range_to").set_value(last)
    at.number_input(key="dp_range_value").set_value(value)
    if "kind" in more:
        at.radio(key="dp_range_kind").set_value(more["kind"])
    if "reason" in more:
        at.selectbox(key="dp_range_reason").set_value(more["reason"])
    if "comment" in more:
        at.text_input(key="dp_range_comment").set_value(more["comment"])
    next(b for b in at.button if b.label == "Save the range").click().run()
    assert not at.exception, [e.value for e in at.exception]


NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)


def test_the_range_form_saves_one_override_over_several_months(page: AppTest, db_file: Path):
    family, region = family_region(page)
    before = consensus_line(page)
    sign_as(page, "Ana Planner")
    fill_range(page, first=NOV, last=JAN, value=40, reason="Promotion", comment="spring fair")
    assert not page.error, [e.value for e in page.error]
    message = " ".join(s.value for s in page.success)
    assert "Saved the Sales override +40 units" in message and "Nov 2026 – Jan 2027 (3 cell(s) written)" in message
    assert "reason Promotion, as Ana Planner" in message
    after = consensus_line(page)
    assert after[:3] == pytest.approx([b + 40 for b in before[:3]]) and after[3:] == pytest.approx(before[3:])
    with open_store(db_file) as store:
        saved = overrides(store, families=[family], regions=[region])
        rows = saved[(saved["layer"] == "sales") & (saved["author"] == "Ana Planner")]
        assert [pd.Timestamp(m).date() for m in rows["month"]] == [NOV, DEC, JAN]
        assert set(rows["value"]) == {40.0} and set(rows["comment"]) == {"spring fair"}


def test_the_range_form_refuses_a_range_without_a_reason_and_saves_nothing(page: AppTest, db_file: Path):
    with open_store(db_file) as store:
        before = overrides(store)
        plan_before = store.query("SELECT * FROM demand_plan ORDER BY ALL")
    fill_range(page, first=NOV, last=DEC, value=12.5, kind="%")
    message = " ".join(e.value for e in page.error)
    assert "no reason" in message and "Nothing was saved" in message and "Sales override for Compact Pumps" in message
    fill_range(page, first=DEC, last=NOV, value=5, reason="Other")  # the months the wrong way round
    assert "end month is before its start month" in " ".join(e.value for e in page.error)
    fill_range(page, first=NOV, last=DEC, value=None, reason="Other")
    assert "enter a value" in " ".join(e.value for e in page.error)
    assert not page.success
    with open_store(db_file) as store:
        assert overrides(store).equals(before)
        assert store.query("SELECT * FROM demand_plan ORDER BY ALL").equals(plan_before)


def test_the_range_form_refuses_a_cell_changed_since_the_page_was_read(page: AppTest, db_file: Path):
    family, region = family_region(page)
    with open_store(db_file) as store:  # someone else saves December after the page was read
        save_override(
            store,
            "2026-11-01",
            layer="sales",
            family=family,
            region=region,
            start=DEC,
            value=7,
            reason="other",
            actor=local_actor("Bo Sales"),
        )
    sign_as(page, "Ana Planner")
    fill_range(page, first=NOV, last=JAN, value=40, reason="Promotion")
    message = " ".join(e.value for e in page.error)
    assert "Bo Sales" in message and "after you opened it" in message
    with open_store(db_file) as store:
        saved = overrides(store, families=[family], regions=[region])
        assert saved[saved["layer"] == "sales"]["value"].tolist() == [7.0]  # theirs, and nothing of the range


def test_the_range_form_will_not_drop_unsaved_grid_edits(page: AppTest, db_file: Path):
    edit_first_row(page, Value=250, Reason="Promotion")
    page.run()
    fill_range(page, first=DEC, last=JAN, value=40, reason="Promotion")
    assert "the grid above has 1 unsaved change(s)" in " ".join(e.value for e in page.error)
    with open_store(db_file) as store:
        assert not (overrides(store)["value"] == 40).any()


def test_a_viewer_sees_neither_the_range_form_nor_a_sku_save(db_file: Path):
    at = open_signed_in("vera@example.com")
    assert not [b for b in at.button if b.label == "Save the range"]
    at.selectbox(key="dp_sku").set_value("COM-101").run()
    assert not at.exception and at.data_editor[0].proto.disabled


# ------------------------------------------------------------------------------ overrides carried into a new cycle
def open_next_cycle(path: Path) -> dt.date:
    """Finish the demo's draft cycle (its open tasks waived, steps signed off, plan approved) and open the next
    one through the engine (quick baseline): the draft's overrides inside the new horizon are carried."""
    from sop_core.cycle import approve_cycle, cycle_status, open_cycle, sign_off_step, tick_task

    lead = local_actor("Cycle lead")
    with open_store(path) as store:
        cycle = cycle_status(store).cycle
        for task in ("capacity_ok", "supply_reviewed", "scenarios_prepared", "preread_sent"):
            tick_task(store, cycle, task, actor=lead, comment="waived for the test")
        for step in ("supply", "pre_sop"):
            sign_off_step(store, cycle, step, actor=lead)
        approve_cycle(store, cycle, actor=lead)
        return open_cycle(store, actor=lead, mode="quick").cycle


@pytest.fixture(scope="session")
def opened_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demand_planning_opened") / "opened.duckdb"
    shutil.copy(demo_file, path)
    assert open_next_cycle(path) == dt.date(2026, 12, 1)
    return path


@pytest.fixture()
def opened_db(opened_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_copy(opened_file, tmp_path, monkeypatch)


def to_review(db: Path) -> pd.DataFrame:
    from sop_core.cycle import carried_overrides

    with open_store(db) as store:
        carried = carried_overrides(store, "2026-12")
    return carried[carried["to_review"]]


def review_warning(at: AppTest) -> str:
    return next(w.value for w in at.warning if "await review" in w.value)


def test_carried_cells_are_flagged_counted_and_confirmed(opened_db: Path):
    at = open_page(AppTest.from_file(APP, default_timeout=60))
    family, region = family_region(at)
    assert at.sidebar.selectbox(key="dp_cycle").value == dt.date(2026, 12, 1)
    todo = to_review(opened_db)
    here = todo[(todo["family"] == family) & (todo["region"] == region)]
    assert len(here) and len(todo) > len(here)
    warning = review_warning(at)
    assert f"{len(here)} override cell(s) of {family} · {region} were carried from the November 2026 cycle" in warning
    assert f"({len(todo)} in the whole cycle)" in warning
    grid = at.data_editor[0].value
    marked = grid[grid["Carried"].str.startswith("⚑ To review (from Nov 2026)")]
    assert sorted(zip(marked["Layer"], marked["Month"], strict=True)) == sorted(
        (dict(DEFAULT_LAYERS)[r.layer], f"{pd.Timestamp(r.month):%b %Y}") for r in here.itertuples()
    )
    at.toggle(key="dp_review_only").set_value(True).run()
    assert len(at.data_editor[0].value) == len(here)  # only the cells to review

    next(b for b in at.button if b.label.startswith("Confirm reviewed:")).click().run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert any(f"Confirmed {len(here)} carried override cell(s) of {family} · {region}" in s.value for s in at.success)
    left = to_review(opened_db)
    assert len(left) == len(todo) - len(here) and not ((left["family"] == family) & (left["region"] == region)).any()
    assert not [w for w in at.warning if "await review" in w.value]
    assert any(f"{len(left)} cell(s) elsewhere in this cycle" in c.value for c in at.caption)
    assert at.data_editor[0].value["Carried"].str.startswith("Reviewed (from Nov 2026)").sum() == len(here)

    next(b for b in at.button if b.label.startswith("Confirm all carried cells")).click().run()
    assert to_review(opened_db).empty
    assert any("have been reviewed" in c.value for c in at.caption)


def test_saving_a_carried_cell_in_the_grid_counts_as_reviewing_it(opened_db: Path):
    at = open_page(AppTest.from_file(APP, default_timeout=60))
    before = len(to_review(opened_db))
    at.toggle(key="dp_review_only").set_value(True).run()
    editor = at.data_editor[0]
    at.session_state[str(editor.key)] = {"edited_rows": {0: {"Value": 20}}, "added_rows": [], "deleted_rows": []}
    save_button(at).click().run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert len(to_review(opened_db)) == before - 1  # the engine: re-saved = reviewed
    warning = review_warning(at)  # the page agrees: one fewer here and in the whole cycle
    assert f"({before - 1} in the whole cycle)" in warning


def test_a_viewer_sees_the_carried_flags_but_no_confirm_button(opened_db: Path):
    at = open_signed_in("vera@example.com")
    assert "await review" in review_warning(at)
    assert at.data_editor[0].value["Carried"].str.startswith("⚑ To review").any()
    assert not [b for b in at.button if b.label.startswith("Confirm")]
    assert any("Confirming carried overrides needs the planner role" in c.value for c in at.caption)


def test_an_approved_cycle_shows_its_unreviewed_carried_cells_without_a_confirm_button(opened_db: Path):
    from sop_core.plans import approve_plan

    with open_store(opened_db) as store:
        approve_plan(store, "2026-12", local_actor("Eve Executive"))
    at = open_page(AppTest.from_file(APP, default_timeout=60))
    assert any("were not reviewed before the plan was approved" in c.value for c in at.caption)
    assert not [w for w in at.warning if "await review" in w.value]
    assert not [b for b in at.button if b.label.startswith("Confirm")]
    assert at.data_editor[0].value["Carried"].str.startswith("⚑ To review").any()
