"""Family sheet: the classic S&OP spreadsheet of one family, months as columns."""

import streamlit as st

from sop_core import review
from sop_core.charts.review import decision_panel
from sop_ui.format import download_csv
from sop_ui.review import open_review
from sop_ui.tables import flagged_table

view = open_review(
    "Family sheet",
    f"The last {review.HISTORY_MONTHS} closed months and the horizon. diff = actual − plan; cumulative diff since the "
    "first month shown. Inventory / backlog: counted for closed months, projected for the horizon. "
    "Highlighted: out of tolerance, out of the target range, or backorders.",
)
rv = view.review


@st.fragment
def sheet() -> None:
    """The family picker, its sheet and its picture (reruns alone when the family changes)."""
    names = rv.master["family"].tolist()
    if st.session_state.get("fs_family") not in names:
        st.session_state["fs_family"] = names[0]
    family = st.selectbox("Family", names, key="fs_family")
    strategy = rv.master.set_index("family").loc[family, "strategy"]
    st.caption("Make-to-order: orders, shipments and backlog." if strategy == "mto" else "Make-to-stock.")
    table, flags = view.memo(f"fs_table_{family}", lambda: review.family_sheet(rv, family))
    flagged_table(table, flags)
    download_csv(table, f"family-sheet-{family}-{rv.cycle:%Y-%m}", key="fs_csv", index=True)
    st.plotly_chart(
        view.memo(
            f"fs_chart_{family}",
            lambda: decision_panel(
                rv.sales, review.supply_projection(rv), rv.finance, [family], view.colors, view.currency
            ),
        ),
        key="fs_chart",
    )


sheet()
