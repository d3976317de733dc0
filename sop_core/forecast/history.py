"""The demand history the baseline learns from: one series per family × SKU × region, before a cycle.

Demand is shipments (``sales``) for make-to-stock families and ``orders`` for make-to-order ones,
read from the raw ``actuals`` at the level they were loaded: SKU × region where they come per SKU
(mapped to the family through the product master; SKUs missing from the master are left out),
family × region where they come per family (``sku`` ``''``). Only months *before* the cycle are
read — the no-look-ahead rule lives in this one query. Each series runs from its first month to
the last month any demand series has before the cycle, missing months filled with zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..plan_data import DEMAND_ACTUAL_SQL
from ..store import Store, filter_list

SERIES_KEYS = ["family", "sku", "region"]


def demand_history(store: Store, cycle: dt.date, families: Sequence[str] | None = None) -> pd.DataFrame:
    """``family, sku, region, month, y``: monthly demand of every series, months before ``cycle`` only."""
    sql = f"""
        SELECT f.family, coalesce(a.sku, '') AS sku, a.region, a.month, sum(a.quantity) AS y
        FROM actuals a
        LEFT JOIN products p ON a.sku = p.sku
        JOIN families f ON f.family = coalesce(a.family, p.family)
        WHERE a.kind = {DEMAND_ACTUAL_SQL} AND a.month < ?
          AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], f.family))
        GROUP BY ALL"""  # DEMAND_ACTUAL_SQL is a fixed CASE fragment; values are bound
    raw = store.query(sql, [cycle, filter_list(families), filter_list(families)])
    return fill_months(raw)


def fill_months(raw: pd.DataFrame) -> pd.DataFrame:
    """Complete each series with zero months from its first month to the last month of any series."""
    columns = [*SERIES_KEYS, "month", "y"]
    if raw.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "y" else "object") for c in columns})
    frame = raw.copy()
    frame["month"] = pd.to_datetime(frame["month"]).astype("datetime64[ns]")
    end = frame["month"].max()
    first = frame.groupby(SERIES_KEYS, sort=True)["month"].min()
    months = pd.date_range(first.min(), end, freq="MS")
    starts = months.get_indexer(pd.DatetimeIndex(first.to_numpy()))
    lengths = len(months) - starts
    series = np.repeat(np.arange(len(first)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    keys = first.index.to_frame(index=False)
    grid = keys.iloc[series].reset_index(drop=True)
    grid["month"] = months[np.repeat(starts, lengths) + offsets]
    full = grid.merge(frame, on=[*SERIES_KEYS, "month"], how="left")
    full["y"] = full["y"].fillna(0.0).astype("float64")
    return full[columns].sort_values([*SERIES_KEYS, "month"], ignore_index=True)


def series_arrays(history: pd.DataFrame) -> list[tuple[tuple[str, str, str], pd.Timestamp, np.ndarray]]:
    """``[(key, first month, values)]`` per series of a :func:`demand_history` frame, in key order."""
    out = []
    for key, group in history.groupby(SERIES_KEYS, sort=True):
        out.append(((str(key[0]), str(key[1]), str(key[2])), group["month"].iloc[0], group["y"].to_numpy(float)))
    return out
