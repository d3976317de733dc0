"""The cycle template as data: the steps' owning roles (migration 6), editing the template and the holidays, the
closed month's actuals check, and the Admin page's "S&OP cycle template" section."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sop_core import Store, open_store, schema
from sop_core.actuals import insert_actuals, refresh_rollup
from sop_core.cycle import CycleError, EditConflictError, cycle_status, cycle_template, holidays, task_template
from sop_core.cycle.tasks import check_actuals_loaded
from sop_core.cycle.template import update_template
from sop_core.cycle.workdays import add_holiday, remove_holiday
from sop_core.people import local_actor
from tests.support.apptest import list_person, open_app_page, signed_in_as
from tests.support.people import ADMIN, PLANNER

LENA = local_actor("Lena")  # the local single-user mode (every role), signing as Lena
ROLES_BY_STEP = {"data": "planner", "demand": "planner", "supply": "planner", "pre_sop": "finance"}
ADMIN_PAGE = "pages/admin.py"


def dump(store: Store) -> dict[str, list[str]]:
    """Every table's rows, sorted: the whole store."""
    names = store.query("SELECT table_name FROM information_schema.tables ORDER BY 1")["table_name"]
    # table names come from the catalog, not from input
    return {
        n: sorted(repr(tuple(row)) for row in store.query(f"SELECT * FROM {n}").itertuples(index=False)) for n in names
    }


# ------------------------------------------------------------------------------ migration 6
def test_migration_6_gives_existing_steps_their_owning_roles(db_path: str):
    con = duckdb.connect(db_path)
    for version, statements in enumerate(schema.MIGRATIONS[:5], start=1):
        for statement in statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    con.execute("INSERT INTO plan_versions (cycle, status) VALUES (DATE '2026-03-01', 'draft')")
    con.execute("INSERT INTO cycles VALUES (DATE '2026-03-01', DATE '2026-03-01', NULL, 'Ines', current_timestamp)")
    con.execute(
        "INSERT INTO cycle_steps (cycle, step, position, name, owner, offset_days, due_date) "
        "SELECT DATE '2026-03-01', step, position, name, owner, offset_days, DATE '2026-03-02' + offset_days "
        "FROM cycle_template"
    )
    con.execute("UPDATE cycle_template SET owner = 'Tom Berg' WHERE step = 'pre_sop'")  # a store's own edit
    con.close()
    with open_store(db_path) as store:
        assert store.schema_version() == len(schema.MIGRATIONS)
        template = cycle_template(store).set_index("step")
        assert template["owner_role"].to_dict() == {**ROLES_BY_STEP, "executive": "executive"}
        assert template.loc["pre_sop", "owner"] == "Tom Berg"  # kept
        opened = store.query("SELECT step, owner_role FROM cycle_steps ORDER BY position")
        assert opened["owner_role"].tolist() == [*ROLES_BY_STEP.values(), "executive"]
        steps = cycle_status(store, "2026-03", today=dt.date(2026, 3, 2)).steps
        assert steps["owner_role"].tolist() == [*ROLES_BY_STEP.values(), "executive"]


# ------------------------------------------------------------------------------ editing the template
def test_the_owning_role_must_be_one_that_may_sign_off(tiny: Store):
    before = dump(tiny)
    for step, role, allowed in (
        ("supply", "viewer", "planner or finance or executive"),
        ("supply", "admin", "planner or finance or executive"),
        ("executive", "finance", "executive (approving the plan signs it off)"),
    ):
        with pytest.raises(CycleError, match=re.escape(f"The {step} step's owning role must be {allowed}")):
            update_template(tiny, {step: {"owner_role": role}}, actor=LENA)
    with pytest.raises(CycleError, match="whole number of working days; not 'soon'"):
        update_template(tiny, {"supply": {"offset_days": "soon"}}, actor=LENA)
    with pytest.raises(CycleError, match="needs a name and an owner"):
        update_template(tiny, {"supply": {"owner": "  "}}, actor=LENA)
    with pytest.raises(CycleError, match="Unknown step 'review'"):
        update_template(tiny, {"review": {"owner": "x"}}, actor=LENA)
    with pytest.raises(PermissionError, match="may not change settings: needs admin"):
        update_template(tiny, {"supply": {"owner_role": "finance"}}, actor=PLANNER)
    assert dump(tiny) == before
    assert update_template(tiny, {"supply": {"owner_role": " Finance "}}, actor=ADMIN) == ["supply"]
    assert cycle_template(tiny).set_index("step").loc["supply", "owner_role"] == "finance"


def test_several_steps_change_at_once_or_not_at_all(tiny: Store):
    later = {"data": 4, "demand": 7, "supply": 10, "pre_sop": 13, "executive": 16}  # every step a day later
    with pytest.raises(CycleError, match="between the offsets"):  # one at a time the first would pass the second
        update_template(tiny, {"data": {"offset_days": 7}, "demand": {"offset_days": 5}}, actor=LENA)
    assert cycle_template(tiny)["offset_days"].tolist() == [3, 6, 9, 12, 15]
    changes = {step: {"offset_days": days} for step, days in later.items()}
    assert update_template(tiny, changes, actor=LENA) == list(later)
    assert cycle_template(tiny)["offset_days"].tolist() == list(later.values())
    assert update_template(tiny, changes, actor=LENA) == []  # nothing new: nothing logged
    logged = tiny.scalar("SELECT count(*) FROM decisions WHERE kind = 'template'")
    assert logged == len(later)


def test_a_stale_template_save_is_refused_naming_who_and_when(tiny: Store):
    seen = cycle_template(tiny).set_index("step").loc["supply"].to_dict()  # both admins open the template
    update_template(tiny, {"supply": {"owner": "Lena Brandt"}}, actor=ADMIN, seen={"supply": seen})
    before = dump(tiny)
    with pytest.raises(EditConflictError) as refused:
        update_template(tiny, {"supply": {"offset_days": 10}}, actor=LENA, seen={"supply": seen})
    message = str(refused.value)
    assert "The Supply review step was changed by admin@example.com at" in message
    assert "owner: Operations → Lena Brandt" in message and "Nothing was saved" in message
    assert dump(tiny) == before


# ------------------------------------------------------------------------------ holidays
def test_holidays_are_added_and_removed_with_clear_refusals(tiny: Store):
    add_holiday(tiny, "2026-03-02", "Plant holiday", actor=LENA)
    assert cycle_status(tiny, "2026-03", today=dt.date(2026, 3, 1)).steps.loc[0, "due_date"] == dt.date(2026, 3, 5)
    before = dump(tiny)
    with pytest.raises(CycleError, match=re.escape("Not a date: '2026-13-45' (use YYYY-MM-DD)")):
        add_holiday(tiny, "2026-13-45", "Nonsense", actor=LENA)
    with pytest.raises(CycleError, match="needs a name"):
        add_holiday(tiny, "2026-03-03", " ", actor=LENA)
    with pytest.raises(CycleError, match="2026-03-04 is not a holiday"):
        remove_holiday(tiny, "2026-03-04", actor=LENA)
    with pytest.raises(PermissionError, match="may not change settings"):
        remove_holiday(tiny, "2026-03-02", actor=PLANNER)
    assert dump(tiny) == before
    assert remove_holiday(tiny, "2026-03-02", actor=ADMIN) == "Plant holiday"
    assert holidays(tiny) == []
    assert cycle_status(tiny, "2026-03", today=dt.date(2026, 3, 1)).steps.loc[0, "due_date"] == dt.date(2026, 3, 4)
    last = tiny.query("SELECT subject, detail, decided_by FROM decisions WHERE kind = 'holiday' ORDER BY decision_id")
    assert last.iloc[-1].tolist() == ["2026-03-02", '{"removed": "Plant holiday"}', "admin@example.com"]


# ------------------------------------------------------------------------------ the closed month's actuals
def test_the_actuals_check_needs_the_stock_count_of_every_family(tiny: Store):
    march = dt.date(2026, 3, 1)  # closed month: February
    rows = pd.DataFrame(
        {
            "kind": ["production", "inventory"],
            "month": ["2026-02-01", "2026-02-01"],
            "sku": [None, None],
            "family": ["B", "A"],
            "region": ["", ""],
            "quantity": [11.0, 30.0],
            "revenue": [None, None],
        }
    )
    with tiny.transaction() as cur:
        cur.execute("DELETE FROM actuals WHERE kind = 'inventory'")  # A's count goes; B's backlog stays
        refresh_rollup(cur, ["inventory"])
        insert_actuals(cur, rows.iloc[:1])
    done, detail = check_actuals_loaded(tiny, march)
    assert not done and detail == "2026-02 missing for 1 of 2 families: A (stock count)"
    with tiny.transaction() as cur:
        insert_actuals(cur, rows.iloc[1:])
    assert check_actuals_loaded(tiny, march) == (True, "2026-02: demand, production and stock count for all 2 families")


# ------------------------------------------------------------------------------ the Admin page's section
@pytest.fixture()
def admin_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store (the template is seeded by the schema) for the Admin page."""
    path = tmp_path / "sop.duckdb"
    monkeypatch.setenv("SOP_DB_PATH", str(path))
    monkeypatch.setenv("SOP_DEMO", "0")
    return path


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_the_admin_page_edits_the_cycle_template(admin_db: Path):
    at = open_app_page(ADMIN_PAGE)
    assert "S&OP cycle template" in [h.value for h in at.header]
    assert any("Changes apply to cycles opened afterwards" in c.value for c in at.caption)
    editor = next(e for e in at.data_editor if str(e.key).startswith("admin_steps_editor"))
    shown = editor.value
    assert shown["Owning role"].tolist() == [*ROLES_BY_STEP.values(), "executive"]
    # the supply review handed to finance and a day later
    at.session_state[str(editor.key)] = {
        "edited_rows": {2: {"Owning role": "finance", "Due (working day)": 10}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    button(at, "Save steps").click().run()
    assert not at.exception and [s.value for s in at.success] == [
        "Saved the template's steps (supply) for cycles opened from now on."
    ]
    # a bad offset: the engine's refusal, the template unchanged
    editor = next(e for e in at.data_editor if str(e.key).startswith("admin_steps_editor"))
    edit = {"edited_rows": {0: {"Due (working day)": 8}}, "added_rows": [], "deleted_rows": []}
    at.session_state[str(editor.key)] = edit
    at.run()
    button(at, "Save steps").click().run()
    assert any("between the offsets" in e.value for e in at.error)
    at.selectbox(key="admin_task_step").set_value("pre_sop")
    at.text_input(key="admin_task_label").input("Freight capacity booked")
    button(at, "Add task").click().run()
    assert "Added the task “Freight capacity booked” to Pre-S&OP reconciliation" in at.success[0].value
    at.date_input(key="admin_holiday_day").set_value(dt.date(2026, 12, 24))
    at.text_input(key="admin_holiday_name").input("Christmas Eve")
    button(at, "Add holiday").click().run()
    assert not at.exception and "Added the holiday 2026-12-24" in at.success[0].value
    button(at, "Remove holiday").click().run()
    assert "Removed the holiday 2026-12-24" in at.success[0].value
    with open_store(admin_db) as store:
        template = cycle_template(store).set_index("step")
        assert (template.loc["supply", "owner_role"], template.loc["supply", "offset_days"]) == ("finance", 10)
        assert template.loc["data", "offset_days"] == 3
        assert "Freight capacity booked" in task_template(store)["label"].tolist()
        assert holidays(store) == []
        authors = store.query("SELECT DISTINCT decided_by FROM decisions WHERE kind IN ('template', 'holiday')")
        assert authors["decided_by"].tolist() == ["Local user"]


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_a_signed_in_admin_gets_the_template_section(admin_db: Path):
    list_person(admin_db, "boss@example.com", "admin")
    at = open_app_page(ADMIN_PAGE, signed_in_as("boss@example.com"))
    assert "S&OP cycle template" in [h.value for h in at.header]
    assert any(str(e.key).startswith("admin_steps_editor") for e in at.data_editor)
    assert {"Save steps", "Add task", "Add holiday"} <= {b.label for b in at.button}
