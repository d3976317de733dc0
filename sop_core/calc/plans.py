"""Production strategies: level and chase plans with the inventory and backorders they imply (APICS/CPIM).

The ``*_arrays`` functions validate one family's inputs and call the row kernels of
:mod:`.kernels`; the DataFrame functions call those and only add the frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .kernels import chase_rows, level_rows, project_inventory_arrays
from .validate import _as_float_1d, _index_for, _require_finite, _require_finite_scalar

_PLAN_COLUMNS = ["production", "ending_inventory", "backorders"]


def _plan_frame(production: np.ndarray, ending: np.ndarray, backorders: np.ndarray, index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(
        {"production": production, "ending_inventory": ending, "backorders": backorders},
        index=index,
        columns=_PLAN_COLUMNS,
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
    production = level_rows(
        fc[None, :], np.array([opening - backlog]), np.array([target]), None if working_days is None else wd
    )[0]
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
        target = np.full(n, _require_finite_scalar(target_inventory, "target_inventory"))  # type: ignore[arg-type]  # a scalar here: arrays took the branch above
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
