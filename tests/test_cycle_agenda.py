"""The generated agenda and the demo's cycle: a real month part-way through, with its stories on the agenda."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sop_core import Store
from sop_core.cycle import (
    AGENDA_COLUMNS,
    AGENDA_SECTIONS,
    agenda,
    budget_reconciliation,
    cycle_status,
    list_decisions,
)
from sop_core.cycle.supply_check import SUPPLY_RULES, supply_exceptions
from sop_core.plans import write_plan_rows
from sop_core.review import exceptions, load_review
from tests.support.stores import DEMO_AS_OF


def test_demo_cycle_is_part_way(demo_store):
    state = cycle_status(demo_store, today=DEMO_AS_OF)
    assert state.cycle == DEMO_AS_OF and state.plan_status == "draft" and state.opened
    assert state.steps["status"].tolist() == ["done", "done", "in progress", "not started", "not started"]
    assert state.current_step == "supply"
    tasks = state.tasks.set_index("task")
    assert not tasks.loc["capacity_ok", "done"] and "Assembly" in tasks.loc["capacity_ok", "detail"]
    assert tasks.loc["budget_compared", "done"]
    assert (state.open_decisions, state.overdue_decisions) == (3, 1)
    assert 0.4 < state.progress < 0.7


def test_agenda_names_the_demo_stories(demo_store):
    frame = agenda(demo_store, today=DEMO_AS_OF)
    assert list(frame.columns) == AGENDA_COLUMNS
    assert list(dict.fromkeys(frame["section"])) == list(AGENDA_SECTIONS)
    needed = frame[frame["section"] == AGENDA_SECTIONS[0]]
    assert needed["money"].is_monotonic_decreasing
    topics = set(zip(needed["topic"], needed["subject"], strict=True))
    assert ("Capacity overload", "Assembly") in topics
    assert ("Revenue below budget", "High-Pressure Valves") in topics
    assert ("Negative value added", "Sales overrides on Standard Valves") in topics
    due = frame[frame["section"] == AGENDA_SECTIONS[1]].set_index("subject")
    assert "Custom Skids backlog" in due.loc["Custom Skids", "detail"]
    assert due.loc["Industrial Pumps", "topic"] == "Decision (overdue)"
    changed = frame[frame["section"] == AGENDA_SECTIONS[2]]
    assert changed["detail"].str.contains("Steel prices").any() and changed["detail"].str.contains("new").any()


def test_agenda_money_is_the_review_money(demo_store):
    review = load_review(demo_store, None)
    ranked = exceptions(review)
    frame = agenda(demo_store, today=DEMO_AS_OF, review=review, threshold=0)
    from_review = frame[frame["page"].isin(ranked["page"])]
    pd.testing.assert_series_equal(
        from_review["money"].reset_index(drop=True),
        ranked["money"].astype(float).reset_index(drop=True),
        check_names=False,
    )
    high = agenda(demo_store, today=DEMO_AS_OF, review=review, threshold=1e9)
    assert set(high.loc[high["page"].isin(ranked["page"]), "topic"]) == {"Capacity overload", "Revenue below budget"}


def test_demo_decisions_and_reconciliation(demo_store):
    log = list_decisions(demo_store, today=DEMO_AS_OF)
    assert log["status"].value_counts().to_dict() == {"open": 3, "done": 3, "dropped": 1}
    assert log["overdue"].sum() == 1
    money = budget_reconciliation(demo_store)
    assert money["month"].nunique() == 18
    hpv = money[money["family"] == "High-Pressure Valves"]
    assert (hpv["revenue_gap"] < 0).all()
    assert (money["revenue_gap"] == money["plan_revenue"] - money["budget_revenue"]).all()
    assert (
        pd.Timestamp(money["month"].min()).date() == DEMO_AS_OF
        and dt.date(2028, 4, 1) == pd.Timestamp(money["month"].max()).date()
    )


def test_a_late_overload_and_a_small_shortage_reach_the_agenda(tiny: Store):
    """Month 16 of the tiny store's March plan overloads the line; month 14 runs A out of stock (€4,530 of
    backorders, far below the money threshold). Both are on the supply card and on the agenda."""
    march = dt.date(2026, 3, 1)
    with tiny.transaction() as cur:
        cur.execute("INSERT INTO capacity VALUES ('R', DATE '2027-06-01', 100)")
        production = pd.DataFrame({"family": ["A"], "month": ["2027-06-01"], "quantity": [1000.0]})
        write_plan_rows(cur, "production_plan", march, production)
        demand = pd.DataFrame({"family": ["A"], "region": ["N"], "month": ["2027-04-01"], "quantity": [500.0]})
        write_plan_rows(cur, "demand_plan", march, demand)
    assert exceptions(load_review(tiny, march)).empty  # the review pages' 12 months see neither
    needed = agenda(tiny, march, today=march)
    needed = needed[needed["section"] == AGENDA_SECTIONS[0]]
    rows = needed[["topic", "subject", "months", "money"]].values.tolist()
    assert rows == [["Capacity overload", "R", "Jun 2027", 8000.0], ["Backorders", "A", "Apr 2027", 4530.0]]
    card = supply_exceptions(tiny, march)  # the supply card's exceptions: the same rows
    assert card[["rule", "subject", "months", "money"]].values.tolist() == rows
    assert set(card["rule"]) <= set(SUPPLY_RULES)
