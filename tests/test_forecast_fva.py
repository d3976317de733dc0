"""Forecast value added from frozen vintages, worked out by hand; the layer exception; the demo's story."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest

from sop_core import Store, open_store
from sop_core.actuals import insert_actuals
from sop_core.forecast import fva_stairstep, layer_exceptions, save_override
from sop_core.forecast.baseline import BASELINE_COLUMNS, store_baseline
from sop_core.plans import write_plan_rows
from tests.support.people import EVERYONE


def _cycle(
    store: Store,
    cycle: str,
    baseline: dict[str, float],
    plan: dict[str, float],
    layers: list[tuple[str, str, str, float]],
    approve: bool = True,
) -> None:
    """Store a family-level baseline for ``cycle``, its overrides and its approved demand plan."""
    frame = pd.DataFrame(
        [("A", "", "N", pd.Timestamp(m), q, q, q, q, q, "SeasonalNaive", 1.0) for m, q in baseline.items()],
        columns=BASELINE_COLUMNS,
    )
    models = frame.head(1)[["family", "sku", "region", "model", "holdout_mase"]].assign(
        series_class="regular", history_months=24
    )
    store_baseline(store, pd.Timestamp(cycle).date(), frame, models, actor=EVERYONE)
    for layer, month, kind, value in layers:
        save_override(
            store,
            cycle,
            layer=layer,
            family="A",
            region="N",
            start=month,
            value=value,
            kind=kind,
            reason="other",
            actor=EVERYONE,
        )
    with store.transaction() as cur:
        write_plan_rows(
            cur,
            "demand_plan",
            cycle,
            pd.DataFrame(
                [("A", "N", m, q) for m, q in plan.items()], columns=["family", "region", "month", "quantity"]
            ),
        )
        if approve:
            cur.execute("UPDATE plan_versions SET status = 'approved' WHERE cycle = ?", [pd.Timestamp(cycle).date()])


def _store(actuals: dict[str, float]) -> Store:
    s = open_store(":memory:")
    with s.transaction() as cur:
        cur.execute("INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5)")
        cur.execute("INSERT INTO regions VALUES ('N', 'north')")
        insert_actuals(
            cur,
            pd.DataFrame(
                [("sales", m, None, "A", "N", q) for m, q in actuals.items()],
                columns=["kind", "month", "sku", "family", "region", "quantity"],
            ),
        )
    return s


@pytest.fixture()
def hand() -> Iterator[Store]:
    """Two approved cycles; lag-1 months 2026-02 (actual 100) and 2026-03 (actual 120)."""
    s = _store({"2025-02-01": 90, "2025-03-01": 110, "2026-02-01": 100, "2026-03-01": 120})
    _cycle(
        s,
        "2026-01",
        {"2026-02-01": 95},
        {"2026-02-01": 104},
        [("sales", "2026-02", "units", 10), ("marketing", "2026-02", "pct", 10)],
    )  # +10, +9.5
    _cycle(s, "2026-02", {"2026-03-01": 100}, {"2026-03-01": 118}, [("sales", "2026-03", "units", 30)])
    _cycle(s, "2026-03", {"2026-04-01": 1}, {"2026-04-01": 1}, [], approve=False)  # the draft does not count
    yield s
    s.close()


def test_fva_stairstep_by_hand(hand):
    fva = fva_stairstep(hand, lags=(1,))
    got = fva[fva["family"] == "A"].set_index("step")
    assert got.index.tolist() == [
        "seasonal naive",
        "statistical",
        "+ Sales",
        "+ Marketing",
        "+ Finance",
        "+ Demand planner",
        "consensus",
        "approved plan",
    ]
    assert (got["n"] == 2).all()
    # errors (actual - forecast): naive 10, 10; statistical 5, 20; + sales -5, -10; + marketing -14.5, -10;
    # approved -4, 2. WMAPE = sum |e| / 220.
    expected = {
        "seasonal naive": (20, 10.0),
        "statistical": (25, 12.5),
        "+ Sales": (15, -7.5),
        "+ Marketing": (24.5, -12.25),
        "+ Finance": (24.5, -12.25),
        "+ Demand planner": (24.5, -12.25),
        "consensus": (24.5, -12.25),
        "approved plan": (6, -1.0),
    }
    for step, (abs_err, bias) in expected.items():
        assert got.loc[step, "wmape"] == pytest.approx(abs_err / 220), step
        assert got.loc[step, "bias"] == pytest.approx(bias), step
    assert got.loc["statistical", "fva"] == pytest.approx((20 - 25) / 220)
    assert got.loc["+ Sales", "fva"] == pytest.approx((25 - 15) / 220)
    assert got.loc["+ Marketing", "fva"] == pytest.approx((15 - 24.5) / 220)
    assert got.loc["approved plan", "fva"] == pytest.approx((24.5 - 6) / 220)
    assert pd.isna(got.loc["seasonal naive", "fva"])
    assert set(fva["family"]) == {"A", "All families"}


def test_fva_lag_three_needs_its_own_vintages(hand):
    assert fva_stairstep(hand, lags=(3,)).empty


def test_fva_stairstep_at_lag_three_by_hand():
    """Two approved cycles, each read three months ahead; the lag-1 month of cycle 2026-01 must not count.

    actuals: 2026-04 100, 2026-05 110 (a year before: 80, 90 -> the seasonal naive); lag-1 month 2026-02.
    cycle 2026-01 for 2026-04: baseline 90, Sales +5 units, Marketing -10 % of the baseline (-9), plan 98.
    cycle 2026-02 for 2026-05: baseline 120, Demand planner -15 units, plan 108.
    errors (actual - forecast), 2026-04 / 2026-05:
      seasonal naive 20 / 20; statistical 10 / -10; + Sales 5 / -10; + Marketing 14 / -10; + Finance same;
      + Demand planner 14 / 5; consensus same; approved 2 / 2. WMAPE = sum |e| / 210, bias = sum e / 2.
    """
    s = _store(
        {"2025-02-01": 40, "2025-04-01": 80, "2025-05-01": 90, "2026-02-01": 60, "2026-04-01": 100, "2026-05-01": 110}
    )
    _cycle(
        s,
        "2026-01",
        {"2026-02-01": 50, "2026-04-01": 90},
        {"2026-02-01": 55, "2026-04-01": 98},
        [("sales", "2026-04", "units", 5), ("marketing", "2026-04", "pct", -10)],
    )
    _cycle(s, "2026-02", {"2026-05-01": 120}, {"2026-05-01": 108}, [("demand_planner", "2026-05", "units", -15)])
    got = fva_stairstep(s, lags=(3,))
    assert set(got["lag"]) == {3}
    got = got[got["family"] == "A"].set_index("step")
    assert (got["n"] == 2).all()
    expected = {
        "seasonal naive": (40, 20.0),
        "statistical": (20, 0.0),
        "+ Sales": (15, -2.5),
        "+ Marketing": (24, 2.0),
        "+ Finance": (24, 2.0),
        "+ Demand planner": (19, 9.5),
        "consensus": (19, 9.5),
        "approved plan": (4, 2.0),
    }
    for step, (abs_err, bias) in expected.items():
        assert got.loc[step, "wmape"] == pytest.approx(abs_err / 210), step
        assert got.loc[step, "bias"] == pytest.approx(bias), step
    assert got.loc["statistical", "fva"] == pytest.approx((40 - 20) / 210)
    assert got.loc["+ Marketing", "fva"] == pytest.approx((15 - 24) / 210)
    assert got.loc["+ Demand planner", "fva"] == pytest.approx((24 - 19) / 210)
    assert got.loc["approved plan", "fva"] == pytest.approx((19 - 4) / 210)
    lag1 = fva_stairstep(s, lags=(1,)).set_index(["family", "step"])
    assert lag1.loc[("A", "statistical"), "n"] == 1  # the 2026-02 month is a lag-1 figure only
    s.close()


def _worse_every_cycle(cycles: int) -> Store:
    actual = {f"2025-{m:02d}-01": 100.0 for m in range(1, 13)} | {f"2026-{m:02d}-01": 100.0 for m in range(1, 9)}
    s = _store(actual)
    for k in range(cycles):
        cycle = dt.date(2026, 1 + k, 1)
        months = [f"2026-{cycle.month + lag:02d}-01" for lag in (1, 2, 3)]
        _cycle(
            s,
            f"{cycle:%Y-%m}",
            dict.fromkeys(months, 100.0),
            dict.fromkeys(months, 100.0),
            [("sales", m, "units", 15.0) for m in months] + [("marketing", months[0], "units", 0.0)],
        )
    return s


def test_a_layer_worse_three_cycles_running_is_an_exception():
    store = _worse_every_cycle(3)
    exc = layer_exceptions(store)
    assert exc[["family", "layer"]].values.tolist() == [["A", "sales"]]
    assert exc["cycles"].iloc[0] == "2026-01, 2026-02, 2026-03"
    assert exc["added_error"].iloc[0] == pytest.approx(3 * 3 * 15.0)
    assert "Sales overrides made the A forecast worse 3 cycles running" in exc["message"].iloc[0]
    store.close()


def test_two_cycles_are_not_yet_an_exception():
    store = _worse_every_cycle(2)
    assert layer_exceptions(store).empty
    store.close()


def test_demo_story_sales_optimism_marketing_promotion(demo_store):
    assert demo_store.scalar("SELECT count(DISTINCT cycle) FROM forecast_baseline") >= 13
    assert demo_store.scalar("SELECT count(DISTINCT cycle) FROM forecast_overrides") >= 12
    fva = fva_stairstep(demo_store).set_index(["family", "lag", "step"])
    for lag in (1, 3):
        assert fva.loc[("Standard Valves", lag, "+ Sales"), "fva"] < -0.05  # sales made it much worse
        assert fva.loc[("Compact Pumps", lag, "+ Marketing"), "fva"] > 0.03  # the promotion helped
        assert fva.loc[("High-Pressure Valves", lag, "+ Demand planner"), "fva"] > 0
        assert fva.loc[("All families", lag, "statistical"), "fva"] > 0  # the baseline beats seasonal naive
    exc = layer_exceptions(demo_store)
    assert exc[["family", "layer"]].values.tolist() == [["Standard Valves", "sales"]]


def _sales_layer_history(pattern: str) -> Store:
    """One approved cycle a month from 2026-01, actual 100 everywhere; per cycle, what Sales did:

    ``w``: +15 on a baseline of 100 (worse by 15 a month), ``b``: +15 on a baseline of 85 (better by 15),
    ``u``: no Sales override (only Marketing's, so the cycle has layers but Sales left the family alone).
    """
    months = pd.date_range("2025-01-01", "2026-12-01", freq="MS")
    s = _store({f"{m:%Y-%m-%d}": 100.0 for m in months})
    for k, what in enumerate(pattern):
        cycle = dt.date(2026, 1 + k, 1)
        lags = [f"2026-{cycle.month + lag:02d}-01" for lag in (1, 2, 3)]
        base = 85.0 if what == "b" else 100.0
        layers = [("sales", m, "units", 15.0) for m in lags] if what in "wb" else [("marketing", lags[0], "units", 1.0)]
        _cycle(s, f"{cycle:%Y-%m}", dict.fromkeys(lags, base), dict.fromkeys(lags, 100.0), layers)
    return s


@pytest.mark.parametrize(
    ("pattern", "cycles", "running"),
    [
        ("wwbww", None, None),  # a better cycle in between breaks the streak: two in a row is not three
        ("wwbwww", "2026-04, 2026-05, 2026-06", True),
        ("wwwb", None, None),  # the latest cycle was better: no exception however long the run before
        ("wuww", "2026-01, 2026-03, 2026-04", False),  # Sales left 2026-02 alone: neutral, not a break
        ("wuw", None, None),  # ... nor a count: two changes, both worse, are not three
    ],
)
def test_the_streak_rule_of_layer_exceptions(pattern, cycles, running):
    store = _sales_layer_history(pattern)
    exc = layer_exceptions(store)
    sales = exc[exc["layer"] == "sales"]
    if cycles is None:
        assert sales.empty, sales["message"].tolist()
    else:
        assert sales["cycles"].tolist() == [cycles]
        assert sales["added_error"].iloc[0] == pytest.approx(3 * 3 * 15.0)
        message = sales["message"].iloc[0]
        if running:
            assert "worse 3 cycles running (2026-04 to 2026-06)" in message
        else:
            assert "worse in each of the last 3 cycles where they changed it (2026-01, 2026-03, 2026-04)" in message
    assert (exc["layer"] != "marketing").all()  # Marketing's +1 made 2026-0x worse by 1, but never 3 times running
    store.close()
