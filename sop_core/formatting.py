"""Number formatting shared by the screen and the meeting pack: money, units, percentages, KPI tiles.

Pure text formatting (no Streamlit), so that the dashboard's tiles and the pre-read
print the same figures the same way. ``sop_ui.format`` re-exports these for the pages.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .conventions import EPS

if TYPE_CHECKING:
    from .review import Kpi

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, currency: str = "EUR", signed: bool = False) -> str:
    """``€1.23 M``, ``€45.2 k``, ``€120`` (``signed`` adds ``+`` to gains); ``–`` when missing."""
    if value is None or _missing(value):
        return "–"
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "−" if value < 0 else ("+" if signed and value > 0 else "")
    v = abs(value)
    for scale, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if v >= scale:
            return f"{sign}{symbol}{v / scale:,.{1 if v / scale >= 100 else 2 if v / scale < 10 else 1}f}{suffix}"
    return f"{sign}{symbol}{v:,.0f}"


def units(value: float | None) -> str:
    """A quantity with thousands separators; ``–`` when missing."""
    return "–" if _missing(value) else f"{value:,.0f}"


def pct(value: float | None, signed: bool = False) -> str:
    """A fraction as a percentage (``0.123`` → ``12.3 %``); ``–`` when missing."""
    return "–" if _missing(value) else (f"{value:+.1%}" if signed else f"{value:.1%}").replace("%", " %")


def kpi_value(kpi: Kpi, currency: str) -> str:
    """The tile text of ``kpi``'s value."""
    if kpi.unit == "money":
        return money(kpi.value, currency, signed=kpi.key == "revenue_gap")
    if kpi.unit == "pct":
        return pct(kpi.value)
    if kpi.unit == "days":
        return "–" if _missing(kpi.value) else f"{kpi.value:,.1f} d"
    return units(kpi.value)


def kpi_delta(kpi: Kpi, currency: str) -> str | None:
    """The change vs the previous cycle as tile text, or ``None`` when unknown."""
    value, previous = kpi.value, kpi.previous
    if value is None or previous is None or _missing(value) or _missing(previous):
        return None
    change = value - previous
    if abs(change) < EPS:
        return None
    if kpi.unit == "money":
        text = money(change, currency, signed=True)
    elif kpi.unit == "pct":
        text = f"{change * 100:+.1f} pts"
    elif kpi.unit == "days":
        text = f"{change:+.1f} d"
    else:
        text = f"{change:+,.0f}"
    return text + " vs last cycle"
