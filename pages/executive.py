"""Executive review: headline KPIs, exceptions by money at stake, the decisions and trade-offs of this cycle."""

import streamlit as st

from sop_core import review
from sop_core.charts.review import decision_panel
from sop_core.export import neutralise
from sop_ui.cycle import overdue_section
from sop_ui.format import download_csv, kpi_tiles
from sop_ui.review import open_review

view = open_review(
    "Executive S&OP review", "Performance against the business plan, the exceptions and the decisions this cycle."
)
rv, currency = view.review, view.currency
kpi_tiles(view.memo("kpis", lambda: review.overview_kpis(rv, view.previous())), currency)

st.subheader("Exceptions, ranked by money at stake")
ranked = view.memo("exceptions", lambda: review.exceptions(rv))
if ranked.empty:
    st.success("No exceptions this cycle: the plan is within tolerance everywhere.", icon=":material/check_circle:")
else:
    st.dataframe(
        ranked.drop(columns="page"),
        hide_index=True,
        width="stretch",
        column_config={
            "rule": "Exception",
            "subject": "Family / resource",
            "detail": st.column_config.TextColumn("What", width="large"),
            "months": "When",
            "money": st.column_config.NumberColumn(f"At stake ({currency})", format="compact"),
        },
    )
    download_csv(ranked, f"exceptions-{rv.cycle:%Y-%m}", key="ex_csv")

st.subheader("Families that need a decision")
st.caption(
    "Demand (actual solid, plan dashed), stock or backlog against its target band, revenue outlook "
    "against budget (dotted)."
)
st.plotly_chart(
    view.memo(
        "ex_decide",
        lambda: decision_panel(
            rv.sales,
            review.supply_projection(rv),
            rv.finance,
            review.decision_families(rv, ranked),
            view.colors,
            currency,
        ),
    ),
    key="ex_decide",
)

st.subheader("Trade-offs open this cycle")
open_scenarios = review.open_trade_offs(view.store, rv.cycle)
if open_scenarios.empty:
    st.info("No scenario has been prepared for this cycle yet.", icon=":material/tune:")
    st.page_link("pages/scenarios.py", label="Prepare scenarios", icon=":material/arrow_forward:")
else:
    st.dataframe(neutralise(open_scenarios), hide_index=True, width="stretch")  # the grid's CSV download too
    download_csv(open_scenarios, f"trade-offs-{rv.cycle:%Y-%m}", key="ex_trade_csv")

overdue_section(view.store)  # open decisions and assumptions past their due date
