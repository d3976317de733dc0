"""Tiles and the CSV download every table gets; the number formatting lives in :mod:`sop_core.formatting`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop_core.export import to_csv_bytes
from sop_core.formatting import SYMBOLS, kpi_delta, kpi_value, money, pct, units
from sop_core.review import Kpi

__all__ = ["SYMBOLS", "TILES_PER_ROW", "download_csv", "kpi_delta", "kpi_tiles", "kpi_value", "money", "pct", "units"]

TILES_PER_ROW = 3


def kpi_tiles(kpis: list[Kpi], currency: str) -> None:
    """Bordered metric tiles, three a row, the delta coloured by whether up is good."""
    for start in range(0, len(kpis), TILES_PER_ROW):
        for column, kpi in zip(st.columns(TILES_PER_ROW), kpis[start : start + TILES_PER_ROW], strict=False):
            column.metric(
                kpi.label,
                kpi_value(kpi, currency),
                kpi_delta(kpi, currency),
                border=True,
                delta_color="normal" if kpi.higher_is_better else "inverse",
                help=kpi.note or None,
            )


def download_csv(frame: pd.DataFrame, name: str, key: str, label: str = "Download CSV", index: bool = False) -> None:
    """A CSV download of ``frame`` with spreadsheet formulas neutralised."""
    st.download_button(
        label,
        to_csv_bytes(frame, index=index),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )
