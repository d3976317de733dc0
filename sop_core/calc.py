"""Pure S&OP calculations on plain numbers (no database, no UI).

Every function here works on numbers, sequences, numpy arrays or small long-form
DataFrames, and has no side effects.  Definitions follow
the project's S&OP reference (``sop-reference.md``; APICS/CPIM, Oliver Wight practice).

Conventions used throughout
---------------------------
* Periods are calendar months, given in order; sequence position ``t`` is month ``t``.
* Forecast error is ``e = actual - forecast`` everywhere, so a positive error / bias
  means the forecast was too low (under-forecast).
* Inventory never goes below zero: unmet demand becomes a *backorder*, carried forward
  and served first when supply returns.  The *net position* of a period is
  ``ending_inventory - backorders``; only the net position is needed to project, and
  ``ending = max(net, 0)``, ``backorders = max(-net, 0)``.
* Percentages are returned as fractions (``0.12`` means 12 %).
* When an input is a ``pandas.Series`` the DataFrame-returning helpers reuse its index
  (so a month index survives); otherwise the result has a ``RangeIndex``.

The ``*_rows`` kernels work on many families at once (rows are families, columns months)
and carry each definition once; the ``*_arrays`` functions validate one family's inputs
and call them; the DataFrame functions call those and only add the frame. Scenario runs
over hundreds of families call the kernels directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "project_inventory",
    "project_inventory_arrays",
    "level_plan",
    "level_plan_arrays",
    "chase_plan",
    "chase_plan_arrays",
    "accuracy_metrics",
    "tracking_signal",
    "rough_cut_capacity",
    "days_of_supply",
]

# Numbers as the helpers take them: arrays, Series, or plain sequences that may hold None (missing).
Numbers = ArrayLike | Sequence[float | None]

_PLAN_COLUMNS = ["production", "ending_inventory", "backorders"]
_ACCURACY_KEYS = (
    "mad",
    "mape",
    "wmape",
    "bias",
    "bias_pct",
    "tracking_signal",
)


# --------------------------------------------------------------------------- helpers
def _as_float_1d(values: Numbers, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D float64 array (``None``/``pd.NA`` become NaN)."""
    if isinstance(values, (pd.Series, pd.Index)) or hasattr(values, "to_numpy"):
        try:
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        except TypeError:
            arr = np.asarray(values, dtype=float)
    else:
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="raise").to_numpy(  # type: ignore[arg-type]
                dtype=float, na_value=np.nan
            )
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (got shape {arr.shape})")
    return arr


def _require_finite(arr: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN/inf)")


def _require_finite_scalar(value: float, name: str) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number (got {value!r})")
    return value


def _index_for(n: int, *candidates: object) -> pd.Index:
    """Index of the first candidate that is a Series of length ``n``, else a RangeIndex."""
    for cand in candidates:
        if isinstance(cand, pd.Series) and len(cand) == n:
            return cand.index
    return pd.RangeIndex(n)


def _plan_frame(
    production: np.ndarray, ending: np.ndarray, backorders: np.ndarray, index: pd.Index
) -> pd.DataFrame:
    return pd.DataFrame(
        {"production": production, "ending_inventory": ending, "backorders": backorders},
        index=index,
        columns=_PLAN_COLUMNS,
    )


# ----------------------------------------------------------------- inventory projection
# --------------------------------------------------------------------------- row kernels
# Many families at once: rows are families, columns months. The 1-D ``*_arrays`` helpers
# validate their inputs and call these with one row; scenario runs call them directly.
def level_rows(forecast: np.ndarray, start: np.ndarray, target_end: np.ndarray,
               work_days: np.ndarray | None = None) -> np.ndarray:
    """Level production per row: the total need spread evenly (per working day when given).

    ``total = Σ forecast + target_end − start``, floored at 0, where ``start`` is the
    opening net position (inventory − backorders; −backlog for make-to-order, whose
    target is then negative too). Working days that add up to zero count as even.
    """
    total = np.maximum(forecast.sum(axis=1) + target_end - start, 0.0)
    n = forecast.shape[1]
    wd = np.ones(n) if work_days is None or work_days.sum() <= 0 else work_days
    return total[:, None] * (wd / wd.sum())[None, :]


def chase_rows(forecast: np.ndarray, start: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Chase production per row: just enough to end each month at its target position.

    ``position_t = max(target_t, position_{t−1} − forecast_t)``; with ``F = cumsum(forecast)``
    and ``g_t = position_t + F_t`` this is ``g_t = max(g_{t−1}, target_t + F_t)``, a running
    maximum, and production is its increase (never negative).
    """
    g = np.concatenate([start[:, None], target + np.cumsum(forecast, axis=1)], axis=1)
    return np.diff(np.maximum.accumulate(g, axis=1), axis=1)


def backlog_rows(opening: np.ndarray, orders: np.ndarray, shipments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make-to-order backlog per row; see :func:`project_backlog_arrays`. Returns ``(backlog, shipped)``.

    ``backlog_t = max(backlog_{t−1} + orders_t − shipments_t, 0)`` (negative planned shipments
    count as none) is a Lindley recursion, solved in closed form: with
    ``y = opening + cumsum(orders − shipments)``, ``backlog_t = y_t − min(0, min_{s≤t} y_s)``.
    """
    y = opening[..., None] + np.cumsum(orders - np.maximum(shipments, 0.0), axis=-1)
    backlog = y - np.minimum(np.minimum.accumulate(y, axis=-1), 0.0)
    previous = np.concatenate([opening[..., None], backlog], axis=-1)[..., :-1]
    return backlog, previous + orders - backlog


def project_inventory_arrays(
    opening_inventory: float | ArrayLike,
    production: ArrayLike,
    demand: ArrayLike,
    opening_backorders: float | ArrayLike = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Project ending inventory and backorders; numpy twin of :func:`project_inventory`.

    Definition (APICS/CPIM projected available balance with backorders)::

        net_t       = opening_inventory - opening_backorders
                      + cumsum(production - demand)_t
        ending_t    = max(net_t, 0)
        backorders_t = max(-net_t, 0)

    This is exactly the period-by-period rule "inventory never below zero; unmet demand
    is carried as a backorder and served first when supply returns", because backorders
    are simply a negative net position.  The balance invariant
    ``ending - backorders == opening - opening_backorders + cumsum(prod) - cumsum(demand)``
    holds for every period (up to float rounding).

    Edge cases:
      * ``production`` and ``demand`` must have the same length along the last axis
        (``ValueError`` otherwise); empty inputs give empty arrays.
      * 2-D inputs are supported for batch runs: rows are families, the last axis is
        months; ``opening_inventory``/``opening_backorders`` may then be scalars or
        arrays of shape ``(families,)``.
      * No validation of signs or NaN is done here (hot path): negative demand acts as a
        return, a negative opening inventory acts as a backorder, NaN propagates.

    Returns ``(ending_inventory, backorders)`` as float64 arrays shaped like the inputs.
    """
    prod = np.asarray(production, dtype=float)
    dem = np.asarray(demand, dtype=float)
    if prod.ndim == 0 or dem.ndim == 0:
        raise ValueError("production and demand must be sequences, not scalars")
    if prod.shape[-1] != dem.shape[-1]:
        raise ValueError(
            "production and demand must have the same number of periods "
            f"(got {prod.shape[-1]} and {dem.shape[-1]})"
        )
    start = np.asarray(opening_inventory, dtype=float) - np.asarray(
        opening_backorders, dtype=float
    )
    net = np.cumsum(prod - dem, axis=-1)
    net += start[..., None] if start.ndim else start
    ending = np.maximum(net, 0.0)
    backorders = np.maximum(-net, 0.0)
    return ending, backorders


def project_inventory(
    opening_inventory: float,
    production: Sequence[float],
    demand: Sequence[float],
    opening_backorders: float = 0.0,
) -> pd.DataFrame:
    """Month-by-month inventory projection with backorders (APICS/CPIM).

    Definition: net position ``n_t = opening_inventory - opening_backorders +
    Σ_{s<=t} (production_s - demand_s)``; ``ending_inventory_t = max(n_t, 0)`` and
    ``backorders_t = max(-n_t, 0)``.  Inventory never goes below zero; unmet demand is
    carried as a backorder and served first when supply returns (it is never dropped;
    lost-sales families are not modelled here).

    Invariant, every period:
    ``ending - backorders == opening - opening_backorders + cumsum(production) -
    cumsum(demand)``.

    Edge cases: lengths must match (``ValueError``); empty inputs give an empty frame;
    the inputs must be finite (``ValueError``).  Uses the index of ``demand`` (or
    ``production``) when it is a ``pandas.Series``.

    Returns a DataFrame with columns ``ending_inventory, backorders``, one row per period.
    """
    prod = _as_float_1d(production, "production")
    dem = _as_float_1d(demand, "demand")
    if len(prod) != len(dem):
        raise ValueError(
            f"production and demand must have the same length (got {len(prod)} and {len(dem)})"
        )
    _require_finite(prod, "production")
    _require_finite(dem, "demand")
    opening = _require_finite_scalar(opening_inventory, "opening_inventory")
    backlog = _require_finite_scalar(opening_backorders, "opening_backorders")
    ending, backorders = project_inventory_arrays(opening, prod, dem, backlog)
    return pd.DataFrame(
        {"ending_inventory": ending, "backorders": backorders},
        index=_index_for(len(dem), demand, production),
    )


# ------------------------------------------------------------------------ level plan
def level_plan_arrays(
    forecast: ArrayLike,
    opening_inventory: float,
    target_ending_inventory: float = 0.0,
    working_days: ArrayLike | None = None,
    opening_backorders: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numpy twin of :func:`level_plan`: returns ``(production, ending, backorders)``.

    Same definition, conventions and validation as :func:`level_plan`.
    """
    fc = _as_float_1d(forecast, "forecast")
    _require_finite(fc, "forecast")
    opening = _require_finite_scalar(opening_inventory, "opening_inventory")
    target = _require_finite_scalar(target_ending_inventory, "target_ending_inventory")
    backlog = _require_finite_scalar(opening_backorders, "opening_backorders")
    n = len(fc)
    if working_days is not None:
        wd = _as_float_1d(working_days, "working_days")
        if len(wd) != n:
            raise ValueError(
                "working_days must have one value per forecast period "
                f"(got {len(wd)} working-day values for {n} periods)"
            )
        _require_finite(wd, "working_days")
        if np.any(wd < 0):
            raise ValueError("working_days must not be negative")
    if n == 0:
        empty = np.zeros(0)
        return empty, empty.copy(), empty.copy()

    if working_days is not None and float(wd.sum()) <= 0:
        raise ValueError("working_days must add up to more than zero")
    production = level_rows(fc[None, :], np.array([opening - backlog]), np.array([target]),
                            None if working_days is None else wd)[0]
    ending, backorders = project_inventory_arrays(opening, production, fc, backlog)
    return production, ending, backorders


def level_plan(
    forecast: Sequence[float],
    opening_inventory: float,
    target_ending_inventory: float = 0.0,
    working_days: Sequence[float] | None = None,
    opening_backorders: float = 0.0,
) -> pd.DataFrame:
    """Level production strategy: one constant rate over the horizon (APICS/CPIM).

    Definition::

        total = Σ forecast + target_ending_inventory - opening_inventory
                + opening_backorders
        total = max(total, 0)

    * Without ``working_days`` the total is spread evenly: ``production_t = total / N``.
    * With ``working_days`` the rate is per working day:
      ``rate = total / Σ working_days``; ``production_t = rate × working_days_t``
      (months with 0 working days produce nothing).

    Inventory and backorders follow from :func:`project_inventory` with demand =
    forecast.  When the total is not floored, the plan ends exactly on
    ``target_ending_inventory`` with no backorders; in between, backorders may appear
    (a level plan does not prevent intermediate shortages; they are shown, not hidden).

    Edge-case conventions:
      * The total is floored at 0: production cannot be negative, so when opening stock
        already exceeds forecast + target, nothing is produced and the plan ends above
        target.
      * ``working_days`` must have one value per forecast period, be finite and
        non-negative and add up to more than zero; otherwise ``ValueError``.
      * Inputs must be finite (``ValueError``).  An empty forecast returns an empty
        frame.

    Returns a DataFrame with columns ``production, ending_inventory, backorders``
    (index of ``forecast`` when it is a ``pandas.Series``).
    """
    production, ending, backorders = level_plan_arrays(
        forecast, opening_inventory, target_ending_inventory, working_days, opening_backorders
    )
    return _plan_frame(production, ending, backorders, _index_for(len(production), forecast))


# ------------------------------------------------------------------------ chase plan
def chase_plan_arrays(
    forecast: ArrayLike,
    opening_inventory: float,
    target_inventory: float | ArrayLike | None = None,
    opening_backorders: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numpy twin of :func:`chase_plan`: returns ``(production, ending, backorders)``.

    Same definition, conventions and validation as :func:`chase_plan`.
    """
    fc = _as_float_1d(forecast, "forecast")
    _require_finite(fc, "forecast")
    opening = _require_finite_scalar(opening_inventory, "opening_inventory")
    backlog = _require_finite_scalar(opening_backorders, "opening_backorders")
    n = len(fc)
    if target_inventory is None:
        target = np.zeros(n)
    elif np.ndim(target_inventory) == 0:
        target = np.full(n, _require_finite_scalar(target_inventory, "target_inventory"))  # type: ignore[arg-type]
    else:
        target = _as_float_1d(target_inventory, "target_inventory")
        if len(target) != n:
            raise ValueError(
                "target_inventory must be None, a number, or one value per forecast period "
                f"(got {len(target)} values for {n} periods)"
            )
        _require_finite(target, "target_inventory")
    if np.any(target < 0):
        raise ValueError("target_inventory must not be negative")
    if n == 0:
        empty = np.zeros(0)
        return empty, empty.copy(), empty.copy()

    production = chase_rows(fc[None, :], np.array([opening - backlog]), target[None, :])[0]
    ending, backorders = project_inventory_arrays(opening, production, fc, backlog)
    return production, ending, backorders


def chase_plan(
    forecast: Sequence[float],
    opening_inventory: float,
    target_inventory: float | Sequence[float] | None = None,
    opening_backorders: float = 0.0,
) -> pd.DataFrame:
    """Chase production strategy: production follows demand (APICS/CPIM).

    Definition::

        production_t = max(forecast_t + target_inventory_t - position_{t-1}, 0)
        position_t   = position_{t-1} + production_t - forecast_t
        position_{-1} = opening_inventory - opening_backorders

    where *position* is the net inventory position (ending inventory minus
    backorders).  Backorders of the previous period therefore count as a negative
    position and are made up in the next period's production.

    Edge-case conventions:
      * Production cannot be negative: when the position already exceeds
        ``forecast_t + target_t`` (excess stock) production is 0 and the excess is worked
        down over the following months; the position then stays above target until the
        excess is consumed.
      * ``target_inventory`` may be ``None`` (0 every month), a scalar (same every
        month) or a sequence with one value per period; it must be finite and
        non-negative (``ValueError`` otherwise).
      * Inputs must be finite (``ValueError``).  An empty forecast gives an empty frame.
      * Computed in closed form (running maximum), identical to the recursion above.

    Returns a DataFrame with columns ``production, ending_inventory, backorders``
    (index of ``forecast`` when it is a ``pandas.Series``).
    """
    production, ending, backorders = chase_plan_arrays(
        forecast, opening_inventory, target_inventory, opening_backorders
    )
    return _plan_frame(production, ending, backorders, _index_for(len(production), forecast))


# ------------------------------------------------------------------- forecast accuracy
def _paired(actual: Numbers, forecast: Numbers) -> tuple[np.ndarray, np.ndarray]:
    act = _as_float_1d(actual, "actual")
    fc = _as_float_1d(forecast, "forecast")
    if len(act) != len(fc):
        raise ValueError(
            f"actual and forecast must have the same length (got {len(act)} and {len(fc)})"
        )
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


# ------------------------------------------------------------- rough-cut capacity
def _require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; expected {list(columns)}")


def rough_cut_capacity(
    production: pd.DataFrame, bill: pd.DataFrame, available: pd.DataFrame
) -> pd.DataFrame:
    """Rough-cut capacity plan from a bill of resources (APICS/CPIM RCCP).

    Inputs (long form):
      * ``production``: ``family, month, quantity`` — planned production;
      * ``bill``: ``family, resource, hours_per_unit`` — bill of resources;
      * ``available``: ``resource, month, hours`` — available capacity.

    Definition: ``load_hours(r, t) = Σ_f quantity(f, t) × hours_per_unit(f, r)`` and
    ``utilisation(r, t) = load_hours / available_hours`` (a fraction; above 1.0 is an
    overload, the usual warning threshold is 0.85–0.90).

    Conventions:
      * Output has one row per resource-month that has a load or an availability row:
        resource-months with available hours but no load get ``load_hours = 0``;
        resource-months with load but no availability row get ``available_hours = NaN``.
      * ``utilisation`` is NaN when ``available_hours`` is 0 or missing (whatever the
        load), so "no capacity data" is never confused with a number; callers flag a
        positive load with NaN utilisation as an overload.
      * Duplicate rows are added up (production per family-month, hours per
        family-resource, available hours per resource-month).
      * Families in ``production`` without a bill row put no load on any resource; NaN
        quantities or hours contribute nothing.
      * Missing columns raise ``ValueError``.

    Returns columns ``resource, month, load_hours, available_hours, utilisation``,
    sorted by resource, month, with a fresh RangeIndex.
    """
    _require_columns(production, ["family", "month", "quantity"], "production")
    _require_columns(bill, ["family", "resource", "hours_per_unit"], "bill")
    _require_columns(available, ["resource", "month", "hours"], "available")

    prod = production[["family", "month", "quantity"]]
    bom = bill[["family", "resource", "hours_per_unit"]]
    joined = prod.merge(bom, on="family", how="inner")
    joined = joined.assign(
        load_hours=pd.to_numeric(joined["quantity"]).astype(float)
        * pd.to_numeric(joined["hours_per_unit"]).astype(float)
    )
    load = joined.groupby(["resource", "month"], as_index=False, sort=False)["load_hours"].sum()

    avail = available[["resource", "month", "hours"]].assign(
        hours=lambda d: pd.to_numeric(d["hours"]).astype(float)
    )
    avail = (
        avail.groupby(["resource", "month"], as_index=False, sort=False)["hours"]
        .sum(min_count=1)
        .rename(columns={"hours": "available_hours"})
    )

    out = load.merge(avail, on=["resource", "month"], how="outer")
    out["load_hours"] = out["load_hours"].astype(float).fillna(0.0)
    out["available_hours"] = out["available_hours"].astype(float)
    avail_h = out["available_hours"].to_numpy()
    load_h = out["load_hours"].to_numpy()
    ok = np.isfinite(avail_h) & (avail_h != 0)
    util = np.full(len(out), np.nan)
    np.divide(load_h, avail_h, out=util, where=ok)
    out["utilisation"] = util
    out = out.sort_values(["resource", "month"], kind="mergesort").reset_index(drop=True)
    return out[["resource", "month", "load_hours", "available_hours", "utilisation"]]


# ----------------------------------------------------------------- days of supply
def days_of_supply(
    ending_inventory: ArrayLike,
    forecast_after: ArrayLike,
    days_in_month: ArrayLike,
) -> np.ndarray:
    """Forward days of supply (forward cover) per period (APICS/CPIM, Wallace).

    Definition: the inventory at the end of period ``t`` is consumed by the forecast of
    the following months ``t+1, t+2, ...`` (``forecast_after`` and ``days_in_month`` are
    aligned with the periods, so period ``t`` uses ``forecast_after[t+1:]`` and
    ``days_in_month[t+1:]``).  Each month that is fully covered counts its whole day
    count; the month in which the inventory runs out counts the covered fraction
    ``remaining / forecast × days``.  Example: inventory 150, next months 100 (30 days)
    and 100 (31 days) → ``30 + 0.5 × 31 = 45.5`` days.

    Conventions:
      * Months with zero forecast are fully covered (their days count, no consumption).
      * When the horizon ends before the inventory is consumed (always the case for the
        last period), the remainder is extrapolated at the average daily demand of the
        last month of the horizon, ``forecast[N-1] / days_in_month[N-1]``; if that rate
        is 0 (e.g. all remaining forecast is 0) the cover is ``inf``.
      * Ending inventory ``<= 0`` gives 0 days; NaN ending inventory gives NaN.
      * ``forecast_after`` must be finite and non-negative and ``days_in_month`` finite
        and positive; all three sequences must have the same length (``ValueError``).

    Vectorised over periods with a (periods × months) cumulative-sum matrix, which is
    cheap for monthly horizons (36 × 36); exact up to float rounding.
    Returns a float64 array, one value per period.
    """
    inv = _as_float_1d(ending_inventory, "ending_inventory")
    fc = _as_float_1d(forecast_after, "forecast_after")
    days = _as_float_1d(days_in_month, "days_in_month")
    n = len(inv)
    if len(fc) != n or len(days) != n:
        raise ValueError(
            "ending_inventory, forecast_after and days_in_month must have the same length "
            f"(got {n}, {len(fc)} and {len(days)})"
        )
    _require_finite(fc, "forecast_after")
    _require_finite(days, "days_in_month")
    if np.any(fc < 0):
        raise ValueError("forecast_after must not be negative")
    if np.any(days <= 0):
        raise ValueError("days_in_month must be positive")
    if n == 0:
        return np.zeros(0)

    result = np.full(n, np.nan)
    result[inv <= 0] = 0.0
    todo = np.flatnonzero(inv > 0)  # NaN inventory stays NaN
    if todo.size == 0:
        return result

    t = todo
    stock = inv[t]
    # after[i, s] = forecast consumed by the stock of period t[i] from month t[i]+1
    # through month s (0 for s <= t[i]).  Summing per row (rather than differencing
    # one long cumulative sum) keeps tiny stocks exact next to large cumulative demand.
    cols = np.arange(n)
    later = cols[None, :] > t[:, None]
    after = np.cumsum(np.where(later, fc[None, :], 0.0), axis=1)
    cd = np.concatenate(([0.0], np.cumsum(days)))  # cd[k] = days of months 0..k-1
    used_up = later & (after >= stock[:, None])
    within = used_up.any(axis=1)
    out = np.empty(t.size)

    if np.any(within):
        ti = t[within]
        si = used_up[within].argmax(axis=1)  # month in which the stock runs out
        rows = np.flatnonzero(within)
        before = np.where(si - 1 > ti, after[rows, si - 1], 0.0)  # consumed before si
        # after[s] >= stock > after[s-1], hence fc[s] > 0 and 0 < frac <= 1
        frac = np.clip((stock[within] - before) / fc[si], 0.0, 1.0)
        out[within] = (cd[si] - cd[ti + 1]) + frac * days[si]

    beyond = ~within
    if np.any(beyond):
        tb = t[beyond]
        rate = fc[n - 1] / days[n - 1]
        full_days = cd[n] - cd[tb + 1]
        left = stock[beyond] - after[beyond, n - 1]
        if rate > 0:
            with np.errstate(over="ignore"):
                out[beyond] = full_days + np.maximum(left, 0.0) / rate
        else:
            out[beyond] = np.inf
    result[t] = out
    return result


def project_backlog_arrays(
    opening_backlog: float, orders: ArrayLike, shipments_plan: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Make-to-order backlog: ``backlog_t = backlog_{t−1} + orders_t − shipments_t``.

    Shipments are the planned shipments capped at what is on order
    (``backlog_{t−1} + orders_t``): a make-to-order plant cannot ship ahead of
    orders. Returns ``(backlog, shipments)``. (APICS/CPIM: make-to-order
    production planning against a target backlog.)
    """
    return backlog_rows(np.asarray(float(opening_backlog)), np.asarray(orders, dtype=float),
                        np.asarray(shipments_plan, dtype=float))
