"""The review's thresholds and windows, and the run and window helpers the rules share.

The window shown is the :data:`HISTORY_MONTHS` closed months before the cycle
plus the horizon from the cycle on. Thresholds follow the S&OP reference: a
tracking signal beyond ±4 flags a biased forecast; a revenue gap to budget
counts when it lasts several months; a resource is watched when at its warning
level for several months in a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..months import add_months, month_window

HISTORY_MONTHS = 12  # closed months shown before the cycle
ACCURACY_MONTHS = 3  # closed months behind the headline forecast accuracy (and the deviation status)
ACCURACY_LAGS = (0, 1, 2, 3, 6)  # lags of the accuracy heatmap
ACCURACY_HISTORY = 12  # closed months behind the accuracy by lag
TS_LIMIT = 4.0  # |tracking signal| beyond this flags a biased forecast
TS_WATCH = 3.0
EXPOSURE_MONTHS = 3  # a biased forecast puts this many months of bias at stake
REVENUE_GAP_ACT = 0.05  # revenue gap to budget (fraction) that is an exception …
REVENUE_GAP_WATCH = 0.02
REVENUE_GAP_RUN = 3  # … for this many consecutive months
WARNING_RUN = 3  # months in a row at or above a resource's warning threshold


def closed(frame: pd.DataFrame, cycle: dt.date, months: int) -> pd.DataFrame:
    """The rows of ``frame`` in the ``months`` closed months before ``cycle``."""
    return month_window(frame, add_months(cycle, -months), add_months(cycle, -1))


def runs(flags: np.ndarray, minimum: int = 1) -> list[list[int]]:
    """Index lists of the runs of consecutive ``True`` flags at least ``minimum`` long."""
    found, current = [], []
    for i, flag in enumerate(flags):
        if flag:
            current.append(i)
        else:
            if len(current) >= minimum:
                found.append(current)
            current = []
    if len(current) >= minimum:
        found.append(current)
    return found


def longest_run(flags: np.ndarray) -> int:
    """The length of the longest run of consecutive ``True`` flags (0 when none)."""
    return max((len(run) for run in runs(flags)), default=0)


def span(months: Sequence) -> str:
    """``Mar 2026`` or ``Mar 2026 – May 2026``: the months a finding covers."""
    first, last = pd.Timestamp(min(months)), pd.Timestamp(max(months))
    return f"{first:%b %Y}" if first == last else f"{first:%b %Y} – {last:%b %Y}"
