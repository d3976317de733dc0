"""The cycle's header (plan status, progress, current step, open items) and opening the next cycle."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_core.people import Actor
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS, PICK_NEXT, permitted, refused


def header(status: cy.CycleStatus) -> None:
    """Where the cycle stands: plan status, progress, current step, open items."""
    tasks = status.tasks
    current = status.steps[status.steps["step"] == status.current_step]
    cols = st.columns(4)
    plan = "approved" if status.approved else (status.plan_status or "no plan")
    cols[0].metric(
        "Plan",
        plan,
        f"frozen · by {status.approved_by}" if status.approved else "open for changes",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=f"Checksum of the frozen snapshot: {status.checksum}" if status.checksum else None,
    )
    cols[1].metric(
        "Progress",
        f"{status.progress:.0%}",
        f"{int(tasks['done'].fillna(False).sum())} of {len(tasks)} tasks done",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    with cols[2].container(border=True, height="stretch"):
        if current.empty:
            st.markdown("Current step  \n**All steps done**")
        else:
            step = current.iloc[0]
            st.markdown(f"Current step · {step['status']}  \n#### {step['name']}")
            st.caption(f"{step['owner']} · due {pd.Timestamp(step['due_date']):%a %d %b}")
    cols[3].metric(
        "Open decisions / assumptions",
        f"{status.open_decisions} / {status.open_assumptions}",
        f"{status.overdue_decisions + status.overdue_assumptions} overdue",
        delta_color="inverse" if status.overdue_decisions + status.overdue_assumptions else "off",
        delta_arrow="off",
        border=True,
    )
    st.progress(
        min(max(status.progress, 0.0), 1.0),
        text=f"Cycle {status.cycle:%B %Y}: {status.progress:.0%} of the "
        "tasks done"
        + (
            f" · opened by {status.opened_by} from the plan of {status.from_cycle:%B %Y}"
            if status.opened_by and status.from_cycle
            else ""
        ),
    )
    if status.carried_overrides_to_review:
        st.info(
            f"{status.carried_overrides_to_review} override cell(s) were carried from the previous cycle and await "
            "review on the Demand planning page.",
            icon=":material/history:",
        )
        st.page_link(
            "pages/demand_planning.py", label="Review them on Demand planning", icon=":material/arrow_forward:"
        )


def open_next_cycle(store: Store, actor: Actor, latest_approved: bool) -> None:
    """Open the month after the latest plan cycle (roll forward, then the baseline with a progress bar).

    Only for people who may open cycles and run the baseline; others get a caption saying who may.
    """
    if not (permitted(actor, "run_cycle", "Opening a cycle") and permitted(actor, "forecast", "Opening a cycle")):
        return
    mode_col, button_col = st.columns([3, 2], vertical_alignment="bottom")
    mode = mode_col.radio(
        "Statistical baseline",
        ["quick", "full"],
        horizontal=True,
        key="cy_open_mode",
        format_func=lambda m: {"quick": "quick (seconds)"}.get(m, "full model choice (minutes)"),
        help="The baseline run when the cycle opens; the full model choice can also be run later "
        "on the Demand planning page.",
    )
    pressed = button_col.button(
        "Open the next cycle",
        key="cy_open",
        icon=":material/event_repeat:",
        type="primary" if latest_approved else "secondary",
        width="stretch",
        help=None if latest_approved else "Approve the latest cycle's plan first.",
    )
    if not pressed:
        return
    bar = st.progress(0.0, text="Rolling the approved plan forward…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    try:
        opened = cy.open_cycle(store, actor=actor, mode=cast(Any, mode), progress=progress)
    except ERRORS as exc:
        bar.empty()
        refused(exc)
        return
    st.session_state[PICK_NEXT] = opened.cycle
    source = f" from the plan of {opened.from_cycle:%B %Y}" if opened.from_cycle else ""
    cui.done(
        "open",
        f"Cycle {opened.cycle:%B %Y} opened{source} by {actor.author}: "
        f"{opened.plan_rows} plan rows rolled forward, {opened.overrides_carried} override cell(s), "
        f"{opened.decisions_carried} open decision(s) and {opened.assumptions_carried} assumption(s) carried, "
        f"{opened.baseline_rows} baseline rows.",
    )
