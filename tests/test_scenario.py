"""Unit tests of sop_core.scenario: evaluation, strategies, capacity, persistence and promotion."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from sop_core import FrozenPlanError, StoreError, calc, demand_supply_gap
from sop_core.people import local_actor
from sop_core.scenario import (
    Levers,
    Outcome,
    Strategy,
    baseline_inputs,
    compare_scenarios,
    delete_scenario,
    evaluate_scenario,
    list_scenarios,
    load_scenario,
    project_positions,
    promote_scenario,
    save_scenario,
    synthetic_inputs,
)

OUTCOME_FIELDS = [f.name for f in dataclasses.fields(Outcome)]
ANA, BOB, COO = local_actor("ana"), local_actor("bob"), local_actor("coo")  # every role; they sign as named
AMPLE = {"R": 10_000.0}  # +10 000 % capacity: supply unconstrained


# --------------------------------------------------------------------------- baseline
def test_zero_change_scenario_equals_baseline_exactly(tiny, demo_store):
    for store in (tiny, demo_store):
        result = evaluate_scenario(store, Levers())
        for name in OUTCOME_FIELDS:
            assert np.array_equal(getattr(result.scenario, name), getattr(result.baseline, name), equal_nan=True), name
        table = result.delta_table()
        assert (table["delta"].fillna(0) == 0).all()


def test_baseline_is_the_current_plan_and_matches_the_supply_review(tiny):
    inputs = baseline_inputs(tiny)
    assert str(inputs.cycle) == "2026-03-01"
    result = evaluate_scenario(inputs, Levers())
    a, b = inputs.families.index("A"), inputs.families.index("B")
    np.testing.assert_allclose(result.baseline.production[a], [150, 100])
    gap = demand_supply_gap(tiny).set_index(["family", "month"]).sort_index()
    np.testing.assert_allclose(result.baseline.inventory[a], gap.loc["A", "ending_inventory"].to_numpy())
    np.testing.assert_allclose(result.baseline.backorders[a], gap.loc["A", "backorders"].to_numpy())
    np.testing.assert_allclose(result.baseline.backlog[b], gap.loc["B", "backlog"].to_numpy())
    # Load: 150 × 0.5 + 10 × 2 = 95 hours of 100 in March.
    np.testing.assert_allclose(result.baseline.utilisation[0], [0.95, 0.70])


# --------------------------------------------------------------------------- demand and money
@pytest.mark.parametrize("pct", [10.0, -20.0, 35.0])
def test_demand_change_moves_revenue_by_the_expected_amount_when_supply_is_unconstrained(tiny, pct):
    inputs = baseline_inputs(tiny)
    common = Levers(strategy={"A": "chase", "B": "chase"}, target_days={"B": 0.0}, capacity_pct_resource=AMPLE)
    flat = evaluate_scenario(inputs, common, tradeoff=False).scenario
    moved = evaluate_scenario(inputs, dataclasses.replace(common, demand_pct=pct), tradeoff=False).scenario
    expected = pct / 100 * float((inputs.demand.sum(axis=1) * inputs.price[:, None]).sum())
    assert moved.revenue.sum() - flat.revenue.sum() == pytest.approx(expected)
    assert moved.fill_rate == pytest.approx(1.0)


def test_price_lever_changes_revenue_not_cost(tiny):
    result = evaluate_scenario(tiny, Levers(price_pct_family={"A": 10}), tradeoff=False)
    a = result.inputs.families.index("A")
    assert result.scenario.revenue[a].sum() == pytest.approx(1.1 * result.baseline.revenue[a].sum())
    assert result.scenario.cost.sum() == pytest.approx(result.baseline.cost.sum())


def test_region_and_family_demand_levers_multiply(tiny):
    inputs = baseline_inputs(tiny)
    result = evaluate_scenario(
        inputs, Levers(demand_pct=10, demand_pct_family={"A": 10}, demand_pct_region={"N": -50}), tradeoff=False
    )
    a, n, s = inputs.families.index("A"), inputs.regions.index("N"), inputs.regions.index("S")
    expected = (inputs.demand[a, n] * 0.5 + inputs.demand[a, s]) * 1.1 * 1.1
    np.testing.assert_allclose(result.scenario.demand[a], expected)


# --------------------------------------------------------------------------- capacity
def test_capacity_cut_creates_backorders_rather_than_losing_demand(tiny):
    inputs = baseline_inputs(tiny)
    result = evaluate_scenario(inputs, Levers(capacity_pct_resource={"R": -50}), tradeoff=False)
    base, scen = result.baseline, result.scenario
    assert scen.production.sum() < base.production.sum()
    assert (scen.backorders + scen.backlog).sum() > (base.backorders + base.backlog).sum()
    assert scen.fill_rate < base.fill_rate
    # Conservation: everything demanded is either shipped or still owed at the end.
    opening_short = np.where(inputs.mto, inputs.opening_backlog, inputs.opening_backorders)
    for out in (base, scen):
        owed = out.backorders[:, -1] + out.backlog[:, -1]
        np.testing.assert_allclose(out.shipments.sum(axis=1) + owed, out.demand.sum(axis=1) + opening_short)
    np.testing.assert_allclose(scen.utilisation[0], base.utilisation[0] * 2)
    assert result.capacity()["overload"].sum() == 2  # 95 h and 70 h required of 50 h


# --------------------------------------------------------------------------- strategies
def test_level_total_is_forecast_plus_target_minus_opening_plus_backorders(tiny):
    inputs = baseline_inputs(tiny)
    levers = Levers(strategy={"A": "level"}, target_days={"A": 31.0}, capacity_pct_resource=AMPLE)
    result = evaluate_scenario(inputs, levers, tradeoff=False)
    a = inputs.families.index("A")
    fc = result.scenario.demand[a]
    target_end = 31.0 * fc[-1] / inputs.days[len(fc) - 1]
    expected_total = fc.sum() + target_end - inputs.opening_inventory[a] + inputs.opening_backorders[a]
    assert result.scenario.production[a].sum() == pytest.approx(expected_total)
    prod, ending, backorders = calc.level_plan_arrays(
        fc, inputs.opening_inventory[a], target_end, inputs.working_days[: len(fc)], inputs.opening_backorders[a]
    )
    np.testing.assert_allclose(result.scenario.production[a], prod)
    np.testing.assert_allclose(result.scenario.inventory[a], ending)
    assert result.scenario.inventory[a, -1] == pytest.approx(target_end)


def test_chase_production_follows_demand_and_target(tiny):
    inputs = baseline_inputs(tiny)
    result = evaluate_scenario(inputs, Levers(strategy={"A": "chase"}, capacity_pct_resource=AMPLE), tradeoff=False)
    a = inputs.families.index("A")
    fc = result.scenario.demand[a]
    target = inputs.default_target_days[a] * fc / inputs.days[: len(fc)]
    prod, ending, _ = calc.chase_plan_arrays(fc, inputs.opening_inventory[a], target, inputs.opening_backorders[a])
    np.testing.assert_allclose(result.scenario.production[a], prod)
    np.testing.assert_allclose(result.scenario.inventory[a], ending)
    # Chase total = Σ forecast + last target − opening + backorders.
    total = fc.sum() + target[-1] - inputs.opening_inventory[a] + inputs.opening_backorders[a]
    assert prod.sum() == pytest.approx(total)


def _chase_loop(fc, start, target):
    """Chase, period by period: produce just enough to end each month at the target."""
    pos, out = start, []
    for f, tgt in zip(fc, target, strict=True):
        out.append(max(tgt - (pos - f), 0.0))
        pos = pos - f + out[-1]
    return np.array(out)


def _backlog_loop(opening, orders, ships):
    """Make-to-order backlog, period by period: never ship more than is on order."""
    position, out = opening, []
    for o, s in zip(orders, ships, strict=True):
        on_order = position + o
        position = on_order - min(max(s, 0.0), on_order)
        out.append(position)
    return np.array(out)


def test_row_kernels_equal_a_period_by_period_loop_on_every_row():
    rng = np.random.default_rng(3)
    fc = rng.uniform(0, 100, (12, 9))
    start = rng.uniform(-50, 200, 12)
    target = rng.uniform(-30, 80, (12, 9))  # negative: make-to-order backlog targets
    wd = rng.integers(18, 23, 9).astype(float)
    level = calc.level_rows(fc, start, target[:, -1], wd)
    chase = calc.chase_rows(fc, start, target)
    orders, ships = rng.uniform(0, 10, (12, 9)), rng.uniform(-2, 14, (12, 9))
    opening = rng.uniform(0, 20, 12)
    pos = project_positions(-opening, ships.clip(0), orders, np.ones(12, bool))
    backlog, shipped = calc.backlog_rows(opening, orders, ships)
    for i in range(12):
        total = max(fc[i].sum() + target[i, -1] - start[i], 0.0)
        np.testing.assert_allclose(level[i], total * wd / wd.sum())
        np.testing.assert_allclose(chase[i], _chase_loop(fc[i], start[i], target[i]), atol=1e-9)
        expected = _backlog_loop(opening[i], orders[i], ships[i])
        np.testing.assert_allclose(backlog[i], expected, atol=1e-9)
        np.testing.assert_allclose(shipped[i], np.r_[opening[i], expected[:-1]] + orders[i] - expected, atol=1e-9)
        np.testing.assert_allclose(-pos[i], _backlog_loop(opening[i], orders[i], ships[i].clip(0)), atol=1e-9)


def test_hybrid_adds_overtime_then_subcontracting_within_limits_at_a_premium(tiny):
    inputs = baseline_inputs(tiny)
    levers = Levers(
        strategy={"A": "hybrid"},
        demand_pct_family={"A": 60},
        capacity_pct_resource={"R": -40},
        overtime_limit_pct=10,
        subcontract_limit_pct=10,
        overtime_premium_pct=50,
        subcontract_premium_pct=100,
    )
    result = evaluate_scenario(inputs, levers, tradeoff=False)
    a = inputs.families.index("A")
    scen = result.scenario
    assert scen.overtime[a].sum() > 0
    fc = scen.demand[a]
    rate = calc.level_plan_arrays(
        fc,
        inputs.opening_inventory[a],
        inputs.default_target_days[a] * fc[-1] / inputs.days[len(fc) - 1],
        inputs.working_days[: len(fc)],
        inputs.opening_backorders[a],
    )[0].mean()
    assert scen.overtime[a].max() <= 0.1 * rate + 1e-9
    assert scen.subcontract[a].max() <= 0.1 * rate + 1e-9
    premium = (scen.overtime[a] * 0.5 + scen.subcontract[a] * 1.0).sum() * inputs.unit_cost[a]
    assert scen.cost[a].sum() == pytest.approx(scen.shipments[a].sum() * inputs.unit_cost[a] + premium)


def test_inventory_target_moves_inventory_and_the_tradeoff_marks_the_choice(tiny):
    inputs = baseline_inputs(tiny)
    low = evaluate_scenario(inputs, Levers(target_days={"A": 5.0}, capacity_pct_resource=AMPLE))
    high = evaluate_scenario(inputs, Levers(target_days={"A": 60.0}, capacity_pct_resource=AMPLE))
    assert high.scenario.inventory_value.sum() > low.scenario.inventory_value.sum()
    curve = high.tradeoff
    assert curve["current"].sum() == 1
    assert curve.loc[curve["current"], "scale"].item() == 1.0
    assert curve["avg_inventory_value"].is_monotonic_increasing


def test_a_resource_down_stops_its_families_and_backorders_build(tiny):
    result = evaluate_scenario(tiny, Levers(capacity_pct_resource={"R": -100}), tradeoff=False)
    assert result.scenario.production.sum() == 0
    assert np.isinf(result.scenario.utilisation).all()
    a = result.inputs.families.index("A")
    assert result.scenario.backorders[a, -1] > result.baseline.backorders[a, -1]


def test_horizon_limits_the_months(demo_store):
    result = evaluate_scenario(demo_store, Levers(horizon_months=6))
    assert len(result.months) == 6 and result.scenario.demand.shape[1] == 6


def test_bad_levers_are_refused():
    with pytest.raises(ValueError):
        Levers(strategy={"A": "magic"})  # type: ignore[dict-item]  # a wrong strategy on purpose
    with pytest.raises(ValueError):
        Levers(demand_pct=-100)
    with pytest.raises(ValueError):
        Levers(target_days={"A": -1})


def test_levers_describe_their_changes():
    assert Levers().changes() == []
    assert Levers(demand_pct=5, strategy={"A": "chase"}).changes() == ["demand %: 5", "strategy: A chase"]


def test_levers_round_trip_through_json():
    levers = Levers(demand_pct=5, demand_pct_family={"A": 2}, strategy={"B": "chase"}, horizon_months=12)
    assert Levers.from_json(levers.to_json()) == levers
    assert Levers.from_json(json.dumps({**json.loads(levers.to_json()), "from_the_future": 1})) == levers


def test_evaluate_runs_at_200_families_by_36_months():
    # Its time is a benchmark figure, not a unit-test assertion: python bench/scenario.py.
    inputs = synthetic_inputs(200, 36)
    strategies: dict[str, Strategy] = dict(zip(inputs.families, ["plan", "level", "chase", "hybrid"] * 50, strict=True))
    result = evaluate_scenario(inputs, Levers(demand_pct=5, strategy=strategies), tradeoff=False)
    assert result.scenario.production.shape == (200, 36)


# --------------------------------------------------------------------------- persistence
def test_save_list_load_delete(tiny):
    levers = Levers(demand_pct=10)
    sid = save_scenario(tiny, "Demand +10", levers, ANA, "sales push")
    listed = list_scenarios(tiny)
    assert list(listed["name"]) == ["Demand +10"]
    saved = load_scenario(tiny, sid)
    assert saved.levers == levers and saved.author == "ana" and saved.note == "sales push"
    assert str(saved.cycle) == "2026-03-01" and saved.promoted_at is None
    with pytest.raises(StoreError):
        save_scenario(tiny, "Demand +10", levers, BOB)
    with pytest.raises(ValueError):
        save_scenario(tiny, " ", levers, BOB)
    delete_scenario(tiny, sid, ANA)
    assert list_scenarios(tiny).empty
    with pytest.raises(StoreError):
        load_scenario(tiny, sid)


def test_compare_up_to_three_saved_scenarios_with_the_baseline(tiny):
    ids = [save_scenario(tiny, f"S{i}", Levers(demand_pct=5 * i), ANA) for i in range(1, 5)]
    saved = [load_scenario(tiny, i) for i in ids]
    table = compare_scenarios(tiny, saved[:3])
    assert list(table.columns) == ["metric", "Baseline", "S1", "S2", "S3"]
    revenue = table.set_index("metric").loc["Revenue"]
    assert revenue["Baseline"] == pytest.approx(evaluate_scenario(tiny, Levers()).baseline.revenue.sum())
    with pytest.raises(ValueError):
        compare_scenarios(tiny, saved)


def test_promote_writes_the_draft_and_records_the_decision(tiny):
    levers = Levers(demand_pct=10, strategy={"A": "chase"}, capacity_pct_resource=AMPLE)
    sid = save_scenario(tiny, "Chase +10", levers, ANA)
    expected = evaluate_scenario(tiny, levers, tradeoff=False)
    cycle = promote_scenario(tiny, sid, COO)
    assert str(cycle) == "2026-03-01"
    prod = tiny.query(
        "SELECT family, month, quantity FROM production_plan WHERE cycle = ? ORDER BY family, month", [cycle]
    )
    a = expected.inputs.families.index("A")
    np.testing.assert_allclose(prod[prod["family"] == "A"]["quantity"], expected.scenario.production[a])
    demand = tiny.query("SELECT sum(quantity) FROM demand_plan WHERE cycle = ? AND family = 'A'", [cycle]).iat[0, 0]
    assert demand == pytest.approx(1.1 * (130 + 100))
    decision = tiny.query("SELECT kind, subject, decided_by, detail FROM decisions WHERE kind = 'promote_scenario'")
    assert decision.loc[0, "subject"] == "Chase +10" and decision.loc[0, "decided_by"] == "coo"
    assert json.loads(decision.loc[0, "detail"])["scenario_id"] == sid
    saved = load_scenario(tiny, sid)
    assert saved.promoted_by == "coo" and saved.promoted_at is not None
    # The promoted plan is the new baseline's production plan.
    np.testing.assert_allclose(baseline_inputs(tiny).production[a], expected.scenario.production[a])


def test_promote_never_changes_an_approved_plan(tiny):
    sid = save_scenario(tiny, "Up", Levers(demand_pct=10), ANA)
    with tiny.transaction() as cur:
        cur.execute("UPDATE plan_versions SET status = 'approved' WHERE cycle = DATE '2026-03-01'")
    before = tiny.query("SELECT * FROM production_plan ORDER BY ALL")
    with pytest.raises(FrozenPlanError):
        promote_scenario(tiny, sid, COO)
    pd.testing.assert_frame_equal(tiny.query("SELECT * FROM production_plan ORDER BY ALL"), before)
    assert load_scenario(tiny, sid).promoted_at is None
    assert tiny.query("SELECT count(*) AS n FROM decisions WHERE kind = 'promote_scenario'").iat[0, 0] == 0


def test_an_empty_store_has_no_baseline():
    from sop_core import open_store

    with open_store(":memory:") as store, pytest.raises(StoreError):
        baseline_inputs(store)
