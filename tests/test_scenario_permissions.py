"""Scenario writes and the role check (only a planner saves, deletes or promotes; a refusal writes nothing; the
writes record the acting person), and the version checks between two people on the same scenario."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from sop_core import Store, StoreError
from sop_core.people import Actor
from sop_core.scenario import (
    Levers,
    ScenarioConflictError,
    delete_scenario,
    list_scenarios,
    load_scenario,
    plan_fingerprint,
    promote_scenario,
    save_scenario,
)
from tests.support.people import PLANNER, everyone_but, person

TABLES = ("scenarios", "decisions", "production_plan", "inventory_plan", "demand_plan", "plan_versions")
REFUSED = "may not save, delete or promote scenarios: needs planner"
ANA = person("planner", email="ana@example.com")
BO = person("planner", email="bo@example.com")
TIME = r"at \d{4}-\d{2}-\d{2} \d{2}:\d{2}"
DRAFT = dt.date(2026, 3, 1)  # the tiny store's draft


def state(store: Store) -> dict[str, pd.DataFrame]:
    """Every table a scenario write touches, sorted (fixed table names)."""
    return {table: store.query(f"SELECT * FROM {table} ORDER BY ALL") for table in TABLES}


def assert_unchanged(store: Store, before: dict[str, pd.DataFrame]) -> None:
    for table, frame in state(store).items():
        pd.testing.assert_frame_equal(frame, before[table], obj=table)


@pytest.fixture()
def saved(tiny: Store) -> int:
    """The id of a scenario saved by Ana in the tiny store."""
    return save_scenario(tiny, "Demand +10", Levers(demand_pct=10), ANA, "sales push")


WRITES: dict[str, Callable[[Store, int, Actor], Any]] = {
    "save_scenario": lambda s, _sid, a: save_scenario(s, "Chase", Levers(strategy={"A": "chase"}), a),
    "save_scenario (replace)": lambda s, sid, a: save_scenario(s, "Demand +10", Levers(demand_pct=12), a, replaces=sid),
    "delete_scenario": lambda s, sid, a: delete_scenario(s, sid, a),
    "promote_scenario": lambda s, sid, a: promote_scenario(s, sid, a),
}


@pytest.mark.parametrize("actor", everyone_but("planner"), ids=lambda a: a.role_text)
@pytest.mark.parametrize("write", WRITES)
def test_only_a_planner_may_write_and_a_refusal_writes_nothing(tiny: Store, saved: int, write: str, actor: Actor):
    before = state(tiny)
    with pytest.raises(PermissionError, match=REFUSED) as refusal:
        WRITES[write](tiny, saved, actor)
    assert actor.email in str(refusal.value)
    assert_unchanged(tiny, before)


@pytest.mark.parametrize("write", WRITES)
def test_a_planner_may_write(tiny: Store, saved: int, write: str):
    before = state(tiny)
    WRITES[write](tiny, saved, PLANNER)
    assert not state(tiny)["scenarios"].equals(before["scenarios"])


def test_the_writes_record_the_acting_person(tiny: Store, saved: int):
    assert load_scenario(tiny, saved).author == "ana@example.com"
    cycle = promote_scenario(tiny, saved, BO)
    promoted = load_scenario(tiny, saved)
    assert promoted.promoted_by == "bo@example.com" and promoted.promoted_at is not None
    newer = save_scenario(tiny, "Demand +10", Levers(demand_pct=12), BO, replaces=saved)
    assert load_scenario(tiny, newer).author == "bo@example.com"
    delete_scenario(tiny, newer, ANA)
    log = tiny.query("SELECT kind, cycle, subject, decided_by, detail FROM decisions ORDER BY decision_id")
    assert log["kind"].tolist() == ["promote_scenario", "replace_scenario", "delete_scenario"]
    assert log["decided_by"].tolist() == ["bo@example.com", "bo@example.com", "ana@example.com"]
    assert str(log["cycle"].iloc[0].date()) == str(cycle)
    replaced, deleted = json.loads(log["detail"].iloc[1]), json.loads(log["detail"].iloc[2])
    # nothing is lost: the replaced and the deleted versions' levers stay in the log
    assert replaced["scenario_id"] == saved and replaced["replaced_by"] == newer and replaced["author"] == ANA.email
    assert Levers.from_json(json.dumps(replaced["levers"])) == Levers(demand_pct=10)
    assert deleted["scenario_id"] == newer and Levers.from_json(json.dumps(deleted["levers"])) == Levers(demand_pct=12)


# ------------------------------------------------------------------------------------------- version checks
def test_saving_under_a_taken_name_is_refused_naming_who_saved_it_and_when(tiny: Store, saved: int):
    before = state(tiny)
    with pytest.raises(ScenarioConflictError, match=rf"'Demand \+10' was saved by ana@example.com {TIME}") as err:
        save_scenario(tiny, " Demand +10 ", Levers(demand_pct=-5), BO)
    assert err.value.changed_by == "ana@example.com" and err.value.changed_at is not None
    assert "Nothing was saved" in str(err.value)
    assert_unchanged(tiny, before)
    assert load_scenario(tiny, saved).levers == Levers(demand_pct=10)  # the first save is intact


def test_a_replace_goes_through_once_and_a_second_stale_replace_is_refused(tiny: Store, saved: int):
    # Ana and Bo both loaded version `saved`; Ana replaces it first.
    newer = save_scenario(tiny, "Demand +10", Levers(demand_pct=15), ANA, "raised", replaces=saved)
    assert newer != saved and list_scenarios(tiny)["scenario_id"].tolist() == [newer]
    before = state(tiny)
    with pytest.raises(ScenarioConflictError, match=rf"saved by ana@example.com {TIME} since you loaded") as err:
        save_scenario(tiny, "Demand +10", Levers(demand_pct=-5), BO, replaces=saved)
    assert err.value.changed_by == "ana@example.com"
    assert_unchanged(tiny, before)
    assert load_scenario(tiny, newer).levers == Levers(demand_pct=15)
    # A replace of a version somebody deleted meanwhile saves anew: nothing to overwrite, nothing lost.
    delete_scenario(tiny, newer, ANA)
    again = save_scenario(tiny, "Demand +10", Levers(demand_pct=-5), BO, replaces=newer)
    assert load_scenario(tiny, again).author == "bo@example.com"


def test_deleting_or_promoting_a_scenario_someone_deleted_is_refused_naming_who_and_when(tiny: Store, saved: int):
    delete_scenario(tiny, saved, ANA)
    before = state(tiny)
    for write, doing in ((delete_scenario, "delete"), (promote_scenario, "promote")):
        pattern = rf"'Demand \+10' was deleted by ana@example.com {TIME}, after you loaded it: nothing to {doing}"
        with pytest.raises(ScenarioConflictError, match=pattern):
            write(tiny, saved, BO)
    assert_unchanged(tiny, before)
    with pytest.raises(StoreError, match="There is no scenario 999"):
        delete_scenario(tiny, 999, BO)


def test_promoting_a_replaced_version_is_refused_naming_who_replaced_it(tiny: Store, saved: int):
    newer = save_scenario(tiny, "Demand +10", Levers(demand_pct=15), ANA, replaces=saved)
    before = state(tiny)
    with pytest.raises(ScenarioConflictError, match=rf"replaced by a newer version by ana@example.com {TIME}"):
        promote_scenario(tiny, saved, BO)
    assert_unchanged(tiny, before)
    promote_scenario(tiny, newer, BO)  # the version on screen after a reload


def test_promoting_twice_into_the_same_draft_is_refused_naming_who_and_when(tiny: Store, saved: int):
    promote_scenario(tiny, saved, ANA)
    before = state(tiny)
    with pytest.raises(ScenarioConflictError, match=rf"already promoted .* by ana@example.com {TIME}") as err:
        promote_scenario(tiny, saved, BO)
    assert err.value.changed_by == "ana@example.com"
    assert_unchanged(tiny, before)
    assert load_scenario(tiny, saved).promoted_by == "ana@example.com"


def test_promoting_onto_a_draft_that_changed_since_it_was_read_is_refused(tiny: Store, saved: int):
    other = save_scenario(tiny, "Chase", Levers(strategy={"A": "chase"}, demand_pct=5), BO)
    seen = plan_fingerprint(tiny, DRAFT)  # what Ana's screen was computed from
    promote_scenario(tiny, other, BO)  # Bo changes the draft meanwhile
    before = state(tiny)
    pattern = rf"draft plan of cycle 2026-03 changed since .*promote scenario Chase by bo@example.com {TIME}"
    with pytest.raises(ScenarioConflictError, match=pattern) as err:
        promote_scenario(tiny, saved, ANA, plan_seen=seen)
    assert err.value.changed_by == "bo@example.com"
    assert_unchanged(tiny, before)  # Bo's promotion is intact
    fresh = plan_fingerprint(tiny, DRAFT)
    assert fresh != seen
    promote_scenario(tiny, saved, ANA, plan_seen=fresh)  # after looking again
