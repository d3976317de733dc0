"""The decision log and the assumption register: fields, links, statuses, the audit trail, overdue items."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from sop_core import open_store, schema
from sop_core.cycle import (
    CycleError,
    EditConflictError,
    add_assumption,
    add_decision,
    assumptions_changed,
    audit_trail,
    item_version,
    list_assumptions,
    list_decisions,
    overdue_items,
    update_assumption,
    update_decision,
)
from sop_core.people import local_actor
from sop_core.plans import approve_plan, record_decision
from tests.support.people import VIEWER

# People of these tests: the local single-user mode (every role) under their names, as the author strings.
JONAS = local_actor("Jonas")
KATRIN = local_actor("Katrin")
LENA = local_actor("Lena")
TOM = local_actor("Tom")

MARCH = dt.date(2026, 3, 1)


def test_decision_fields_links_and_audit(tiny):
    with tiny.transaction() as cur:
        cur.execute(
            "INSERT INTO scenarios (scenario_id, name, author, cycle, levers) "
            "VALUES (nextval('scenario_seq'), 'Overtime', 'Lena', DATE '2026-03-01', '{}')"
        )
    sid = int(tiny.scalar("SELECT scenario_id FROM scenarios"))
    item = add_decision(
        tiny,
        "Run overtime on R in April",
        owner="Lena",
        actor=KATRIN,
        due_date="2026-03-20",
        family="A",
        scenario_id=sid,
        resource="R",
    )
    row = list_decisions(tiny, MARCH, today=dt.date(2026, 3, 10)).set_index("id").loc[item]
    assert (row["text"], row["owner"], row["status"], row["family"], row["scenario"], row["resource"]) == (
        "Run overtime on R in April",
        "Lena",
        "open",
        "A",
        "Overtime",
        "R",
    )
    assert pd.Timestamp(row["cycle"]).date() == MARCH  # default: the latest cycle
    assert not row["carried"] and not row["overdue"] and row["created_by"] == "Katrin"

    changes = {"owner": "Lena", "due_date": "2026-03-27", "status": "done"}
    assert update_decision(tiny, item, changes, actor=TOM, seen=None) == 2  # seen: never changed since created
    seen = item_version(tiny, "decision", item)
    assert update_decision(tiny, item, {"status": "done"}, actor=TOM, seen=seen) == 0  # nothing changed, not audited
    trail = audit_trail(tiny, "decision", item)
    assert trail[["field", "old_value", "new_value", "changed_by"]].values.tolist() == [
        ["created", None, "Run overtime on R in April", "Katrin"],
        ["due_date", "2026-03-20", "2026-03-27", "Tom"],
        ["status", "open", "done", "Tom"],
    ]
    assert trail["changed_at"].notna().all()
    after = list_decisions(tiny).set_index("id").loc[item]
    assert after["updated_by"] == "Tom" and after["status"] == "done"


def test_refusals_change_nothing(tiny):
    item = add_decision(tiny, "Expedite A", owner="Lena", actor=KATRIN)
    before = audit_trail(tiny)
    for call, match in [
        (lambda: add_decision(tiny, "  ", owner="Lena", actor=KATRIN), "text"),
        (lambda: add_decision(tiny, "X", owner="", actor=KATRIN), "owner"),
        (lambda: add_decision(tiny, "X", owner="Lena", actor=VIEWER), "may not record decisions"),
        (lambda: add_decision(tiny, "X", owner="Lena", actor=KATRIN, family="Nope"), "Unknown family"),
        (lambda: add_decision(tiny, "X", owner="Lena", actor=KATRIN, resource="Nope"), "Unknown resource"),
        (lambda: add_decision(tiny, "X", owner="Lena", actor=KATRIN, scenario_id=99), "no scenario"),
        (lambda: update_decision(tiny, item, {"status": "maybe"}, actor=TOM, seen=None), "Status must be"),
        (lambda: update_decision(tiny, item, {"decided_by": "Tom"}, actor=TOM, seen=None), "Cannot change"),
        (lambda: update_decision(tiny, 999, {"status": "done"}, actor=TOM, seen=None), "no decision 999"),
    ]:
        with pytest.raises((CycleError, ValueError, PermissionError), match=match):
            call()
    pd.testing.assert_frame_equal(audit_trail(tiny), before)
    assert len(list_decisions(tiny)) == 1


def test_overdue_items_and_engine_events_kept_apart(tiny):
    late = add_decision(tiny, "Qualify a supplier", owner="Lena", actor=KATRIN, due_date="2026-03-05")
    add_decision(tiny, "Review prices", owner="Tom", actor=KATRIN, due_date="2026-04-30")
    add_assumption(tiny, "Steel stays flat", owner="Tom", actor=TOM, due_date="2026-03-01")
    approve_plan(tiny, "2026-03", KATRIN)  # an engine event in the same table
    assert len(list_decisions(tiny)) == 2
    overdue = overdue_items(tiny, today=dt.date(2026, 3, 11))
    assert overdue[["register", "days_overdue"]].values.tolist() == [["assumption", 10], ["decision", 6]]
    assert overdue.loc[overdue["register"] == "decision", "id"].tolist() == [late]
    assert list_decisions(tiny, today=dt.date(2026, 3, 11)).set_index("id").loc[late, "overdue"]
    update_decision(tiny, late, {"status": "dropped"}, actor=LENA, seen=None)
    assert overdue_items(tiny, today=dt.date(2026, 3, 11))["register"].tolist() == ["assumption"]


def test_assumptions_changed_since_the_last_cycle(tiny):
    old = add_assumption(tiny, "Steel stays flat", owner="Tom", actor=TOM, cycle="2026-02")
    approve_plan(tiny, "2026-03", KATRIN)
    with tiny.transaction() as cur:  # back-date the history: created in February, March approved on the 20th
        cur.execute("UPDATE register_audit SET changed_at = TIMESTAMP '2026-02-10 10:00'")
        cur.execute("UPDATE plan_versions SET approved_at = TIMESTAMP '2026-03-20 10:00' WHERE cycle = '2026-03-01'")
    new = add_assumption(tiny, "Customer A grows 5 %", owner="Jonas", actor=JONAS, family="A", cycle="2026-04")
    update_assumption(tiny, old, {"text": "Steel up 8 % from May"}, actor=TOM, seen=None)
    changed = assumptions_changed(tiny, "2026-04")
    assert changed.set_index("id")["changes"].to_dict() == {
        old: "text: Steel stays flat → Steel up 8 % from May",
        new: "new",
    }
    assert list_assumptions(tiny, "2026-04")["id"].tolist() == [new]  # not carried: no cycle was opened


def test_migration_3_keeps_the_old_decisions(db_path):
    con = duckdb.connect(db_path)
    for version, statements in enumerate(schema.MIGRATIONS[:2], start=1):
        for statement in statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    con.execute(
        "INSERT INTO decisions (decision_id, cycle, kind, subject, decided_by) "
        "VALUES (nextval('decision_seq'), DATE '2026-01-01', 'approve_plan', '2026-01', 'Old')"
    )
    con.close()
    with open_store(db_path) as store:
        assert store.schema_version() == len(schema.MIGRATIONS)
        kept = store.query("SELECT kind, subject, decided_by, status FROM decisions")
        assert kept.values.tolist() == [["approve_plan", "2026-01", "Old", None]]
        assert list_decisions(store).empty
        with store.transaction() as cur:
            record_decision(cur, None, "promote_scenario", "S", None, "Lena")
        assert store.scalar("SELECT count(*) FROM decisions") == 2


def test_every_field_changes_links_can_be_unset_and_a_stale_edit_changes_nothing(tiny):
    with tiny.transaction() as cur:
        cur.execute(
            "INSERT INTO scenarios (scenario_id, name, author, cycle, levers) "
            "VALUES (nextval('scenario_seq'), 'Steel up', 'Tom', DATE '2026-03-01', '{}')"
        )
    sid = int(tiny.scalar("SELECT scenario_id FROM scenarios"))
    item = add_assumption(
        tiny, "Steel stays flat", owner="Tom", actor=TOM, family="A", resource="R", due_date="2026-03-20"
    )
    changes = {
        "text": "Steel up 8 % from May",
        "owner": "Jonas",
        "due_date": None,
        "family": None,
        "scenario_id": sid,
        "resource": "",  # an empty pick is no link, as None
    }
    assert update_assumption(tiny, item, changes, actor=LENA, seen=None) == 6
    row = list_assumptions(tiny).set_index("id").loc[item]
    assert (row["text"], row["owner"], row["scenario"], row["status"]) == (
        "Steel up 8 % from May",
        "Jonas",
        "Steel up",
        "open",
    )
    assert pd.isna(row["family"]) and pd.isna(row["resource"]) and pd.isna(row["due_date"])
    trail = audit_trail(tiny, "assumption", item).set_index("field")
    assert trail.loc[["family", "scenario_id", "resource", "due_date"], ["old_value", "new_value"]].values.tolist() == [
        ["A", None],
        [None, str(sid)],
        ["R", None],
        ["2026-03-20", None],
    ]
    assert (trail["changed_by"].drop("created") == "Lena").all()

    before, audited = list_assumptions(tiny), audit_trail(tiny)
    with pytest.raises(EditConflictError, match=r"Assumption #\d+ was changed by Lena .*text: Steel stays flat →"):
        update_assumption(tiny, item, {"family": "B"}, actor=TOM, seen=None)  # Tom's page still shows the old item
    pd.testing.assert_frame_equal(list_assumptions(tiny), before)
    pd.testing.assert_frame_equal(audit_trail(tiny), audited)
