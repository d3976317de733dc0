"""Forecast accuracy of one series: summary metrics and the running tracking signal (error = actual − forecast)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .validate import Numbers, _as_float_1d, _index_for

_ACCURACY_KEYS = (
    "mad",
    "mape",
    "wmape",
    "bias",
    "bias_pct",
    "tracking_signal",
)


def _paired(actual: Numbers, forecast: Numbers) -> tuple[np.ndarray, np.ndarray]:
    act = _as_float_1d(actual, "actual")
    fc = _as_float_1d(forecast, "forecast")
    if len(act) != len(fc):
        raise ValueError(f"actual and forecast must have the same length (got {len(act)} and {len(fc)})")
    return act, fc


def accuracy_metrics(actual: Numbers, forecast: Numbers) -> dict:
    """Forecast-accuracy summary for one series (APICS/CPIM definitions).

    With error ``e = actual - forecast`` over the ``n`` usable periods:

    * ``mad = Σ|e| / n``
    * ``mape = (1/n') Σ |e| / |actual|`` over the ``n'`` periods with ``actual != 0``;
      periods with ``actual == 0`` are excluded and counted in ``mape_excluded``;
      NaN when ``n' == 0``.
    * ``wmape = Σ|e| / Σ|actual|``; NaN when that sum is 0.
    * ``bias = Σe / n``; positive means under-forecast (actual above forecast).
    * ``bias_pct = Σe / Σactual``; NaN when ``Σactual == 0``.
    * ``tracking_signal = RSFE / MAD`` at the end of the series (RSFE = Σe).  If
      ``MAD == 0`` every error is 0, so RSFE is 0 too and the tracking signal is
      reported as ``0.0`` (a perfect forecast is unbiased).  Note that the per-period
      :func:`tracking_signal` reports NaN where the running MAD is 0.

    MAPE, WMAPE and bias_pct are fractions (0.12 = 12 %), not percent.  Denominators of
    MAPE/WMAPE use ``|actual|`` so they stay non-negative if returns make an actual
    negative (identical to the textbook formula for non-negative actuals).

    Edge cases:
      * Pairs where either side is NaN (or None/pd.NA) are dropped first; ``n`` counts
        the remaining pairs.
      * Empty input (or nothing left after dropping): ``n = 0``, ``mape_excluded = 0``
        and every metric NaN; no exception.
      * Different lengths raise ``ValueError``.

    Returns a dict with keys ``n, mad, mape, wmape, bias, bias_pct, tracking_signal,
    mape_excluded`` (``n`` and ``mape_excluded`` are ints, the rest floats).
    """
    act, fc = _paired(actual, forecast)
    keep = ~(np.isnan(act) | np.isnan(fc))
    act = act[keep]
    fc = fc[keep]
    n = int(act.size)
    nan = float("nan")
    if n == 0:
        out: dict = {"n": 0}
        out.update(dict.fromkeys(_ACCURACY_KEYS, nan))
        out["mape_excluded"] = 0
        return out

    err = act - fc
    abs_err = np.abs(err)
    sum_abs_err = float(abs_err.sum())
    rsfe = float(err.sum())
    mad = sum_abs_err / n

    nonzero = act != 0
    n_mape = int(nonzero.sum())
    with np.errstate(over="ignore"):  # a tiny non-zero actual may give inf
        mape = float(np.mean(abs_err[nonzero] / np.abs(act[nonzero]))) if n_mape else nan

    sum_abs_act = float(np.abs(act).sum())
    sum_act = float(act.sum())
    wmape = sum_abs_err / sum_abs_act if sum_abs_act != 0 else nan
    bias_pct = rsfe / sum_act if sum_act != 0 else nan
    ts = rsfe / mad if mad != 0 else 0.0

    return {
        "n": n,
        "mad": mad,
        "mape": mape,
        "wmape": wmape,
        "bias": rsfe / n,
        "bias_pct": bias_pct,
        "tracking_signal": ts,
        "mape_excluded": n - n_mape,
    }


def tracking_signal(actual: Sequence[float], forecast: Sequence[float]) -> pd.DataFrame:
    """Running tracking signal per period (APICS/CPIM).

    Columns, with ``e = actual - forecast``:

    * ``error``: ``e_t``
    * ``rsfe``: running sum of forecast errors, ``Σ_{s<=t} e_s``
    * ``mad``: running mean absolute error, ``Σ_{s<=t} |e_s| / k_t`` (``k_t`` = usable
      periods so far)
    * ``tracking_signal``: ``rsfe / mad``; NaN where ``mad == 0`` (no error yet).
      Values outside ±4 usually flag a biased forecast.

    Edge cases: a period where either side is NaN keeps its row with ``error`` NaN and
    the running values carried over from the previous usable period (NaN before the
    first usable period); the final row then matches :func:`accuracy_metrics` except
    that :func:`accuracy_metrics` reports 0.0 instead of NaN when MAD is 0.  Different
    lengths raise ``ValueError``; empty input gives an empty frame.  Uses the index of
    ``actual`` (or ``forecast``) when it is a ``pandas.Series``.
    """
    act, fc = _paired(actual, forecast)
    err = act - fc
    valid = ~np.isnan(err)
    err_filled = np.where(valid, err, 0.0)
    count = np.cumsum(valid)
    rsfe = np.cumsum(err_filled)
    with np.errstate(invalid="ignore", divide="ignore"):
        mad = np.cumsum(np.abs(err_filled)) / count
        ts = np.where(mad > 0, rsfe / np.where(mad > 0, mad, 1.0), np.nan)
    none_yet = count == 0
    rsfe = np.where(none_yet, np.nan, rsfe)
    mad = np.where(none_yet, np.nan, mad)
    return pd.DataFrame(
        {"error": err, "rsfe": rsfe, "mad": mad, "tracking_signal": ts},
        index=_index_for(len(err), actual, forecast),
    )
