"""Overview: sales plan vs actual for every family (the full page comes with the review pages)."""

import plotly.graph_objects as go
import streamlit as st

from sop_core import plan_vs_actual
from sop_ui.store import get_store

store = get_store()
st.title("S&OP overview")
pva = plan_vs_actual(store, "sales")
if pva.empty:
    st.info("No approved plan yet: load master data and plans on the Data page.")
    st.stop()
fig = go.Figure()
for family, rows in pva.groupby("family"):
    fig.add_scatter(x=rows["month"], y=rows["actual"], name=f"{family} actual", mode="lines")
    fig.add_scatter(x=rows["month"], y=rows["plan"], name=f"{family} plan", mode="lines", line={"dash": "dash"})
fig.update_layout(height=520, yaxis_title="units", legend={"orientation": "h"})
st.plotly_chart(fig, use_container_width=True)
