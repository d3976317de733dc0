"""The stored baseline: level, no look-ahead, storage with the draft, frozen at approval."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from sop_core import FrozenPlanError, Store, open_store
from sop_core.actuals import insert_actuals
from sop_core.forecast import BASELINE_COLUMNS, model_table, run_baseline, statistical_forecast, stored_baseline
from sop_core.plans import approve_plan
from tests.support.people import EVERYONE, EXECUTIVE

CYCLE = "2026-01"


def _sales(months: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """SKU sales of family A (two SKUs, one region) and family-level orders of B, over ``months``."""
    rng = np.random.default_rng(seed)
    rows: list[tuple] = []
    for i, month in enumerate(months):
        season = 1 + 0.2 * np.sin(2 * np.pi * month.month / 12)
        for sku, base in (("A1", 120.0), ("A2", 40.0)):
            rows.append(("sales", month, sku, None, "N", round(base * season * rng.normal(1, 0.05), 1)))
        rows.append(("orders", month, None, "B", "", float(5 + i % 3)))
    return pd.DataFrame(rows, columns=["kind", "month", "sku", "family", "region", "quantity"])


@pytest.fixture()
def store() -> Iterator[Store]:
    s = open_store(":memory:")
    with s.transaction() as cur:
        cur.execute(
            "INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5), "
            "('B', 'mto', 'units', 100, 70, 10, 30, 10)"
        )
        cur.execute("INSERT INTO products VALUES ('A1', 'A', 'a one'), ('A2', 'A', 'a two')")
        cur.execute("INSERT INTO regions VALUES ('N', 'north')")
        cur.execute("INSERT INTO plan_versions (cycle, status) VALUES (DATE '2026-01-01', 'draft')")
        insert_actuals(cur, _sales(pd.date_range("2023-07-01", "2025-12-01", freq="MS"), 0))
    yield s
    s.close()


def test_baseline_at_the_level_of_the_actuals(store):
    frame = statistical_forecast(store, CYCLE, horizon=6)
    assert list(frame.columns) == BASELINE_COLUMNS
    keys = set(map(tuple, frame[["family", "sku", "region"]].drop_duplicates().to_numpy()))
    assert keys == {("A", "A1", "N"), ("A", "A2", "N"), ("B", "", "")}
    assert len(frame) == 3 * 6
    assert pd.to_datetime(frame["month"]).min() == pd.Timestamp("2026-01-01")
    assert (frame[["forecast", "lo80", "lo95"]] >= 0).all().all()
    assert (frame["lo95"] <= frame["lo80"]).all() and (frame["hi80"] <= frame["hi95"]).all()
    assert frame["holdout_mase"].notna().all()


def test_no_look_ahead(store):
    """The baseline of a cycle uses only actuals before it: changing later months changes nothing."""
    before = statistical_forecast(store, CYCLE, horizon=6)
    with store.transaction() as cur:
        later = _sales(pd.date_range("2026-01-01", "2026-06-01", freq="MS"), 99)
        later["quantity"] *= 50  # wildly different demand from the cycle's month on
        insert_actuals(cur, later)
    after = statistical_forecast(store, CYCLE, horizon=6)
    pd.testing.assert_frame_equal(before, after)
    # ... while a change to a month before the cycle does move it (the test has teeth).
    with store.transaction() as cur:
        earlier = [("sales", m, "A1", None, "N", 500.0) for m in pd.date_range("2025-01-01", "2025-12-01", freq="MS")]
        insert_actuals(cur, pd.DataFrame(earlier, columns=["kind", "month", "sku", "family", "region", "quantity"]))
    moved = statistical_forecast(store, CYCLE, horizon=6)
    assert not np.allclose(moved["forecast"], before["forecast"])


def test_run_baseline_stores_and_reports_progress(store):
    seen: list[float] = []
    frame = run_baseline(store, CYCLE, horizon=6, progress=lambda f, _m: seen.append(f), actor=EVERYONE)
    assert seen and seen[-1] == 1.0
    stored = stored_baseline(store, CYCLE)
    assert len(stored) == len(frame)
    assert stored["forecast"].to_numpy() == pytest.approx(frame["forecast"].to_numpy())
    models = model_table(store, CYCLE)
    assert len(models) == 3 and set(models["mode"]) == {"full"}
    # A second run replaces rather than duplicates.
    run_baseline(store, CYCLE, horizon=6, actor=EVERYONE)
    assert store.scalar("SELECT count(*) FROM forecast_baseline") == len(frame)


def test_baseline_is_frozen_with_the_approved_plan(store):
    run_baseline(store, CYCLE, horizon=3, mode="quick", actor=EVERYONE)
    approve_plan(store, CYCLE, EXECUTIVE)
    with pytest.raises(FrozenPlanError):
        run_baseline(store, CYCLE, horizon=3, mode="quick", actor=EVERYONE)
    assert store.scalar("SELECT count(*) FROM forecast_baseline") == 3 * 3


def test_previous_model_is_recorded(store):
    run_baseline(store, "2025-12", horizon=3, actor=EVERYONE)
    run_baseline(store, CYCLE, horizon=3, actor=EVERYONE)
    models = model_table(store, CYCLE).set_index("sku")
    assert models.loc["A1", "previous_model"] in {"SeasonalNaive", "AutoETS", "Theta"}


def test_empty_store_gives_an_empty_baseline():
    with open_store(":memory:") as empty:
        assert statistical_forecast(empty).empty


def test_months_not_yet_loaded_are_bridged(store):
    """Actuals end three months before the cycle: the baseline still starts at the cycle."""
    frame = statistical_forecast(store, "2026-04", horizon=4, mode="quick")
    assert sorted(pd.to_datetime(frame["month"]).unique()) == list(pd.date_range("2026-04-01", periods=4, freq="MS"))
    assert (frame["forecast"] > 0).all()


def test_run_baseline_progress_reads_forecasts_and_stores_in_order(store):
    reports: list[tuple[float, str]] = []
    run_baseline(store, CYCLE, horizon=3, progress=lambda f, m: reports.append((f, m)), actor=EVERYONE)
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    messages = [m for _, m in reports]
    assert messages[0] == "Reading the demand history…"
    assert any(m.startswith("Forecasting ") and m.endswith(" of 3 series…") for m in messages)
    assert messages[-2:] == ["Storing the baseline of 3 series…", "Stored the baseline of 3 series"]
    quick: list[float] = []
    statistical_forecast(store, CYCLE, horizon=3, mode="quick", progress=lambda f, _m: quick.append(f))
    assert quick == sorted(quick) and quick[-1] == 1.0 and len(quick) >= 3
