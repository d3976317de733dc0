"""The statistical baseline's engine: MASE by hand, model choice, series classes, non-negative forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_core.forecast.metrics import mase, mase_scale, season_for_scale
from sop_core.forecast.models import classify, quick_forecast, simple_forecast
from sop_core.forecast.select import choose, cv_design, forecast_series

END = pd.Timestamp("2026-06-01")


def test_mase_by_hand_short_history_uses_lag_one():
    history = [1.0, 2.0, 3.0, 4.0]  # naive errors 1, 1, 1 -> scale 1
    assert season_for_scale(len(history)) == 1
    assert mase_scale(history) == 1.0
    assert mase([5.0, 6.0], [4.0, 8.0], mase_scale(history)) == pytest.approx(1.5)  # (1 + 2) / 2


def test_mase_by_hand_two_seasons_use_lag_twelve():
    history = [10.0 + t % 12 + (2.0 if t >= 12 else 0.0) for t in range(24)]  # seasonal naive error 2 each
    assert season_for_scale(24) == 12
    assert mase_scale(history) == pytest.approx(2.0)
    assert mase([25.0], [24.0], mase_scale(history)) == pytest.approx(0.5)


def test_mase_scale_of_a_constant_history_falls_back_to_its_level():
    assert mase_scale([7.0] * 30) == pytest.approx(7.0)
    assert mase_scale([0.0] * 5) == 1.0


@pytest.mark.parametrize(
    ("scores", "previous", "expected"),
    [
        ({"SeasonalNaive": 1.0, "AutoETS": 0.995, "Theta": 1.2}, None, "SeasonalNaive"),  # a tie: simpler wins
        ({"SeasonalNaive": 1.0, "AutoETS": 0.90, "Theta": 0.95}, None, "AutoETS"),
        ({"SeasonalNaive": 1.0, "AutoETS": 0.97, "Theta": 1.0}, "Theta", "Theta"),  # not 5 % better: keep
        ({"SeasonalNaive": 1.0, "AutoETS": 0.94, "Theta": 1.0}, "Theta", "AutoETS"),  # 6 % better: switch
        ({"SeasonalNaive": float("nan"), "AutoETS": float("nan")}, None, "SeasonalNaive"),
    ],
)
def test_choice_rules(scores, previous, expected):
    assert choose(scores, previous) == expected


def test_backtest_design_has_three_origins_several_months_ahead():
    assert cv_design(36) == (6, 3)
    assert cv_design(24) == (3, 3)
    assert cv_design(10) == (1, 1)


def test_classes():
    assert classify(np.zeros(12)) == "zero"
    assert classify(np.array([3.0, 4.0])) == "short"
    assert classify(np.full(20, 5.0)) == "constant"
    assert classify(np.array([0, 0, 3, 0, 0, 5, 0, 2, 0, 0, 0, 4], dtype=float)) == "intermittent"
    assert classify(np.arange(1, 20, dtype=float)) == "regular"


def _seasonal(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 100 * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) * rng.normal(1, 0.03, n)


def test_every_kind_of_series_gets_a_forecast():
    rng = np.random.default_rng(1)
    intermittent = np.where(rng.random(30) < 0.55, 0.0, rng.integers(1, 9, 30).astype(float))
    series = [
        (("F", "short", ""), np.array([4.0, 6.0, 5.0])),
        (("F", "one", ""), np.array([8.0])),
        (("F", "zero", ""), np.zeros(18)),
        (("F", "constant", ""), np.full(15, 7.0)),
        (("F", "intermittent", ""), intermittent),
        (("F", "regular", ""), _seasonal(36)),
        (("F", "young", ""), _seasonal(10)),
    ]
    seen: list[float] = []
    out = {r.key[1]: r for r in forecast_series(series, END, 6, progress=lambda f, _m: seen.append(f))}
    assert seen[-1] == 1.0
    assert out["short"].model == "RecentMean" and out["short"].values[0] == pytest.approx(np.full(6, 5.0))
    assert out["one"].model == "RecentMean" and out["one"].values[0][0] == 8.0
    assert out["zero"].model == "Zero" and not np.any(np.stack(out["zero"].values))
    assert out["constant"].model == "Constant" and out["constant"].values[0] == pytest.approx(np.full(6, 7.0))
    assert out["intermittent"].model in {"CrostonSBA", "ADIDA", "TSB"}
    assert out["regular"].model in {"SeasonalNaive", "AutoETS", "Theta"}
    assert np.isfinite(out["regular"].holdout_mase)
    assert out["young"].model in {"Naive", "AutoETS", "Theta"}
    for r in out.values():
        f, lo80, hi80, lo95, hi95 = r.values
        assert len(f) == 6
        assert np.all(lo95 >= 0) and np.all(lo95 <= lo80) and np.all(lo80 <= f)
        assert np.all(f <= hi80) and np.all(hi80 <= hi95)


def test_no_multiplicative_model_on_a_series_with_zeros():
    y = _seasonal(36)
    y[[3, 17]] = 0.0
    (r,) = forecast_series([(("F", "", ""), y)], END, 3)
    assert r.series_class == "regular"
    assert np.all(np.stack(r.values) >= 0)


def test_quick_mode_follows_the_season():
    y = _seasonal(24)
    name, (f, lo80, _hi80, _lo95, hi95) = quick_forecast(y, 1, 12)
    assert name == "Quick"
    assert np.corrcoef(f, y[:12])[0, 1] > 0.9
    assert np.all(lo80 >= 0) and np.all(hi95 >= f)


def test_simple_forecasts_never_negative():
    _, values = simple_forecast(np.array([-5.0, 2.0]), "short", 4)
    assert np.all(np.stack(values) >= 0)


amounts = st.floats(-50, 500, allow_nan=False, allow_infinity=False)


@settings(max_examples=15, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=40))
def test_forecasts_are_never_negative(values):
    (r,) = forecast_series([(("F", "", ""), np.array(values))], END, 4)
    stacked = np.stack(r.values)
    assert np.all(np.isfinite(stacked)) and np.all(stacked >= 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=40), st.integers(1, 12))
def test_quick_forecasts_are_never_negative(values, first_month):
    _, stacked = quick_forecast(np.array(values), first_month, 6)
    assert np.all(np.stack(stacked) >= 0)


def test_progress_is_reported_per_batch_and_never_goes_down():
    series = [(("F", f"S{i:02d}", ""), _seasonal(30, seed=i)) for i in range(24)]
    series.append((("F", "new", ""), np.array([3.0, 4.0])))  # a simple series: done before the first fit
    reports: list[tuple[float, str]] = []
    forecast_series(series, END, 3, progress=lambda f, m: reports.append((f, m)))
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions), "monotonic"
    assert fractions[0] == pytest.approx(1 / 25) and fractions[-1] == 1.0
    assert len({f for f in fractions if 0 < f < 1}) >= 8, "about a dozen steps, not empty → full"
    assert reports[0][1] == "Forecasting 1 of 25 series…"
    assert reports[-1][1] == "Forecast 25 of 25 series"
