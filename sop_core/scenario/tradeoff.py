"""The trade-off curve: service level against inventory investment as the make-to-stock targets move."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .inputs import ScenarioInputs
from .levers import Levers
from .model import chosen_target_days, horizon, run

TRADEOFF_SCALES: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
TRADEOFF_COLUMNS = ["scale", "target_days_mean", "fill_rate", "avg_inventory_value", "current"]


def tradeoff_curve(inputs: ScenarioInputs, levers: Levers, scales: Sequence[float] = TRADEOFF_SCALES) -> pd.DataFrame:
    """Service level against inventory investment as the make-to-stock targets move.

    Every make-to-stock family's target days are scaled by each factor in
    ``scales`` (make-to-order targets stay); the row with scale 1 is the
    scenario's own choice (``current``). Columns ``scale, target_days_mean,
    fill_rate, avg_inventory_value, current``.
    """
    T = horizon(inputs, levers)
    chosen = chosen_target_days(inputs, levers)
    rows = []
    for scale in sorted(set(scales) | {1.0}):
        days = np.where(inputs.mto, chosen, chosen * scale)
        out = run(inputs, levers, days, T)
        mts_days = days[~inputs.mto]
        rows.append(
            (
                scale,
                float(mts_days.mean()) if mts_days.size else 0.0,
                out.fill_rate,
                float(out.inventory_value.sum(axis=0).mean()),
                scale == 1.0,
            )
        )
    return pd.DataFrame(rows, columns=TRADEOFF_COLUMNS)


def empty_tradeoff() -> pd.DataFrame:
    """A trade-off table with no rows (when the curve is not asked for)."""
    return pd.DataFrame(columns=TRADEOFF_COLUMNS)
