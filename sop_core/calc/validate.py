"""Input validation shared by the plain-number helpers: sequences to float arrays, finiteness, frame columns.

Values may be numpy arrays, ``pandas.Series`` or plain sequences holding ``None`` (missing);
they become 1-D float64 arrays with NaN for missing. When an input is a ``pandas.Series``
the DataFrame-returning helpers reuse its index (:func:`_index_for`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

# Numbers as the helpers take them: arrays, Series, or plain sequences that may hold None (missing).
Numbers = ArrayLike | Sequence[float | None]


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
            arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="raise").to_numpy(  # type: ignore[arg-type]  # any iterable of numbers
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


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; expected {list(columns)}")
