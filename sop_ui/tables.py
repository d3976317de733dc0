"""Styled tables: traffic-light status grids and highlighted family sheets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sop_core.charts.theme import STATUS_COLORS

LIGHT_TEXT = "#ffffff"


def _status_css(value: object) -> str:
    color = STATUS_COLORS.get(value if value in STATUS_COLORS else None)
    return f"background-color: {color}; color: {LIGHT_TEXT}; font-weight: 600; text-align: center"


def status_table(grid: pd.DataFrame) -> None:
    """The family × KPI grid as traffic lights (green ok, amber watch, red act, grey no data)."""
    shown = grid.set_index("family").fillna("–")
    styled = shown.style.map(_status_css)
    st.dataframe(styled, width="stretch", height=35 * (len(shown) + 1) + 3)


def flagged_table(table: pd.DataFrame, flags: pd.DataFrame, number_format: str = "{:,.0f}") -> None:
    """A numeric table with the cells flagged in ``flags`` highlighted (out of tolerance / range).

    Shown as formatted text (empty where there is no value); the CSV download keeps the numbers.
    """
    css = (
        flags.replace({True: "background-color: rgba(212,63,58,0.30); font-weight: 700", False: ""})
        + "; text-align: right"
    )
    shown = table.map(lambda v: "" if pd.isna(v) else number_format.format(v))
    styled = shown.style.apply(lambda _: css, axis=None)
    st.dataframe(styled, width="stretch", height=35 * (len(table) + 1) + 3)
