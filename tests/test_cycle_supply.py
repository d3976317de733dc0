"""The cycle's supply plan: generation by strategy, adjustment with a reason, the check and its exceptions.

Hand-checked on the tiny store (tests/support/stores.py), cycle 2026-03 (the draft), months Mar and Apr 2026
(31 and 30 days, 22 working days each). Opening position: A (make-to-stock) counts 20 + 10 = 30 units at the
end of Feb and owes 110 + 130 − (50 + 55 + 70 + 62) = 3 units of backorders (start 27); B (make-to-order)
carries a backlog of 5. Demand: A 130, 100; B 14, 14. One resource R, 100 h a month, A 0.5 h and B 2 h a unit.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_core import FrozenPlanError, Store, open_store
from sop_core.actuals import insert_actuals
from sop_core.cycle import CycleError
from sop_core.cycle.supply_check import SUPPLY_RULES, supply_check, supply_exceptions
from sop_core.cycle.supply_plan import (
    PLAN_COLUMNS,
    adjust_supply_plan,
    generate_supply_plan,
    preview_supply_plan,
    supply_adjustments,
)
from sop_core.cycle.supply_policy import DEFAULT_SUPPLY_STRATEGY, set_supply_policies, supply_policies
from sop_core.months import add_months, days_in_month
from sop_core.people import local_actor
from sop_core.plans import write_plan_rows
from sop_core.review import EXCEPTION_COLUMNS
from tests.support.people import VIEWER

# People of these tests: the local single-user mode (every role) under their names, as the author strings.
OLIVIA = local_actor("Olivia")
OMAR = local_actor("Omar")

CYCLE = dt.date(2026, 3, 1)
MAR, APR = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def plan_table(store: Store, table: str) -> dict[tuple[str, dt.date], float]:
    frame = store.query(f"SELECT family, month, quantity FROM {table} WHERE cycle = ?", [CYCLE])  # fixed table name
    return {(r.family, pd.Timestamp(r.month).date()): float(r.quantity) for r in frame.itertuples()}


def cell(plan: pd.DataFrame, family: str, month: dt.date, column: str) -> float:
    row = plan[(plan["family"] == family) & (pd.to_datetime(plan["month"]) == pd.Timestamp(month))]
    return float(row[column].iloc[0])


# ------------------------------------------------------------------- generation
def test_level_plan_hand_checked(tiny: Store):
    """Level, 30 days of target: A total 230 + 100 − 30 + 3 = 303 → 151.5 a month; B 28 + 5 − 14 = 19 → 9.5."""
    result = generate_supply_plan(
        tiny, actor=OLIVIA, strategies={"A": "level", "B": "level"}, target_days={"A": 30, "B": 30}
    )
    assert result.cycle == CYCLE and result.rows == 8 and list(result.plan.columns) == PLAN_COLUMNS
    assert plan_table(tiny, "production_plan") == pytest.approx(
        {("A", MAR): 151.5, ("A", APR): 151.5, ("B", MAR): 9.5, ("B", APR): 9.5}
    )
    # A: 27 + 151.5 − 130 = 48.5, then 48.5 + 151.5 − 100 = 100 (the target: 30 days × 100 / 30).
    # B: backlog 5 + 14 − 9.5 = 9.5, then 9.5 + 14 − 9.5 = 14 (the target: 30 days × 14 / 30).
    assert plan_table(tiny, "inventory_plan") == pytest.approx(
        {("A", MAR): 48.5, ("A", APR): 100.0, ("B", MAR): 9.5, ("B", APR): 14.0}
    )
    assert cell(result.plan, "A", APR, "target") == pytest.approx(100.0)
    assert cell(result.plan, "A", MAR, "target") == pytest.approx(30 * 130 / 31)
    logged = tiny.query("SELECT decided_by, detail FROM decisions WHERE kind = 'supply_plan'")
    assert logged["decided_by"].tolist() == ["Olivia"] and '"A": "level"' in logged["detail"].iloc[0]


def test_chase_plan_hand_checked(tiny: Store):
    """Chase to a zero target: A makes 130 − 27 = 103, then 100; B ships its backlog and orders: 19, then 14."""
    result = generate_supply_plan(
        tiny, actor=OLIVIA, strategies={"A": "chase", "B": "chase"}, target_days={"A": 0, "B": 0}
    )
    assert plan_table(tiny, "production_plan") == pytest.approx(
        {("A", MAR): 103.0, ("A", APR): 100.0, ("B", MAR): 19.0, ("B", APR): 14.0}
    )
    assert plan_table(tiny, "inventory_plan") == pytest.approx(
        {("A", MAR): 0.0, ("A", APR): 0.0, ("B", MAR): 0.0, ("B", APR): 0.0}
    )
    assert result.strategies == {"A": "chase", "B": "chase"}


def test_hybrid_is_the_level_base_plus_capped_top_ups(tiny: Store):
    """Hybrid: the level base rate, plus overtime (≤ 15 % of it) then subcontracting (≤ 20 %) up to the target."""
    level = preview_supply_plan(tiny, strategies={"A": "level", "B": "level"}).plan
    hybrid = preview_supply_plan(tiny, strategies={"A": "hybrid", "B": "hybrid"}).plan
    base = level["production"].to_numpy()
    extra = (hybrid["overtime"] + hybrid["subcontract"]).to_numpy()
    assert hybrid["production"].to_numpy() == pytest.approx(base + extra)
    assert (
        hybrid["overtime"].to_numpy() <= 0.15 * np.repeat(level.groupby("family")["production"].mean(), 2) + 1e-9
    ).all()
    assert extra.sum() > 0  # A starts below its target: the top-up is used
    assert (hybrid["stock"] >= level["stock"] - 1e-9).all()


def test_stored_policy_is_the_default_and_the_call_overrides_it(tiny: Store):
    defaults = supply_policies(tiny)
    assert defaults["strategy"].tolist() == [DEFAULT_SUPPLY_STRATEGY] * 2
    assert defaults["target_days"].tolist() == [25.0, 20.0]  # the middle of 10–40 and 10–30 days
    set_supply_policies(tiny, {"A": "level"}, actor=OLIVIA, target_days={"A": 30})
    stored = supply_policies(tiny).set_index("family")
    assert stored.loc["A", ["strategy", "target_days", "source", "updated_by"]].tolist() == [
        "level",
        30.0,
        "set",
        "Olivia",
    ]
    assert stored.loc["B", "source"] == "default"
    result = generate_supply_plan(tiny, actor=OLIVIA, families=["A"])
    assert result.strategies == {"A": "level"} and cell(result.plan, "A", MAR, "production") == pytest.approx(151.5)
    assert plan_table(tiny, "production_plan")[("B", MAR)] == 10.0  # not generated: untouched
    assert preview_supply_plan(tiny, strategies={"A": "chase"}, target_days={"A": 0}).strategies["A"] == "chase"
    with pytest.raises(ValueError, match="Unknown strategy"):
        set_supply_policies(tiny, {"A": "plan"}, actor=OLIVIA)
    with pytest.raises(CycleError, match="Unknown family"):
        generate_supply_plan(tiny, actor=OLIVIA, strategies={"Z": "level"})


def test_generation_refused_on_an_approved_plan_and_without_the_role(tiny: Store):
    before = plan_table(tiny, "production_plan"), plan_table(tiny, "inventory_plan")
    with pytest.raises(PermissionError, match="may not change the supply plan"):
        generate_supply_plan(tiny, actor=VIEWER)
    tiny.query("UPDATE plan_versions SET status = 'approved' WHERE cycle = ? RETURNING cycle", [CYCLE])
    with pytest.raises(FrozenPlanError):
        generate_supply_plan(tiny, actor=OLIVIA)
    assert (plan_table(tiny, "production_plan"), plan_table(tiny, "inventory_plan")) == before
    assert not tiny.scalar("SELECT count(*) FROM decisions WHERE kind = 'supply_plan'")


# ------------------------------------------------------------------- adjustment
def test_adjustment_reprojects_and_is_logged(tiny: Store):
    generate_supply_plan(tiny, actor=OLIVIA, strategies={"A": "level", "B": "level"}, target_days={"A": 30, "B": 30})
    previous = adjust_supply_plan(tiny, CYCLE, "A", "2026-03", 200, actor=OMAR, reason="Overtime agreed", seen=151.5)
    assert previous == pytest.approx(151.5)
    assert plan_table(tiny, "production_plan")[("A", MAR)] == 200.0
    # 27 + 200 − 130 = 97, then 97 + 151.5 − 100 = 148.5
    stock = plan_table(tiny, "inventory_plan")
    assert (stock[("A", MAR)], stock[("A", APR)]) == pytest.approx((97.0, 148.5))
    log = supply_adjustments(tiny, CYCLE)
    assert log[["family", "old_quantity", "new_quantity", "reason", "adjusted_by"]].values.tolist() == [
        ["A", 151.5, 200.0, "Overtime agreed", "Omar"]
    ]


def test_adjustment_refusals_change_nothing(tiny: Store):
    before = plan_table(tiny, "production_plan"), plan_table(tiny, "inventory_plan")
    with pytest.raises(CycleError, match="reason"):
        adjust_supply_plan(tiny, CYCLE, "A", MAR, 120, actor=OMAR, reason=" ", seen=150)
    with pytest.raises(PermissionError, match="may not change the supply plan"):
        adjust_supply_plan(tiny, CYCLE, "A", MAR, 120, actor=VIEWER, reason="why", seen=150)
    with pytest.raises(CycleError, match="outside"):
        adjust_supply_plan(tiny, CYCLE, "A", add_months(CYCLE, 18), 120, actor=OMAR, reason="why", seen=150)
    with pytest.raises(CycleError, match="Unknown family"):
        adjust_supply_plan(tiny, CYCLE, "Z", MAR, 120, actor=OMAR, reason="why", seen=150)
    with pytest.raises(ValueError, match="at least 0"):
        adjust_supply_plan(tiny, CYCLE, "A", MAR, -1, actor=OMAR, reason="why", seen=150)
    tiny.query("UPDATE plan_versions SET status = 'approved' WHERE cycle = ? RETURNING cycle", [CYCLE])
    with pytest.raises(FrozenPlanError):
        adjust_supply_plan(tiny, CYCLE, "A", MAR, 120, actor=OMAR, reason="why", seen=150)
    assert (plan_table(tiny, "production_plan"), plan_table(tiny, "inventory_plan")) == before
    assert supply_adjustments(tiny).empty


# ------------------------------------------------------------------- check and exceptions
def test_check_and_exceptions_hand_checked(tiny: Store):
    generate_supply_plan(tiny, actor=OLIVIA, strategies={"A": "level", "B": "level"}, target_days={"A": 30, "B": 30})
    check = supply_check(tiny)
    # Load 0.5 × 151.5 + 2 × 9.5 = 94.75 h of 100: at the warning threshold (90 %), no overload.
    assert check.capacity["load_hours"].tolist() == pytest.approx([94.75, 94.75])
    assert check.capacity["status"].tolist() == ["warning", "warning"] and check.within_capacity
    assert check.load.groupby("family")["load_hours"].sum().to_dict() == pytest.approx({"A": 151.5, "B": 38.0})
    proj = check.projection.set_index(["family", "month"])
    assert proj.loc[("A", pd.Timestamp(MAR)), "ending_inventory"] == pytest.approx(48.5)
    assert proj.loc[("B", pd.Timestamp(APR)), "backlog"] == pytest.approx(14.0)
    assert check.shortages["family"].tolist() == ["B"]  # 14 units of backlog = 30 days, above the 30-day ceiling
    adjust_supply_plan(tiny, CYCLE, "A", MAR, 200, actor=OMAR, reason="Overtime agreed", seen=151.5)
    check = supply_check(tiny)
    # March: 100 + 19 = 119 h of 100 → overloaded by 19 h.
    assert check.overloads[["resource", "load_hours"]].values.tolist() == [["R", pytest.approx(119.0)]]
    assert not check.within_capacity
    found = supply_exceptions(tiny, CYCLE)
    assert list(found.columns) == EXCEPTION_COLUMNS and set(found["rule"]) <= set(SUPPLY_RULES)
    overload = found[found["rule"] == "Capacity overload"].iloc[0]
    # 19 h over × the planned revenue per load hour in March: (200 × 10 + 9.5 × 100) / 119 h.
    assert overload["subject"] == "R" and overload["money"] == pytest.approx(round(19 * 2950 / 119))
    assert found["money"].is_monotonic_decreasing


def test_check_refuses_a_store_without_plans():
    with open_store(":memory:") as empty, pytest.raises(CycleError):
        supply_check(empty)


def test_demo_draft_has_the_assembly_overload(demo_store: Store):
    check = supply_check(demo_store)
    assert set(check.overloads["resource"]) == {"Assembly"}
    found = supply_exceptions(demo_store)
    assert found.iloc[0][["rule", "subject"]].tolist() == ["Capacity overload", "Assembly"]
    plan = preview_supply_plan(demo_store).plan
    assert set(plan["strategy"]) == {DEFAULT_SUPPLY_STRATEGY} and len(plan) == 8 * 18


# ------------------------------------------------------------------- the level property
def one_family_store(demand: list[float], inventory: float, backorders: float) -> Store:
    store = open_store(":memory:")
    with store.transaction() as cur:
        cur.execute("INSERT INTO families VALUES ('F', 'mts', 'units', 10, 6, 10, 40, 5)")
        months = [add_months(CYCLE, k) for k in range(len(demand))]
        write_plan_rows(
            cur, "demand_plan", CYCLE, pd.DataFrame({"family": "F", "region": "", "month": months, "quantity": demand})
        )
        feb = add_months(CYCLE, -1)
        insert_actuals(
            cur,
            pd.DataFrame(
                {
                    "kind": ["inventory", "orders", "sales"],
                    "month": [feb] * 3,
                    "sku": [None] * 3,
                    "family": ["F"] * 3,
                    "region": [""] * 3,
                    "quantity": [inventory, 50.0 + backorders, 50.0],
                    "revenue": [None] * 3,
                }
            ),
        )
    return store


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    demand=st.lists(st.floats(0, 1_000, allow_nan=False), min_size=1, max_size=6),
    inventory=st.floats(0, 3_000, allow_nan=False),
    backorders=st.floats(0, 500, allow_nan=False),
    days=st.floats(0, 60, allow_nan=False),
)
def test_level_total_is_demand_plus_target_minus_opening(demand, inventory, backorders, days):
    """Σ production = Σ demand + target ending − opening inventory + opening backorders (floored at 0)."""
    with one_family_store(demand, inventory, backorders) as store:
        plan = generate_supply_plan(store, actor=OLIVIA, strategies={"F": "level"}, target_days={"F": days}).plan
        last = add_months(CYCLE, len(demand) - 1)
        target_end = days * demand[-1] / days_in_month(last)
        expected = max(sum(demand) + target_end - inventory + backorders, 0.0)
        assert plan["production"].sum() == pytest.approx(expected, rel=1e-9, abs=1e-6)
        net = inventory - backorders + np.cumsum(plan["production"].to_numpy() - np.array(demand))
        assert plan["stock"].to_numpy() == pytest.approx(np.maximum(net, 0.0), abs=1e-6)
        if expected > 0:
            assert plan["stock"].iloc[-1] == pytest.approx(target_end, abs=1e-6)
