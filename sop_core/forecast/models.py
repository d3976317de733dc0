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

Intervals on short histories (:func:`widen_to_backtest`): below :data:`BAND_CHECK_MONTHS` the model's own
80/95 % band is widened to the normalised conformal band of its backtest errors where that is wider.

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
BAND_CHECK_MONTHS = 60
"""Histories shorter than five seasons get the model's own band checked against its backtest errors
(:func:`conformal_half_width`): on the real series of ``bench/forecast.py`` the own 80 % band of the
chosen model covered 56 % of held-out months after 24 months of history, 61 % after 36, 67 % after 48
and 71 % after 60 (docs/forecast.md, benchmark (b))."""
BAND_LEVEL = 0.8


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


def conformal_half_width(abs_errors: np.ndarray, ahead: np.ndarray, half_width: np.ndarray) -> np.ndarray:
    """The 80 % half-width per forecast step that the backtest errors call for (normalised conformal).

    ``abs_errors`` are the chosen model's absolute backtest errors, ``ahead`` their months ahead (1 = the
    month after the origin), ``half_width`` the model's own 80 % half-width at each of the forecast's steps
    (``(hi80 − lo80) / 2``). Each error is divided by the own half-width at its step; the result is that
    ratio's split-conformal quantile (the ⌈(n + 1)·0.8⌉-th smallest of n) times the own half-width at
    every step, so beyond the backtest's few months ahead the band grows as the model's own does. Where
    the own band has no usable width at a backtested step, the flat conformal quantile of the errors
    themselves. All zeros when there are no errors (nothing to widen by).
    """
    errors = np.asarray(abs_errors, dtype=float)
    steps = np.asarray(ahead, dtype=int) - 1
    width = np.asarray(half_width, dtype=float)
    keep = np.isfinite(errors) & (steps >= 0) & (steps < len(width))
    errors, steps = errors[keep], steps[keep]
    if errors.size == 0:
        return np.zeros(len(width))
    rank = min(errors.size, int(np.ceil((errors.size + 1) * BAND_LEVEL)))
    scale = width[steps]
    if np.all(np.isfinite(scale) & (scale > EPS)):
        ratio = float(np.quantile(errors / scale, rank / errors.size, method="inverted_cdf"))
        return ratio * np.where(np.isfinite(width), width, 0.0)
    return np.full(len(width), float(np.quantile(errors, rank / errors.size, method="inverted_cdf")))


def widen_to_backtest(
    values: tuple[np.ndarray, ...], abs_errors: np.ndarray, ahead: np.ndarray
) -> tuple[np.ndarray, ...]:
    """``(forecast, lo80, hi80, lo95, hi95)`` with each band the wider of the model's own and the backtest's.

    The 80 % half-width is at least :func:`conformal_half_width` of the backtest errors at each step; the
    95 % one grows by the same amount times the model's own 95/80 width ratio (``Z95 / Z80`` where the own
    band has none): 9–18 backtest errors cannot estimate a 95 % quantile (split conformal needs 19). A
    band is never narrowed; clipping at zero and ordering are the caller's (``select._clip``).
    """
    f, lo80, hi80, lo95, hi95 = (np.asarray(v, dtype=float) for v in values)
    own80 = (hi80 - lo80) / 2
    need80 = conformal_half_width(abs_errors, ahead, own80)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (hi95 - lo95) / (hi80 - lo80)
    need95 = need80 * np.where(np.isfinite(ratio) & (own80 > EPS), ratio, Z95 / Z80)
    return f, np.fmin(lo80, f - need80), np.fmax(hi80, f + need80), np.fmin(lo95, f - need95), np.fmax(hi95, f + need95)


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
