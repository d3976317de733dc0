"""The stored baseline: level, no look-ahead, storage with the draft, frozen at approval."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sop_core import FrozenPlanError, Store, open_store
from sop_core.actuals import insert_actuals
from sop_core.forecast import BASELINE_COLUMNS, model_table, run_baseline, statistical_forecast, stored_baseline
from sop_core.forecast.history import demand_history
from sop_core.forecast.select import fit_runner
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


def test_the_history_query_itself_reads_no_month_of_the_cycle_or_later(store):
    """``demand_history`` on its own (no pandas filter after it): months before the cycle only."""
    with store.transaction() as cur:
        later = _sales(pd.date_range("2026-01-01", "2026-03-01", freq="MS"), 5)
        insert_actuals(cur, later)
    for cycle, last in ((dt.date(2025, 12, 1), "2025-11-01"), (dt.date(2026, 2, 1), "2026-01-01")):
        for families in (None, ["A"]):
            history = demand_history(store, cycle, families)
            months = pd.to_datetime(history["month"])
            assert months.max() == pd.Timestamp(last), (cycle, families)
            assert (months < pd.Timestamp(cycle)).all()
    history = demand_history(store, dt.date(2026, 2, 1))
    january = history[(history["sku"] == "A1") & (pd.to_datetime(history["month"]) == "2026-01-01")]
    assert (
        january["y"].tolist() == later[(later["sku"] == "A1") & (later["month"] == "2026-01-01")]["quantity"].tolist()
    )


@dataclass
class Scripted:
    """A fit runner with scripted backtest errors: every model misses every held-out month by ``errors[model]``.

    Everything else — the previous cycle's models read from the store, the MASE, the choice, the storage —
    runs as in production, so the keep-unless-5 %-better rule is tested end to end.
    """

    errors: dict[str, float]
    distributed: bool = False

    def cross_validation(
        self, models: list[Any], frame: pd.DataFrame, h: int, n_windows: int, step_size: int, refit: bool
    ) -> pd.DataFrame:
        rows = []
        for uid, group in frame.groupby("unique_id", sort=True):
            ds, y = group["ds"].to_numpy(), group["y"].to_numpy(float)
            for k in range(n_windows):
                train = len(y) - h - (n_windows - 1 - k) * step_size
                for j in range(train, train + h):
                    row = {"unique_id": uid, "ds": ds[j], "cutoff": ds[train - 1], "y": y[j]}
                    rows.append(row | {str(m): y[j] + self.errors[str(m)] for m in models})
        return pd.DataFrame(rows)

    def forecast(self, models: list[Any], frame: pd.DataFrame, h: int, level: list[int]) -> pd.DataFrame:
        rows = []
        for uid, group in frame.groupby("unique_id", sort=True):
            last, start = float(group["y"].iloc[-1]), pd.Timestamp(group["ds"].iloc[-1])
            for j in range(1, h + 1):
                row: dict[str, Any] = {"unique_id": uid, "ds": start + pd.DateOffset(months=j)}
                for m in models:
                    row[str(m)] = last
                    for lv in level:
                        row[f"{m}-lo-{lv}"], row[f"{m}-hi-{lv}"] = 0.9 * last, 1.1 * last
                rows.append(row)
        return pd.DataFrame(rows)


def test_a_series_keeps_last_cycles_model_unless_another_is_five_percent_better(store):
    """Three cycles through ``run_baseline``: the previous model comes from the store (``_previous_models``)."""
    scripts = [
        ("2025-11", {"AutoETS": 9.0, "Theta": 9.5}, "AutoETS", None),  # no previous: the best
        ("2025-12", {"AutoETS": 9.3, "Theta": 9.0}, "AutoETS", "AutoETS"),  # Theta 3.2 % better: kept
        ("2026-01", {"AutoETS": 9.3, "Theta": 8.8}, "Theta", "AutoETS"),  # Theta 5.4 % better: switched
    ]
    for cycle, errors, expected, previous in scripts:
        runner = Scripted({"SeasonalNaive": 10.0, "MSTL": 12.0} | errors)
        with fit_runner(runner):
            run_baseline(store, cycle, horizon=3, actor=EVERYONE)
        models = model_table(store, cycle)
        assert len(models) == 3
        assert set(models["model"]) == {expected}, cycle
        if previous is None:
            assert models["previous_model"].isna().all()
        else:
            assert set(models["previous_model"]) == {previous}, cycle
        assert models["holdout_mase"].gt(0).all()
