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
