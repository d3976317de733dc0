"""The steps and tasks card: timeline, step table, task rows (automatic, waived or ticked by hand) and the sign-off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_core.charts.cycle import STEP_COLORS, step_timeline
from sop_core.cycle.template import EXECUTIVE, may_work_on, step_role_hint
from sop_core.people import Actor, can
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS, permitted, refused
from sop_ui.cycle_cards.waivers import waive_control, waived, waiver_text, withdraw_control


def step_table(steps: pd.DataFrame) -> None:
    """The five steps: owner, owning role (who signs off and ticks), due date, status in its colour, tasks, sign-off."""
    frame = cui.step_frame(steps)
    frame.insert(2, "Role", steps["owner_role"].fillna("").to_numpy())
    styled = frame.style.map(
        lambda s: f"background-color: {STEP_COLORS.get(s, '#9e9e9e')}; color: #ffffff; font-weight: 600",
        subset=["Status"],
    )
    st.dataframe(styled, hide_index=True, width="stretch", key="cy_steps_table")


def may_work_on_step(actor: Actor, role: object) -> bool:
    """True when ``actor`` holds the step's owning role (a step without one: whoever may sign off steps)."""
    return may_work_on(actor, str(role)) if isinstance(role, str) and role else can(actor, "sign_off")


@st.fragment
def steps_card(store: Store, actor: Actor, status: cy.CycleStatus, today: dt.date) -> None:
    """The timeline, the step table, each step's tasks (auto-checked or ticked by hand) and the sign-off.

    A step's hand tasks are ticked, its failed automatic checks waived (with a comment), and the step signed off, by
    holders of its owning role (signing off also needs ``sign_off``); for anyone else the tasks are shown as text
    (a waiver with who and why) and a caption says which role may.
    """
    st.subheader("Steps and tasks")
    cui.show_flash("steps")
    st.plotly_chart(
        step_timeline(status.steps, status.start, today), key="cy_timeline", config={"displayModeBar": False}
    )
    st.caption(
        "Each step runs from the previous step's due date to its own (working days from the cycle's start). "
        + " · ".join(
            f":{c}[■ {s}]"
            for s, c in (("done", "green"), ("in progress", "blue"), ("overdue", "red"), ("not started", "gray"))
        )
        + " — Role: who signs the step off and ticks its tasks."
    )
    step_table(status.steps)
    locked = status.approved
    for step in status.steps.itertuples():
        tasks = status.tasks[status.tasks["step"] == step.step]
        mine = may_work_on_step(actor, step.owner_role)
        signed = isinstance(step.signed_by, str) and bool(step.signed_by)
        icon = {"done": ":material/check_circle:", "overdue": ":material/warning:"}.get(
            str(step.status), ":material/radio_button_unchecked:"
        )
        with st.expander(
            f"{step.position}. {step.name} — {step.status} · {step.tasks_done}/{step.tasks_total} tasks",
            expanded=step.step == status.current_step,
            icon=icon,
        ):
            waivable = step.step != EXECUTIVE and (tasks["auto"] & ~tasks["done"]).any()
            if not (mine or locked or signed) and ((~tasks["auto"]).any() or waivable):
                st.caption(step_role_hint(actor, str(step.owner_role), "Ticking tasks needs"))
            for task in tasks.itertuples():
                task_row(store, actor, status, step.signed_by, task, locked, mine)
            if step.step == status.current_step and step.step != EXECUTIVE and not locked:
                if permitted(actor, "sign_off", "Signing off a step"):
                    if mine:
                        sign_off(store, actor, status.cycle, str(step.step), str(step.name))
                    else:
                        st.caption(step_role_hint(actor, str(step.owner_role), f"Signing off {step.name} needs"))
            elif step.step == EXECUTIVE and not status.approved:
                st.caption("The executive step is signed off by approving the plan (below).")


def task_row(
    store: Store, actor: Actor, status: cy.CycleStatus, signed_by: object, task: Any, locked: bool, may_tick: bool
) -> None:
    """An automatic task shows what the data says, or its waiver (who, why); a hand task is a checkbox (ticks record
    the person), or text for a person who may not tick. Holders of the step's role waive a failed check (outside the
    executive step) or withdraw a waiver while the step is open."""
    done = bool(task.done) if not pd.isna(task.done) else False
    who = f" — {task.done_by}, {cui.when(task.done_at)}" if isinstance(task.done_by, str) and task.done_by else ""
    frozen = locked or (isinstance(signed_by, str) and bool(signed_by))
    if task.auto:
        mark = (
            ":red[:material/cancel:]"
            if not done
            else ":orange[:material/check_circle:]"
            if waived(task)
            else (":green[:material/check_circle:]")
        )
        found = waiver_text(task) if waived(task) else f"{task.detail or ''}{who}"
        st.markdown(f"{mark} **{task.label}** · _automatic_  \n{found}")
        if may_tick and not frozen and waived(task):
            withdraw_control(store, actor, status.cycle, task)
        elif may_tick and not frozen and not done and task.step != EXECUTIVE:
            waive_control(store, actor, status.cycle, task)
        return
    if not may_tick:
        mark = ":green[:material/check_box:]" if done else ":material/check_box_outline_blank:"
        st.markdown(f"{mark} {task.label}{who}")
        return
    generation = st.session_state.get("cy_tick_generation", 0)
    ticked = st.checkbox(
        f"{task.label}{who}",
        value=done,
        disabled=frozen,
        help="Ticked by hand; records who ticked it.",
        key=f"cy_tick_{status.cycle:%Y-%m}_{task.task}_{done}_{generation}",
    )
    if ticked != done:
        try:
            cy.tick_task(store, status.cycle, task.task, actor=actor, done=ticked)
        except ERRORS as exc:  # put the box back as stored and say why
            st.session_state["cy_tick_generation"] = generation + 1
            cui.flash("steps", "error", f"Not done: {exc}")
            st.rerun(scope="fragment")
        cui.done("steps", f"“{task.label}” {'ticked' if ticked else 'unticked'} by {actor.author}.")


def sign_off(store: Store, actor: Actor, chosen: dt.date, step: str, name: str) -> None:
    """Sign off the current step with a comment."""
    with st.form(f"cy_sign_{step}", border=False):
        comment = st.text_input("Sign-off comment", key=f"cy_sign_comment_{step}", placeholder="optional")
        if st.form_submit_button(f"Sign off: {name}", icon=":material/how_to_reg:", type="primary"):
            try:
                cy.sign_off_step(store, chosen, step, actor=actor, comment=comment)
            except ERRORS as exc:
                refused(exc)
                return
            cui.done("steps", f"{name} signed off by {actor.author}.")
