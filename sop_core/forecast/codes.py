"""The fixed vocabulary of demand planning: layers, reason codes, model names, errors.

The layers and reason codes are *data*: the migration seeds them into the tables
``forecast_layers`` and ``forecast_reasons``, and the engine reads the tables, so
a company can add a layer (e.g. "key accounts") without a code change. The tuples
here are the defaults the migration seeds and the fallbacks for an empty table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..store import StoreError

Progress = Callable[[float, str], None]
"""A progress callback: ``progress(fraction_done 0…1, message)``; fractions never go down."""

PROGRESS_STEPS = 12
"""About how many progress reports a forecast run makes (one per batch of series)."""

DEFAULT_LAYERS: tuple[tuple[str, str], ...] = (
    ("sales", "Sales"),
    ("marketing", "Marketing"),
    ("finance", "Finance"),
    ("demand_planner", "Demand planner"),
)
REASON_CODES: tuple[tuple[str, str], ...] = (
    ("promotion", "Promotion"),
    ("new_customer", "New customer"),
    ("lost_customer", "Lost customer"),
    ("price_change", "Price change"),
    ("market_trend", "Market trend"),
    ("supply_constraint", "Supply constraint"),
    ("other", "Other"),
)
OVERRIDE_KINDS = ("units", "pct")
"""``units``: add this many units to the cell; ``pct``: add this percentage of the cell's baseline."""

STEP_SEASONAL_NAIVE = "seasonal naive"
STEP_STATISTICAL = "statistical"
STEP_CONSENSUS = "consensus"
STEP_APPROVED = "approved plan"


class OverrideConflictError(StoreError):
    """An override save was refused because the cell changed since the editor read it.

    ``changed_by`` and ``changed_at`` name the save that got there first; ``cells``
    lists the conflicting cells as ``(layer, family, region, sku, month)``.
    """

    def __init__(
        self,
        message: str,
        changed_by: str,
        changed_at: dt.datetime | None,
        cells: list[tuple[str, str, str, str, dt.date]],
    ) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.cells = cells


def progress_span(progress: Progress | None, start: float, end: float) -> Progress | None:
    """``progress`` with its 0…1 mapped onto ``start…end`` (a part of a longer run); ``None`` stays ``None``."""
    if progress is None:
        return None
    report = progress

    def scaled(fraction: float, message: str) -> None:
        report(start + (end - start) * min(max(float(fraction), 0.0), 1.0), message)

    return scaled


def series_message(done: int, total: int, mode: str = "full") -> str:
    """The progress text of a forecast run: ``Forecasting 40 of 120 series…`` (``Forecast 120 of 120 series``)."""
    quick = " (quick mode)" if mode == "quick" else ""
    if done >= total:
        return f"Forecast {done:,} of {total:,} series{quick}"
    return f"Forecasting {done:,} of {total:,} series{quick}…"
