"""The approval card: approve the plan (freeze it) or reopen it with a reason — for people with the approve role."""

from __future__ import annotations

import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_core.people import Actor
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS, permitted, refused


def approval_card(store: Store, actor: Actor, status: cy.CycleStatus, latest: bool) -> None:
    """Approve the plan (freezes it as the plan of record) or reopen it with a reason."""
    st.subheader("Approval")
    cui.show_flash("approval")
    if status.approved:
        st.success(
            f"Approved by {status.approved_by} on {cui.when(status.approved_at)} — the plan of record, frozen. "
            f"Snapshot checksum `{(status.checksum or '')[:16]}…`",
            icon=":material/verified:",
        )
        if not permitted(actor, "approve", "Reopening the plan"):
            return
        with st.form("cy_reopen_form", border=True):
            reason = st.text_input("Reason for reopening (required)", key="cy_reopen_reason")
            if st.form_submit_button(
                "Reopen the plan",
                icon=":material/lock_open:",
                help=None if latest else "Only the latest cycle can be reopened.",
            ):
                try:
                    cy.reopen_cycle(store, status.cycle, actor=actor, reason=reason)
                except ERRORS as exc:
                    refused(exc)
                    return
                cui.done("approval", f"Cycle {status.cycle:%B %Y} reopened by {actor.author}: {reason.strip()}")
        return
    st.caption(
        "Approving freezes this cycle's plan as the plan of record (who, when and a checksum of the "
        "frozen snapshot); every later write to it is refused."
    )
    if not permitted(actor, "approve", "Approving the plan"):
        return
    with st.form("cy_approve_form", border=True):
        comment = st.text_input("Approval comment", key="cy_approve_comment")
        if st.form_submit_button("Approve the plan", icon=":material/verified:", type="primary"):
            try:
                checksum = cy.approve_cycle(store, status.cycle, actor=actor, comment=comment)
            except ERRORS as exc:
                refused(exc)
                return
            cui.done("approval", f"Plan of {status.cycle:%B %Y} approved by {actor.author}; checksum {checksum[:16]}….")
