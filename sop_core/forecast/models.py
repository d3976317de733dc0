"""Series classes, the candidate models of each class, and the cheap forecasts that need no fit.

Classes (decided on the history before the cycle, negative months counted as zero demand):

* ``zero``: every month zero → forecast 0, no band.
* ``short``: 1–6 months (a new SKU) → ``RecentMean``: the mean of the last three months, with a
  band from the spread of the months seen (±25 % of the level for a one-month history).
* ``constant``: every month the same → that value, no band.
* ``intermittent``: more than a third of the months zero → Croston SBA, ADIDA, TSB (no
  multiplicative model, intervals conformal from the backtest errors).
* ``regular``: seasonal naive (naive without a full year), AutoETS, dynamic optimized Theta and,
  with a season, ``MSTL``: an STL decomposition (additive) whose seasonally adjusted series is
  forecast by a non-seasonal AutoETS and the season added back. MSTL is the seasonal candidate
  that still fits on a short history: with 24 months, ETS cannot afford its twelve seasonal states
  (AICc) and Theta's seasonality test wants two years in the training window, so without MSTL the
  choice there was only "seasonal naive or no season at all" (see docs/forecast.md). On a series with
  any zero month, ETS is additive-error/additive-season only (``AZA``/``AZN``, MSTL's ``AZN``) and
  Theta uses the additive decomposition: no multiplicative model. AutoARIMA is left out: it did not
  pay for its time (it alone costs several AutoETS runs on 2,000 series and the holdout choice has to
  stay within 3× one AutoETS).

A candidate needs :func:`min_train` months in a training window (statsforecast's own limits, and a
season plus a month for MSTL); on a shorter window it drops out of the choice instead of being
scored on the fallback's forecasts.

``quick_forecast`` is the engine's cheap mode (no fit, no model choice; used for the demo's
stored history and available to callers in a hurry): a seasonal profile times the recent level.
"""

from __future__ import annotations

import numpy as np

from ..conventions import EPS

Z80 = 1.2815515655446004
Z95 = 1.959963984540054
SHORT_MONTHS = 6
COMPLEXITY = {
    "SeasonalNaive": 0,
    "Naive": 0,
    "CrostonSBA": 1,
    "ADIDA": 1,
    "TSB": 2,
    "Theta": 3,
    "AutoETS": 4,
    "MSTL": 5,
}
"""Simplicity rank of each candidate: ties of holdout error go to the lower rank."""
OWN_INTERVALS = frozenset({"SeasonalNaive", "Naive", "Theta", "AutoETS", "MSTL"})
MIN_TRAIN = {"AutoETS": 7, "Theta": 4}
"""Fewest months statsforecast fits these on (ETS: more than its parameters + 4; Theta: more than 3)."""


def classify(y: np.ndarray) -> str:
    """The class of a history (``zero``, ``short``, ``constant``, ``intermittent`` or ``regular``)."""
    y = np.asarray(y, dtype=float)
    if len(y) == 0 or np.all(y <= EPS):
        return "zero"
    if len(y) <= SHORT_MONTHS:
        return "short"
    if float(np.max(y) - np.min(y)) <= EPS:
        return "constant"
    if np.mean(y <= EPS) > 1 / 3:
        return "intermittent"
    return "regular"


def min_train(name: str, season: int) -> int:
    """The fewest months of training window on which candidate ``name`` (of a ``season``-month set) is offered.

    Seasonal naive needs a season, MSTL a season plus a month (each calendar month seen once, one to
    spare), AutoETS and Theta statsforecast's limits (:data:`MIN_TRAIN`), the rest one month.
    """
    if name == "SeasonalNaive":
        return season
    if name == "MSTL":
        return season + 1
    return MIN_TRAIN.get(name, 1)


def candidates(series_class: str, season: int, has_zero: bool) -> list:
    """Fresh statsforecast model objects for a class (``regular`` or ``intermittent``) and season length."""
    from statsforecast.models import (  # imported here: the package takes seconds to load
        ADIDA,
        MSTL,
        TSB,
        AutoETS,
        CrostonSBA,
        DynamicOptimizedTheta,
        Naive,
        SeasonalNaive,
    )

    if series_class == "intermittent":
        return [CrostonSBA(), ADIDA(), TSB(alpha_d=0.2, alpha_p=0.2)]
    seasonal = season > 1
    naive = SeasonalNaive(season_length=season) if seasonal else Naive()
    if has_zero:
        ets = AutoETS(season_length=season, model="AZA" if seasonal else "AZN")
        theta = DynamicOptimizedTheta(season_length=season, decomposition_type="additive", alias="Theta")
    else:
        ets = AutoETS(season_length=season)
        theta = DynamicOptimizedTheta(season_length=season, alias="Theta")
    if not seasonal:
        return [naive, ets, theta]
    adjusted = AutoETS(season_length=1, model="AZN" if has_zero else "ZZN")  # the seasonally adjusted series
    return [naive, ets, theta, MSTL(season_length=season, trend_forecaster=adjusted)]


def _band(level: np.ndarray, sd: float, horizon: int) -> tuple[np.ndarray, ...]:
    """80/95 % bands ±z·sd widening with the horizon, lower bounds not below zero."""
    widen = sd * np.sqrt(1 + 0.1 * np.arange(horizon))
    f = np.maximum(level, 0.0)
    return (f, np.maximum(f - Z80 * widen, 0.0), f + Z80 * widen, np.maximum(f - Z95 * widen, 0.0), f + Z95 * widen)


def simple_forecast(y: np.ndarray, series_class: str, horizon: int) -> tuple[str, tuple[np.ndarray, ...]]:
    """The model name and ``(forecast, lo80, hi80, lo95, hi95)`` of a zero, constant or short history."""
    y = np.maximum(np.asarray(y, dtype=float), 0.0)
    if series_class == "zero":
        zero = np.zeros(horizon)
        return "Zero", (zero, zero, zero, zero, zero)
    if series_class == "constant":
        level = np.full(horizon, float(y[-1]))
        return "Constant", (level, level, level, level, level)
    level_value = float(np.mean(y[-3:]))
    sd = float(np.std(y, ddof=1)) if len(y) > 1 else 0.25 * level_value
    return "RecentMean", _band(np.full(horizon, level_value), sd, horizon)


def quick_forecast(y: np.ndarray, first_month: int, horizon: int) -> tuple[str, tuple[np.ndarray, ...]]:
    """The cheap mode: seasonal profile × recent level, no fit (see the module docstring).

    ``y`` is the monthly history, ``first_month`` the calendar month (1–12) of ``y[0]``. With a
    year of history or more: profile = the mean of each calendar month over the last two years
    ÷ the mean of those means; level = the last three months de-seasonalised; forecast = level ×
    profile. Shorter, zero, constant and intermittent histories take :func:`simple_forecast` or a
    flat mean of the last year. The band is ±z × the sd of the in-sample residuals, widening.
    """
    y = np.maximum(np.asarray(y, dtype=float), 0.0)
    series_class = classify(y)
    if series_class in ("zero", "constant", "short"):
        return simple_forecast(y, series_class, horizon)
    n = len(y)
    cal = (first_month - 1 + np.arange(n + horizon)) % 12
    if series_class == "intermittent" or n < 12:
        recent = y[-12:]
        level = float(np.mean(recent))
        sd = float(np.std(recent, ddof=1))
        return "Quick", _band(np.full(horizon, level), sd, horizon)
    window = slice(max(0, n - 24), n)
    means = np.array([y[window][cal[window] == k].mean() for k in range(12)])
    profile = means / means.mean()
    if np.any(profile <= EPS):
        profile = np.ones(12)
    level = float(np.mean(y[-3:] / profile[cal[n - 3 : n]]))
    resid = y[window] - level * profile[cal[window]]
    sd = float(np.std(resid, ddof=1))
    return "Quick", _band(level * profile[cal[n:]], sd, horizon)
