"""S&OP dashboard entry point: page config, the shared store, and navigation."""

import streamlit as st

from sop_ui.auth import admin_pages, sign_in_gate
from sop_ui.heap import freeze_once
from sop_ui.store import get_store

st.set_page_config(page_title="S&OP dashboard", page_icon=":material/insights:", layout="wide")

PAGES = {
    "Monthly review": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/demand.py", title="Demand review", icon=":material/trending_up:"),
        st.Page("pages/supply.py", title="Supply review", icon=":material/factory:"),
        st.Page("pages/finance.py", title="Finance review", icon=":material/payments:"),
        st.Page("pages/executive.py", title="Executive review", icon=":material/gavel:"),
        st.Page("pages/family_sheet.py", title="Family sheet", icon=":material/table_view:"),
    ],
    "Plan": [
        st.Page("pages/cycle.py", title="Cycle", icon=":material/event_repeat:"),
        st.Page("pages/scenarios.py", title="Scenarios", icon=":material/tune:"),
        st.Page("pages/demand_planning.py", title="Demand planning", icon=":material/query_stats:"),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    ],
}

actor = sign_in_gate()  # local mode, or the signed-in person; a visitor sees only the sign-in screen
page = st.navigation({**PAGES, **admin_pages(actor)})
get_store()  # open (and on first start create) the store before any page runs
page.run()
freeze_once()  # after the first run: keeps Streamlit's after-run GC off the long-lived heap
