"""Row kernels: many families at once (rows are families, columns months), one definition each.

The 1-D ``*_arrays`` helpers of :mod:`.plans` validate one family's inputs and call these
with one row; scenario runs over hundreds of families call them directly. No validation
here (hot path). Also the numpy projections :func:`project_inventory_arrays` and
:func:`project_backlog_arrays` that the plans, the supply engine and scenarios share.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def level_rows(
    forecast: np.ndarray, start: np.ndarray, target_end: np.ndarray, work_days: np.ndarray | None = None
) -> np.ndarray:
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
            f"production and demand must have the same number of periods (got {prod.shape[-1]} and {dem.shape[-1]})"
        )
    start = np.asarray(opening_inventory, dtype=float) - np.asarray(opening_backorders, dtype=float)
    net = np.cumsum(prod - dem, axis=-1)
    net += start[..., None] if start.ndim else start
    ending = np.maximum(net, 0.0)
    backorders = np.maximum(-net, 0.0)
    return ending, backorders


def project_backlog_arrays(
    opening_backlog: float, orders: ArrayLike, shipments_plan: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Make-to-order backlog: ``backlog_t = backlog_{t−1} + orders_t − shipments_t``.

    Shipments are the planned shipments capped at what is on order
    (``backlog_{t−1} + orders_t``): a make-to-order plant cannot ship ahead of
    orders. Returns ``(backlog, shipments)``. (APICS/CPIM: make-to-order
    production planning against a target backlog.)
    """
    return backlog_rows(
        np.asarray(float(opening_backlog)), np.asarray(orders, dtype=float), np.asarray(shipments_plan, dtype=float)
    )
