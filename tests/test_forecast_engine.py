"""The statistical baseline's engine: MASE by hand, model choice, series classes, non-negative forecasts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_core.forecast import select
from sop_core.forecast.metrics import holdout_mase, mase, mase_scale, origin_scales, season_for_scale
from sop_core.forecast.models import (
    MIN_TRAIN,
    candidates,
    classify,
    conformal_half_width,
    min_train,
    quick_forecast,
    simple_forecast,
    widen_to_backtest,
)
from sop_core.forecast.select import LOCAL, ORIGINS, choose, cv_design, forecast_series

END = pd.Timestamp("2026-06-01")


@dataclass
class Recorder:
    """A fit runner that runs statsforecast locally and keeps what it was asked and what came back."""

    distributed: bool = False
    backtests: list[dict[str, Any]] = field(default_factory=list)
    finals: list[list[Any]] = field(default_factory=list)

    def cross_validation(
        self, models: list[Any], frame: pd.DataFrame, h: int, n_windows: int, step_size: int, refit: bool
    ) -> pd.DataFrame:
        out = LOCAL.cross_validation(models, frame, h, n_windows, step_size, refit)
        self.backtests.append({"models": list(models), "h": h, "n_windows": n_windows, "step": step_size, "cv": out})
        return out

    def forecast(self, models: list[Any], frame: pd.DataFrame, h: int, level: list[int]) -> pd.DataFrame:
        self.finals.append(list(models))
        return LOCAL.forecast(models, frame, h, level)

    def offered(self) -> list[Any]:
        """Every model object handed to statsforecast (backtests and final fits)."""
        return [m for call in self.backtests for m in call["models"]] + [m for call in self.finals for m in call]


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
    assert cv_design(10) == (3, 1)  # was (1, 1): one month ahead is not "several" (issue 10 audit)


@pytest.mark.parametrize("n", range(7, 15))
def test_short_histories_still_look_three_months_ahead_from_three_origins(n):
    h, step = cv_design(n)
    assert ORIGINS >= 3 and h >= 3 and step >= 1
    assert n - h - (ORIGINS - 1) * step >= 2, "the first origin still has a training window"


def test_the_backtest_runs_what_the_design_says_and_short_windows_drop_candidates(monkeypatch):
    """7 months exactly: three origins, three months ahead, and only what can fit on 2 months is offered."""
    scored: dict[int, dict[str, float]] = {}
    real_choose = select.choose

    def spy(scores: dict[str, float], previous: str | None) -> str:
        scored[len(scored)] = dict(scores)
        return real_choose(scores, previous)

    monkeypatch.setattr(select, "choose", spy)
    rng = np.random.default_rng(3)
    lengths = (7, 9, 12, 14)
    series = [(("F", f"n{n}", ""), 50 + 10 * rng.random(n)) for n in lengths]
    intermittent = np.array([0, 3, 0, 0, 4, 0, 2], dtype=float)
    series.append((("F", "int7", ""), intermittent))
    runner = Recorder()
    out = {r.key[1]: r for r in forecast_series(series, END, 4, runner=runner)}
    assert len(runner.backtests) == 3  # the intermittent group, the regular group in two batches
    for call in runner.backtests:
        assert call["n_windows"] == ORIGINS >= 3
        assert call["h"] == 3 and call["step"] == 1
        cv = call["cv"]
        assert (cv.groupby("unique_id")["cutoff"].nunique() == ORIGINS).all()
        assert (cv.groupby(["unique_id", "cutoff"]).size() == 3).all()
    # first training windows 2 and 4 months (batch 1), 7 and 9 (batch 2); AutoETS needs 7, Theta 4
    assert [str(m) for m in runner.backtests[1]["models"]] == ["Naive", "Theta"]
    assert [str(m) for m in runner.backtests[2]["models"]] == ["Naive", "AutoETS", "Theta"]
    regular = [s for s in scored.values() if "Naive" in s]  # in series order
    assert np.isfinite(regular[0]["Naive"]) and np.isnan(regular[0]["Theta"]) and "AutoETS" not in regular[0]
    assert np.isfinite(regular[1]["Theta"])
    assert all(np.isfinite(v) for v in regular[2].values()) and all(np.isfinite(v) for v in regular[3].values())
    assert out["n7"].model == "Naive" and np.isfinite(out["n7"].holdout_mase)
    assert out["int7"].model in {"CrostonSBA", "ADIDA", "TSB"} and np.isfinite(out["int7"].holdout_mase)
    for r in out.values():
        assert np.all(np.isfinite(np.stack(r.values))) and np.all(np.stack(r.values) >= 0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(MIN_TRAIN))
def test_min_train_is_where_statsforecast_starts_to_fit(name):
    rng = np.random.default_rng(0)
    least = min_train(name, 1)
    (model,) = [m for m in candidates("regular", 1, False) if str(m) == name]
    fitted = model.new().fit(100 + rng.normal(0, 5, least)).predict(h=3)["mean"]
    assert np.all(np.isfinite(fitted))
    with pytest.raises(Exception):  # noqa: B017 - statsforecast raises plain Exception / NotImplementedError
        model.new().fit(100 + rng.normal(0, 5, least - 1))


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


def _additive(model: Any) -> bool:
    """True when the model object's spec has no multiplicative part (error, trend, season, decomposition)."""
    kind = type(model).__name__
    if kind == "AutoETS":
        return model.model[0] == "A" and model.model[1] in "NAZ" and model.model[2] in "AN"
    if kind == "DynamicOptimizedTheta":
        return model.decomposition_type == "additive"
    if kind == "MSTL":
        return _additive(model.trend_forecaster)  # the STL decomposition itself is additive
    return kind in {"Naive", "SeasonalNaive", "CrostonSBA", "ADIDA", "TSB"}


@pytest.mark.parametrize(("months", "season"), [(36, 12), (12, 1)])
def test_no_multiplicative_model_on_a_series_with_zeros(months, season):
    y = _seasonal(months)
    y[[3, 7]] = 0.0
    runner = Recorder()
    (r,) = forecast_series([(("F", "", ""), y)], END, 3, runner=runner)
    assert r.series_class == "regular"
    assert np.all(np.stack(r.values) >= 0)
    offered = runner.offered()
    names = {str(m) for m in runner.backtests[0]["models"]}
    assert names == ({"SeasonalNaive", "AutoETS", "Theta", "MSTL"} if season == 12 else {"Naive", "AutoETS", "Theta"})
    assert all(_additive(m) for m in offered), [getattr(m, "model", m) for m in offered]
    assert all(getattr(m, "season_length", season) in (season, [season]) for m in offered)


def test_a_series_without_zeros_may_use_multiplicative_models():
    """The check above has teeth: the same spec test fails on the unrestricted candidates."""
    assert not all(_additive(m) for m in candidates("regular", 12, has_zero=False))


def test_a_short_trending_seasonal_history_keeps_its_season():
    """24 months: ETS cannot afford 12 seasonal states and Theta's season test wants 24 months of window,
    so the level-plus-season candidate (MSTL) is what carries the season past seasonal naive's old level."""
    t = np.arange(24)
    season = 1 + 0.3 * np.sin(2 * np.pi * t / 12)
    y = 100 * season * (1 + 0.03 * t) * np.random.default_rng(0).normal(1, 0.03, 24)
    runner = Recorder()
    (r,) = forecast_series([(("F", "", ""), y)], END, 12, runner=runner)
    assert "MSTL" in {str(m) for m in runner.backtests[0]["models"]}
    assert r.model == "MSTL"
    f = r.values[0]
    assert np.corrcoef(f, season[:12])[0, 1] > 0.9, "the forecast follows the season"
    assert f.mean() > y[-12:].mean(), "and the level it has grown to, not last year's"


def test_holdout_mase_scales_each_origin_by_its_training_window_by_hand():
    y = [10.0, 12.0, 11.0, 13.0]
    # windows of 3 and 4 months (lag 1): |12-10|, |11-12| -> 1.5; and 2, 1, 2 -> 5/3
    assert origin_scales(y, [3, 4]) == pytest.approx([1.5, 5 / 3])
    assert holdout_mase([3.0, 1.5, 2.0, 4.0], [1.5, 1.5, 5 / 3, 5 / 3]) == pytest.approx((2 + 1 + 1.2 + 2.4) / 4)
    seasonal = [10.0 + t % 12 + (2.0 if t >= 12 else 0.0) for t in range(24)] + [99.0]
    # 23 months: lag 1 (errors 1 x 10, |10-21| = 11 ... by mase_scale); 24 months: lag 12, error 2 each
    assert origin_scales(seasonal, [23, 24]) == pytest.approx([mase_scale(seasonal[:23], 1), 2.0])


def test_holdout_mase_of_a_seven_month_series_by_hand():
    """Only Naive fits on the 2-month first window; origins after months 2, 3 and 4, three months ahead each.

    origin 1: train 10, 14 -> scale |14-10| = 4;       forecast 14 vs 12, 16, 15 -> errors 2, 2, 1
    origin 2: train 10, 14, 12 -> scale (4+2)/2 = 3;   forecast 12 vs 16, 15, 19 -> errors 4, 3, 7
    origin 3: train 10, 14, 12, 16 -> scale 10/3;      forecast 16 vs 15, 19, 17 -> errors 1, 3, 1
    holdout MASE = mean(2/4, 2/4, 1/4, 4/3, 3/3, 7/3, 0.3, 0.9, 0.3) = 7.41667 / 9 = 0.824074
    (scaled by the whole history instead — (24/9) / (17/6) = 0.941 — the held-out months would scale themselves).
    """
    y = np.array([10.0, 14.0, 12.0, 16.0, 15.0, 19.0, 17.0])
    (r,) = forecast_series([(("F", "", ""), y)], END, 3)
    assert r.model == "Naive"
    expected = (0.5 + 0.5 + 0.25 + 4 / 3 + 1 + 7 / 3 + 0.3 + 0.9 + 0.3) / 9
    assert r.holdout_mase == pytest.approx(expected)
    assert expected == pytest.approx(0.824074, abs=1e-6)


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


@dataclass
class Overconfident:
    """A fit runner whose backtest misses by 10 × the months ahead (seasonal naive; 30 × for the rest), while
    its final forecast is 20 a month with a ±2 (80 %) / ±3 (95 %) band: a band far narrower than its errors."""

    distributed: bool = False

    def cross_validation(
        self, models: list[Any], frame: pd.DataFrame, h: int, n_windows: int, step_size: int, refit: bool
    ) -> pd.DataFrame:
        rows = []
        for uid, part in frame.groupby("unique_id", sort=True):
            ds, y = part["ds"].to_numpy(), part["y"].to_numpy(float)
            for window in range(n_windows):
                origin = len(y) - h - (n_windows - 1 - window) * step_size - 1
                for ahead in range(1, h + 1):
                    row = {"unique_id": uid, "ds": ds[origin + ahead], "cutoff": ds[origin], "y": y[origin + ahead]}
                    for m in models:
                        miss = (10.0 if str(m) == "SeasonalNaive" else 30.0) * ahead
                        row[str(m)] = y[origin + ahead] + (miss if window % 2 else -miss)
                    rows.append(row)
        return pd.DataFrame(rows)

    def forecast(self, models: list[Any], frame: pd.DataFrame, h: int, level: list[int]) -> pd.DataFrame:
        (name,) = [str(m) for m in models]
        uids = sorted(frame["unique_id"].unique())
        out = pd.DataFrame({"unique_id": np.repeat(uids, h), "ds": np.tile(np.arange(h), len(uids)), name: 20.0})
        for side, sign in (("lo", -1), ("hi", 1)):
            out[f"{name}-{side}-80"], out[f"{name}-{side}-95"] = 20.0 + sign * 2.0, 20.0 + sign * 3.0
        return out


def test_a_short_history_gets_the_band_its_backtest_errors_call_for_and_a_long_one_keeps_its_own():
    """24 months (< 5 seasons): backtest 3 origins × 3 months ahead, errors 10, 20, 30 (three of each);
    divided by the own 80 % half-width 2: ratios 5, 5, 5, 10, 10, 10, 15, 15, 15; the split-conformal 80 %
    quantile is the ⌈(9 + 1) · 0.8⌉ = 8th smallest, 15 → half-width 15 × 2 = 30 (80 %), × 3/2 = 45 (95 %)
    around 20: lo 20 − 30 and 20 − 45 clipped at 0, hi 50 and 65. 72 months: the model's own ±2 / ±3 stays."""
    short, long = _seasonal(24), _seasonal(72)
    series = [(("F", "short", ""), short), (("F", "long", ""), long)]
    out = {r.key[1]: r for r in forecast_series(series, END, 6, runner=Overconfident())}
    assert out["short"].model == out["long"].model == "SeasonalNaive"
    f, lo80, hi80, lo95, hi95 = out["short"].values
    assert f == pytest.approx(np.full(6, 20.0))
    assert hi80 == pytest.approx(np.full(6, 50.0)) and hi95 == pytest.approx(np.full(6, 65.0))
    assert np.all(lo80 == 0.0) and np.all(lo95 == 0.0)
    f, lo80, hi80, lo95, hi95 = out["long"].values
    assert lo80 == pytest.approx(np.full(6, 18.0)) and hi80 == pytest.approx(np.full(6, 22.0))
    assert lo95 == pytest.approx(np.full(6, 17.0)) and hi95 == pytest.approx(np.full(6, 23.0))
    for r in out.values():
        f, lo80, hi80, lo95, hi95 = r.values
        assert np.all(lo95 >= 0) and np.all(lo95 <= lo80) and np.all(lo80 <= f)
        assert np.all(f <= hi80) and np.all(hi80 <= hi95)


def test_the_conformal_band_grows_past_the_backtest_as_the_models_own_and_never_narrows():
    own = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])  # the model's own 80 % half-width per step
    errors, ahead = np.array([2.0, 4.0, 6.0, 2.0, 4.0, 6.0]), np.array([1, 2, 3, 1, 2, 3])  # twice its width
    assert conformal_half_width(errors, ahead, own) == pytest.approx(2 * own)  # steps 4-6 extrapolated
    assert conformal_half_width(np.array([]), np.array([], dtype=int), own) == pytest.approx(np.zeros(6))
    # no usable own width at a backtested step: the flat conformal quantile of the errors (the ⌈7 · 0.8⌉ = 6th smallest of 6: the largest)
    assert conformal_half_width(errors, ahead, np.zeros(6)) == pytest.approx(np.full(6, 6.0))
    point = np.full(6, 100.0)
    wide = (point, point - 3 * own, point + 3 * own, point - 5 * own, point + 5 * own)  # wider than the errors
    for got, kept in zip(widen_to_backtest(wide, errors, ahead), wide, strict=True):
        assert got == pytest.approx(kept)
    narrow = (point, point - own, point + own, point - 2 * own, point + 2 * own)
    _, lo80, hi80, lo95, hi95 = widen_to_backtest(narrow, errors, ahead)
    assert hi80 - point == pytest.approx(2 * own) and point - lo80 == pytest.approx(2 * own)
    assert hi95 - point == pytest.approx(4 * own) and point - lo95 == pytest.approx(4 * own)  # own 95/80 ratio kept
