"""MASE, the scaled error that compares forecasts across series of any size.

MASE = mean |actual − forecast| over the evaluated months ÷ the in-sample mean absolute error
of the seasonal naive forecast on the history (m = 12 for monthly data; m = 1 when the history
is shorter than two seasons). Below 1: better than seasonal naive on the history.

In a rolling-origin backtest the "history" of each origin is its training window: the months up
to the origin, never the held-out months after it (:func:`origin_scales`, :func:`holdout_mase`),
so the holdout MASE is a true out-of-sample figure.

A history whose seasonal naive error is zero (a constant series, or one month) has no scale;
it falls back to the mean absolute level of the history, then to 1, so MASE stays defined
(documented choice: a perfect forecast scores 0 either way).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..conventions import EPS

SEASON = 12


def season_for_scale(history_months: int) -> int:
    """The seasonal lag of the MASE scale: 12 with two seasons of history or more, else 1."""
    return SEASON if history_months >= 2 * SEASON else 1


def mase_scale(history: np.ndarray | list[float], m: int | None = None) -> float:
    """In-sample mean absolute error of the seasonal naive forecast (lag ``m``) on ``history``."""
    y = np.asarray(history, dtype=float)
    lag = season_for_scale(len(y)) if m is None else m
    if len(y) > lag:
        scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
        if scale > EPS:
            return scale
    level = float(np.mean(np.abs(y))) if len(y) else 0.0
    return level if level > EPS else 1.0


def mase(actual: np.ndarray | list[float], forecast: np.ndarray | list[float], scale: float) -> float:
    """Mean absolute error of ``forecast`` against ``actual`` divided by ``scale`` (NaN when no pairs)."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.shape != f.shape:
        raise ValueError("actual and forecast must have the same length")
    mask = np.isfinite(a) & np.isfinite(f)
    if not mask.any():
        return float("nan")
    return float(np.mean(np.abs(a[mask] - f[mask])) / scale)


def origin_scales(history: np.ndarray | list[float], train_months: Sequence[int] | np.ndarray) -> np.ndarray:
    """The MASE scale of each rolling origin: :func:`mase_scale` of the first ``k`` months, per ``k``.

    The lag follows each window's own length (:func:`season_for_scale`): 12 from 24 months on, else 1.
    """
    y = np.asarray(history, dtype=float)
    return np.array([mase_scale(y[:k], season_for_scale(k)) for k in train_months], dtype=float)


def holdout_mase(abs_errors: np.ndarray | list[float], scales: np.ndarray | list[float]) -> float:
    """Mean of ``|error| / scale`` over held-out months, each scaled by its origin's training window.

    With the same number of months ahead at every origin this is the mean of the origins' MASEs.
    NaN when nothing is finite.
    """
    ratio = np.asarray(abs_errors, dtype=float) / np.asarray(scales, dtype=float)
    ratio = ratio[np.isfinite(ratio)]
    return float(np.mean(ratio)) if ratio.size else float("nan")
