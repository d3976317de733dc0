"""The demo company: its shape, determinism, and the stories it must tell."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sop_core import (
    capacity_load,
    demand_supply_gap,
    finance,
    forecast_accuracy,
    load_demo,
    open_store,
    plan_vs_actual,
)
from sop_core.demo import build_demo
from tests.support.stores import DEMO_AS_OF


def test_shape(demo_store):
    q = demo_store.scalar
    assert q("SELECT count(*) FROM families") == 8
    assert q("SELECT count(*) FROM families WHERE strategy = 'mto'") >= 2
    assert q("SELECT count(*) FROM products") == 40
    assert q("SELECT count(*) FROM regions") == 3
    assert q("SELECT count(*) FROM resources") == 4
    assert q("SELECT count(DISTINCT month) FROM actuals WHERE kind = 'sales'") == 24
    assert q("SELECT max(month) FROM actuals") == dt.date(2026, 10, 1)
    assert q("SELECT count(*) FROM plan_versions WHERE status = 'approved'") == 24
    draft = demo_store.query("SELECT cycle FROM plan_versions WHERE status = 'draft'")["cycle"].tolist()
    assert [pd.Timestamp(c).date() for c in draft] == [DEMO_AS_OF]
    assert q("SELECT count(DISTINCT month) FROM production_plan WHERE cycle = ?", [DEMO_AS_OF]) == 18
    assert q("SELECT count(*) FROM budget WHERE cycle = ?", [DEMO_AS_OF]) > 0


def test_deterministic():
    a, b = build_demo(0, DEMO_AS_OF), build_demo(0, DEMO_AS_OF)
    pd.testing.assert_frame_equal(a["actuals"], b["actuals"])
    assert not build_demo(1, DEMO_AS_OF)["actuals"]["quantity"].equals(a["actuals"]["quantity"])


def test_refuses_to_overwrite_without_replace(demo_store):
    with pytest.raises(Exception, match="already holds data"):
        load_demo(demo_store, as_of=DEMO_AS_OF)


def test_story_demand_above_plan(demo_store):
    recent = plan_vs_actual(demo_store, "sales", families=["Compact Pumps"]).dropna(subset=["actual"]).tail(6)
    assert (recent["status"] == "above").sum() >= 4
    acc = forecast_accuracy(demo_store, lag=1).set_index("family")
    assert acc.loc["Compact Pumps", "tracking_signal"] > 4


def test_story_production_shortfall(demo_store):
    recent = plan_vs_actual(demo_store, "production", families=["Industrial Pumps"]).dropna(subset=["actual"]).tail(6)
    assert (recent["status"] == "below").all()


def test_story_resource_overloaded_in_a_future_quarter(demo_store):
    cap = capacity_load(demo_store)
    overloaded = cap[(cap["resource"] == "Assembly") & (cap["status"] == "overload")]
    assert len(overloaded) >= 2
    assert (cap[cap["resource"] != "Assembly"]["status"] != "overload").all()


def test_story_family_drifting_below_budget(demo_store):
    fin = finance(demo_store, families=["High-Pressure Valves"]).dropna(subset=["actual_revenue", "budget_revenue"])
    recent = fin.tail(6)
    assert (recent["gap_to_budget"] < 0).all()
    assert recent["gap_to_budget"].iloc[-1] < recent["gap_to_budget"].iloc[0]


def test_story_mto_backlog_grows(demo_store):
    backlog = demo_store.query(
        "SELECT month, sum(quantity) q FROM actuals_monthly WHERE kind = 'backlog' AND family = 'Custom Skids' "
        "GROUP BY 1 ORDER BY 1"
    )["q"]
    assert backlog.iloc[-1] > 1.5 * backlog.iloc[-10]


def test_gap_is_balanced_and_never_negative(demo_store):
    gap = demand_supply_gap(demo_store)
    assert (gap["ending_inventory"] >= 0).all() and (gap["backorders"] >= 0).all()
    assert set(gap["status"]) <= {"ok", "above", "below", "backorder"}


def test_demo_on_a_file_store(db_path):
    with open_store(db_path) as store:
        load_demo(store, as_of=DEMO_AS_OF)
    with open_store(db_path) as store:
        assert not store.is_empty()


def test_demand_planning_history(demo_store):
    q = demo_store.scalar
    assert q("SELECT count(DISTINCT cycle) FROM forecast_baseline") == 13  # 12 approved cycles and the draft
    assert q("SELECT count(DISTINCT cycle) FROM forecast_overrides") == 13
    assert (
        q("SELECT count(*) FROM forecast_baseline WHERE cycle = ?", [DEMO_AS_OF]) == 40 * 3 * 18
    )  # SKU x region: the current cycle is forecast in full at the level actuals are held
    assert q("SELECT count(*) FROM forecast_overrides WHERE reason IS NULL OR author = ''") == 0
    assert q("SELECT count(DISTINCT layer) FROM forecast_overrides") >= 3
    assert q("SELECT min(forecast) FROM forecast_baseline") >= 0


def test_demo_replace_keeps_one_forecast_history():
    with open_store(":memory:") as store:
        load_demo(store, as_of=DEMO_AS_OF)
        rows = store.scalar("SELECT count(*) FROM forecast_overrides")
        load_demo(store, as_of=DEMO_AS_OF, replace=True)
        assert store.scalar("SELECT count(*) FROM forecast_overrides") == rows


def test_cycle_history(demo_store):
    from sop_core.cycle import cycle_status, list_assumptions, verify_snapshot

    q = demo_store.scalar
    assert q("SELECT count(*) FROM cycles") == 13  # the last 12 approved cycles and the current one
    assert q("SELECT count(*) FROM cycle_steps WHERE signed_by IS NULL AND cycle < ?", [DEMO_AS_OF]) == 0
    assert q("SELECT count(*) FROM cycle_tasks WHERE NOT done AND cycle < ?", [DEMO_AS_OF]) == 0
    past = cycle_status(demo_store, "2026-10", today=DEMO_AS_OF)
    assert past.approved and past.progress == 1.0 and set(past.steps["status"]) == {"done"}
    assert verify_snapshot(demo_store, "2026-10") and verify_snapshot(demo_store, "2025-11")
    assert q("SELECT count(*) FROM plan_versions WHERE checksum IS NOT NULL") == 12
    assert len(list_assumptions(demo_store)) == 4
    assert q("SELECT count(DISTINCT cycle) FROM cycle_carried_items") >= 6
