"""Who may do what in the monthly cycle and the plans, and the version checks of decisions, assumptions and
supply-plan cells.

Every write of the cycle engine and of ``sop_core.plans`` refuses a person whose roles do not allow it
(``PermissionError``, the store unchanged) and records the allowed person's ``actor.author``. A save made after
someone else changed the same decision, assumption or supply-plan cell is refused, naming who and when, and the
first save stays as it was. The command line acts as ``--as``/``--by``: a refusal exits 1, nobody named exits 2.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pytest

from sop_core import Store, approve_plan, open_store, write_plan
from sop_core import cycle as cy
from sop_core.__main__ import main
from sop_core.forecast import save_override
from sop_core.people import PERMISSIONS, ROLES, Actor, add_first_admin, add_person, local_actor
from tests.support.apptest import build_demo_file, list_person, open_app_page, signed_in_as, use_copy
from tests.support.people import LOCAL, everyone_but, person
from tests.support.stores import build_tiny

CYCLE, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
WAIVE = "tiny store: checked by hand"


# ------------------------------------------------------------------------------ set-ups (as the local user)
def run_steps(store: Store, cycle: dt.date = CYCLE) -> None:
    """Tick every task before the executive meeting (automatic ones waived) and sign off those steps."""
    tasks = cy.cycle_status(store, cycle).tasks
    for task in tasks[(tasks["step"] != "executive") & ~tasks["done"]].itertuples():
        cy.tick_task(store, cycle, task.task, actor=LOCAL, comment=WAIVE if task.auto else "")
    for step in ("data", "demand", "supply", "pre_sop"):
        cy.sign_off_step(store, cycle, step, actor=LOCAL)


def data_tasks_done(store: Store) -> None:
    for task in ("actuals_loaded", "baseline_run", "data_reviewed"):
        cy.tick_task(store, CYCLE, task, actor=LOCAL, comment=WAIVE)


def approved(store: Store) -> None:
    run_steps(store)
    cy.approve_cycle(store, CYCLE, actor=LOCAL)


def april_with_a_carried_override(store: Store) -> None:
    save_override(
        store, CYCLE, layer="sales", family="A", region="N", start="2026-04", value=5.0, reason="promotion", actor=LOCAL
    )
    approved(store)
    cy.open_cycle(store, actor=LOCAL, mode="quick")


def a_decision(store: Store) -> None:
    cy.add_decision(store, "Expedite A", owner="Lena", actor=LOCAL, cycle=CYCLE)


def an_assumption(store: Store) -> None:
    cy.add_assumption(store, "Steel stays flat", owner="Tom", actor=LOCAL, cycle=CYCLE)


def nothing(store: Store) -> None:
    return None


def one(store: Store, sql: str, params: list | None = None) -> object:
    """The single value of a query written by the test (fixed SQL, bound values)."""
    return store.scalar(sql, params or [])


def last_event(kind: str) -> Callable[[Store], object]:
    """Who the latest engine event of ``kind`` names."""
    sql = "SELECT decided_by FROM decisions WHERE kind = ? ORDER BY decision_id DESC LIMIT 1"
    return lambda store: one(store, sql, [kind])


ROWS = pd.DataFrame({"family": ["A"], "month": ["2026-04-01"], "quantity": [90.0]})
BUDGET = pd.DataFrame({"family": ["A"], "month": ["2026-04-01"], "volume": [90.0], "revenue": [900.0]})


@dataclass(frozen=True)
class Write:
    """One write function: the action it needs, the state it needs first, the call, and where its author lands."""

    action: str
    setup: Callable[[Store], None]
    call: Callable[[Store, Actor], object]
    author: Callable[[Store], object]  # the recorded author after the call (None: the write records none)


WRITES: dict[str, Write] = {
    "open_cycle": Write(
        "run_cycle",
        approved,
        lambda s, a: cy.open_cycle(s, actor=a, mode="quick"),
        lambda s: one(s, "SELECT opened_by FROM cycles WHERE cycle = ?", [APRIL]),
    ),
    "tick_task": Write(
        "sign_off",  # the roles a step may be owned by; the data step's own role decides (see allowed)
        nothing,
        lambda s, a: cy.tick_task(s, CYCLE, "data_reviewed", actor=a),
        lambda s: one(s, "SELECT done_by FROM cycle_tasks WHERE cycle = ? AND task = 'data_reviewed'", [CYCLE]),
    ),
    "confirm_carried_overrides": Write(
        "forecast",
        april_with_a_carried_override,
        lambda s, a: cy.confirm_carried_overrides(s, APRIL, actor=a),
        lambda s: one(s, "SELECT any_value(reviewed_by) FROM cycle_carried_overrides WHERE cycle = ?", [APRIL]),
    ),
    "sign_off_step": Write(
        "sign_off",
        data_tasks_done,
        lambda s, a: cy.sign_off_step(s, CYCLE, "data", actor=a),
        lambda s: one(s, "SELECT signed_by FROM cycle_steps WHERE cycle = ? AND step = 'data'", [CYCLE]),
    ),
    "approve_cycle": Write(
        "approve",
        run_steps,
        lambda s, a: cy.approve_cycle(s, CYCLE, actor=a),
        lambda s: one(s, "SELECT approved_by FROM plan_versions WHERE cycle = ?", [CYCLE]),
    ),
    "reopen_cycle": Write(
        "approve",
        approved,
        lambda s, a: cy.reopen_cycle(s, CYCLE, actor=a, reason="a late order"),
        last_event("reopen_plan"),
    ),
    "plans.approve_plan": Write(
        "approve",
        nothing,
        lambda s, a: approve_plan(s, CYCLE, a),
        lambda s: one(s, "SELECT approved_by FROM plan_versions WHERE cycle = ?", [CYCLE]),
    ),
    "add_decision": Write(
        "decide",
        nothing,
        lambda s, a: cy.add_decision(s, "Expedite A", owner="Lena", actor=a),
        last_event("decision"),
    ),
    "update_decision": Write(
        "decide",
        a_decision,
        lambda s, a: cy.update_decision(s, 1, {"status": "done"}, actor=a, seen=None),
        lambda s: one(s, "SELECT updated_by FROM decisions WHERE kind = 'decision'"),
    ),
    "add_assumption": Write(
        "decide",
        nothing,
        lambda s, a: cy.add_assumption(s, "Steel stays flat", owner="Tom", actor=a),
        lambda s: one(s, "SELECT created_by FROM assumptions"),
    ),
    "update_assumption": Write(
        "decide",
        an_assumption,
        lambda s, a: cy.update_assumption(s, 1, {"owner": "Lena"}, actor=a, seen=None),
        lambda s: one(s, "SELECT updated_by FROM assumptions"),
    ),
    "generate_supply_plan": Write(
        "supply_plan",
        nothing,
        lambda s, a: cy.generate_supply_plan(s, CYCLE, actor=a),
        last_event("supply_plan"),
    ),
    "adjust_supply_plan": Write(
        "supply_plan",
        nothing,
        lambda s, a: cy.adjust_supply_plan(s, CYCLE, "A", CYCLE, 180, actor=a, reason="overtime", seen=150),
        lambda s: one(s, "SELECT adjusted_by FROM supply_adjustments"),
    ),
    "set_supply_policies": Write(
        "supply_plan",
        nothing,
        lambda s, a: cy.set_supply_policies(s, {"A": "level"}, actor=a),
        lambda s: one(s, "SELECT updated_by FROM supply_policies WHERE family = 'A'"),
    ),
    "update_step_template": Write(
        "settings",
        nothing,
        lambda s, a: cy.update_step_template(s, "supply", actor=a, owner="Operations team"),
        last_event("template"),
    ),
    "add_template_task": Write(
        "settings",
        nothing,
        lambda s, a: cy.add_template_task(s, "supply", "Freight booked", actor=a),
        last_event("template"),
    ),
    "add_holiday": Write(
        "settings",
        nothing,
        lambda s, a: cy.add_holiday(s, "2026-03-02", "Plant holiday", actor=a),
        last_event("holiday"),
    ),
    "plans.write_plan": Write(
        "upload",
        nothing,
        lambda s, a: write_plan(s, "production_plan", CYCLE, ROWS, actor=a),
        lambda s: None,
    ),
    "plans.write_plan budget": Write(
        "budget",
        nothing,
        lambda s, a: write_plan(s, "budget", CYCLE, BUDGET, actor=a),
        lambda s: None,
    ),
}


STEP_WRITES = {"tick_task": "data", "sign_off_step": "data"}
"""Writes on one step of the cycle: only the step's owning role (the template's) may do them."""


def allowed(write: str) -> list[str]:
    """The roles that may do ``write``; opening a cycle also runs the baseline (``forecast``); a step's sign-off
    and ticks need the step's owning role."""
    roles = set(PERMISSIONS[WRITES[write].action].roles)
    if write == "open_cycle":
        roles &= PERMISSIONS["forecast"].roles
    if write in STEP_WRITES:
        with open_store(":memory:") as store:  # a new store's template
            roles &= set(cy.cycle_template(store).set_index("step").loc[[STEP_WRITES[write]], "owner_role"])
    return [role for role in ROLES if role in roles]


REFUSED = [(w, a) for w in WRITES for a in everyone_but(*allowed(w))]
ALLOWED = [(w, person(role, email=f"{role}@example.com")) for w in WRITES for role in allowed(w)]


def dump(store: Store) -> dict[str, list[str]]:
    """Every table's rows, sorted: the whole store."""
    names = store.query("SELECT table_name FROM information_schema.tables ORDER BY 1")["table_name"]
    # table names come from the catalog, not from input
    return {
        n: sorted(repr(tuple(row)) for row in store.query(f"SELECT * FROM {n}").itertuples(index=False)) for n in names
    }


def tiny_store() -> Store:
    store = open_store(":memory:")
    build_tiny(store)
    return store


# ------------------------------------------------------------------------------ the role check
def test_every_write_has_its_action_and_at_least_one_role():
    assert {w.action for w in WRITES.values()} <= set(PERMISSIONS)
    assert all(allowed(w) for w in WRITES)
    assert allowed("open_cycle") == ["planner"] and allowed("sign_off_step") == ["planner"] == allowed("tick_task")


@pytest.mark.parametrize(("write", "actor"), REFUSED, ids=[f"{w}-{a.email}" for w, a in REFUSED])
def test_a_write_refuses_the_wrong_role_and_changes_nothing(write: str, actor: Actor):
    with tiny_store() as store:
        WRITES[write].setup(store)
        before = dump(store)
        with pytest.raises(PermissionError, match=re.escape(f"{actor.email} ({actor.role_text}) may not")):
            WRITES[write].call(store, actor)
        assert dump(store) == before


@pytest.mark.parametrize(("write", "actor"), ALLOWED, ids=[f"{w}-{a.email}" for w, a in ALLOWED])
def test_the_allowed_role_writes_and_is_recorded_as_the_author(write: str, actor: Actor):
    with tiny_store() as store:
        WRITES[write].setup(store)
        before = dump(store)
        WRITES[write].call(store, actor)
        assert dump(store) != before
        recorded = WRITES[write].author(store)
        assert recorded is None if write.startswith("plans.write_plan") else recorded == actor.author


def test_local_mode_signs_with_the_name_given():
    with tiny_store() as store:
        cy.add_decision(store, "Expedite A", owner="Lena", actor=local_actor("Katrin Wolf"))
        assert cy.list_decisions(store)["created_by"].tolist() == ["Katrin Wolf"]


# ------------------------------------------------------------------------------ each step by its owning role
PLANNER_P, FINANCE_P = person("planner"), person("finance")
PRE_SOP = "Pre-S&OP reconciliation"


def ready_for_pre_sop(store: Store) -> None:
    """A planner runs the data, demand and supply steps (automatic checks waived)."""
    tasks = cy.cycle_status(store, CYCLE).tasks
    for task in tasks[tasks["step"].isin(["data", "demand", "supply"]) & ~tasks["done"]].itertuples():
        cy.tick_task(store, CYCLE, task.task, actor=PLANNER_P, comment=WAIVE if task.auto else "")
    for step in ("data", "demand", "supply"):
        cy.sign_off_step(store, CYCLE, step, actor=PLANNER_P)


def test_finance_ticks_and_signs_off_its_pre_sop_step_and_nobody_else_does():
    with tiny_store() as store:
        ready_for_pre_sop(store)
        before = dump(store)
        for actor in (PLANNER_P, person("executive"), person("admin"), person("viewer")):
            refusal = f"{actor.email} ({actor.role_text}) may not tick the tasks of the {PRE_SOP} step: needs finance"
            with pytest.raises(PermissionError, match=re.escape(refusal)):
                cy.tick_task(store, CYCLE, "scenarios_prepared", actor=actor)
        with pytest.raises(PermissionError, match=re.escape(f"may not sign off the {PRE_SOP} step: needs finance")):
            cy.sign_off_step(store, CYCLE, "pre_sop", actor=PLANNER_P)
        with pytest.raises(PermissionError, match=re.escape("may not sign off the Supply review step: needs planner")):
            cy.sign_off_step(store, CYCLE, "supply", actor=FINANCE_P)  # someone else's (already signed) step
        with pytest.raises(PermissionError, match="may not tick the tasks of the Data gathering"):
            cy.tick_task(store, CYCLE, "data_reviewed", actor=FINANCE_P, done=False)
        assert dump(store) == before
        cy.tick_task(store, CYCLE, "budget_compared", actor=FINANCE_P, comment=WAIVE)
        for task in ("scenarios_prepared", "preread_sent"):
            cy.tick_task(store, CYCLE, task, actor=FINANCE_P)
        cy.sign_off_step(store, CYCLE, "pre_sop", actor=FINANCE_P, comment="reconciled")
        status = cy.cycle_status(store, CYCLE)
        steps = status.steps.set_index("step")
        assert steps.loc["pre_sop", "signed_by"] == "finance@example.com"
        assert steps["owner_role"].tolist() == ["planner", "planner", "planner", "finance", "executive"]
        ticks = status.tasks.set_index("task")
        assert set(ticks.loc[["scenarios_prepared", "preread_sent", "budget_compared"], "done_by"]) == {
            "finance@example.com"
        }


def test_local_mode_runs_every_step():
    with tiny_store() as store:
        run_steps(store)  # as the local user: every role
        assert cy.cycle_status(store, CYCLE).steps["signed_by"].notna().sum() == 4


def test_an_open_cycle_keeps_its_step_roles_when_the_template_changes():
    with tiny_store() as store:
        cy.tick_task(store, CYCLE, "data_reviewed", actor=PLANNER_P)  # March now has its own steps
        cy.update_step_template(store, "pre_sop", actor=LOCAL, owner_role="executive")
        assert cy.cycle_template(store).set_index("step").loc["pre_sop", "owner_role"] == "executive"
        cy.tick_task(store, CYCLE, "preread_sent", actor=FINANCE_P)  # March: still finance's step
        with pytest.raises(PermissionError, match="needs finance"):
            cy.tick_task(store, CYCLE, "preread_sent", actor=person("executive"), done=False)
        run_steps(store)
        cy.approve_cycle(store, CYCLE, actor=LOCAL)
        cy.open_cycle(store, actor=LOCAL, mode="quick")
        april = cy.cycle_status(store, APRIL).steps.set_index("step")
        assert april.loc["pre_sop", "owner_role"] == "executive"  # opened after the change
        with pytest.raises(PermissionError, match=re.escape(f"may not tick the tasks of the {PRE_SOP} step")):
            cy.tick_task(store, APRIL, "preread_sent", actor=FINANCE_P)
        cy.tick_task(store, APRIL, "preread_sent", actor=person("executive"))


# ------------------------------------------------------------------------------ version checks
ANN, BOB = person("planner", email="ann@example.com"), person("executive", email="bob@example.com")
BOB_PLANNER = person("planner", email="planner-bob@example.com")


@pytest.mark.parametrize("register", ["decision", "assumption"])
def test_a_stale_register_save_is_refused_naming_who_and_when(register: Literal["decision", "assumption"]):
    add = cy.add_decision if register == "decision" else cy.add_assumption
    update = cy.update_decision if register == "decision" else cy.update_assumption
    with tiny_store() as store:
        item = add(store, "Expedite A", owner="Lena", actor=ANN, cycle=CYCLE)
        seen_by_ann = seen_by_bob = cy.item_version(store, register, item)  # both open the item: never changed
        assert seen_by_ann is None
        assert update(store, item, {"owner": "Tom", "status": "done"}, actor=BOB, seen=seen_by_bob) == 2
        trail = cy.audit_trail(store, register, item)
        when = pd.Timestamp(trail["changed_at"].iloc[-1])
        before = dump(store)
        with pytest.raises(cy.EditConflictError) as refused:
            update(store, item, {"due_date": "2026-04-30"}, actor=ANN, seen=seen_by_ann)
        message = str(refused.value)
        assert f"#{item} was changed by bob@example.com at {when:%Y-%m-%d %H:%M}" in message
        assert "owner: Lena → Tom" in message and "status: open → done" in message and "Nothing was saved" in message
        assert refused.value.changed_by == "bob@example.com" and refused.value.changed_at == when.to_pydatetime()
        assert dump(store) == before  # Bob's save intact, Ann's not applied
        # Ann reloads (the version she now sees) and applies her change again
        now = cy.item_version(store, register, item)
        assert update(store, item, {"due_date": "2026-04-30"}, actor=ANN, seen=now) == 1
        row = (cy.list_decisions if register == "decision" else cy.list_assumptions)(store).iloc[0]
        assert (row["owner"], row["status"], row["updated_by"]) == ("Tom", "done", "ann@example.com")


def test_a_stale_save_that_changes_nothing_is_not_refused():
    with tiny_store() as store:
        item = cy.add_decision(store, "Expedite A", owner="Lena", actor=ANN, cycle=CYCLE)
        cy.update_decision(store, item, {"status": "done"}, actor=BOB, seen=None)
        assert cy.update_decision(store, item, {"status": "done"}, actor=ANN, seen=None) == 0


def test_a_stale_supply_adjustment_is_refused_naming_who_and_when():
    with tiny_store() as store:
        seen = 150.0  # A's production in March, as both planners see it
        first = cy.adjust_supply_plan(store, CYCLE, "A", CYCLE, 200, actor=BOB_PLANNER, reason="overtime", seen=seen)
        assert first == seen
        log = cy.supply_adjustments(store, CYCLE)
        when = pd.Timestamp(log["adjusted_at"].iloc[0])
        before = dump(store)
        with pytest.raises(cy.EditConflictError) as refused:
            cy.adjust_supply_plan(store, CYCLE, "A", CYCLE, 120, actor=ANN, reason="less demand", seen=seen)
        message = str(refused.value)
        assert f"changed by planner-bob@example.com at {when:%Y-%m-%d %H:%M}" in message
        assert "now 200 units; you saw 150" in message and "Nothing was saved" in message
        assert dump(store) == before  # the first adjustment intact
        assert cy.adjust_supply_plan(store, CYCLE, "A", CYCLE, 120, actor=ANN, reason="less demand", seen=200) == 200


def test_a_supply_cell_changed_by_a_generation_names_who_generated_it():
    with tiny_store() as store:
        levels = {"A": "level", "B": "level"}
        cy.generate_supply_plan(store, CYCLE, actor=BOB_PLANNER, strategies=levels, target_days={"A": 30, "B": 30})
        with pytest.raises(cy.EditConflictError, match=r"changed by planner-bob@example\.com at .*now 152 units"):
            cy.adjust_supply_plan(store, CYCLE, "A", CYCLE, 120, actor=ANN, reason="less demand", seen=150)
        assert cy.supply_adjustments(store).empty


# ------------------------------------------------------------------------------ the command line
@pytest.fixture()
def listed_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A tiny store file that lists its people: an admin, a viewer and a planner."""
    monkeypatch.delenv("SOP_USER", raising=False)
    path = str(tmp_path / "sop.duckdb")
    with open_store(path) as store:
        build_tiny(store)
        add_first_admin(store, "admin@example.com", source="test")
        admin = person("admin", email="admin@example.com")
        add_person(store, admin, "viewer@example.com", ["viewer"])
        add_person(store, admin, "planner@example.com", ["planner"])
    return path


def test_the_command_line_acts_as_the_named_person(listed_db: str, capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> int:
        return main([*args, "--db", listed_db])

    def decisions(store: Store) -> list[str]:
        return cy.list_decisions(store)["created_by"].tolist()

    assert run("decisions", "add", "Expedite A", "--owner", "Lena") == 2  # nobody named
    assert "--as EMAIL" in capsys.readouterr().err
    assert run("decisions", "add", "Expedite A", "--owner", "Lena", "--by", "viewer@example.com") == 1
    assert "refused: viewer@example.com (viewer) may not record decisions" in capsys.readouterr().err
    assert run("cycle", "approve", "2026-03", "--as", "planner@example.com") == 1
    assert "may not approve or reopen plans: needs executive" in capsys.readouterr().err
    with open_store(listed_db) as store:
        assert decisions(store) == []
        assert one(store, "SELECT status FROM plan_versions WHERE cycle = ?", [CYCLE]) == "draft"
    assert run("decisions", "add", "Expedite A", "--owner", "Lena", "--as", "planner@example.com") == 0
    assert run("decisions", "set", "1", "--status", "done", "--by", "planner@example.com") == 0
    assert run("cycle", "tick", "2026-03", "data_reviewed", "--by", "planner@example.com") == 0
    with open_store(listed_db) as store:
        assert decisions(store) == ["planner@example.com"]
        assert cy.list_decisions(store)["updated_by"].tolist() == ["planner@example.com"]
        assert one(store, "SELECT done_by FROM cycle_tasks WHERE task = 'data_reviewed'") == "planner@example.com"


# ------------------------------------------------------------------------------ the Cycle page's step card
@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company built for today: its current cycle at the supply review (the planner's step)."""
    return build_demo_file(tmp_path_factory.mktemp("step_card"), None)


def step_card_as(email: str) -> tuple[set[str], set[str], str]:
    """The Cycle page for ``email``: the hand tasks shown as boxes, the buttons, the captions."""
    at = open_app_page("pages/cycle.py", signed_in_as(email))
    boxes = {str(c.key).split("_")[3] for c in at.checkbox if str(c.key).startswith("cy_tick_")}
    return boxes, {b.label for b in at.button}, " ".join(str(c.value) for c in at.caption)


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_the_step_card_shows_each_step_controls_to_its_owning_role(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    db = use_copy(demo_file, tmp_path, monkeypatch)
    list_person(db, "lena@example.com", "planner")
    list_person(db, "tom@example.com", "finance")
    boxes, buttons, captions = step_card_as("lena@example.com")
    assert "supply" in boxes and not {"scenarios", "preread"} & boxes
    assert "Sign off: Supply review" in buttons
    assert "Ticking tasks needs the finance role; you are signed in as planner." in captions
    boxes, buttons, captions = step_card_as("tom@example.com")
    assert {"scenarios", "preread"} <= boxes and "supply" not in boxes  # pre-S&OP tasks: finance's own
    assert not any(b.startswith("Sign off") for b in buttons)
    assert "Ticking tasks needs the planner role; you are signed in as finance." in captions
    assert "Signing off Supply review needs the planner role; you are signed in as finance." in captions
    with open_store(db) as store:  # the planner closes the supply review
        status = cy.cycle_status(store)
        for task in status.tasks[(status.tasks["step"] == "supply") & ~status.tasks["done"]].itertuples():
            cy.tick_task(store, status.cycle, task.task, actor=PLANNER_P, comment=WAIVE if task.auto else "")
        cy.sign_off_step(store, status.cycle, "supply", actor=PLANNER_P)
    _, buttons, _ = step_card_as("tom@example.com")
    assert "Sign off: Pre-S&OP reconciliation" in buttons
    _, buttons, captions = step_card_as("lena@example.com")
    assert not any(b.startswith("Sign off") for b in buttons)
    assert "Signing off Pre-S&OP reconciliation needs the finance role; you are signed in as planner." in captions
