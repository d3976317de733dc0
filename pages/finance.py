"""Finance review: revenue, cost and margin against plan and budget; the gap-to-budget bridge; inventory value."""

import pandas as pd
import streamlit as st

from sop_core import review
from sop_core.charts.review import budget_bridge, finance_overview, stacked_by_family
from sop_ui.format import download_csv
from sop_ui.review import open_review

view = open_review(
    "Finance review",
    "Revenue = volume × price, cost = volume × standard cost, margin = revenue − cost. "
    "Outlook = actual where the month is closed, else plan.",
)
rv, currency = view.review, view.currency

st.subheader("Revenue, cost and margin: actual, plan and budget")
st.plotly_chart(view.memo("fn_totals", lambda: finance_overview(review.finance_totals(rv), currency)), key="fn_totals")

left, right = st.columns(2, gap="large")
with left:
    st.subheader(f"Gap to budget {rv.cycle.year}, by family")
    st.plotly_chart(view.memo("fn_bridge", lambda: budget_bridge(review.year_finance(rv), currency)), key="fn_bridge")
with right:
    st.subheader("Inventory value at standard cost")
    st.plotly_chart(
        view.memo(
            "fn_inventory",
            lambda: stacked_by_family(
                review.inventory_value(rv), "value", view.colors, y_title=currency, split=pd.Timestamp(rv.cycle)
            ),
        ),
        key="fn_inventory",
    )

st.subheader(f"Year {rv.cycle.year} by family")
table = review.finance_table(rv)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "budget_revenue": st.column_config.NumberColumn(f"Budget revenue ({currency})", format="localized"),
        "outlook_revenue": st.column_config.NumberColumn(f"Outlook revenue ({currency})", format="localized"),
        "gap_to_budget": st.column_config.NumberColumn(f"Gap to budget ({currency})", format="localized"),
        "gap_pct": st.column_config.NumberColumn("Gap %", format="percent"),
        "budget_margin": st.column_config.NumberColumn(f"Budget margin ({currency})", format="localized"),
        "outlook_margin": st.column_config.NumberColumn(f"Outlook margin ({currency})", format="localized"),
    },
)
download_csv(table, f"finance-{rv.cycle:%Y}", key="fn_csv")
