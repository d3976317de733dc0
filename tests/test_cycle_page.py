"""The Cycle page under AppTest: the demo company part-way through its cycle, an empty store, and refusals.

The demo is built for today (not the fixed test date), so that its current cycle shows the moment it was made
for: data and demand review done, the supply review in progress.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sop_core import cycle as cy
from sop_core import open_store
from sop_core.cycle import cycle_status, sign_off_step, tick_task
from sop_core.months import current_month
from sop_core.scenario import Levers, save_scenario
from sop_ui.auth import LOCAL_NAME_KEY
from sop_ui.cycle_cards.registers import history_frame, table_frame
from tests.support.apptest import APP, build_demo_file, list_person, open_app_page, signed_in_as, use_copy
from tests.support.people import EVERYONE, person

PAGE = "pages/cycle.py"

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_file(tmp_path_factory.mktemp("cycle_page"), None)


@pytest.fixture()
def db_file(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_copy(demo_file, tmp_path, monkeypatch)


def open_page(at: AppTest) -> AppTest:
    return open_app_page(PAGE, at)


@pytest.fixture()
def page(db_file: Path) -> AppTest:
    """The app on a copy of the demo company, switched to the Cycle page."""
    return open_page(AppTest.from_file(APP, default_timeout=60))


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def tables(at: AppTest, column: str) -> list[pd.DataFrame]:
    """The page's tables that have ``column``, in page order."""
    return [d.value for d in at.dataframe if column in getattr(d.value, "columns", [])]


def chart_keys(at: AppTest) -> set[str]:
    return {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}


def test_demo_cycle_part_way(page: AppTest, db_file: Path):
    assert page.title[0].value == "S&OP cycle"
    steps = tables(page, "Signed off")[0]
    assert steps["Status"].tolist()[:3] == ["done", "done", "in progress"]
    assert steps["Signed off"].iloc[0] and steps["Signed off"].iloc[1] and not steps["Signed off"].iloc[2]
    assert {"cy_timeline", "cy_capacity", "cy_utilisation", "cy_budget"} <= chart_keys(page)
    assert "Assembly" in texts(page.warning)  # the demo's overload, found by the supply check
    assert "Sign off: Supply review" in [b.label for b in page.button]
    agenda = pd.concat(tables(page, "topic"))
    assert "Capacity overload" in agenda["topic"].tolist()
    decisions = tables(page, "Carried")[0]
    assert "overdue" in decisions["Status"].tolist()
    with open_store(db_file) as store:
        status = cycle_status(store)
    progress = next(p for p in page.get("progress"))
    assert getattr(progress, "value", None) == int(status.progress * 100)  # AppTest reports the bar in percent


def test_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOP_DB_PATH", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("SOP_DEMO", "0")
    at = open_page(AppTest.from_file(APP, default_timeout=60))
    assert "No S&OP cycle yet" in texts(at.info)
    assert "Open the next cycle" not in [b.label for b in at.button]  # no families: nothing to open


def test_approve_refused_before_the_steps_are_signed_off(page: AppTest, db_file: Path):
    page.text_input(key="cy_approve_comment").set_value("Looks fine")
    button(page, "Approve the plan").click().run()
    assert not page.exception
    assert "cannot be approved before these steps are signed off" in texts(page.error)
    with open_store(db_file) as store:
        assert cycle_status(store).plan_status == "draft"


def test_reopen_refused_without_a_reason(page: AppTest, db_file: Path):
    page.sidebar.selectbox(key="cy_cycle_pick").select_index(1).run()  # last month's cycle, approved
    page.session_state[LOCAL_NAME_KEY] = "Katrin Wolf"  # local mode: the app shell's one name (sop_ui.auth)
    button(page, "Reopen the plan").click().run()
    assert not page.exception
    assert "needs a reason" in texts(page.error)
    with open_store(db_file) as store:
        latest_approved = store.query("SELECT max(cycle) AS c FROM plan_versions WHERE status = 'approved'")
        assert cycle_status(store, latest_approved["c"].iloc[0]).plan_status == "approved"
        assert not store.scalar("SELECT count(*) FROM decisions WHERE kind = 'reopen_plan'")


def test_supply_plan_generated_and_an_adjustment_needs_a_reason(page: AppTest, db_file: Path):
    page.session_state[LOCAL_NAME_KEY] = "Lena Brandt"
    button(page, "Generate the supply plan").click().run()
    assert not page.exception
    assert "generated by Lena Brandt for 8 families" in texts(page.success)
    with open_store(db_file) as store:
        assert store.scalar("SELECT count(*) FROM decisions WHERE kind = 'supply_plan'") == 1
        before = store.query("SELECT * FROM production_plan ORDER BY ALL")
    button(page, "Adjust").click().run()  # no reason given
    assert not page.exception
    assert "a reason is required" in texts(page.error)
    with open_store(db_file) as store:
        assert store.query("SELECT * FROM production_plan ORDER BY ALL").equals(before)
        assert not store.scalar("SELECT count(*) FROM supply_adjustments")


@pytest.mark.parametrize("review_page", ["pages/overview.py", "pages/executive.py"])
def test_overdue_items_show_on_overview_and_executive(db_file: Path, review_page: str):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(review_page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Overdue decisions and assumptions" in [s.value for s in at.subheader]
    overdue = next(m.value for m in at.markdown if "days overdue" in m.value)
    assert "Qualify a second casting supplier for Industrial Pumps" in overdue
    assert all(int(n) > 0 for n in re.findall(r"(\d+) days overdue", overdue))


# ------------------------------------------------------------------------------ who sees which control
WRITE_BUTTONS = {
    "Open the next cycle",
    "Sign off: Supply review",
    "Approve the plan",
    "Reopen the plan",
    "Generate the supply plan",
    "Adjust",
    "Add decision",
    "Add assumption",
    "Save changes",
}


def page_as(db: Path, email: str, *roles: str) -> AppTest:
    """The Cycle page with sign-in configured and ``email`` (listed with ``roles``) signed in."""
    list_person(db, email, *roles)
    return open_app_page(PAGE, signed_in_as(email))


def captions(at: AppTest) -> str:
    return " ".join(str(c.value) for c in at.caption)


def tick_boxes(at: AppTest) -> list[str]:
    return [str(c.key) for c in at.checkbox if str(c.key).startswith("cy_tick")]


def steps_done_but_the_meeting(db: Path) -> None:
    """The latest cycle ready for the executive meeting: every earlier task ticked (checks waived), steps signed."""
    with open_store(db) as store:
        status = cycle_status(store)
        tasks = status.tasks
        for task in tasks[(tasks["step"] != "executive") & ~tasks["done"]].itertuples():
            note = "waived for the test" if task.auto else ""
            tick_task(store, status.cycle, task.task, actor=EVERYONE, comment=note)
        for step in status.steps[(status.steps["step"] != "executive") & status.steps["signed_by"].isna()]["step"]:
            sign_off_step(store, status.cycle, str(step), actor=EVERYONE)


def test_a_viewer_sees_no_write_control(db_file: Path):
    at = page_as(db_file, "vera@example.com", "viewer")
    assert not WRITE_BUTTONS & {b.label for b in at.button}
    assert not tick_boxes(at)
    assert not {"cy_adj_reason", "cy_approve_comment", "cy_add_decision_owner"} & {t.key for t in at.text_input}
    shown = captions(at)
    assert "Approving the plan needs the executive role; you are signed in as viewer." in shown
    assert "Ticking tasks needs the planner role" in shown and "Opening a cycle needs the planner role" in shown
    assert "Signing off a step needs the planner or finance or executive role" in shown
    assert "Adding or changing decisions needs the planner or finance or executive role" in shown
    assert "Generating the supply plan needs the planner role" in shown
    assert not at.sidebar.text_input  # signed in: no free-text name anywhere


def test_a_planner_runs_the_cycle_but_does_not_approve(db_file: Path):
    at = page_as(db_file, "lena@example.com", "planner")
    labels = {b.label for b in at.button}
    assert {"Sign off: Supply review", "Generate the supply plan", "Adjust", "Add decision"} <= labels
    assert "Approve the plan" not in labels and tick_boxes(at)
    assert "Approving the plan needs the executive role; you are signed in as planner." in captions(at)
    button(at, "Generate the supply plan").click().run()
    assert "generated by lena@example.com for 8 families" in texts(at.success)


def test_an_executive_sees_approve_and_approves(db_file: Path):
    steps_done_but_the_meeting(db_file)
    at = page_as(db_file, "katrin@example.com", "executive")
    labels = {b.label for b in at.button}
    assert "Approve the plan" in labels and not {"Generate the supply plan", "Adjust", "Open the next cycle"} & labels
    assert not tick_boxes(at)
    at.text_input(key="cy_approve_comment").set_value("As proposed")
    button(at, "Approve the plan").click().run()
    assert not at.exception
    assert "approved by katrin@example.com" in texts(at.success)
    with open_store(db_file) as store:
        status = cycle_status(store)
        assert status.approved and status.approved_by == "katrin@example.com"
    assert "Reopen the plan" in {b.label for b in at.button}


# ------------------------------------------------------------------------------ a stale save on the page
RIVAL = person("planner", "executive", email="rival@example.com")


def test_a_decision_changed_meanwhile_is_not_overwritten(page: AppTest, db_file: Path):
    with open_store(db_file) as store:
        first = int(cy.list_decisions(store)["id"].min())  # the edit form shows the first decision
        shown = cy.list_decisions(store).set_index("id").loc[first]
        seen = cy.item_version(store, "decision", first)
        cy.update_decision(store, first, {"owner": "Rival owner"}, actor=RIVAL, seen=seen)
    new_status = next(s for s in cy.ITEM_STATUSES if s != shown["status"])
    page.selectbox(key=f"cy_edit_decision_{first}_0_status").set_value(new_status)
    button(page, "Save changes").click().run()
    assert not page.exception
    assert f"Decision #{first} was changed by rival@example.com" in texts(page.error)
    with open_store(db_file) as store:
        now = cy.list_decisions(store).set_index("id").loc[first]
        assert (now["owner"], now["status"], now["updated_by"]) == ("Rival owner", shown["status"], "rival@example.com")
    # the form starts again from the decision as it is now: saving again applies the change
    page.selectbox(key=f"cy_edit_decision_{first}_1_status").set_value(new_status)
    button(page, "Save changes").click().run()
    with open_store(db_file) as store:
        assert cy.list_decisions(store).set_index("id").loc[first, "status"] == new_status


def test_a_supply_cell_changed_meanwhile_is_not_overwritten(page: AppTest, db_file: Path):
    family, month = str(page.selectbox(key="cy_adj_family").value), page.selectbox(key="cy_adj_month").value
    assert isinstance(month, dt.date)
    cycle = current_month()
    with open_store(db_file) as store:
        seen = store.scalar(
            "SELECT quantity FROM production_plan WHERE cycle = ? AND family = ? AND month = ?", [cycle, family, month]
        )
        cy.adjust_supply_plan(store, cycle, family, month, 1234, actor=RIVAL, reason="rival", seen=seen)
    page.text_input(key="cy_adj_reason").set_value("mine")
    page.number_input(key=f"cy_adj_qty_{family}_{month:%Y-%m}_0").set_value(99.0)
    button(page, "Adjust").click().run()
    assert not page.exception
    assert "changed by rival@example.com at" in texts(page.error) and "now 1,234 units" in texts(page.error)
    with open_store(db_file) as store:
        assert cy.supply_adjustments(store)["adjusted_by"].tolist() == ["rival@example.com"]


# ------------------------------------------------------------------------------ the register forms (issue 11)
def saved_scenario(db: Path, name: str) -> int:
    """Save a scenario (default levers) in the store, as the Scenarios page would; its id."""
    with open_store(db) as store:
        return save_scenario(store, name, Levers(), EVERYONE, note="for the register tests")


def item_history(at: AppTest) -> pd.DataFrame:
    """The picked item's history (the first table with a Change column and no item number)."""
    return next(t for t in tables(at, "Change") if "#" not in t.columns)


def test_every_field_of_a_decision_is_edited_and_its_history_shown(db_file: Path):
    sid = saved_scenario(db_file, "Saturday shifts")
    at = open_page(AppTest.from_file(APP, default_timeout=60))
    with open_store(db_file) as store:
        first = int(cy.list_decisions(store)["id"].min())
        before = cy.list_decisions(store).set_index("id").loc[first]
        families = store.query("SELECT family FROM families ORDER BY family")["family"].tolist()
    family = next(f for f in families if f != before["family"])
    key = f"cy_edit_decision_{first}_0"
    at.text_area(key=f"{key}_text").set_value("Reworded: run Saturday shifts on Assembly")
    at.selectbox(key=f"{key}_family").set_value(family)
    at.selectbox(key=f"{key}_scenario").set_value(sid)
    at.selectbox(key=f"{key}_resource").set_value("Assembly")
    button(at, "Save changes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Decision #{first}: text, family, scenario, resource changed by" in texts(at.success)
    with open_store(db_file) as store:
        now = cy.list_decisions(store).set_index("id").loc[first]
        trail = cy.audit_trail(store, "decision", first)
    assert (now["text"], now["family"], now["scenario"], now["resource"]) == (
        "Reworded: run Saturday shifts on Assembly",
        family,
        "Saturday shifts",
        "Assembly",
    )
    assert now["status"] == before["status"] and now["owner"] == before["owner"]  # what was not touched stays
    assert {"text", "family", "scenario_id", "resource"} <= set(trail["field"])
    table = tables(at, "Carried")[0].set_index("#")
    assert table.loc[first, "Scenario"] == "Saturday shifts" and table.loc[first, "Family"] == family
    history = item_history(at)
    assert list(history.columns) == ["When", "Who", "Field", "Change"]
    scenario_row = history[history["Field"] == "Scenario"].iloc[0]
    assert scenario_row["Change"] == "— → Saturday shifts"
    assert history[history["Field"] == "Text"]["Change"].iloc[0] == (
        f"{before['text']} → Reworded: run Saturday shifts on Assembly"
    )
    assert history["Field"].iloc[-1] == "Created"  # newest first, the creation last


def test_a_decision_is_added_with_a_scenario_and_a_refusal_keeps_what_was_typed(db_file: Path):
    sid = saved_scenario(db_file, "Second supplier")
    at = open_page(AppTest.from_file(APP, default_timeout=60))
    text = "Buy castings from the second supplier from March"
    at.text_area(key="cy_add_decision_text").set_value(text)
    at.selectbox(key="cy_add_decision_scenario").set_value(sid)
    at.selectbox(key="cy_add_decision_family").set_value("Industrial Pumps")
    button(at, "Add decision").click().run()  # no owner: refused
    assert not at.exception
    assert "The owner must not be empty" in texts(at.error)
    assert at.text_area(key="cy_add_decision_text").value == text  # nothing typed is lost
    assert at.selectbox(key="cy_add_decision_scenario").value == sid
    with open_store(db_file) as store:
        assert text not in cy.list_decisions(store)["text"].tolist()
    at.text_input(key="cy_add_decision_owner").set_value("Lena Brandt")
    button(at, "Add decision").click().run()
    assert not at.exception
    assert re.search(r"Decision #\d+ added by", texts(at.success))
    with open_store(db_file) as store:
        added = cy.list_decisions(store).set_index("text").loc[text]
    assert (added["owner"], added["scenario_id"], added["family"]) == ("Lena Brandt", sid, "Industrial Pumps")
    assert at.text_area(key="cy_add_decision_text").value == ""  # added: the form starts empty again
    shown = tables(at, "Carried")[0].set_index("What")
    assert shown.loc[text, "Scenario"] == "Second supplier"


def test_a_stale_text_edit_is_refused_and_repeated_in_the_message(page: AppTest, db_file: Path):
    with open_store(db_file) as store:
        first = int(cy.list_decisions(store)["id"].min())
        shown = cy.list_decisions(store).set_index("id").loc[first]
        seen = cy.item_version(store, "decision", first)
        cy.update_decision(store, first, {"resource": "Assembly"}, actor=RIVAL, seen=seen)
    page.text_area(key=f"cy_edit_decision_{first}_0_text").set_value("My rewording")
    button(page, "Save changes").click().run()
    assert not page.exception
    message = texts(page.error)
    assert f"Decision #{first} was changed by rival@example.com" in message
    assert "Your change, not saved: Text → My rewording." in message
    with open_store(db_file) as store:
        now = cy.list_decisions(store).set_index("id").loc[first]
    assert (now["text"], now["resource"]) == (shown["text"], "Assembly")
    history = item_history(page)
    assert history.iloc[0][["Who", "Field"]].tolist() == ["rival@example.com", "Resource"]


def test_a_viewer_reads_an_items_history_and_overdue_items_stand_out(db_file: Path):
    at = page_as(db_file, "vera@example.com", "viewer")
    assert not at.text_area  # no add or edit form
    assert at.selectbox(key="cy_edit_decision_id").label == "History of a decision"
    assert item_history(at)["Field"].tolist()[-1] == "Created"
    decisions = tables(at, "Carried")[0]
    late = decisions[decisions["Status"] == "overdue"]
    with open_store(db_file) as store:
        overdue = cy.overdue_items(store)
        now = cy.list_decisions(store, current_month())
    days = dict(zip(overdue["id"], overdue["days_overdue"], strict=True))
    carried = set(now.loc[now["carried"], "id"])
    assert carried and set(decisions.loc[decisions["Carried"] == "yes", "#"]) == carried  # into the shown cycle
    assert len(late) and all(
        due.endswith(f"· {days[item]} d late") for item, due in zip(late["#"], late["Due"], strict=True)
    )
    assert not decisions[decisions["Status"] != "overdue"]["Due"].str.contains("late").any()


def test_register_links_and_history_read_as_names_a_deleted_scenario_is_kept():
    day = dt.date(2026, 3, 11)
    items = pd.DataFrame(
        {
            "id": [1, 2],
            "cycle": pd.to_datetime(["2026-02-01", "2026-03-01"]),
            "text": ["Qualify a supplier", "Review prices"],
            "owner": ["Lena", "Tom"],
            "due_date": pd.to_datetime(["2026-03-05", None]),
            "status": ["open", "open"],
            "family": ["A", None],
            "scenario_id": [7.0, float("nan")],  # 7 was deleted since
            "scenario": [None, None],
            "resource": [None, "R"],
            "carried": [False, False],
            "overdue": [True, False],
        }
    )
    shown = table_frame(items, {3: "Overtime"}, day, dt.date(2026, 3, 1), {1}).set_index("#")
    assert shown.loc[1, ["Due", "Status", "Scenario", "Carried"]].tolist() == [
        "2026-03-05 · 6 d late",
        "overdue",
        "#7 (deleted)",
        "yes",
    ]
    assert shown.loc[2, ["Due", "Status", "Scenario", "Carried", "Family"]].tolist() == ["", "open", "", "", ""]
    trail = pd.DataFrame(
        {
            "register": ["decision"] * 3,
            "item_id": [1, 1, 1],
            "field": ["created", "scenario_id", "family"],
            "old_value": [None, None, "A"],
            "new_value": ["Qualify a supplier", "3", None],
            "changed_by": ["Katrin", "Tom", "Tom"],
            "changed_at": pd.to_datetime(["2026-03-01 09:00", "2026-03-02 10:00", "2026-03-03 11:00"]),
        }
    )
    history = history_frame(trail, {3: "Overtime"}, with_item=True)
    assert history[["#", "Field", "Change"]].values.tolist() == [
        [1, "Family", "A → —"],
        [1, "Scenario", "— → Overtime"],
        [1, "Created", "created: Qualify a supplier"],
    ]
    assert history["When"].iloc[0] == "2026-03-03 11:00"


# ------------------------------------------------------------------------------ waiving an automatic check
def capacity_task(db: Path) -> pd.Series:
    """The demo's open automatic task of the supply review (its overload is not explained) as the engine has it."""
    with open_store(db) as store:
        return cycle_status(store).tasks.set_index("task").loc["capacity_ok"]


def waive_capacity(db: Path, comment: str) -> None:
    with open_store(db) as store:
        tick_task(
            store,
            cycle_status(store).cycle,
            "capacity_ok",
            actor=person("planner", email="lena@example.com"),
            comment=comment,
        )


def test_waiving_a_check_without_a_comment_is_refused(page: AppTest, db_file: Path):
    page.session_state[LOCAL_NAME_KEY] = "Lena Brandt"
    button(page, "Waive").click().run()
    assert not page.exception
    assert "needs a comment saying why the team proceeds" in texts(page.error)
    task = capacity_task(db_file)
    assert not task["done"] and task["done_by"] is None and task["detail"].startswith("overloaded, not explained")
    with open_store(db_file) as store:
        assert not store.scalar("SELECT count(*) FROM decisions WHERE kind = 'tick_task'")


def test_a_waiver_marks_the_check_done_and_the_step_can_be_signed_off(page: AppTest, db_file: Path):
    with open_store(db_file) as store:
        tick_task(store, cycle_status(store).cycle, "supply_reviewed", actor=EVERYONE)  # the waiver is the last
    page = open_page(page)
    page.session_state[LOCAL_NAME_KEY] = "Lena Brandt"
    key = next(str(t.key) for t in page.text_input if str(t.key).startswith("cy_waive_comment_"))
    page.text_input(key=key).set_value("Assembly overtime agreed with the works council")
    button(page, "Waive").click().run()
    assert not page.exception
    assert "waived by Lena Brandt" in texts(page.success)
    task = capacity_task(db_file)
    assert task["done"] and task["done_by"] == "Lena Brandt"
    assert task["comment"] == "Assembly overtime agreed with the works council"
    assert any("waived by Lena Brandt" in m.value and "works council" in m.value for m in page.markdown)
    assert "Waive" not in [b.label for b in page.button] and "Withdraw the waiver" in [b.label for b in page.button]
    button(page, "Sign off: Supply review").click().run()
    assert not page.exception and not page.error
    with open_store(db_file) as store:
        steps = cycle_status(store).steps.set_index("step")
    assert steps.loc["supply", "signed_by"] == "Lena Brandt"


def test_withdrawing_a_waiver_hands_the_task_back_to_its_check(page: AppTest, db_file: Path):
    waive_capacity(db_file, "Overtime agreed")
    page = open_page(page)
    page.session_state[LOCAL_NAME_KEY] = "Lena Brandt"
    button(page, "Withdraw the waiver").click().run()
    assert not page.exception
    assert "withdrawn by Lena Brandt" in texts(page.success)
    task = capacity_task(db_file)
    assert not task["done"] and task["done_by"] is None and task["detail"].startswith("overloaded, not explained")
    assert "Waive" in [b.label for b in page.button]


def test_a_waiver_after_the_plan_was_approved_meanwhile_changes_nothing(page: AppTest, db_file: Path):
    page.session_state[LOCAL_NAME_KEY] = "Lena Brandt"
    steps_done_but_the_meeting(db_file)  # another person waives the check, signs the steps off and approves
    with open_store(db_file) as store:
        cy.approve_cycle(store, cycle_status(store).cycle, actor=EVERYONE, comment="As proposed")
    key = next(str(t.key) for t in page.text_input if str(t.key).startswith("cy_waive_comment_"))
    page.text_input(key=key).set_value("Late actuals")
    button(page, "Waive").click().run()  # AppTest reruns the whole page: it draws the approved cycle
    assert not page.exception
    assert not {"Waive", "Withdraw the waiver"} & {b.label for b in page.button}
    assert any("waived by all@example.com" in m.value and "waived for the test" in m.value for m in page.markdown)
    assert capacity_task(db_file)["comment"] == "waived for the test"  # nothing changed


def test_a_viewer_sees_a_waiver_but_no_control(db_file: Path):
    at = page_as(db_file, "vera@example.com", "viewer")
    assert "Waive" not in [b.label for b in at.button]  # the open check: no control
    waive_capacity(db_file, "Overtime agreed")
    at = open_app_page(PAGE, signed_in_as("vera@example.com"))
    assert any("waived by lena@example.com" in m.value and "Overtime agreed" in m.value for m in at.markdown)
    assert not {"Waive", "Withdraw the waiver"} & {b.label for b in at.button}
    assert not [t for t in at.text_input if str(t.key).startswith("cy_waive")]
