"""The decision log and the assumption register: fields, links, statuses, the audit trail, overdue items."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from sop_core import open_store, schema
from sop_core.cycle import (
    CycleError,
    add_assumption,
    add_decision,
    assumptions_changed,
    audit_trail,
    list_assumptions,
    list_decisions,
    overdue_items,
    update_assumption,
    update_decision,
)
from sop_core.plans import approve_plan, record_decision

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
        by="Katrin",
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

    assert update_decision(tiny, item, {"owner": "Lena", "due_date": "2026-03-27", "status": "done"}, by="Tom") == 2
    assert update_decision(tiny, item, {"status": "done"}, by="Tom") == 0  # nothing changed, nothing audited
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
    item = add_decision(tiny, "Expedite A", owner="Lena", by="Katrin")
    before = audit_trail(tiny)
    for call, match in [
        (lambda: add_decision(tiny, "  ", owner="Lena", by="Katrin"), "text"),
        (lambda: add_decision(tiny, "X", owner="", by="Katrin"), "owner"),
        (lambda: add_decision(tiny, "X", owner="Lena", by=""), "Say who"),
        (lambda: add_decision(tiny, "X", owner="Lena", by="K", family="Nope"), "Unknown family"),
        (lambda: add_decision(tiny, "X", owner="Lena", by="K", resource="Nope"), "Unknown resource"),
        (lambda: add_decision(tiny, "X", owner="Lena", by="K", scenario_id=99), "no scenario"),
        (lambda: update_decision(tiny, item, {"status": "maybe"}, by="Tom"), "Status must be"),
        (lambda: update_decision(tiny, item, {"decided_by": "Tom"}, by="Tom"), "Cannot change"),
        (lambda: update_decision(tiny, 999, {"status": "done"}, by="Tom"), "no decision 999"),
    ]:
        with pytest.raises((CycleError, ValueError), match=match):
            call()
    pd.testing.assert_frame_equal(audit_trail(tiny), before)
    assert len(list_decisions(tiny)) == 1


def test_overdue_items_and_engine_events_kept_apart(tiny):
    late = add_decision(tiny, "Qualify a supplier", owner="Lena", by="Katrin", due_date="2026-03-05")
    add_decision(tiny, "Review prices", owner="Tom", by="Katrin", due_date="2026-04-30")
    add_assumption(tiny, "Steel stays flat", owner="Tom", by="Tom", due_date="2026-03-01")
    approve_plan(tiny, "2026-03", "Katrin")  # an engine event in the same table
    assert len(list_decisions(tiny)) == 2
    overdue = overdue_items(tiny, today=dt.date(2026, 3, 11))
    assert overdue[["register", "days_overdue"]].values.tolist() == [["assumption", 10], ["decision", 6]]
    assert overdue.loc[overdue["register"] == "decision", "id"].tolist() == [late]
    assert list_decisions(tiny, today=dt.date(2026, 3, 11)).set_index("id").loc[late, "overdue"]
    update_decision(tiny, late, {"status": "dropped"}, by="Lena")
    assert overdue_items(tiny, today=dt.date(2026, 3, 11))["register"].tolist() == ["assumption"]


def test_assumptions_changed_since_the_last_cycle(tiny):
    old = add_assumption(tiny, "Steel stays flat", owner="Tom", by="Tom", cycle="2026-02")
    approve_plan(tiny, "2026-03", "Katrin")
    with tiny.transaction() as cur:  # back-date the history: created in February, March approved on the 20th
        cur.execute("UPDATE register_audit SET changed_at = TIMESTAMP '2026-02-10 10:00'")
        cur.execute("UPDATE plan_versions SET approved_at = TIMESTAMP '2026-03-20 10:00' WHERE cycle = '2026-03-01'")
    new = add_assumption(tiny, "Customer A grows 5 %", owner="Jonas", by="Jonas", family="A", cycle="2026-04")
    update_assumption(tiny, old, {"text": "Steel up 8 % from May"}, by="Tom")
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
