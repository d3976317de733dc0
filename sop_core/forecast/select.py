"""Model choice on held-out months, and the final forecast of each series with its chosen model.

Rolling origin: each history is cut at :data:`ORIGINS` (3) origins, every candidate is fitted on the
months before the origin and forecasts the next ``h`` months; the model with the lowest holdout MASE
over those held-out months wins. The design follows the history length ``n``:

* ``n ≥ 30``: origins 3 months apart, 6 months ahead each;
* ``15 ≤ n < 30``: origins 3 months apart, 3 months ahead each;
* ``7 ≤ n < 15``: origins 1 month apart, 3 months ahead each (the first training window is
  ``n − 5`` months: 2 for a 7-month history).

Holdout MASE: each held-out month's absolute error is divided by the in-sample seasonal naive error
of *its origin's* training window (lag 12 from 24 months of window, else 1), then averaged: the held-out
months never scale their own error. A candidate needs :func:`~.models.min_train` months in the first
training window (AutoETS 7, Theta 4, seasonal naive a season, MSTL a season plus one): on a shorter one
it drops out of that series' choice (it would only be scored on statsforecast's Naive fallback).

Seasonal candidates (lag 12) when the first training window holds at least 13 months, else
non-seasonal ones. Regular series fit once at the first origin and roll forward to the later
origins (statsforecast's ``refit=False``), which keeps the whole choice within about twice the
cost of one AutoETS run; intermittent candidates are cheap and refit at every origin.

Ties (within 1 % of the best MASE) go to the simpler model; a series keeps the previous
cycle's model unless another is at least 5 % better. Forecasts and bounds are clipped at zero;
models without their own intervals (the intermittent ones) get conformal bands: the 80th / 95th
percentile of the series' absolute backtest errors. On a history shorter than
:data:`~.models.BAND_CHECK_MONTHS` (five seasons) a model's own band is widened where its backtest
errors call for more (:func:`~.models.widen_to_backtest`): own bands ran narrow there on real series.

Where the fits run is a :class:`FitRunner`: statsforecast's two calls (the backtest and the final
forecast) and nothing else. :data:`LOCAL` runs them in this process; ``sop_core.scale`` has one that
runs them on Spark. :func:`active_runner` picks it: the one set with :func:`fit_runner`, else the
Spark master named by ``$SOP_SPARK_MASTER`` (``sop_core.scale.configured_runner``), else local.
The candidates, the choice and the intervals stay here, one implementation for both.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

from .codes import PROGRESS_STEPS, Progress, series_message
from .metrics import holdout_mase, origin_scales
from .models import (
    BAND_CHECK_MONTHS,
    COMPLEXITY,
    OWN_INTERVALS,
    candidates,
    classify,
    min_train,
    simple_forecast,
    widen_to_backtest,
)

ORIGINS = 3
TIE = 0.01
KEEP = 0.05
CHUNK = 500
MIN_CHUNK = 2  # each extra batch costs ~10 ms of statsforecast overhead (demo family of 15 series: 0.29 -> 0.36 s)
SeriesKey = tuple[str, str, str]
GroupKey = tuple[str, int, bool, int, int]  # class, season, has a zero month, months ahead, months between origins
GroupResult = dict[int, tuple[str, float, tuple[np.ndarray, ...]]]  # series index -> (model, MASE, values)
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class SeriesForecast:
    """One series' result: chosen model, its holdout MASE and ``(forecast, lo80, hi80, lo95, hi95)``."""

    key: SeriesKey
    model: str
    holdout_mase: float
    series_class: str
    history_months: int
    values: tuple[np.ndarray, ...]


class FitRunner(Protocol):
    """Runs statsforecast's backtest and forecast on a long frame (``unique_id, ds, y``), wherever it likes.

    Both return statsforecast's output columns as float64, sorted by ``unique_id, cutoff, ds`` (backtest)
    and ``unique_id, ds`` (forecast). ``distributed`` asks for each group of like series in one call and
    for the calls at the same time (a cluster pays per call and has cores to spare while a small group
    runs), instead of the batches in turn that pace the progress reports.
    """

    @property
    def distributed(self) -> bool:
        """True: whole groups, all at once; False: batches in turn."""
        ...

    def cross_validation(
        self, models: list[Any], frame: pd.DataFrame, h: int, n_windows: int, step_size: int, refit: bool
    ) -> pd.DataFrame:
        """statsforecast ``cross_validation`` of ``models`` (``Naive`` as the fallback)."""
        ...

    def forecast(self, models: list[Any], frame: pd.DataFrame, h: int, level: list[int]) -> pd.DataFrame:
        """statsforecast ``forecast`` of ``models`` ``h`` months ahead (``Naive`` as the fallback)."""
        ...


@dataclass(frozen=True)
class LocalRunner:
    """statsforecast in this process; ``n_jobs`` worker processes (1: none)."""

    n_jobs: int = 1
    distributed: bool = False

    def cross_validation(
        self, models: list[Any], frame: pd.DataFrame, h: int, n_windows: int, step_size: int, refit: bool
    ) -> pd.DataFrame:
        """See :class:`FitRunner`."""
        from statsforecast import StatsForecast
        from statsforecast.models import Naive

        sf = StatsForecast(models=models, freq="MS", n_jobs=self.n_jobs, fallback_model=Naive())
        cv = sf.cross_validation(df=frame, h=h, n_windows=n_windows, step_size=step_size, refit=refit)
        return cv.sort_values(["unique_id", "cutoff", "ds"], kind="stable", ignore_index=True)

    def forecast(self, models: list[Any], frame: pd.DataFrame, h: int, level: list[int]) -> pd.DataFrame:
        """See :class:`FitRunner`."""
        from statsforecast import StatsForecast
        from statsforecast.models import Naive

        sf = StatsForecast(models=models, freq="MS", n_jobs=self.n_jobs, fallback_model=Naive())
        fc = sf.forecast(df=frame, h=h, level=level)
        return fc.sort_values(["unique_id", "ds"], kind="stable", ignore_index=True)


LOCAL = LocalRunner()
_RUNNER: ContextVar[FitRunner | None] = ContextVar("sop_fit_runner", default=None)


@contextmanager
def fit_runner(runner: FitRunner) -> Iterator[FitRunner]:
    """Run every forecast inside the block with ``runner`` (this thread / task only)."""
    token = _RUNNER.set(runner)
    try:
        yield runner
    finally:
        _RUNNER.reset(token)


def active_runner() -> FitRunner:
    """The runner set by :func:`fit_runner`, else the Spark master of ``$SOP_SPARK_MASTER``, else :data:`LOCAL`."""
    runner = _RUNNER.get()
    if runner is not None:
        return runner
    from ..scale import configured_runner  # cheap: imports Spark only when the setting names a master

    return configured_runner() or LOCAL


def cv_design(n: int) -> tuple[int, int]:
    """``(months ahead, months between origins)`` of the rolling-origin backtest for ``n`` months (≥ 7)."""
    if n >= 30:
        return 6, 3
    if n >= 15:
        return 3, 3
    return 3, 1


def model_season(n: int) -> int:
    """The season length of the candidates: 12 when the first training window has 13 months or more."""
    h, step = cv_design(n)
    return 12 if n - h - (ORIGINS - 1) * step >= 13 else 1


def choose(mase_by_model: Mapping[str, float], previous: str | None) -> str:
    """The chosen model: lowest MASE, ties (within 1 %) to the simpler, previous kept unless beaten by 5 %."""
    finite = {m: v for m, v in mase_by_model.items() if np.isfinite(v)}
    if not finite:
        return min(mase_by_model, key=lambda m: COMPLEXITY.get(m, 99))
    best = min(finite.values())
    tied = [m for m, v in finite.items() if v <= best * (1 + TIE) + 1e-12]
    chosen = min(tied, key=lambda m: (COMPLEXITY.get(m, 99), finite[m]))
    if previous in finite and previous != chosen and finite[chosen] > finite[previous] * (1 - KEEP):
        return previous
    return chosen


def _long(ids: list[str], series: list[np.ndarray], ends: pd.Timestamp) -> pd.DataFrame:
    """statsforecast's long frame (``unique_id, ds, y``) of series that all end at ``ends``."""
    lengths = np.array([len(y) for y in series])
    ds = np.concatenate([pd.date_range(end=ends, periods=n, freq="MS").to_numpy() for n in lengths])
    return pd.DataFrame({"unique_id": np.repeat(ids, lengths), "ds": ds, "y": np.concatenate(series)})


def _each(runner: FitRunner, work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[work(item) for item in items]``, at the same time (threads) when ``runner`` is distributed."""
    if not runner.distributed or len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(work, items))


def _model_by_name(series_class: str, season: int, has_zero: bool, name: str) -> object:
    return next(m for m in candidates(series_class, season, has_zero) if str(m) == name)


def _run_group(
    cls: str,
    season: int,
    has_zero: bool,
    h: int,
    step: int,
    items: list[tuple[int, np.ndarray]],
    end: pd.Timestamp,
    horizon: int,
    previous: Mapping[int, str],
    runner: FitRunner = LOCAL,
) -> GroupResult:
    """Backtest, choose and forecast one group of like series; ``{index: (model, mase, values)}``.

    A candidate is offered to a series only when the series' first training window has
    :func:`~.models.min_train` months for it (and left out of the backtest when no series of the group
    has); scores are :func:`~.metrics.holdout_mase` with each origin scaled by its own training window.
    """
    ids = [f"{i:07d}" for i, _ in items]
    arrays = dict(zip(ids, (y for _, y in items), strict=True))
    frame = _long(ids, list(arrays.values()), end)
    windows = {uid: len(y) - h - (ORIGINS - 1) * step for uid, y in arrays.items()}
    models = [m for m in candidates(cls, season, has_zero) if min_train(str(m), season) <= max(windows.values())]
    names = [str(m) for m in models]
    regular = cls == "regular"
    cv = runner.cross_validation(models, frame, h, ORIGINS, step, not regular)
    abs_errors = np.abs(cv[names].to_numpy(float) - cv["y"].to_numpy(float)[:, None])
    errors = pd.DataFrame(abs_errors, columns=names)
    errors["unique_id"] = cv["unique_id"].to_numpy()
    cutoffs = pd.DatetimeIndex(cv["cutoff"])
    back = ((end.year - cutoffs.year) * 12 + (end.month - cutoffs.month)).to_numpy()  # months after each origin
    months = pd.DatetimeIndex(cv["ds"])
    ahead = ((months.year - cutoffs.year) * 12 + (months.month - cutoffs.month)).to_numpy()  # 1 = next month
    rows = errors.groupby("unique_id", sort=True).indices
    chosen: dict[str, tuple[str, float]] = {}
    for (index, _), uid in zip(items, ids, strict=True):
        at = rows.get(uid, np.array([], dtype=int))  # none: no backtest -> every score NaN -> the simplest
        train, origin = np.unique(len(arrays[uid]) - back[at], return_inverse=True)
        scales = origin_scales(arrays[uid], train)[origin]
        scores = {
            name: holdout_mase(abs_errors[at, k], scales) if min_train(name, season) <= windows[uid] else float("nan")
            for k, name in enumerate(names)
        }
        pick = choose(scores, previous.get(index))
        chosen[uid] = (pick, scores[pick])
    picked = {name: [uid for uid in ids if chosen[uid][0] == name] for name in names}
    picked = {name: uids for name, uids in picked.items() if uids}

    def final(name: str) -> pd.DataFrame:
        subset = frame[frame["unique_id"].isin(picked[name])]
        model = _model_by_name(cls, season, has_zero, name)
        return runner.forecast([model], subset, horizon, [80, 95] if name in OWN_INTERVALS else [])

    out: GroupResult = {}
    for name, fc in zip(picked, _each(runner, final, list(picked)), strict=True):
        uids = picked[name]
        own = name in OWN_INTERVALS
        point = fc[name].to_numpy(float).reshape(len(uids), horizon)
        if own:
            bands = [
                fc[f"{name}-{side}"].to_numpy(float).reshape(len(uids), horizon)
                for side in ("lo-80", "hi-80", "lo-95", "hi-95")
            ]
        else:
            err = errors[errors["unique_id"].isin(uids)].groupby("unique_id", sort=True)[name]
            q80 = err.quantile(0.8).reindex(sorted(uids)).to_numpy(float)[:, None]
            q95 = err.quantile(0.95).reindex(sorted(uids)).to_numpy(float)[:, None]
            bands = [point - q80, point + q80, point - q95, point + q95]
        column = names.index(name)
        for k, uid in enumerate(sorted(uids)):
            values = (point[k], *(b[k] for b in bands))
            if own and len(arrays[uid]) < BAND_CHECK_MONTHS:  # own bands run narrow on short histories
                at = rows.get(uid, np.array([], dtype=int))
                values = widen_to_backtest(values, abs_errors[at, column], ahead[at])
            out[int(uid)] = (name, chosen[uid][1], _clip(*values))
    return out


def _clip(
    point: np.ndarray, lo80: np.ndarray, hi80: np.ndarray, lo95: np.ndarray, hi95: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Non-negative forecast and bounds, ordered lo95 ≤ lo80 ≤ forecast ≤ hi80 ≤ hi95 (NaN → point)."""
    f = np.maximum(np.where(np.isfinite(point), point, 0.0), 0.0)
    lo80 = np.minimum(np.maximum(np.where(np.isfinite(lo80), lo80, f), 0.0), f)
    lo95 = np.minimum(np.maximum(np.where(np.isfinite(lo95), lo95, lo80), 0.0), lo80)
    hi80 = np.maximum(np.where(np.isfinite(hi80), hi80, f), f)
    hi95 = np.maximum(np.where(np.isfinite(hi95), hi95, hi80), hi80)
    return f, lo80, hi80, lo95, hi95


def forecast_series(
    series: list[tuple[SeriesKey, np.ndarray]],
    end: pd.Timestamp,
    horizon: int,
    previous: Mapping[SeriesKey, str] | None = None,
    progress: Progress | None = None,
    runner: FitRunner | None = None,
) -> list[SeriesForecast]:
    """Classify, backtest, choose and forecast every series (all ending at month ``end``).

    ``horizon`` months are forecast after ``end``; ``previous`` maps a series to the model it had
    in the previous cycle. ``progress(fraction, message)`` is called before the first fit and after each
    batch of series (about :data:`~.codes.PROGRESS_STEPS` batches), with fractions that never go down and
    the last one 1. ``runner`` runs the fits (default :func:`active_runner`); the result does not depend
    on it beyond floating-point noise.
    """
    previous = previous or {}
    runner = runner or active_runner()
    results: dict[int, SeriesForecast] = {}
    groups: dict[GroupKey, list[tuple[int, np.ndarray]]] = {}
    for index, (key, raw) in enumerate(series):
        y = np.maximum(np.asarray(raw, dtype=float), 0.0)
        cls = classify(y)
        if cls in ("zero", "short", "constant"):
            name, values = simple_forecast(y, cls, horizon)
            results[index] = SeriesForecast(key, name, float("nan"), cls, len(y), values)
            continue
        h, step = cv_design(len(y))
        groups.setdefault((cls, model_season(len(y)), bool(np.any(y <= 0)), h, step), []).append((index, y))
    total = len(series) or 1
    done = len(results)
    if progress:
        progress(done / total, series_message(done, len(series)))
    wanted = {i: previous[series[i][0]] for i in range(len(series)) if series[i][0] in previous}
    # Batches small enough for about PROGRESS_STEPS progress reports, large enough to keep statsforecast efficient;
    # a distributed runner takes each group whole and all groups at once (one report when all are back).
    size = max(MIN_CHUNK, min(CHUNK, -(-sum(len(v) for v in groups.values()) // PROGRESS_STEPS)))
    batches: list[tuple[GroupKey, list[tuple[int, np.ndarray]]]] = []
    for group, items in sorted(groups.items()):
        width = len(items) if runner.distributed else size
        batches += [(group, items[start : start + width]) for start in range(0, len(items), width)]

    def fit(batch: tuple[GroupKey, list[tuple[int, np.ndarray]]]) -> GroupResult:
        (cls, season, has_zero, h, step), chunk = batch
        return _run_group(cls, season, has_zero, h, step, chunk, end, horizon, wanted, runner)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        outs = _each(runner, fit, batches) if runner.distributed else map(fit, batches)  # local: lazily, for progress
        for ((cls, *_), chunk), out in zip(batches, outs, strict=True):
            for index, y in chunk:
                name, score, values = out[index]
                results[index] = SeriesForecast(series[index][0], name, score, cls, len(y), values)
            done += len(chunk)
            if progress:
                progress(done / total, series_message(done, len(series)))
    return [results[i] for i in range(len(series))]
