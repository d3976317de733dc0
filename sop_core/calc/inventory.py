"""Inventory over time: the month-by-month projection with backorders and forward days of supply."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .kernels import project_inventory_arrays
from .validate import _as_float_1d, _index_for, _require_finite, _require_finite_scalar


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
        raise ValueError(f"production and demand must have the same length (got {len(prod)} and {len(dem)})")
    _require_finite(prod, "production")
    _require_finite(dem, "demand")
    opening = _require_finite_scalar(opening_inventory, "opening_inventory")
    backlog = _require_finite_scalar(opening_backorders, "opening_backorders")
    ending, backorders = project_inventory_arrays(opening, prod, dem, backlog)
    return pd.DataFrame(
        {"ending_inventory": ending, "backorders": backorders},
        index=_index_for(len(dem), demand, production),
    )


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
