"""The reference page body: 4 ``go.Scatter`` charts × 8 lines × 36 months and an 8 × 36 table."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

CHARTS, LINES, MONTHS = 4, 8, 36


def render(seed: int) -> None:
    """Draw the reference page (``seed`` makes the two pages differ)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2024-01-01", periods=MONTHS, freq="MS")
    st.title(f"Reference page {seed}")
    for chart in range(CHARTS):
        fig = go.Figure()
        for line in range(LINES):
            fig.add_scatter(x=months, y=rng.normal(100, 10, MONTHS).cumsum(), mode="lines", name=f"line {line}")
        fig.update_layout(height=380)
        st.plotly_chart(fig, key=f"ref_{chart}")
    st.dataframe(pd.DataFrame(rng.normal(100, 10, (LINES, MONTHS)), columns=[f"{m:%b %y}" for m in months]))
