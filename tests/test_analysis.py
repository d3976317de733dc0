"""Hand-checked numbers for the store calculations on the tiny store (see tests.support.stores.build_tiny)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sop_core import (
    actuals,
    capacity_load,
    demand_supply_gap,
    finance,
    forecast_accuracy,
    open_store,
    plan_vs_actual,
)
from sop_core.deviation import tolerance_status


def row(frame: pd.DataFrame, **match: object) -> pd.Series:
    sel = frame
    for key, value in match.items():
        sel = sel[sel[key] == (pd.Timestamp(value) if key == "month" else value)]
    assert len(sel) == 1, f"{match}: {len(sel)} rows"
    return sel.iloc[0]


def test_sales_plan_vs_actual_uses_plan_of_record_and_tolerance(tiny):
    pva = plan_vs_actual(tiny, "sales")
    jan = row(pva, family="A", month="2026-01-01")
    # Jan: plan of record is cycle 2026-01 (60 + 40); actual 50 + 55; +5 % is exactly the tolerance.
    assert (jan.plan, jan.actual, jan.deviation) == (100, 105, 5)
    assert jan.deviation_pct == pytest.approx(0.05) and jan.status == "ok"
    feb = row(pva, family="A", month="2026-02-01")
    # Feb: cycle 2026-02 replaced cycle 2026-01's 110 with 120; actual 132 → +10 % → above.
    assert (feb.plan, feb.actual, feb.cum_deviation, feb.status) == (120, 132, 17, "above")
    # March has a plan (cycle 2026-02, the latest approved) and no actual yet.
    mar = row(pva, family="A", month="2026-03-01")
    assert mar.plan == 120 and math.isnan(mar.actual) and pd.isna(mar.status)
    # Make-to-order demand is orders: 9 against 10 is -10 %, on B's 10 % tolerance.
    assert row(pva, family="B", month="2026-01-01").status == "ok"


def test_region_filter_applies_to_plan_and_actual(tiny):
    north = plan_vs_actual(tiny, "sales", families=["A"], regions=["N"])
    jan = row(north, family="A", month="2026-01-01")
    assert (jan.plan, jan.actual) == (60, 50)


def test_production_plan_vs_actual(tiny):
    feb = row(plan_vs_actual(tiny, "production"), family="A", month="2026-02-01")
    assert (feb.plan, feb.actual, feb.deviation_pct, feb.status) == (125, 118.75, -0.05, "ok")


def test_older_cycle_is_used_as_asked(tiny):
    feb = row(plan_vs_actual(tiny, "sales", cycle="2026-01"), family="A", month="2026-02-01")
    assert feb.plan == 110


def test_tolerance_status_boundaries():
    got = tolerance_status(pd.Series([0.05, 0.0500001, -0.05, -0.06, float("nan")]), 0.05)
    assert list(got) == ["ok", "above", "ok", "below", None]


def test_gap_projects_inventory_backorders_and_backlog(tiny):
    gap = demand_supply_gap(tiny)  # latest version: the 2026-03 draft
    mar = row(gap, family="A", month="2026-03-01")
    # Opening: 30 on hand, 3 backordered (orders 240 − shipments 237); 30 − 3 + 150 − 130 = 47.
    assert (mar.opening_inventory, mar.ending_inventory, mar.backorders, mar.gap) == (30, 47, 0, 20)
    # 47 units against April's 100 over 30 days = 14.1 days; range 10–40 → ok.
    assert mar.days_of_supply == pytest.approx(14.1) and mar.status == "ok"
    apr_b = row(gap, family="B", month="2026-04-01")
    # Backlog 5 → +14 −10 = 9 → +14 −10 = 13; 13 / (10 per 30 days) = 39 days > 30 → above.
    assert (apr_b.backlog, apr_b.status) == (13, "above")
    assert apr_b.days_of_supply == pytest.approx(39)


def test_gap_shows_backorders_when_supply_runs_short(tiny):
    gap = demand_supply_gap(tiny, families=["A"])
    assert (gap["ending_inventory"] >= 0).all()
    balance = 30 - 3 + gap["supply"].cumsum() - gap["demand"].cumsum()
    assert (gap["ending_inventory"] - gap["backorders"]).tolist() == pytest.approx(balance.tolist())


def test_capacity_load(tiny):
    cap = capacity_load(tiny)
    mar = row(cap, resource="R", month="2026-03-01")
    # 150 × 0.5 + 10 × 2 = 95 hours of 100 → 95 %: at or above the 90 % warning.
    assert (mar.load_hours, mar.utilisation, mar.status) == (95, 0.95, "warning")
    assert row(cap, resource="R", month="2026-04-01").status == "ok"


def test_forecast_accuracy_lag_one(tiny):
    acc = forecast_accuracy(tiny, lag=1).set_index("family")
    # Only Feb has a lag-1 forecast (cycle 2026-01 said 110); actual 132 → e = +22.
    a = acc.loc["A"]
    assert (a.n, a.mad, a.bias) == (1, 22, 22)
    assert a.wmape == pytest.approx(22 / 132) and a.bias_pct == pytest.approx(22 / 132)
    lag0 = forecast_accuracy(tiny, lag=0).set_index("family")
    assert lag0.loc["A", "n"] == 2  # Jan vs cycle 01, Feb vs cycle 02
    with pytest.raises(ValueError):
        forecast_accuracy(tiny, lag=-1)


def test_finance_money_and_gap_to_budget(tiny):
    fin = finance(tiny)
    jan = row(fin, family="A", month="2026-01-01")
    # 520 given with A1's row + A2's 55 × 10 = 1070; plan 100 × 10; cost 105 × 6 = 630.
    assert (jan.plan_revenue, jan.actual_revenue, jan.actual_cost, jan.actual_margin) == (1000, 1070, 630, 440)
    assert (jan.budget_revenue, jan.gap_to_budget) == (900, 170)
    apr = row(fin, family="A", month="2026-04-01")  # future: the outlook is the plan
    assert apr.outlook_revenue == 1000 and math.isnan(apr.gap_to_budget)


def test_actuals_readback_rolls_sku_rows_up(tiny):
    sales = actuals(tiny, "sales", families=["A"])
    assert sales["quantity"].tolist() == [105, 132]
    assert sales["revenue"].iloc[0] == 520  # only what the files gave


def test_empty_store_gives_empty_frames():
    with open_store(":memory:") as store:
        assert plan_vs_actual(store, "sales").empty
        assert demand_supply_gap(store).empty
        assert capacity_load(store).empty
        assert finance(store).empty
        assert forecast_accuracy(store).empty
