"""The statistical baseline: forecast every demand series, store it with the cycle's draft.

The baseline of cycle *c* covers months *c … c + horizon − 1* and learns only from demand
actuals of months before *c* (:mod:`.history`). Each series is forecast at the level its actuals
are held (SKU × region, or family × region), so the family figure is the exact sum of its series.
``mode='full'`` chooses each series' model on held-out months (:mod:`.select`); ``mode='quick'``
is the cheap no-fit forecast of :func:`.models.quick_forecast` (the demo's stored history).
A stored baseline belongs to the cycle's plan version: writing it to an approved cycle raises
``FrozenPlanError``, so past baselines stay as they were said (the vintages FVA measures). Running or
storing a baseline needs the ``forecast`` permission (planner): the acting person is checked first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from ..actuals import last_actual_month
from ..conventions import PLAN_HORIZON_MONTHS
from ..months import add_months, month_range, month_start, months_between
from ..people import Actor, require
from ..plans import latest_cycle, require_draft
from ..store import Store, filter_list
from .codes import PROGRESS_STEPS, Progress, progress_span, series_message
from .history import SERIES_KEYS, demand_history, fill_months, series_arrays
from .models import quick_forecast
from .select import SeriesKey, forecast_series

BASELINE_COLUMNS = [
    "family",
    "sku",
    "region",
    "month",
    "forecast",
    "lo80",
    "hi80",
    "lo95",
    "hi95",
    "model",
    "holdout_mase",
]
MODEL_COLUMNS = ["family", "sku", "region", "model", "holdout_mase", "series_class", "history_months"]
VALUE_COLUMNS = ["forecast", "lo80", "hi80", "lo95", "hi95"]
Mode = Literal["full", "quick"]
READ_SHARE = 0.02  # of a run's progress bar: reading the history
STORE_SHARE = 0.05  # of run_baseline's progress bar: writing the rows


def baseline_cycle(store: Store, cycle: dt.date | str | None) -> dt.date | None:
    """``cycle`` as a month; by default the latest plan cycle, else the month after the last actual."""
    if cycle is not None:
        return month_start(cycle)
    latest = latest_cycle(store)
    if latest is not None:
        return latest
    last = last_actual_month(store)
    return None if last is None else add_months(last, 1)


def forecast_history(
    history: pd.DataFrame,
    cycle: dt.date,
    horizon: int = PLAN_HORIZON_MONTHS,
    *,
    mode: Mode = "full",
    previous: dict[SeriesKey, str] | None = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline (:data:`BASELINE_COLUMNS`) and the model table (:data:`MODEL_COLUMNS`) of a history.

    ``history`` has the columns of :func:`.history.demand_history` (``family, sku, region, month, y``);
    rows at or after ``cycle`` are ignored (no look-ahead even for a careless caller) and missing
    months count as zero. Pure: no store involved. ``progress`` hears about every batch of series and
    ends at 1.
    """
    history = fill_months(history[pd.to_datetime(history["month"]) < pd.Timestamp(cycle)])
    months = [pd.Timestamp(m) for m in month_range(cycle, horizon)]
    if history.empty or horizon <= 0:
        if progress:
            progress(1.0, "No demand history to forecast")
        return (pd.DataFrame(columns=BASELINE_COLUMNS), pd.DataFrame(columns=MODEL_COLUMNS))
    end = pd.Timestamp(history["month"].max())
    gap = months_between(end.date(), cycle) - 1
    total = gap + horizon
    series = series_arrays(history)
    names: list[str] = []
    scores: list[float] = []
    classes: list[str] = []
    values: list[tuple[np.ndarray, ...]] = []
    if mode == "quick":
        step = max(1, -(-len(series) // PROGRESS_STEPS))
        for done, (_key, first, y) in enumerate(series, start=1):
            name, vals = quick_forecast(y, first.month, total)
            names.append(name)
            scores.append(float("nan"))
            classes.append("quick")
            values.append(vals)
            if progress and (done % step == 0 or done == len(series)):
                progress(done / len(series), series_message(done, len(series), mode))
    else:
        results = forecast_series([(key, y) for key, _, y in series], end, total, previous, progress)
        for r in results:
            names.append(r.model)
            scores.append(r.holdout_mase)
            classes.append(r.series_class)
            values.append(r.values)
    n = len(series)
    keys = pd.DataFrame([key for key, _, _ in series], columns=SERIES_KEYS)
    models = keys.assign(
        model=names, holdout_mase=scores, series_class=classes, history_months=[len(y) for _, _, y in series]
    )
    stacked = np.stack([np.stack(v) for v in values])[:, :, gap:]  # series × value × month
    frame = keys.iloc[np.repeat(np.arange(n), horizon)].reset_index(drop=True)
    frame["month"] = np.tile(np.array(months, dtype="datetime64[ns]"), n)
    for k, column in enumerate(VALUE_COLUMNS):
        frame[column] = stacked[:, k, :].reshape(-1)
    frame["model"] = np.repeat(names, horizon)
    frame["holdout_mase"] = np.repeat(np.asarray(scores, dtype=float), horizon)
    return frame[BASELINE_COLUMNS], models[MODEL_COLUMNS]


def _previous_models(store: Store, cycle: dt.date, families: Sequence[str] | None) -> dict[SeriesKey, str]:
    """The models chosen (in full mode) in the latest earlier cycle that has any."""
    rows = store.query(
        """SELECT family, sku, region, model FROM forecast_models
           WHERE cycle = (SELECT max(cycle) FROM forecast_models WHERE cycle < ? AND mode = 'full')
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family))""",
        [cycle, filter_list(families), filter_list(families)],
    )
    return {(r.family, r.sku, r.region): r.model for r in rows.itertuples(index=False)}


def _compute(
    store: Store,
    cycle: dt.date | str | None,
    horizon: int,
    families: Sequence[str] | None,
    mode: Mode,
    progress: Progress | None,
    end: float = 1.0,
) -> tuple[dt.date | None, pd.DataFrame, pd.DataFrame]:
    """Read the history and forecast it; ``progress`` runs from 0 to ``end``."""
    cycle_date = baseline_cycle(store, cycle)
    if cycle_date is None:
        if progress:
            progress(end, "Nothing to forecast: no plan cycle and no actuals")
        return None, pd.DataFrame(columns=BASELINE_COLUMNS), pd.DataFrame(columns=MODEL_COLUMNS)
    if progress:
        progress(0.0, "Reading the demand history…")
    history = demand_history(store, cycle_date, families)
    previous = _previous_models(store, cycle_date, families) if mode == "full" else None
    frame, models = forecast_history(
        history, cycle_date, horizon, mode=mode, previous=previous, progress=progress_span(progress, READ_SHARE, end)
    )
    return cycle_date, frame, models


def statistical_forecast(
    store: Store,
    cycle: dt.date | str | None = None,
    horizon: int = PLAN_HORIZON_MONTHS,
    *,
    families: Sequence[str] | None = None,
    mode: Mode = "full",
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The statistical baseline of ``cycle`` (default: the latest cycle), without storing it.

    One row per series × month ``cycle … cycle + horizon − 1``, columns :data:`BASELINE_COLUMNS`;
    ``sku``/``region`` are ``''`` where the actuals carry none. Uses only demand actuals of
    months before ``cycle`` (no look-ahead). ``mode='quick'`` skips the model choice.
    ``progress(fraction, message)`` is called after reading the history and after each batch of series
    (about a dozen reports, e.g. "Forecasting 40 of 120 series…"; fractions never go down, the last is 1).
    """
    return _compute(store, cycle, horizon, families, mode, progress)[1]


def store_baseline(
    store: Store,
    cycle: dt.date,
    frame: pd.DataFrame,
    models: pd.DataFrame,
    mode: Mode = "full",
    families: Sequence[str] | None = None,
    *,
    actor: Actor,
) -> None:
    """Replace the stored baseline and models of ``cycle`` (of ``families``, or all) in one transaction.

    ``PermissionError`` (nothing written) unless ``actor`` may run the baseline (``forecast``).
    """
    require(actor, "forecast")
    with store.transaction() as cur:
        write_baseline_rows(cur, cycle, frame, models, mode, families)


def write_baseline_rows(
    cur: duckdb.DuckDBPyConnection,
    cycle: dt.date,
    frame: pd.DataFrame,
    models: pd.DataFrame,
    mode: Mode = "full",
    families: Sequence[str] | None = None,
) -> None:
    """On an open transaction: the draft check, then replace the baseline rows (see :func:`store_baseline`)."""
    require_draft(cur, cycle)
    fams = filter_list(families)
    for table in ("forecast_baseline", "forecast_models"):
        # fixed table names; values bound
        cur.execute(
            f"DELETE FROM {table} WHERE cycle = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family))",
            [cycle, fams, fams],
        )
    rows = frame[["family", "sku", "region", "month", *VALUE_COLUMNS]].copy()
    rows.insert(0, "cycle", cycle)
    rows["month"] = pd.to_datetime(rows["month"]).dt.date
    model_rows = models[MODEL_COLUMNS].copy()
    model_rows.insert(0, "cycle", cycle)
    model_rows["mode"] = mode
    cur.register("_baseline_rows", rows)
    cur.register("_model_rows", model_rows)
    try:
        cur.execute(
            "INSERT INTO forecast_baseline (cycle, family, sku, region, month, forecast, lo80, hi80, "
            "lo95, hi95) SELECT * FROM _baseline_rows"
        )
        cur.execute(
            "INSERT INTO forecast_models (cycle, family, sku, region, model, holdout_mase, series_class, "
            "history_months, mode) SELECT * FROM _model_rows"
        )
    finally:
        cur.unregister("_baseline_rows")
        cur.unregister("_model_rows")


def run_baseline(
    store: Store,
    cycle: dt.date | str | None = None,
    horizon: int = PLAN_HORIZON_MONTHS,
    *,
    families: Sequence[str] | None = None,
    mode: Mode = "full",
    progress: Progress | None = None,
    actor: Actor,
) -> pd.DataFrame:
    """Compute :func:`statistical_forecast` and store it (and the chosen models) with the draft of ``cycle``.

    Replaces the stored baseline of the families computed (all when ``families`` is None). Raises
    ``PermissionError`` unless ``actor`` may run the baseline (``forecast``) and ``FrozenPlanError`` when
    the cycle's plan is approved — both checked before the long work. ``progress`` as in
    :func:`statistical_forecast`, with a last step for writing. Returns the stored rows.
    """
    require(actor, "forecast")
    cycle_date = baseline_cycle(store, cycle)
    if cycle_date is None:
        if progress:
            progress(1.0, "Nothing to forecast: no plan cycle and no actuals")
        return pd.DataFrame(columns=BASELINE_COLUMNS)
    with store.transaction() as cur:
        require_draft(cur, cycle_date)  # fail fast, before minutes of fitting
    _, frame, models = _compute(store, cycle_date, horizon, families, mode, progress, end=1.0 - STORE_SHARE)
    if progress:
        progress(1.0 - STORE_SHARE, f"Storing the baseline of {len(models):,} series…")
    store_baseline(store, cycle_date, frame, models, mode, families, actor=actor)
    if progress:
        progress(1.0, f"Stored the baseline of {len(models):,} series")
    return frame


def stored_baseline(
    store: Store,
    cycle: dt.date | str | None = None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The stored baseline of ``cycle`` (default: the latest cycle), columns :data:`BASELINE_COLUMNS`."""
    cycle_date = baseline_cycle(store, cycle)
    return store.query(
        """SELECT b.family, b.sku, b.region, b.month, b.forecast, b.lo80, b.hi80, b.lo95, b.hi95,
                  m.model, m.holdout_mase
           FROM forecast_baseline b
           LEFT JOIN forecast_models m USING (cycle, family, sku, region)
           WHERE b.cycle = ?
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], b.family))
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], b.region))
           ORDER BY b.family, b.sku, b.region, b.month""",
        [cycle_date, filter_list(families), filter_list(families), filter_list(regions), filter_list(regions)],
    )


def model_table(
    store: Store, cycle: dt.date | str | None = None, families: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per stored series of ``cycle``: ``family, sku, region, model, holdout_mase, previous_model,
    series_class, history_months, mode, run_at`` (``series_class``: regular, intermittent, short, zero,
    constant, or quick for the cheap mode; ``previous_model`` from the latest earlier cycle)."""
    cycle_date = baseline_cycle(store, cycle)
    return store.query(
        """SELECT m.family, m.sku, m.region, m.model, m.holdout_mase, p.model AS previous_model,
                  m.series_class, m.history_months, m.mode, m.run_at
           FROM forecast_models m
           LEFT JOIN forecast_models p ON p.family = m.family AND p.sku = m.sku AND p.region = m.region
                AND p.cycle = (SELECT max(cycle) FROM forecast_models WHERE cycle < ?)
           WHERE m.cycle = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], m.family))
           ORDER BY m.family, m.sku, m.region""",
        [cycle_date, cycle_date, filter_list(families), filter_list(families)],
    )
