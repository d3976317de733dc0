"""Approval freezes the cycle's plan (checksum; every write refused, the store unchanged); reopening is logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest

from sop_core import FrozenPlanError, approve_plan, write_plan
from sop_core.cycle import (
    CycleError,
    add_decision,
    approve_cycle,
    confirm_carried_overrides,
    cycle_status,
    plan_snapshot,
    reopen_cycle,
    sign_off_step,
    snapshot_checksum,
    tick_task,
    verify_snapshot,
)
from sop_core.forecast import run_baseline, save_override
from sop_core.people import local_actor
from sop_core.plans import snapshot_texts
from tests.support.people import EVERYONE, VIEWER

# People of these tests: the local single-user mode (every role) under their names, as the author strings.
INES = local_actor("Ines")
JONAS = local_actor("Jonas")
KATRIN = local_actor("Katrin")
LENA = local_actor("Lena")

CYCLE = dt.date(2026, 3, 1)
WAIVE = "tiny store: checked by hand"


def run_steps(store, cycle=CYCLE) -> None:
    """Tick every task (automatic ones waived) and sign off the steps before the executive meeting."""
    tasks = cycle_status(store, cycle).tasks
    for task in tasks[(tasks["step"] != "executive") & ~tasks["done"]].itertuples():
        tick_task(store, cycle, task.task, actor=INES, comment=WAIVE if task.auto else "")
    for step in ("data", "demand", "supply", "pre_sop"):
        sign_off_step(store, cycle, step, actor=INES)


def dump(store) -> dict[str, list[str]]:
    """Every table's rows, sorted: the whole store."""
    names = store.query("SELECT table_name FROM information_schema.tables ORDER BY 1")["table_name"]
    # table names come from the catalog, not from input
    return {
        n: sorted(repr(tuple(row)) for row in store.query(f"SELECT * FROM {n}").itertuples(index=False)) for n in names
    }


def test_approval_needs_the_earlier_steps(tiny):
    with pytest.raises(CycleError, match="signed off: data, demand, supply, pre_sop"):
        approve_cycle(tiny, CYCLE, actor=KATRIN)
    with pytest.raises(PermissionError, match="approve"):
        approve_cycle(tiny, CYCLE, actor=VIEWER)
    assert tiny.scalar("SELECT status FROM plan_versions WHERE cycle = ?", [CYCLE]) == "draft"


def test_approval_freezes_with_a_checksum_and_refuses_every_write(tiny):
    save_override(
        tiny, CYCLE, layer="sales", family="A", region="N", start="2026-04", value=5, reason="promotion", actor=JONAS
    )
    run_steps(tiny)
    checksum = approve_cycle(tiny, CYCLE, actor=KATRIN, comment="as proposed")
    state = cycle_status(tiny, CYCLE, today=dt.date(2026, 3, 25))
    assert state.approved and state.approved_by == "Katrin" and state.checksum == checksum
    assert state.steps["status"].tolist() == ["done"] * 5 and state.progress == 1.0
    cur = tiny.cursor()
    text = snapshot_texts(cur, [CYCLE])[CYCLE]
    cur.close()
    snapshot = plan_snapshot(tiny, CYCLE)
    assert len(text.splitlines()) == sum(len(f) for f in snapshot.values()) == 10
    assert "production_plan|A|2026-03-01|150.0" in text.splitlines()
    assert checksum == hashlib.sha256(text.encode()).hexdigest() == snapshot_checksum(tiny, CYCLE)
    assert verify_snapshot(tiny, CYCLE)
    event = tiny.query("SELECT decided_by, detail FROM decisions WHERE kind = 'approve_plan' AND cycle = ?", [CYCLE])
    assert event["decided_by"].tolist() == ["Katrin"] and json.loads(event.at[0, "detail"])["checksum"] == checksum

    before = dump(tiny)
    rows = pd.DataFrame({"family": ["A"], "month": ["2026-04-01"], "quantity": [1.0]})
    writes = [
        lambda: write_plan(tiny, "production_plan", CYCLE, rows, actor=EVERYONE),
        lambda: save_override(
            tiny,
            CYCLE,
            layer="sales",
            family="A",
            region="N",
            start="2026-04",
            value=9,
            reason="promotion",
            actor=JONAS,
            seen=1,
        ),
        lambda: run_baseline(tiny, CYCLE, mode="quick", actor=EVERYONE),
        lambda: approve_cycle(tiny, CYCLE, actor=KATRIN),
        lambda: approve_plan(tiny, CYCLE, KATRIN),
        lambda: tick_task(tiny, CYCLE, "data_reviewed", actor=INES, done=False),
        lambda: sign_off_step(tiny, CYCLE, "supply", actor=LENA),
        lambda: confirm_carried_overrides(tiny, CYCLE, actor=INES),
    ]
    for write in writes:
        with pytest.raises(FrozenPlanError):
            write()
    assert dump(tiny) == before
    assert verify_snapshot(tiny, CYCLE)
    # the decision log stays open after approval: the meeting's decisions are recorded then
    add_decision(tiny, "Expedite A", owner="Lena", actor=KATRIN, cycle=CYCLE)


def test_reopening_needs_a_reason_and_is_logged(tiny):
    run_steps(tiny)
    checksum = approve_cycle(tiny, CYCLE, actor=KATRIN)
    with pytest.raises(CycleError, match="reason"):
        reopen_cycle(tiny, CYCLE, actor=KATRIN, reason="  ")
    with pytest.raises(CycleError, match="only the latest"):
        reopen_cycle(tiny, "2026-02", actor=KATRIN, reason="typo")
    with pytest.raises(CycleError, match="not approved"):
        reopen_cycle(tiny, "2026-04", actor=KATRIN, reason="typo")
    reopen_cycle(tiny, CYCLE, actor=KATRIN, reason="Customer A cancelled a large order")
    log = tiny.query("SELECT decided_by, detail FROM decisions WHERE kind = 'reopen_plan' AND cycle = ?", [CYCLE])
    assert log["decided_by"].tolist() == ["Katrin"]
    assert json.loads(log.at[0, "detail"]) == {"reason": "Customer A cancelled a large order", "checksum": checksum}
    state = cycle_status(tiny, CYCLE, today=dt.date(2026, 3, 19))
    assert state.plan_status == "draft" and state.checksum is None and not verify_snapshot(tiny, CYCLE)
    executive = state.steps.set_index("step").loc["executive"]
    assert executive["status"] == "in progress" and "Customer A cancelled" in executive["comment"]
    write_plan(
        tiny,
        "production_plan",
        CYCLE,
        pd.DataFrame({"family": ["A"], "month": ["2026-04-01"], "quantity": [90.0]}),
        actor=EVERYONE,
    )
    assert approve_cycle(tiny, CYCLE, actor=KATRIN) != checksum  # the changed plan has another fingerprint
    assert tiny.scalar("SELECT count(*) FROM decisions WHERE kind = 'approve_plan' AND cycle = ?", [CYCLE]) == 2


def test_plans_approve_plan_stores_the_checksum_too(tiny):
    checksum = approve_plan(tiny, CYCLE, KATRIN)
    assert tiny.scalar("SELECT checksum FROM plan_versions WHERE cycle = ?", [CYCLE]) == checksum
    assert verify_snapshot(tiny, CYCLE)
