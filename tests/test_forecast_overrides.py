"""Overrides (reasons, conflicts, frozen cycles), consensus and the SKU spread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_core import FrozenPlanError, Store, open_store
from sop_core.forecast import (
    OverrideConflictError,
    consensus,
    consensus_outlook,
    forecast_stamp,
    outlook_totals,
    override_grid,
    overrides,
    save_override,
    save_overrides,
    sku_drilldown,
    spread_to_skus,
    write_consensus,
)
from sop_core.forecast.baseline import BASELINE_COLUMNS, store_baseline
from sop_core.people import local_actor
from sop_core.plans import NoPlanError, approve_plan, write_plan_rows

CYCLE = dt.date(2026, 1, 1)
MONTHS = [dt.date(2026, m, 1) for m in (1, 2, 3)]
ANNA, BOB, EXEC = local_actor("anna"), local_actor("bob"), local_actor("exec")  # every role; they sign as named


@pytest.fixture()
def store() -> Iterator[Store]:
    """Family A with SKUs A1 (75 %) and A2 (25 %) in regions N and S; a stored baseline for 2026-01..03."""
    s = open_store(":memory:")
    with s.transaction() as cur:
        cur.execute("INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5)")
        cur.execute("INSERT INTO products VALUES ('A1', 'A', 'a one'), ('A2', 'A', 'a two')")
        cur.execute("INSERT INTO regions VALUES ('N', 'north'), ('S', 'south')")
    rows = [
        (
            "A",
            sku,
            region,
            pd.Timestamp(m),
            base * share,
            base * share * 0.9,
            base * share * 1.1,
            base * share * 0.8,
            base * share * 1.2,
            "SeasonalNaive",
            0.8,
        )
        for m in MONTHS
        for region, base in (("N", 100.0), ("S", 40.0))
        for sku, share in (("A1", 0.75), ("A2", 0.25))
    ]
    frame = pd.DataFrame(
        rows,
        columns=BASELINE_COLUMNS,
    )
    models = frame.drop_duplicates(["family", "sku", "region"])[["family", "sku", "region", "model", "holdout_mase"]]
    models = models.assign(series_class="regular", history_months=30)
    store_baseline(s, CYCLE, frame, models, actor=ANNA)
    yield s
    s.close()


def _save(store: Store, **kw: Any) -> int:
    args: dict[str, Any] = {
        "layer": "sales",
        "family": "A",
        "region": "N",
        "start": "2026-02",
        "value": 10.0,
        "reason": "promotion",
        "actor": ANNA,
    }
    args.update(kw)
    return save_override(store, CYCLE, **args)


def test_no_reason_no_save(store):
    for reason in (None, "", "   ", pd.NA, float("nan")):
        with pytest.raises(ValueError, match="no reason"):
            _save(store, reason=reason)
    with pytest.raises(ValueError, match="Unknown reason"):
        _save(store, reason="gut feeling")
    with pytest.raises(ValueError, match="Unknown override layer"):
        _save(store, layer="ceo")
    assert overrides(store, CYCLE).empty


def test_second_editor_of_a_cell_is_refused(store):
    grid = override_grid(store, "A", "N", CYCLE)
    assert len(grid) == 4 * 3 and (grid["version"] == 0).all()
    assert _save(store, actor=ANNA, value=10.0) == 1
    with pytest.raises(OverrideConflictError, match="changed by anna at") as err:
        _save(store, actor=BOB, value=-5.0, seen=0)  # bob still saw the empty cell
    assert err.value.changed_by == "anna"
    assert isinstance(err.value.changed_at, dt.datetime)
    assert err.value.cells == [("sales", "A", "N", "", dt.date(2026, 2, 1))]
    current = overrides(store, CYCLE)
    assert current["value"].tolist() == [10.0] and current["author"].tolist() == ["anna"]
    # After reloading, bob sees version 1 and his change goes through.
    seen = (
        override_grid(store, "A", "N", CYCLE)
        .set_index(["layer", "month"])
        .loc[("sales", pd.Timestamp("2026-02-01")), "version"]
    )
    assert seen == 1
    assert _save(store, actor=BOB, value=-5.0, seen=int(seen)) == 1
    assert overrides(store, CYCLE)["version"].tolist() == [2]
    assert store.scalar("SELECT count(*) FROM forecast_override_history") == 2


def test_saving_an_unchanged_grid_writes_nothing(store):
    _save(store)
    grid = override_grid(store, "A", "N", CYCLE)
    assert save_overrides(store, CYCLE, grid, ANNA) == 0


def test_removing_an_override_keeps_its_version(store):
    _save(store)
    assert _save(store, value=float("nan"), reason=None, seen=1) == 1
    assert overrides(store, CYCLE).empty
    grid = override_grid(store, "A", "N", CYCLE)
    assert grid["version"].max() == 2


def test_overrides_are_frozen_with_the_plan(store):
    _save(store)
    approve_plan(store, CYCLE, EXEC)
    with pytest.raises(FrozenPlanError):
        _save(store, value=20.0, seen=1)
    with pytest.raises(FrozenPlanError):
        write_consensus(store, CYCLE, actor=ANNA)
    assert overrides(store, CYCLE)["value"].tolist() == [10.0]


def test_consensus_of_a_cycle_without_a_plan_is_refused_and_makes_no_draft(store):
    with pytest.raises(NoPlanError, match=r"There is no plan for cycle 2026-02: open the cycle first \(python -m"):
        write_consensus(store, "2026-02", actor=ANNA)
    assert store.query("SELECT cycle FROM plan_versions")["cycle"].tolist() == [pd.Timestamp(CYCLE)]
    assert store.scalar("SELECT count(*) FROM demand_plan") == 0


def test_consensus_is_baseline_plus_layers(store):
    _save(store, value=10.0)  # sales +10 units on N, Feb
    _save(store, layer="marketing", kind="pct", value=-20.0, reason="price_change")  # -20 % of 100 = -20
    _save(store, layer="finance", region="S", start="2026-01", end="2026-03", value=-100.0, reason="other")
    cells = consensus(store, CYCLE).set_index(["region", "month"])
    feb_n = cells.loc[("N", pd.Timestamp("2026-02-01"))]
    assert (feb_n["baseline"], feb_n["sales"], feb_n["marketing"], feb_n["consensus"]) == pytest.approx(
        (100.0, 10.0, -20.0, 90.0)
    )
    assert (cells.xs("S", level="region")["consensus"] == 0).all()  # never below zero
    assert write_consensus(store, CYCLE, actor=ANNA) == 6
    plan = store.query("SELECT region, month, quantity FROM demand_plan WHERE cycle = ? ORDER BY ALL", [CYCLE])
    assert plan["quantity"].tolist() == [100.0, 90.0, 100.0, 0.0, 0.0, 0.0]


def test_sku_drilldown_adds_up_to_the_family(store):
    _save(store, value=7.0)
    _save(store, layer="marketing", sku="A2", start="2026-03", value=3.0)
    write_consensus(store, CYCLE, actor=ANNA)
    drill = sku_drilldown(store, "A", "N", CYCLE).set_index(["sku", "month"])
    feb = pd.Timestamp("2026-02-01")
    assert drill.loc[("A1", feb), "consensus"] + drill.loc[("A2", feb), "consensus"] == 107
    assert drill.loc[("A1", feb), "share"] == pytest.approx(0.75)
    mar = pd.Timestamp("2026-03-01")
    assert drill.loc[("A2", mar), "consensus"] == 28  # 25 + its own +3
    everywhere = sku_drilldown(store, "A", None, CYCLE).groupby("month")["consensus"].sum()
    written = store.query(
        "SELECT month, sum(quantity) AS q FROM demand_plan WHERE cycle = ? GROUP BY month ORDER BY month", [CYCLE]
    )
    assert everywhere.to_numpy() == pytest.approx(written["q"].to_numpy())


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1e6, allow_nan=False), st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=15))
def test_spread_adds_up_exactly(total, weights):
    units = spread_to_skus(total, weights)
    assert units.dtype.kind == "i"
    assert int(units.sum()) == int(np.floor(total + 0.5))
    assert (units >= 0).all()
    w = np.array(weights)
    exact = np.floor(total + 0.5) * (w / w.sum() if w.sum() > 1e-9 else np.full(len(w), 1 / len(w)))
    assert np.all(np.abs(units - exact) < 1 + 1e-6)


def test_spread_by_hand():
    assert spread_to_skus(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert spread_to_skus(100.4, [0.75, 0.25]).tolist() == [75, 25]
    assert spread_to_skus(5, [0, 0]).tolist() == [3, 2]
    assert spread_to_skus(-3, [1, 2]).tolist() == [0, 0]


def test_a_family_level_baseline_is_split_by_the_skus_recent_actuals(store):
    from sop_core.actuals import insert_actuals

    family_level = pd.DataFrame(
        [("A", "", "N", pd.Timestamp(m), 100.0, 90.0, 110.0, 80.0, 120.0) for m in MONTHS],
        columns=["family", "sku", "region", "month", "forecast", "lo80", "hi80", "lo95", "hi95"],
    )
    models = pd.DataFrame(
        [("A", "", "N", "Quick", float("nan"), "quick", 24)],
        columns=["family", "sku", "region", "model", "holdout_mase", "series_class", "history_months"],
    )
    store_baseline(store, CYCLE, family_level, models, mode="quick", actor=ANNA)
    with store.transaction() as cur:
        insert_actuals(
            cur,
            pd.DataFrame(
                [
                    ("sales", "2025-12-01", "A1", None, "N", 60.0),
                    ("sales", "2025-12-01", "A2", None, "N", 40.0),
                    ("sales", "2024-06-01", "A2", None, "N", 900.0),
                ],  # older than a year
                columns=["kind", "month", "sku", "family", "region", "quantity"],
            ),
        )
    _save(store, value=11.0)
    drill = sku_drilldown(store, "A", "N", CYCLE).set_index(["sku", "month"])
    feb = pd.Timestamp("2026-02-01")
    assert drill.loc[("A1", feb), "share"] == pytest.approx(0.6)
    assert drill.loc[("A1", feb), "consensus"] + drill.loc[("A2", feb), "consensus"] == 111
    assert drill.loc[("A1", feb), "consensus"] == 67  # 66.6 rounded by largest remainder


def test_the_no_reason_message_names_the_cell_and_the_reasons_as_the_grid_shows_them(store):
    with pytest.raises(ValueError, match="no reason") as err:
        _save(store, reason=None)
    message = str(err.value)
    assert "Sales override for A / N in 2026-02" in message  # the layer's label and the cell
    assert "Promotion" in message and "New customer" in message and "Supply constraint" in message
    assert "new_customer" not in message and "promotion" not in message  # no codes the person never sees


def test_forecast_stamp_moves_with_every_save_run_and_approval(store):
    first = forecast_stamp(store)
    assert forecast_stamp(store) == first  # a read changes nothing
    consensus(store, CYCLE)
    assert forecast_stamp(store) == first
    _save(store)
    after_save = forecast_stamp(store)
    assert after_save != first
    frame = pd.DataFrame(
        [("A", "A1", "N", pd.Timestamp("2026-01-01"), 1.0, 1.0, 1.0, 1.0, 1.0)],
        columns=["family", "sku", "region", "month", "forecast", "lo80", "hi80", "lo95", "hi95"],
    )
    models = pd.DataFrame(
        [("A", "A1", "N", "Naive", 1.0, "regular", 12)],
        columns=["family", "sku", "region", "model", "holdout_mase", "series_class", "history_months"],
    )
    store_baseline(store, CYCLE, frame, models, actor=ANNA)
    after_run = forecast_stamp(store)
    assert after_run != after_save
    approve_plan(store, CYCLE, EXEC)
    assert forecast_stamp(store) != after_run


def test_consensus_outlook_against_the_baseline_and_the_last_approved_plan(store):
    with store.transaction() as cur:  # the plan approved in the cycle before
        write_plan_rows(
            cur,
            "demand_plan",
            "2025-12",
            pd.DataFrame(
                [
                    ("A", r, m, q)
                    for m, q in (
                        (dt.date(2025, 12, 1), 1.0),
                        (dt.date(2026, 1, 1), 120.0),
                        (dt.date(2026, 2, 1), 150.0),
                    )
                    for r in ("N", "S")
                ],
                columns=["family", "region", "month", "quantity"],
            ),
        )
        cur.execute("UPDATE plan_versions SET status = 'approved' WHERE cycle = DATE '2025-12-01'")
    _save(store, value=10.0)  # sales +10 on N, Feb
    out = consensus_outlook(store, CYCLE).set_index("month")
    assert list(out.columns) == ["family", "baseline", "consensus", "approved", "gap"]
    assert out["baseline"].tolist() == pytest.approx([140.0, 140.0, 140.0])  # N 100 + S 40
    assert out["consensus"].tolist() == pytest.approx([140.0, 150.0, 140.0])
    assert out["gap"].tolist() == pytest.approx([0.0, 10.0, 0.0])
    assert out["approved"].iloc[:2].tolist() == [240.0, 300.0] and np.isnan(out["approved"].iloc[2])
    north = consensus_outlook(store, CYCLE, regions=["N"], horizon=2)
    assert north["consensus"].tolist() == pytest.approx([100.0, 110.0]) and north["approved"].tolist() == [120, 150]
    totals = outlook_totals(consensus_outlook(store, CYCLE)).iloc[0]
    assert totals["gap"] == pytest.approx(10.0) and totals["gap_pct"] == pytest.approx(10 / 420)
    assert totals["approved"] == 540.0
    assert totals["vs_approved_pct"] == pytest.approx((290 - 540) / 540)  # over the months the plan covers
    assert consensus_outlook(store, "2027-01").empty and outlook_totals(consensus_outlook(store, "2027-01")).empty


# ------------------------------------------------------------------------------ SKU level
def test_the_grid_at_sku_level_shows_that_skus_baseline_and_overrides(store):
    _save(store, value=10.0)  # family level, N, Feb
    _save(store, layer="marketing", sku="A2", start="2026-02", end="2026-03", kind="pct", value=20.0)
    family = override_grid(store, "A", "N", CYCLE)
    assert set(family["sku"]) == {""} and family["baseline"].tolist()[:3] == pytest.approx([100.0] * 3)
    assert family["value"].notna().sum() == 1  # the SKU's override is not a family-level cell
    grid = override_grid(store, "A", "N", CYCLE, sku="A2")
    assert len(grid) == 4 * 3 and set(grid["sku"]) == {"A2"}
    assert grid["baseline"].tolist()[:3] == pytest.approx([25.0] * 3)  # A2's share of N's 100
    marketing = grid[grid["layer"] == "marketing"].set_index("month")
    assert marketing["value"].isna().tolist() == [True, False, False] and marketing["value"].iloc[1] == 20.0
    assert marketing["delta"].iloc[1:].tolist() == pytest.approx([5.0, 5.0])  # 20 % of the SKU's 25
    assert grid.loc[grid["layer"] == "sales", "value"].isna().all()
    # The SKU grid goes back to the engine as it is: an edit lands on the SKU, unchanged rows are skipped.
    edited = grid.copy()
    row = edited.index[(edited["layer"] == "sales") & (edited["month"] == pd.Timestamp("2026-01-01"))][0]
    edited.loc[row, ["value", "reason"]] = [3.0, "other"]
    assert save_overrides(store, CYCLE, edited, ANNA) == 1
    saved = overrides(store, CYCLE).set_index(["layer", "sku", "month"])
    assert saved.loc[("sales", "A2", pd.Timestamp("2026-01-01")), "value"] == 3.0


def test_a_sku_override_needs_a_sku_of_the_family(store):
    with pytest.raises(ValueError, match="'B7' is not a product of A"):
        _save(store, sku="B7")
    assert overrides(store, CYCLE).empty


def test_a_pct_override_of_a_sku_needs_the_skus_own_baseline(store):
    family_level = pd.DataFrame(
        [("A", "", "S", pd.Timestamp(m), 40.0, 36.0, 44.0, 32.0, 48.0) for m in MONTHS],
        columns=["family", "sku", "region", "month", "forecast", "lo80", "hi80", "lo95", "hi95"],
    )
    models = pd.DataFrame(
        [("A", "", "S", "Quick", float("nan"), "quick", 24)],
        columns=["family", "sku", "region", "model", "holdout_mase", "series_class", "history_months"],
    )
    store_baseline(store, CYCLE, family_level, models, mode="quick", actor=ANNA)  # held per family: no SKU rows
    with pytest.raises(ValueError, match="SKU has no baseline of its own"):
        _save(store, region="S", sku="A1", kind="pct", value=10.0)
    assert _save(store, region="S", sku="A1", kind="units", value=10.0) == 1  # units need no SKU baseline
    assert override_grid(store, "A", "S", CYCLE, sku="A1")["baseline"].eq(0).all()


def test_family_skus_lists_the_product_master():
    from sop_core.forecast.views import family_skus

    with open_store(":memory:") as s:
        with s.transaction() as cur:
            cur.execute("INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5)")
            cur.execute("INSERT INTO products VALUES ('A2', 'A', 'two'), ('A1', 'A', 'one')")
        assert family_skus(s, "A") == ["A1", "A2"] and family_skus(s, "B") == []


# ------------------------------------------------------------------------------ carried into the next cycle
def test_confirming_carried_overrides_by_family_and_region(store):
    from sop_core.cycle import carried_overrides, confirm_carried_overrides, open_cycle

    for region in ("N", "S"):
        _save(store, region=region, start="2026-02", end="2026-03")
    write_consensus(store, CYCLE, actor=ANNA)
    approve_plan(store, CYCLE, EXEC)
    opened = open_cycle(store, "2026-02", actor=ANNA, mode="quick")
    assert opened.overrides_carried == 4  # Feb and Mar of N and S; January stays behind
    again: dict[str, Any] = {
        "layer": "sales",
        "family": "A",
        "region": "S",
        "start": "2026-03",
        "reason": "other",
        "seen": 1,
    }
    assert save_override(store, "2026-02", value=12.0, actor=ANNA, **again) == 1  # re-saved: reviewed
    assert carried_overrides(store, "2026-02")["to_review"].sum() == 3
    assert confirm_carried_overrides(store, "2026-02", actor=BOB, family="A", region="N") == 2
    left = carried_overrides(store, "2026-02")
    assert left[left["to_review"]][["region", "month"]].values.tolist() == [["S", pd.Timestamp("2026-02-01")]]
    assert confirm_carried_overrides(store, "2026-02", actor=BOB) == 1  # the re-saved cell is not counted again
    assert not carried_overrides(store, "2026-02")["to_review"].any()
    reviewed = store.query("SELECT region, month, reviewed_by FROM cycle_carried_overrides ORDER BY ALL")
    assert reviewed["reviewed_by"].tolist() == ["bob", "bob", "bob", None]  # S Mar was reviewed by its save
