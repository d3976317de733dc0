"""Tests for sop_core.calc: hand-checked numbers plus hypothesis properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_core.calc import (
    accuracy_metrics,
    chase_plan,
    chase_plan_arrays,
    days_of_supply,
    level_plan,
    level_plan_arrays,
    project_inventory,
    project_inventory_arrays,
    rough_cut_capacity,
    tracking_signal,
)

FAST = settings(max_examples=100, deadline=None)

qty = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)
signed_qty = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


def close(a, b, scale=1.0):
    return np.allclose(a, b, rtol=1e-9, atol=1e-7 * max(1.0, scale))


# ------------------------------------------------------------------ reference loops
def ref_project(opening, production, demand, opening_backorders=0.0):
    """Step-by-step: serve backorders first, then this month's demand."""
    inv, bo = float(opening), float(opening_backorders)
    ends, bos = [], []
    for p, d in zip(production, demand, strict=True):
        supply = inv + p
        need = bo + d
        if supply >= need:
            inv, bo = supply - need, 0.0
        else:
            inv, bo = 0.0, need - supply
        ends.append(inv)
        bos.append(bo)
    return np.array(ends), np.array(bos)


def ref_chase(forecast, opening, targets, opening_backorders=0.0):
    pos = opening - opening_backorders
    prod = []
    for f, tgt in zip(forecast, targets, strict=True):
        p = max(f + tgt - pos, 0.0)
        pos = pos + p - f
        prod.append(p)
    return np.array(prod)


def ref_days_of_supply(inv, fc, days):
    n = len(inv)
    out = []
    for t in range(n):
        stock = inv[t]
        if stock <= 0:
            out.append(0.0)
            continue
        total = 0.0
        done = False
        for s in range(t + 1, n):
            if fc[s] >= stock and fc[s] > 0:
                total += stock / fc[s] * days[s]
                done = True
                break
            stock -= fc[s]
            total += days[s]
        if not done:
            rate = fc[n - 1] / days[n - 1]
            total = math.inf if rate == 0 else total + stock / rate
        out.append(total)
    return np.array(out)


# ------------------------------------------------------------ project_inventory
def test_project_inventory_hand_example():
    # opening 10, production [0, 50, 50], demand [30, 20, 10]
    # net: 10-30 = -20 -> end 0, bo 20; -20+50-20 = 10 -> end 10; 10+50-10 = 50
    df = project_inventory(10, [0, 50, 50], [30, 20, 10])
    assert list(df.columns) == ["ending_inventory", "backorders"]
    assert df["ending_inventory"].tolist() == [0, 10, 50]
    assert df["backorders"].tolist() == [20, 0, 0]


def test_project_inventory_opening_backorders_served_first():
    # opening 0 with 15 backordered; production [10, 30], demand [5, 5]
    # net: -15+10-5 = -10 -> bo 10; -10+30-5 = 15 -> end 15
    df = project_inventory(0, [10, 30], [5, 5], opening_backorders=15)
    assert df["ending_inventory"].tolist() == [0, 15]
    assert df["backorders"].tolist() == [10, 0]


def test_project_inventory_validation_and_empty():
    with pytest.raises(ValueError, match="same length"):
        project_inventory(0, [1, 2], [1])
    with pytest.raises(ValueError, match="same number of periods"):
        project_inventory_arrays(0, [1, 2], [1])
    with pytest.raises(ValueError, match="finite"):
        project_inventory(0, [1, float("nan")], [1, 1])
    df = project_inventory(5, [], [])
    assert df.empty and list(df.columns) == ["ending_inventory", "backorders"]


def test_project_inventory_keeps_series_index():
    months = pd.period_range("2025-01", periods=3, freq="M")
    df = project_inventory(0, [10, 10, 10], pd.Series([5, 5, 5], index=months))
    assert df.index.equals(months)


def test_project_inventory_arrays_batch_matches_rows():
    rng = np.random.default_rng(0)
    prod = rng.uniform(0, 100, (5, 12))
    dem = rng.uniform(0, 100, (5, 12))
    opening = rng.uniform(0, 50, 5)
    ob = rng.uniform(0, 20, 5)
    end, bo = project_inventory_arrays(opening, prod, dem, ob)
    assert end.shape == bo.shape == (5, 12)
    for i in range(5):
        e1, b1 = project_inventory_arrays(opening[i], prod[i], dem[i], ob[i])
        assert np.allclose(end[i], e1) and np.allclose(bo[i], b1)


@FAST
@given(
    data=st.lists(st.tuples(qty, qty), max_size=36),
    opening=qty,
    ob=qty,
)
def test_project_inventory_balance_invariant(data, opening, ob):
    prod = [p for p, _ in data]
    dem = [d for _, d in data]
    df = project_inventory(opening, prod, dem, opening_backorders=ob)
    end = df["ending_inventory"].to_numpy()
    bo = df["backorders"].to_numpy()
    expected = opening - ob + np.cumsum(prod) - np.cumsum(dem)
    assert close(end - bo, expected, scale=1e4 * (len(data) + 2))
    assert (end >= 0).all() and (bo >= 0).all()
    assert not ((end > 0) & (bo > 0)).any()
    ref_end, ref_bo = ref_project(opening, prod, dem, ob)
    assert close(end, ref_end, scale=1e4 * (len(data) + 2))
    assert close(bo, ref_bo, scale=1e4 * (len(data) + 2))


# ------------------------------------------------------------------- level_plan
def test_level_plan_hand_example():
    # forecast [100, 120, 80] = 300; opening 50; target 30 -> total 300+30-50 = 280
    # -> 93.33 each; ending 50+93.33-100 = 43.33; 43.33+93.33-120 = 16.67; 16.67+93.33-80 = 30
    df = level_plan([100, 120, 80], 50, 30)
    assert list(df.columns) == ["production", "ending_inventory", "backorders"]
    assert df["production"].tolist() == pytest.approx([280 / 3] * 3)
    assert df["ending_inventory"].tolist() == pytest.approx([43.3333333, 16.6666667, 30.0])
    assert df["backorders"].tolist() == [0, 0, 0]


def test_level_plan_working_days_hand_example():
    # total 280 again; working days [20, 22, 18] = 60 -> rate 4.6667/day
    # production [93.33, 102.67, 84.00]; ending 43.33, 26.00, 30.00
    df = level_plan([100, 120, 80], 50, 30, working_days=[20, 22, 18])
    assert df["production"].tolist() == pytest.approx([93.333333, 102.666667, 84.0])
    assert df["ending_inventory"].tolist() == pytest.approx([43.333333, 26.0, 30.0])


def test_level_plan_floor_at_zero():
    # forecast 20 total, opening 100, target 0 -> 20-100 = -80 -> floored to 0
    df = level_plan([10, 10], 100)
    assert df["production"].tolist() == [0, 0]
    assert df["ending_inventory"].tolist() == [90, 80]


def test_level_plan_with_backorders_shows_intermediate_shortage():
    # forecast [50, 50], opening 0, opening backorders 20, target 10 -> total 130 -> 65 each
    # net: -20+65-50 = -5 (bo 5); -5+65-50 = 10
    df = level_plan([50, 50], 0, 10, opening_backorders=20)
    assert df["production"].tolist() == [65, 65]
    assert df["backorders"].tolist() == [5, 0]
    assert df["ending_inventory"].tolist() == [0, 10]


def test_level_plan_validation():
    with pytest.raises(ValueError, match="working_days"):
        level_plan([1, 2, 3], 0, working_days=[20, 20])
    with pytest.raises(ValueError, match="more than zero"):
        level_plan([1, 2], 0, working_days=[0, 0])
    with pytest.raises(ValueError, match="negative"):
        level_plan([1, 2], 0, working_days=[-1, 5])
    with pytest.raises(ValueError, match="finite"):
        level_plan([1, float("nan")], 0)
    assert level_plan([], 10).empty


@FAST
@given(
    forecast=st.lists(qty, min_size=1, max_size=36),
    opening=qty,
    target=qty,
    ob=qty,
)
def test_level_plan_total_and_balance(forecast, opening, target, ob):
    df = level_plan(forecast, opening, target, opening_backorders=ob)
    prod = df["production"].to_numpy()
    scale = 1e4 * (len(forecast) + 3)
    formula = sum(forecast) + target - opening + ob
    assert close(prod.sum(), max(formula, 0.0), scale=scale)
    assert (prod >= 0).all()
    assert np.ptp(prod) <= 1e-9 * scale  # level: constant rate
    net = df["ending_inventory"] - df["backorders"]
    assert close(net, opening - ob + np.cumsum(prod) - np.cumsum(forecast), scale=scale)
    if formula >= 0:  # plan ends on target
        assert close(net.iloc[-1], target, scale=scale)


@FAST
@given(
    rows=st.lists(st.tuples(qty, st.integers(min_value=0, max_value=23)), min_size=1, max_size=36).filter(
        lambda r: sum(d for _, d in r) > 0
    ),
    opening=qty,
    target=qty,
)
def test_level_plan_working_days_proportional(rows, opening, target):
    forecast = [f for f, _ in rows]
    wd = np.array([d for _, d in rows], dtype=float)
    prod, end, bo = level_plan_arrays(forecast, opening, target, working_days=wd)
    total = max(sum(forecast) + target - opening, 0.0)
    scale = 1e4 * (len(rows) + 2)
    assert close(prod, wd * total / wd.sum(), scale=scale)
    assert close(prod.sum(), total, scale=scale)
    assert (prod[wd == 0] == 0).all()


# ------------------------------------------------------------------- chase_plan
def test_chase_plan_hand_example():
    # forecast [100, 120, 80], opening 50, target 30 each month
    # p0 = 100 + 30 - 50 = 80; then inventory sits at 30: p1 = 120, p2 = 80
    df = chase_plan([100, 120, 80], 50, 30)
    assert df["production"].tolist() == [80, 120, 80]
    assert df["ending_inventory"].tolist() == [30, 30, 30]
    assert df["backorders"].tolist() == [0, 0, 0]


def test_chase_plan_excess_stock_not_negative():
    # forecast 50/month, opening 120, target 20
    # p0 = max(50+20-120, 0) = 0 -> inv 70; p1 = max(50+20-70, 0) = 0 -> inv 20; p2 = 50
    df = chase_plan([50, 50, 50], 120, 20)
    assert df["production"].tolist() == [0, 0, 50]
    assert df["ending_inventory"].tolist() == [70, 20, 20]


def test_chase_plan_makes_up_backorders_and_target_sequence():
    # opening 0 with 30 backordered; target None (0): p0 = 40 + 0 - (-30) = 70, p1 = 40
    df = chase_plan([40, 40], 0, None, opening_backorders=30)
    assert df["production"].tolist() == [70, 40]
    assert df["backorders"].tolist() == [0, 0]
    # target sequence [10, 50, 0]: p = 100+10-0 = 110; 100+50-10 = 140; 100+0-50 = 50
    df = chase_plan([100, 100, 100], 0, [10, 50, 0])
    assert df["production"].tolist() == [110, 140, 50]
    assert df["ending_inventory"].tolist() == [10, 50, 0]


def test_chase_plan_validation():
    with pytest.raises(ValueError, match="target_inventory"):
        chase_plan([1, 2, 3], 0, [1, 2])
    with pytest.raises(ValueError, match="negative"):
        chase_plan([1, 2], 0, -5)
    assert chase_plan([], 0).empty


@FAST
@given(
    rows=st.lists(st.tuples(qty, qty), max_size=36),
    opening=qty,
    ob=qty,
    scalar_target=st.one_of(st.none(), qty),
)
def test_chase_plan_matches_recursion_and_balances(rows, opening, ob, scalar_target):
    forecast = [f for f, _ in rows]
    target = [t for _, t in rows] if scalar_target is None else [scalar_target] * len(rows)
    prod, end, bo = chase_plan_arrays(forecast, opening, target if scalar_target is None else scalar_target, ob)
    scale = 1e4 * (len(rows) + 3)
    assert (prod >= 0).all()
    assert close(prod, ref_chase(forecast, opening, target, ob), scale=scale)
    net = end - bo
    assert close(net, opening - ob + np.cumsum(prod) - np.cumsum(forecast), scale=scale)
    # the position never falls below target (production makes up any shortfall)
    assert (net >= np.array(target) - 1e-7 * scale).all()


# ------------------------------------------------------------- accuracy_metrics
def test_accuracy_metrics_hand_example():
    # actual [120, 80, 100, 110], forecast 100 each -> e = [20, -20, 0, 10]
    # MAD = 50/4 = 12.5; MAPE = (20/120 + 20/80 + 0 + 10/110)/4; WMAPE = 50/410
    # bias = 10/4 = 2.5; bias% = 10/410; TS = 10/12.5 = 0.8
    m = accuracy_metrics([120, 80, 100, 110], [100, 100, 100, 100])
    assert m["n"] == 4 and m["mape_excluded"] == 0
    assert m["mad"] == pytest.approx(12.5)
    assert m["mape"] == pytest.approx((20 / 120 + 20 / 80 + 10 / 110) / 4)
    assert m["wmape"] == pytest.approx(50 / 410)
    assert m["bias"] == pytest.approx(2.5)
    assert m["bias_pct"] == pytest.approx(10 / 410)
    assert m["tracking_signal"] == pytest.approx(0.8)
    assert set(m) == {"n", "mad", "mape", "wmape", "bias", "bias_pct", "tracking_signal", "mape_excluded"}


def test_accuracy_metrics_zero_actuals():
    # actual [100, 0, 50], forecast [90, 10, 60] -> e = [10, -10, -10]
    # MAPE over the two non-zero actuals: (10/100 + 10/50)/2 = 0.15, one excluded
    m = accuracy_metrics([100, 0, 50], [90, 10, 60])
    assert m["mape"] == pytest.approx(0.15) and m["mape_excluded"] == 1
    assert m["wmape"] == pytest.approx(30 / 150)
    assert m["bias"] == pytest.approx(-10 / 3)  # over-forecast -> negative
    assert m["tracking_signal"] == pytest.approx(-1.0)
    # all actuals zero: MAPE, WMAPE, bias% undefined
    m = accuracy_metrics([0, 0], [5, 3])
    assert math.isnan(m["mape"]) and math.isnan(m["wmape"]) and math.isnan(m["bias_pct"])
    assert m["mape_excluded"] == 2 and m["mad"] == 4.0 and m["bias"] == -4.0


def test_accuracy_metrics_empty_and_nan_pairs_and_lengths():
    m = accuracy_metrics([], [])
    assert m["n"] == 0 and m["mape_excluded"] == 0
    for key in ("mad", "mape", "wmape", "bias", "bias_pct", "tracking_signal"):
        assert math.isnan(m[key])
    # NaN on either side drops the pair: only (100, 90) remains
    m = accuracy_metrics([100, float("nan"), 40], [90, 10, None])
    assert m["n"] == 1 and m["mad"] == 10 and m["bias"] == 10
    m = accuracy_metrics(pd.Series([100, pd.NA, 40], dtype="Float64"), [90, 10, 30])
    assert m["n"] == 2 and m["mad"] == 10
    m = accuracy_metrics([float("nan")], [1.0])
    assert m["n"] == 0 and math.isnan(m["mad"])
    with pytest.raises(ValueError, match="same length"):
        accuracy_metrics([1, 2], [1])


def test_accuracy_metrics_perfect_forecast_all_zero():
    m = accuracy_metrics([10, 0, 30], [10, 0, 30])
    for key in ("mad", "mape", "wmape", "bias", "bias_pct", "tracking_signal"):
        assert m[key] == 0.0
    assert m["mape_excluded"] == 1


@FAST
@given(st.lists(st.tuples(qty, qty), min_size=1, max_size=36))
def test_accuracy_metrics_properties(pairs):
    actual = [a for a, _ in pairs]
    forecast = [f for _, f in pairs]
    m = accuracy_metrics(actual, forecast)
    assert m["n"] == len(pairs)
    assert m["mape_excluded"] == sum(a == 0 for a in actual)
    assert m["mad"] >= 0
    assert abs(m["bias"]) <= m["mad"] + 1e-9
    assert abs(m["tracking_signal"]) <= m["n"] + 1e-9
    # sign convention: e = actual - forecast
    assert np.sign(m["bias"]) == np.sign(sum(actual) - sum(forecast)) or abs(m["bias"]) < 1e-9
    # perfect forecast is all zero
    p = accuracy_metrics(actual, actual)
    assert p["mad"] == 0 and p["bias"] == 0 and p["tracking_signal"] == 0


@FAST
@given(st.lists(qty, min_size=1, max_size=36), st.floats(0.01, 1e3))
def test_accuracy_under_forecast_positive_bias(actual, delta):
    forecast = [a - delta for a in actual]  # actual > forecast everywhere
    m = accuracy_metrics(actual, forecast)
    assert m["bias"] > 0 and m["tracking_signal"] == pytest.approx(len(actual))
    if sum(actual) > 0:
        assert m["bias_pct"] > 0


# ------------------------------------------------------------- tracking_signal
def test_tracking_signal_hand_example():
    # actual [110, 120, 90, 130], forecast 100 -> e = [10, 20, -10, 30]
    # rsfe = [10, 30, 20, 50]; mad = [10, 15, 40/3, 70/4]; ts = [1, 2, 1.5, 50/17.5]
    df = tracking_signal([110, 120, 90, 130], [100] * 4)
    assert list(df.columns) == ["error", "rsfe", "mad", "tracking_signal"]
    assert df["error"].tolist() == [10, 20, -10, 30]
    assert df["rsfe"].tolist() == [10, 30, 20, 50]
    assert df["mad"].tolist() == pytest.approx([10, 15, 40 / 3, 17.5])
    assert df["tracking_signal"].tolist() == pytest.approx([1, 2, 1.5, 50 / 17.5])


def test_tracking_signal_zero_mad_and_nan():
    df = tracking_signal([100, 100, 110], [100, 100, 100])
    assert df["tracking_signal"].isna().tolist() == [True, True, False]
    assert df["tracking_signal"].iloc[2] == pytest.approx(10 / (10 / 3))
    df = tracking_signal([float("nan"), 110, float("nan")], [100, 100, 100])
    assert np.isnan(df["rsfe"].iloc[0]) and np.isnan(df["mad"].iloc[0])
    assert df["rsfe"].tolist()[1:] == [10, 10] and df["mad"].tolist()[1:] == [10, 10]
    assert tracking_signal([], []).empty
    with pytest.raises(ValueError):
        tracking_signal([1], [1, 2])


@FAST
@given(st.lists(st.tuples(qty, qty), min_size=1, max_size=36))
def test_tracking_signal_running_values(pairs):
    actual = [a for a, _ in pairs]
    forecast = [f for _, f in pairs]
    df = tracking_signal(actual, forecast)
    errors = [a - f for a, f in pairs]
    scale = 1e4 * (len(pairs) + 1)
    for k in range(len(pairs)):
        rsfe = sum(errors[: k + 1])
        mad = sum(abs(e) for e in errors[: k + 1]) / (k + 1)
        assert close(df["rsfe"].iloc[k], rsfe, scale=scale)
        assert close(df["mad"].iloc[k], mad, scale=scale)
        if df["mad"].iloc[k] > 0:
            assert close(df["tracking_signal"].iloc[k], df["rsfe"].iloc[k] / df["mad"].iloc[k])
        else:
            assert np.isnan(df["tracking_signal"].iloc[k])
    m = accuracy_metrics(actual, forecast)
    last = df["tracking_signal"].iloc[-1]
    assert m["tracking_signal"] == (0.0 if np.isnan(last) else pytest.approx(last))


# ----------------------------------------------------------- rough_cut_capacity
def _rccp_inputs():
    months = ["2025-01", "2025-02"]
    production = pd.DataFrame(
        {
            "family": ["A", "A", "B", "B", "C"],
            "month": [months[0], months[1], months[0], months[1], months[0]],
            "quantity": [100, 50, 20, 40, 999],  # C has no bill -> no load
        }
    )
    bill = pd.DataFrame(
        {
            "family": ["A", "A", "B", "B"],
            "resource": ["R1", "R2", "R1", "R2"],
            "hours_per_unit": [0.5, 0.1, 1.0, 2.0],
        }
    )
    available = pd.DataFrame(
        {
            "resource": ["R2", "R2", "R1", "R1", "R3"],
            "month": [months[1], months[0], months[0], months[1], months[0]],
            "hours": [0, 100, 100, 50, 40],
        }
    )
    return production, bill, available


def test_rough_cut_capacity_hand_example():
    # R1: M1 = 100*0.5 + 20*1.0 = 70 of 100 -> 0.70; M2 = 50*0.5 + 40*1.0 = 65 of 50 -> 1.30
    # R2: M1 = 100*0.1 + 20*2.0 = 50 of 100 -> 0.50; M2 = 50*0.1 + 40*2.0 = 85 of 0 -> NaN
    # R3: available 40 in M1, no load -> 0 / 40 = 0.0
    out = rough_cut_capacity(*_rccp_inputs())
    assert list(out.columns) == ["resource", "month", "load_hours", "available_hours", "utilisation"]
    assert out["resource"].tolist() == ["R1", "R1", "R2", "R2", "R3"]
    assert out["month"].tolist() == ["2025-01", "2025-02", "2025-01", "2025-02", "2025-01"]
    assert out["load_hours"].tolist() == pytest.approx([70, 65, 50, 85, 0])
    assert out["available_hours"].tolist() == [100, 50, 100, 0, 40]
    util = out["utilisation"].tolist()
    assert util[:3] == pytest.approx([0.70, 1.30, 0.50])
    assert math.isnan(util[3]) and util[4] == 0.0


def test_rough_cut_capacity_missing_availability_and_columns():
    production, bill, available = _rccp_inputs()
    available = available[available["resource"] != "R2"]
    out = rough_cut_capacity(production, bill, available)
    r2 = out[out["resource"] == "R2"]
    assert r2["load_hours"].tolist() == pytest.approx([50, 85])
    assert r2["available_hours"].isna().all() and r2["utilisation"].isna().all()
    with pytest.raises(ValueError, match="hours_per_unit"):
        rough_cut_capacity(production, bill.drop(columns="hours_per_unit"), available)


def test_rough_cut_capacity_period_months_and_duplicates():
    m = pd.period_range("2025-01", periods=2, freq="M")
    production = pd.DataFrame({"family": ["A", "A", "A"], "month": [m[1], m[0], m[0]], "quantity": [10, 5, 5]})
    bill = pd.DataFrame({"family": ["A"], "resource": ["R1"], "hours_per_unit": [2.0]})
    available = pd.DataFrame({"resource": ["R1", "R1"], "month": [m[0], m[1]], "hours": [40, 10]})
    out = rough_cut_capacity(production, bill, available)
    assert out["month"].tolist() == list(m)
    assert out["load_hours"].tolist() == [20, 20]
    assert out["utilisation"].tolist() == pytest.approx([0.5, 2.0])


# --------------------------------------------------------------- days_of_supply
def test_days_of_supply_hand_example():
    # period 0: inventory 150, next months 100 (30 days), 100 (31 days)
    # -> 30 + 50/100 * 31 = 45.5 days
    # period 1: 150 against 100 (31 days) -> 31, then 50 left at 100/31 per day -> +15.5
    # period 2: 0 inventory -> 0
    dos = days_of_supply([150, 150, 0], [80, 100, 100], [31, 30, 31])
    assert dos.tolist() == pytest.approx([45.5, 46.5, 0.0])


def test_days_of_supply_edge_cases():
    # all remaining forecast zero with stock -> inf
    dos = days_of_supply([10, 10, 10], [5, 0, 0], [31, 28, 31])
    assert np.isinf(dos).all()
    # zero-forecast month in the middle is fully covered: 31 days + 10 / 20 * 30 days
    dos = days_of_supply([10, 0, 0], [1, 0, 20], [31, 31, 30])
    assert dos[0] == pytest.approx(31 + 15)
    # last period extrapolates at the last month's daily rate: 60 / (30/30 per day)
    assert days_of_supply([60], [30], [30]).tolist() == [60.0]
    assert np.isnan(days_of_supply([float("nan")], [1], [30])[0])
    assert days_of_supply([], [], []).size == 0
    with pytest.raises(ValueError, match="same length"):
        days_of_supply([1, 2], [1, 2], [30])
    with pytest.raises(ValueError, match="negative"):
        days_of_supply([1, 2], [1, -2], [30, 30])


@FAST
@given(
    rows=st.lists(
        st.tuples(qty, st.one_of(st.just(0.0), qty), st.sampled_from([28.0, 30.0, 31.0])),
        min_size=1,
        max_size=36,
    )
)
def test_days_of_supply_matches_loop(rows):
    inv = [r[0] for r in rows]
    fc = [r[1] for r in rows]
    days = [r[2] for r in rows]
    got = days_of_supply(inv, fc, days)
    want = ref_days_of_supply(inv, fc, days)
    assert np.array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    assert np.allclose(got[finite], want[finite], rtol=1e-6, atol=1e-6)
