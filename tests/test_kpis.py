"""The review KPIs, statuses, exceptions and family sheet; the CSV neutraliser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from sop_core import open_store
from sop_core import review as kpis  # the review engine, once sop_core/kpis.py
from sop_core.export import neutralise, neutralise_cell, to_csv_bytes

CYCLE = dt.date(2026, 3, 1)


@pytest.fixture()
def tiny_review(tiny):
    return kpis.load_review(tiny, CYCLE, horizon=3)


@pytest.fixture(scope="session")
def demo_review(demo_store):
    return kpis.load_review(demo_store, None)


# ----------------------------------------------------------------- loading
def test_review_window_and_previous_cycle(tiny_review):
    assert tiny_review.cycle == CYCLE
    assert tiny_review.previous_cycle == dt.date(2026, 2, 1)
    assert tiny_review.months[0] == dt.date(2025, 3, 1) and tiny_review.months[-1] == dt.date(2026, 5, 1)
    assert len(tiny_review.months) == kpis.HISTORY_MONTHS + 3
    assert not tiny_review.empty


def test_empty_store_gives_an_empty_review():
    with open_store(":memory:") as store:
        review = kpis.load_review(store, None)
        assert review.empty
        assert kpis.cycles(store) == [] and kpis.family_names(store) == []


def test_filters_restrict_the_review(demo_store):
    review = kpis.load_review(demo_store, None, families=["Filters"], regions=["Europe"], horizon=6)
    assert set(review.sales["family"]) == {"Filters"}
    assert set(review.regions["region"]) == {"Europe"}
    assert pd.to_datetime(review.gap["month"]).nunique() == 6


# ----------------------------------------------------------------- KPIs (hand-worked on the tiny store)
def test_forecast_accuracy_kpi_is_one_minus_wmape(tiny_review):
    # lag-1 pairs in Dec–Feb: A Feb actual 132 vs forecast 110 (cycle 01), B Feb orders 12 vs 10.
    assert kpis.forecast_accuracy_kpi(tiny_review) == pytest.approx(1 - 24 / 144)


def test_overview_kpis_compare_with_the_previous_cycle(demo_store, demo_review):
    previous = kpis.load_review(demo_store, demo_review.previous_cycle)
    tiles: dict[str, Any] = {k.key: k for k in kpis.overview_kpis(demo_review, previous)}
    assert set(tiles) == {"accuracy", "revenue_gap", "days_of_supply", "backorders", "backlog", "utilisation"}
    assert 0 <= tiles["accuracy"].value <= 1 and tiles["accuracy"].previous is not None
    assert tiles["utilisation"].value == pytest.approx(demo_review.capacity["utilisation"].max())
    assert tiles["utilisation"].value > 1  # the demo's Assembly overload
    assert tiles["revenue_gap"].value == pytest.approx(kpis.year_finance(demo_review)["gap_to_budget"].sum())
    assert not tiles["backorders"].higher_is_better and tiles["accuracy"].higher_is_better


def test_overview_kpis_without_previous_cycle(tiny_review):
    tiles = kpis.overview_kpis(tiny_review, None)
    assert all(t.previous is None for t in tiles)


# ----------------------------------------------------------------- status grid and exceptions
def test_status_grid_tells_the_demo_stories(demo_review):
    grid = kpis.status_grid(demo_review).set_index("family")
    assert list(grid.columns) == kpis.STATUS_COLUMNS
    assert grid.loc["Compact Pumps", "Forecast bias"] == "act"  # demand runs above plan
    assert grid.loc["Compact Pumps", "Demand"] == "act"
    assert grid.loc["Industrial Pumps", "Production"] == "act"  # production short of plan
    assert grid.loc["High-Pressure Valves", "Revenue"] == "act"  # behind the business plan
    assert set(grid.stack().dropna()) <= {"ok", "watch", "act"}


def test_exceptions_are_ranked_by_money_and_follow_the_rules(demo_review):
    ranked = kpis.exceptions(demo_review)
    assert list(ranked.columns) == kpis.EXCEPTION_COLUMNS
    assert ranked["money"].is_monotonic_decreasing and (ranked["money"] >= 0).all()
    found = set(zip(ranked["rule"], ranked["subject"], strict=True))
    assert ("Capacity overload", "Assembly") in found
    assert ("Biased forecast", "Compact Pumps") in found
    assert ("Revenue below budget", "High-Pressure Valves") in found
    assert set(ranked["page"]) <= {"Demand review", "Supply review", "Finance review"}
    # money of the overload: hours above available × planned revenue per hour
    cap = demo_review.capacity[
        (demo_review.capacity["resource"] == "Assembly") & (demo_review.capacity["status"] == "overload")
    ]
    expected = round(((cap["load_hours"] - cap["available_hours"]) * cap["revenue_per_hour"]).sum())
    got = ranked.loc[(ranked["rule"] == "Capacity overload") & (ranked["subject"] == "Assembly"), "money"].item()
    assert got == pytest.approx(expected)


def test_decision_families_are_families_with_most_at_stake(demo_review):
    ranked = kpis.exceptions(demo_review)
    chosen = kpis.decision_families(demo_review, ranked, limit=2)
    assert len(chosen) == 2 and set(chosen) <= set(demo_review.master["family"])
    assert "Assembly" not in chosen


# ----------------------------------------------------------------- supply picture and family sheet
def test_supply_projection_joins_count_and_projection(demo_review):
    proj = kpis.supply_projection(demo_review)
    last = proj[pd.to_datetime(proj["month"]) == pd.Timestamp(dt.date(2026, 10, 1))]
    assert (last["projected"] == last["actual"]).all()
    future = proj[pd.to_datetime(proj["month"]) >= pd.Timestamp(demo_review.cycle)]
    assert future["projected"].notna().all() and (future["band_hi"] >= future["band_lo"]).all()
    assert (proj["backorders"] >= 0).all()


def test_family_sheet_make_to_stock_by_hand(tiny_review):
    table, flags = kpis.family_sheet(tiny_review, "A")
    assert table.shape == flags.shape
    assert table.loc["Sales forecast", "Jan 26"] == 100 and table.loc["Sales actual", "Jan 26"] == 105
    assert table.loc["Sales diff", "Jan 26"] == 5 and table.loc["Sales cum diff", "Jan 26"] == 5
    # Feb: plan of record is cycle 02 (70 + 50), actual 132
    assert table.loc["Sales diff", "Feb 26"] == 12 and table.loc["Sales cum diff", "Feb 26"] == 17
    assert not flags.loc["Sales diff", "Jan 26"]  # exactly on the 5 % tolerance
    assert flags.loc["Sales diff", "Feb 26"]  # 10 % > 5 %
    assert table.loc["Inventory", "Feb 26"] == 30  # the count
    assert "Backorders" in table.index and "Days of supply" in table.index


def test_family_sheet_make_to_order_uses_orders_and_backlog(tiny_review):
    table, _ = kpis.family_sheet(tiny_review, "B")
    assert {"Orders forecast", "Orders actual", "Shipments plan", "Backlog", "Backlog cover (days)"} <= set(table.index)
    assert "Inventory" not in table.index and "Backorders" not in table.index
    assert table.loc["Orders actual", "Feb 26"] == 12 and table.loc["Backlog", "Feb 26"] == 5


# ----------------------------------------------------------------- page frames
def test_tolerance_band_and_cumulative_deviation(tiny_review):
    band = kpis.with_tolerance_band(tiny_review.sales, tiny_review.master)
    jan = band[(band["family"] == "A") & (band["month"] == pd.Timestamp("2026-01-01"))].iloc[0]
    assert (jan["band_lo"], jan["band_hi"]) == pytest.approx((95, 105))
    table = kpis.deviation_table(tiny_review.sales, cumulative=True)
    assert table.loc["A", pd.Timestamp("2026-01-01")] == pytest.approx(0.05)
    assert table.loc["A", "cum."] == pytest.approx(17 / 220)


def test_finance_totals_and_bridge_add_up(demo_review):
    year = kpis.year_finance(demo_review)
    assert year["gap_to_budget"].sum() == pytest.approx((year["outlook_revenue"] - year["budget_revenue"]).sum())
    totals = kpis.finance_totals(demo_review)
    assert {"actual_revenue", "plan_margin", "budget_cost"} <= set(totals.columns)
    value = kpis.inventory_value(demo_review)
    assert (value["value"].dropna() >= 0).all()


# ----------------------------------------------------------------- export
@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")'])
def test_formula_text_is_neutralised(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-12.5, -3, "-12.5", "-4", "plain", "a=b", 0, None])
def test_numbers_and_plain_text_are_kept(value):
    assert neutralise_cell(value) == value


def test_neutralise_frame_keeps_numeric_columns():
    frame = pd.DataFrame({"=name": ["=cmd", "ok"], "n": [-1.5, 2.0]})
    out = neutralise(frame)
    assert list(out.columns) == ["'=name", "n"]
    assert out["n"].tolist() == [-1.5, 2.0] and out["'=name"].tolist() == ["'=cmd", "ok"]
    assert frame.loc[0, "=name"] == "=cmd"  # the input is not changed
    assert to_csv_bytes(frame).decode("utf-8-sig").splitlines() == ["'=name,n", "'=cmd,-1.5", "ok,2.0"]
    assert pd.isna(neutralise(pd.DataFrame({"x": [None, "=a"]}))["x"].iloc[0])
