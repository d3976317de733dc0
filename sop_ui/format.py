"""Number formatting for tiles and tables, and the CSV download every table gets."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from sop_core.export import to_csv_bytes
from sop_core.kpis import Kpi

TILES_PER_ROW = 3
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, currency: str = "EUR", signed: bool = False) -> str:
    """``€1.23 M``, ``€45.2 k``, ``€120`` (``signed`` adds ``+`` to gains); ``–`` when missing."""
    if _missing(value):
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
    if _missing(kpi.value) or _missing(kpi.previous):
        return None
    change = kpi.value - kpi.previous
    if abs(change) < 1e-9:
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


def kpi_tiles(kpis: list[Kpi], currency: str) -> None:
    """Bordered metric tiles, three a row, the delta coloured by whether up is good."""
    for start in range(0, len(kpis), TILES_PER_ROW):
        for column, kpi in zip(st.columns(TILES_PER_ROW), kpis[start:start + TILES_PER_ROW], strict=False):
            column.metric(kpi.label, kpi_value(kpi, currency), kpi_delta(kpi, currency), border=True,
                      delta_color="normal" if kpi.higher_is_better else "inverse", help=kpi.note or None)


def download_csv(frame: pd.DataFrame, name: str, key: str, label: str = "Download CSV", index: bool = False) -> None:
    """A CSV download of ``frame`` with spreadsheet formulas neutralised."""
    st.download_button(label, to_csv_bytes(frame, index=index), file_name=f"{name}.csv", mime="text/csv",
                       key=key, icon=":material/download:", on_click="ignore")
