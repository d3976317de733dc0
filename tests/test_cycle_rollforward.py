"""Opening a cycle rolls forward: the draft starts from the last approved plan, the baseline is run, overrides
inside the horizon are carried and flagged, open decisions and assumptions come along."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from sop_core import open_store
from sop_core.conventions import PLAN_HORIZON_MONTHS
from sop_core.cycle import (
    CycleError,
    add_assumption,
    add_decision,
    approve_cycle,
    carried_overrides,
    confirm_carried_overrides,
    cycle_status,
    list_assumptions,
    list_decisions,
    open_cycle,
    sign_off_step,
    tick_task,
    update_decision,
)
from sop_core.forecast import save_override
from sop_core.people import local_actor
from sop_core.plans import NoPlanError

# People of these tests: the local single-user mode (every role) under their names, as the author strings.
INES = local_actor("Ines")
JONAS = local_actor("Jonas")
KATRIN = local_actor("Katrin")
TOM = local_actor("Tom")

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def close_march(store) -> dict[str, int]:
    """March with overrides, decisions and assumptions, its steps run and its plan approved; returns item ids."""
    for month, value in (("2026-03", 7.0), ("2026-04", 5.0)):
        save_override(
            store,
            MARCH,
            layer="sales",
            family="A",
            region="N",
            start=month,
            value=value,
            reason="promotion",
            comment="dealer push",
            actor=JONAS,
        )
    ids = {
        "open": add_decision(store, "Expedite A", owner="Lena", actor=KATRIN, cycle=MARCH, due_date="2026-04-20"),
        "done": add_decision(store, "Hire a planner", owner="Tom", actor=KATRIN, cycle=MARCH),
        "assumption": add_assumption(store, "Steel stays flat", owner="Tom", actor=TOM, cycle=MARCH),
    }
    update_decision(store, ids["done"], {"status": "done"}, actor=TOM, seen=None)
    tasks = cycle_status(store, MARCH).tasks
    for task in tasks[(tasks["step"] != "executive") & ~tasks["done"]].itertuples():
        tick_task(store, MARCH, task.task, actor=INES, comment="tiny store" if task.auto else "")
    for step in ("data", "demand", "supply", "pre_sop"):
        sign_off_step(store, MARCH, step, actor=INES)
    approve_cycle(store, MARCH, actor=KATRIN)
    return ids


def test_open_refuses_while_an_earlier_cycle_is_a_draft(tiny):
    with pytest.raises(CycleError, match="2026-03 is still a draft"):
        open_cycle(tiny, "2026-04", actor=INES, mode="quick")
    with pytest.raises(CycleError, match="already open"):
        open_cycle(tiny, "2026-02", actor=INES, mode="quick")
    with pytest.raises(CycleError, match="before the latest"):
        open_cycle(tiny, "2025-12", actor=INES, mode="quick")
    assert tiny.scalar("SELECT count(*) FROM plan_versions") == 3


def test_roll_forward_from_the_last_approved_plan(tiny):
    ids = close_march(tiny)
    opened = open_cycle(tiny, actor=INES, mode="quick")
    assert opened.cycle == APRIL and opened.from_cycle == MARCH
    assert (opened.overrides_carried, opened.decisions_carried, opened.assumptions_carried) == (1, 1, 1)
    assert opened.baseline_rows > 0

    # The draft covers 18 months: the approved plan's months, then its last month repeated.
    demand = tiny.query("SELECT family, region, month, quantity FROM demand_plan WHERE cycle = ? ORDER BY ALL", [APRIL])
    assert demand.groupby(["family", "region"])["month"].nunique().eq(PLAN_HORIZON_MONTHS).all()
    approved = tiny.query(
        "SELECT family, region, quantity FROM demand_plan WHERE cycle = ? AND month = ?", [MARCH, APRIL]
    ).set_index(["family", "region"])["quantity"]
    for (family, region), group in demand.groupby(["family", "region"]):
        assert (group["quantity"] == approved[(family, region)]).all()
    production = tiny.query(
        "SELECT month, quantity FROM production_plan WHERE cycle = ? AND family = 'A' ORDER BY month", [APRIL]
    )
    assert production["quantity"].tolist() == [100.0] * PLAN_HORIZON_MONTHS
    assert pd.Timestamp(production["month"].iloc[-1]).date() == dt.date(2027, 9, 1)
    assert tiny.scalar("SELECT status FROM plan_versions WHERE cycle = ?", [MARCH]) == "approved"

    # The statistical baseline ran for the new draft.
    assert tiny.scalar("SELECT count(*) FROM forecast_baseline WHERE cycle = ?", [APRIL]) == opened.baseline_rows

    # Overrides inside the new horizon are carried and flagged; March's own month stays behind.
    carried = carried_overrides(tiny, APRIL)
    assert carried[["family", "region", "layer", "value", "reason", "author"]].values.tolist() == [
        ["A", "N", "sales", 5.0, "promotion", "Jonas"]
    ]
    assert carried["to_review"].tolist() == [True] and carried["from_cycle"].tolist() == [pd.Timestamp(MARCH)]
    state = cycle_status(tiny, APRIL, today=dt.date(2026, 4, 1))
    assert state.opened and state.from_cycle == MARCH and state.carried_overrides_to_review == 1
    save_override(
        tiny,
        APRIL,
        layer="sales",
        family="A",
        region="N",
        start="2026-04",
        value=4,
        reason="promotion",
        actor=JONAS,
        seen=1,
    )
    assert carried_overrides(tiny, APRIL)["to_review"].tolist() == [False]  # re-saved: reviewed

    # Open decisions and assumptions come along; the done one does not.
    decisions = list_decisions(tiny, APRIL, today=dt.date(2026, 4, 1))
    assert decisions["id"].tolist() == [ids["open"]] and decisions["carried"].all()
    assert list_assumptions(tiny, APRIL)["id"].tolist() == [ids["assumption"]]
    event = tiny.query("SELECT decided_by, detail FROM decisions WHERE kind = 'open_cycle'")
    assert event["decided_by"].tolist() == ["Ines"]
    assert json.loads(event.at[0, "detail"])["from_cycle"] == "2026-03"

    with pytest.raises(CycleError, match="already open"):
        open_cycle(tiny, APRIL, actor=INES, mode="quick")


def test_confirm_carried_overrides(tiny):
    close_march(tiny)
    open_cycle(tiny, actor=INES, mode="quick")
    assert confirm_carried_overrides(tiny, APRIL, actor=JONAS, family="B") == 0
    assert confirm_carried_overrides(tiny, APRIL, actor=JONAS, layer="sales") == 1
    assert cycle_status(tiny, APRIL).carried_overrides_to_review == 0


def test_confirming_overrides_of_a_cycle_without_a_plan_is_refused_and_makes_no_draft(tiny):
    before = tiny.query("SELECT * FROM plan_versions ORDER BY ALL")
    with pytest.raises(NoPlanError, match=r"There is no plan for cycle 2026-05: open the cycle first") as refusal:
        confirm_carried_overrides(tiny, "2026-05", actor=JONAS)
    assert "Nothing was written" in str(refusal.value)
    pd.testing.assert_frame_equal(tiny.query("SELECT * FROM plan_versions ORDER BY ALL"), before)
    assert tiny.scalar("SELECT count(*) FROM decisions WHERE kind = 'confirm_overrides'") == 0


def test_first_cycle_opens_an_empty_draft():
    with open_store(":memory:") as store:
        opened = open_cycle(store, "2026-01", actor=INES, mode="quick")
        assert (opened.from_cycle, opened.plan_rows, opened.baseline_rows) == (None, 0, 0)
        state = cycle_status(store, today=dt.date(2026, 1, 2))
        assert state.opened and state.plan_status == "draft" and len(state.steps) == 5
