"""Cycle: the monthly S&OP process — steps and owners, tasks, the supply plan, reconciliation, agenda, approval,
decisions and assumptions, the pre-read. Every write calls the cycle engine (sop_core.cycle) as the signed-in person
(sop_ui.auth.current_actor), who sees only the controls their roles allow, and says what it did."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd
import streamlit as st

from sop_core.months import business_today
from sop_ui import cycle as cui
from sop_ui.auth import current_actor
from sop_ui.cycle_cards.approval import approval_card
from sop_ui.cycle_cards.common import PICK_NEXT
from sop_ui.cycle_cards.header import header, open_next_cycle
from sop_ui.cycle_cards.meeting import agenda_card, reconciliation_card
from sop_ui.cycle_cards.registers import registers_card
from sop_ui.cycle_cards.steps import steps_card
from sop_ui.cycle_cards.supply import supply_card
from sop_ui.store import get_store

EMPTY_MESSAGE = (
    "No S&OP cycle yet: the store has no plan. Load master data, actuals and a plan on the **Data** "
    "page (or create the demo company with `python -m sop_core demo`), then open the first cycle."
)


store = get_store()
actor = current_actor()
today = business_today()
st.title("S&OP cycle")
st.caption(
    "The monthly rhythm: data, demand review, supply review, pre-S&OP reconciliation and the executive "
    "meeting that approves one plan. Error = actual − forecast."
)
stamp = cui.stamp(store)
cycles = cui.load_cycles(store, store.path, stamp, today)
family_list, resource_list, currency = cui.load_master(store, store.path, stamp)
if cycles.empty:
    st.info(EMPTY_MESSAGE, icon=":material/inbox:")
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/upload_file:")
    if family_list:
        open_next_cycle(store, actor, latest_approved=True)
    st.stop()

options = [pd.Timestamp(c).date() for c in cycles["cycle"]]
if PICK_NEXT in st.session_state:  # a cycle just opened: show it
    st.session_state["cy_cycle_pick"] = st.session_state.pop(PICK_NEXT)
labels = {c: f"{c:%B %Y}" + (" (latest)" if i == 0 else "") for i, c in enumerate(options)}
if st.session_state.get("cy_cycle_pick") not in options:
    st.session_state["cy_cycle_pick"] = options[0]
chosen = cast(
    dt.date, st.sidebar.selectbox("Cycle", options, key="cy_cycle_pick", format_func=lambda c: labels.get(c, str(c)))
)
status = cui.load_status(store, store.path, stamp, chosen, today)
latest = chosen == options[0]
editable = status.plan_status == "draft"

st.subheader(f"Cycle {chosen:%B %Y}")
cui.show_flash("open")
header(status)
if latest and status.approved:
    with st.container(border=True):
        st.markdown(
            "**This cycle is approved: open the next one.** Its draft starts from this plan; open decisions "
            "and assumptions come along."
        )
        open_next_cycle(store, actor, latest_approved=True)

steps_card(store, actor, status, today)
supply_card(store, actor, chosen, editable, currency, family_list)
reconciliation_card(cui.load_reconciliation(store, store.path, stamp, chosen), chosen, currency)
agenda_card(cui.load_agenda(store, store.path, stamp, chosen, today), chosen, currency)
approval_card(store, actor, status, latest)
registers_card(store, actor, chosen, today, family_list, resource_list)
try:
    from sop_ui.preread import preread_section
except ImportError:  # the pre-read lands with its own change
    st.caption("The meeting pre-read is not available in this version.")
else:
    preread_section(store, chosen)
if not latest or not status.approved:
    with st.expander("Open the next cycle", icon=":material/event_repeat:"):
        st.caption(
            "Opening rolls the last approved plan forward into a new 18-month draft, runs the statistical "
            "baseline, carries overrides still inside the horizon (flagged for review) and the open "
            "decisions and assumptions. The latest cycle must be approved first."
        )
        open_next_cycle(store, actor, latest_approved=bool(latest and status.approved))
