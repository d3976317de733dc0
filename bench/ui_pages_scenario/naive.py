"""Benchmark reference (naive): 4 plotly.express line charts of 20 families × 36 months.

No fragment, no caching: every slider move reruns the whole script, rebuilds
the data and four separate figures.
"""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

FAMILIES, MONTHS = 20, 36

change = st.slider("Demand change (%)", -30, 30, 0, key="naive_slider")
rng = np.random.default_rng(0)
months = pd.date_range("2027-01-01", periods=MONTHS, freq="MS")
frame = pd.DataFrame(
    {
        "family": np.repeat([f"Family {i:02d}" for i in range(FAMILIES)], MONTHS),
        "month": np.tile(months, FAMILIES),
        "demand": rng.uniform(100, 1000, FAMILIES * MONTHS) * (1 + change / 100),
    }
)
frame["production"] = frame.groupby("family")["demand"].transform("mean")
frame["inventory"] = (frame["production"] - frame["demand"]).groupby(frame["family"]).cumsum() + 500
frame["revenue"] = frame["demand"] * 10
for column in ("demand", "production", "inventory", "revenue"):
    st.plotly_chart(px.line(frame, x="month", y=column, color="family", title=column))
