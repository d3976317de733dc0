"""Waivers on the steps card: a failed automatic check ticked by hand with a comment, shown with who and why,
withdrawn to hand the task back to its check (the engine: :func:`sop_core.cycle.tick_task`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_core.cycle.tasks import WAIVED
from sop_core.people import Actor
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS


def waived(task: Any) -> bool:
    """True when the automatic ``task`` (a row of ``CycleStatus.tasks``) is done by a waiver, not by its check."""
    return bool(task.auto) and bool(task.done) and task.detail == WAIVED and isinstance(task.done_by, str)


def waiver_text(task: Any) -> str:
    """``waived by Lena Brandt, 2026-12-01 10:00: Assembly overtime agreed`` (who, when, why)."""
    return f"waived by {task.done_by}, {cui.when(task.done_at)}: {task.comment or ''}"


def waive_control(store: Store, actor: Actor, cycle: dt.date, task: Any) -> None:
    """A "Waive…" popover: a required comment (why the team proceeds without the check) and a button."""
    with st.popover("Waive…", icon=":material/assignment_late:"), st.form(f"cy_waive_{task.task}", border=False):
        comment = st.text_input(
            "Why the team proceeds without it",
            key=f"cy_waive_comment_{cycle:%Y-%m}_{task.task}",
            placeholder="required, e.g. actuals of one family arrive late; agreed to proceed",
        )
        if not st.form_submit_button("Waive", icon=":material/done:", key=f"cy_waive_btn_{task.task}"):
            return
    note = comment.strip()
    if not note:  # refused here, under the task, before the engine (which refuses it too, naming the task's key)
        st.error(
            f"Not done: waiving “{task.label}” needs a comment saying why the team proceeds.", icon=":material/block:"
        )
        return
    try:
        cy.tick_task(store, cycle, task.task, actor=actor, done=True, comment=note)
    except ERRORS as exc:  # e.g. approved or signed off meanwhile: say why and redraw the page as it is now
        cui.flash("steps", "error", f"Not done: {exc}")
        st.rerun()
    cui.done("steps", f"“{task.label}” waived by {actor.author}: {note}")


def withdraw_control(store: Store, actor: Actor, cycle: dt.date, task: Any) -> None:
    """A button that withdraws the waiver of ``task``: it is checked by the data again."""
    if not st.button("Withdraw the waiver", icon=":material/undo:", key=f"cy_unwaive_{cycle:%Y-%m}_{task.task}"):
        return
    try:
        cy.tick_task(store, cycle, task.task, actor=actor, done=False)
    except ERRORS as exc:  # e.g. approved or signed off meanwhile: say why and redraw the page as it is now
        cui.flash("steps", "error", f"Not done: {exc}")
        st.rerun()
    cui.done("steps", f"Waiver of “{task.label}” withdrawn by {actor.author}; the data checks it again.")
