"""The cycle's calendar and statuses: working days, due dates, not started / in progress / done / overdue."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sop_core.cycle import (
    CycleError,
    add_holiday,
    add_working_days,
    calendar_mismatches,
    cycle_status,
    holidays,
    is_working_day,
    month_working_days,
    nth_working_day,
    sign_off_step,
    tick_task,
    update_step_template,
    working_days_between,
)
from sop_core.cycle.steps import step_status
from sop_core.cycle.template import due_dates
from sop_core.people import local_actor
from tests.support.people import VIEWER

# People of these tests: the local single-user mode (every role) under their names, as the author strings.
INES = local_actor("Ines")
KATRIN = local_actor("Katrin")
LENA = local_actor("Lena")

FRI = dt.date(2026, 1, 9)


def test_working_days_skip_weekends_and_holidays():
    assert is_working_day(FRI) and not is_working_day(dt.date(2026, 1, 10))
    assert add_working_days(FRI, 1) == dt.date(2026, 1, 12)  # Friday + 1 → Monday
    assert add_working_days(dt.date(2026, 1, 12), -1) == FRI
    assert add_working_days(FRI, 0) == FRI
    assert add_working_days(FRI, 1, [dt.date(2026, 1, 12)]) == dt.date(2026, 1, 13)
    assert working_days_between(dt.date(2026, 1, 5), dt.date(2026, 1, 12)) == 5
    assert month_working_days(dt.date(2026, 2, 1)) == 20
    assert month_working_days(dt.date(2026, 12, 1), [dt.date(2026, 12, 25)]) == 22


def test_due_dates_count_working_days_from_the_start():
    # 2026-01-01 is a Thursday: day 1 = Thu 1st, day 2 = Fri 2nd (a step due on a Friday) → day 3 = Mon 5th.
    start = dt.date(2026, 1, 1)
    assert due_dates(start, [1, 2, 3, 6], []) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 8),
    ]
    # A cycle starting on a Sunday counts from Monday; a holiday on day 1 moves every date.
    assert nth_working_day(dt.date(2026, 11, 1), 1) == dt.date(2026, 11, 2)
    assert due_dates(start, [1, 3], [dt.date(2026, 1, 1)]) == [dt.date(2026, 1, 2), dt.date(2026, 1, 6)]
    with pytest.raises(ValueError):
        nth_working_day(start, 0)


def test_step_status_rules():
    due = dt.date(2026, 3, 10)
    assert step_status(True, due, dt.date(2026, 3, 20), started=True) == "done"
    assert step_status(False, due, dt.date(2026, 3, 11), started=False) == "overdue"
    assert step_status(False, due, due, started=True) == "in progress"  # due today is not overdue yet
    assert step_status(False, due, dt.date(2026, 3, 2), started=False) == "not started"


def test_status_of_a_cycle_from_the_template(tiny):
    # 2026-03 predates the cycle engine: steps from the template, counted from 2026-03-01 (a Sunday).
    state = cycle_status(tiny, "2026-03", today=dt.date(2026, 3, 4))
    assert not state.opened and state.plan_status == "draft"
    steps = state.steps.set_index("step")
    assert steps["due_date"].tolist() == [
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 12),
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 20),
    ]
    assert steps["status"].tolist() == ["in progress", "not started", "not started", "not started", "not started"]
    later = cycle_status(tiny, "2026-03", today=dt.date(2026, 3, 10)).steps["status"].tolist()
    assert later[:2] == ["overdue", "overdue"] and later[2] == "not started"
    assert 0 < state.progress < 1 and state.current_step == "data"


def test_sign_off_moves_the_cycle_on(tiny):
    with pytest.raises(CycleError, match="Tasks not done"):
        sign_off_step(tiny, "2026-03", "data", actor=INES)
    with pytest.raises(CycleError, match="needs a comment"):
        tick_task(tiny, "2026-03", "actuals_loaded", actor=INES)
    tick_task(tiny, "2026-03", "actuals_loaded", actor=INES, comment="B ships per family next week")
    tick_task(tiny, "2026-03", "baseline_run", actor=INES, comment="no baseline for the tiny store")
    tick_task(tiny, "2026-03", "data_reviewed", actor=INES)
    with pytest.raises(CycleError, match="earlier steps"):
        sign_off_step(tiny, "2026-03", "supply", actor=LENA)
    with pytest.raises(PermissionError, match="may not sign off"):
        sign_off_step(tiny, "2026-03", "data", actor=VIEWER)
    sign_off_step(tiny, "2026-03", "data", actor=INES, comment="closed")
    state = cycle_status(tiny, "2026-03", today=dt.date(2026, 3, 5))
    steps = state.steps.set_index("step")
    assert steps.loc["data", "status"] == "done" and steps.loc["data", "signed_by"] == "Ines"
    assert steps.loc["data", "comment"] == "closed" and pd.notna(steps.loc["data", "signed_at"])
    assert steps.loc["demand", "status"] == "in progress"  # the step after a done one has started
    assert state.opened and state.current_step == "demand"
    waived = state.tasks.set_index("task").loc["actuals_loaded"]
    assert waived["done"] and waived["done_by"] == "Ines" and waived["comment"].startswith("B ships")
    with pytest.raises(CycleError, match="already signed"):
        sign_off_step(tiny, "2026-03", "data", actor=INES)
    with pytest.raises(CycleError, match="signed off"):
        tick_task(tiny, "2026-03", "data_reviewed", actor=INES, done=False)
    with pytest.raises(CycleError, match="approving"):
        sign_off_step(tiny, "2026-03", "executive", actor=KATRIN)
    assert tiny.scalar("SELECT count(*) FROM decisions WHERE kind = 'sign_off' AND subject = 'data'") == 1


def test_template_and_holidays_are_data(tiny):
    update_step_template(tiny, "supply", actor=LENA, owner="Lena Brandt", offset_days=10)
    with pytest.raises(CycleError, match="between the offsets"):
        update_step_template(tiny, "supply", actor=LENA, offset_days=20)
    add_holiday(tiny, "2026-03-02", "Plant holiday", actor=LENA)
    assert holidays(tiny) == [dt.date(2026, 3, 2)]
    steps = cycle_status(tiny, "2026-03", today=dt.date(2026, 3, 1)).steps.set_index("step")
    assert steps.loc["supply", "owner"] == "Lena Brandt"
    assert steps.loc["data", "due_date"] == dt.date(2026, 3, 5)  # day 3 skips the weekend and the holiday
    assert steps.loc["supply", "due_date"] == dt.date(2026, 3, 16)


def test_demo_calendar_agrees_with_the_working_day_count(demo_store):
    assert calendar_mismatches(demo_store).empty


def test_business_today_follows_sop_today(monkeypatch: pytest.MonkeyPatch):
    from sop_core.months import business_today, current_month

    monkeypatch.setenv("SOP_TODAY", "2027-01-15")
    assert business_today() == dt.date(2027, 1, 15) and current_month() == dt.date(2027, 1, 1)
    monkeypatch.setenv("SOP_TODAY", "15.01.2027")
    with pytest.raises(ValueError, match="SOP_TODAY is a date YYYY-MM-DD"):
        business_today()
    monkeypatch.delenv("SOP_TODAY")
    assert business_today() == dt.date.today()
