"""Overview: the state of the business this cycle in one screen."""

import streamlit as st

from sop_core import review
from sop_core.charts.review import Line, small_multiples
from sop_ui.cycle import overdue_section
from sop_ui.format import download_csv, kpi_tiles, money
from sop_ui.review import open_review
from sop_ui.tables import status_table

PAGES = {"Demand review": "pages/demand.py", "Supply review": "pages/supply.py", "Finance review": "pages/finance.py"}

view = open_review(
    "S&OP overview", "This cycle against the plan of record and the business plan; changes vs the previous cycle."
)
rv = view.review
st.subheader(f"Cycle {rv.cycle:%B %Y}")
kpi_tiles(view.memo("kpis", lambda: review.overview_kpis(rv, view.previous())), view.currency)

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Family status")
    grid = view.memo("status", lambda: review.status_grid(rv))
    status_table(grid)
    download_csv(grid, f"status-{rv.cycle:%Y-%m}", key="ov_grid_csv")
with right:
    st.subheader("Where to look next")
    ranked = view.memo("exceptions", lambda: review.exceptions(rv))
    if ranked.empty:
        st.success("No exceptions this cycle.", icon=":material/check_circle:")
    for row in ranked.head(5).itertuples():
        with st.container(border=True):
            st.markdown(
                f"**{row.subject}** — {row.rule} · {money(row.money, view.currency)} at stake  \n"
                f"{row.detail} ({row.months})"
            )
            st.page_link(PAGES[row.page], label=f"Open {row.page}", icon=":material/arrow_forward:")

st.subheader("Demand: actual vs plan of record")
st.plotly_chart(
    view.memo(
        "ov_demand",
        lambda: small_multiples(
            review.with_tolerance_band(rv.sales, rv.master),
            [Line("plan", "plan"), Line("actual", "actual")],
            view.colors,
            band=("band_lo", "band_hi", "tolerance"),
        ),
    ),
    key="ov_demand",
)

overdue_section(view.store)  # open decisions and assumptions past their due date
