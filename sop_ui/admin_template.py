"""The Admin page's "S&OP cycle template" section: steps (owner, owning role, due day), hand tasks, holidays.

Every change goes through ``sop_core.cycle`` with the acting person (the ``settings`` role, checked again by the
engine) and applies to cycles opened afterwards. A person without the role sees the template read-only, with
the caption saying who may change it. The steps editor passes what it showed on the previous run (``seen``), so a
save after another admin's change is refused, naming who and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from sop_core import Store
from sop_core.cycle.errors import CycleError
from sop_core.cycle.template import (
    EDITABLE_STEP_FIELDS,
    STEP_KEYS,
    add_template_task,
    cycle_template,
    step_role_choices,
    task_template,
    update_template,
)
from sop_core.cycle.workdays import add_holiday, holiday_table, holidays, remove_holiday
from sop_core.people import Actor, can, needs_role
from sop_core.people.roles import ordered
from sop_ui.cycle_cards.common import seen_before

FLASH = "admin_template_flash"
ERRORS = (CycleError, PermissionError, ValueError)
STEP_LABELS = {"name": "Step", "owner": "Owner", "owner_role": "Owning role", "offset_days": "Due (working day)"}
STEP_FIELD = {label: field for field, label in STEP_LABELS.items()}
GENERATION = "admin_steps_generation"


def apply(change: Callable[[], object], done: str, restart: str | None = None) -> None:
    """Run one engine change; on success remember ``done`` and rerun. On a refusal (nothing was written) say why;
    ``restart`` names the editor to draw again from the data as it is now (its unsaved edits dropped)."""
    try:
        change()
    except ERRORS as exc:
        if restart is None:
            st.error(f"Not saved: {exc}", icon=":material/block:")
            return
        st.session_state[restart] = st.session_state.get(restart, 0) + 1
        st.session_state[FLASH] = ("error", f"Not saved: {exc}")
        st.rerun()
    st.session_state[FLASH] = ("success", done)
    st.rerun()


def steps_frame(template: pd.DataFrame) -> pd.DataFrame:
    """The template's steps as the editor shows them (the step key as the index)."""
    frame = template.set_index("step")[list(EDITABLE_STEP_FIELDS)].rename(columns=STEP_LABELS)
    frame["Due (working day)"] = frame["Due (working day)"].astype(int)
    return frame


def _same(old: object, new: object) -> bool:
    if isinstance(old, int | float) and not isinstance(old, bool):
        number = pd.to_numeric(pd.Series([new]), errors="coerce").iloc[0]
        return bool(pd.notna(number) and float(number) == float(old))
    return str(new).strip() == str(old).strip()


def step_changes(shown: pd.DataFrame, edited: pd.DataFrame) -> dict[str, dict[str, object]]:
    """``{step: {field: new value}}`` for the cells the editor changed (an emptied cell: ``""``, refused)."""
    changes: dict[str, dict[str, object]] = {}
    for step in shown.index:
        for label, field in STEP_FIELD.items():
            old, new = shown.at[step, label], edited.at[step, label]
            new = "" if new is None or (not isinstance(new, str) and pd.isna(new)) else new
            if not _same(old, new):
                changes.setdefault(str(step), {})[field] = new
    return changes


def steps_editor(store: Store, actor: Actor, may: bool) -> None:
    """The steps: name, owner, owning role and due day, editable with the ``settings`` role; one Save."""
    shown = steps_frame(cycle_template(store))
    seen = seen_before("admin_template_steps", shown.to_dict("index"))
    roles = list(ordered(r for step in STEP_KEYS for r in step_role_choices(step)))
    if not may:
        st.dataframe(shown, width="stretch", key="admin_steps_table")
        return
    edited = st.data_editor(
        shown,
        key=f"admin_steps_editor_{st.session_state.get(GENERATION, 0)}",
        width="stretch",
        num_rows="fixed",
        column_config={
            "_index": st.column_config.TextColumn("Key", disabled=True),
            "Step": st.column_config.TextColumn(required=True),
            "Owner": st.column_config.TextColumn(required=True, help="A team or a person: a label"),
            "Owning role": st.column_config.SelectboxColumn(
                options=roles,
                required=True,
                help="Who signs the step off and ticks its tasks. The executive step: the executive (approving "
                "the plan signs it).",
            ),
            "Due (working day)": st.column_config.NumberColumn(
                min_value=1, step=1, required=True, help="Working day of the cycle, counted from its start"
            ),
        },
    )
    changes = step_changes(shown, edited)
    if st.button("Save steps", key="admin_save_steps", icon=":material/save:", disabled=not changes):
        saw = {step: {STEP_FIELD[k]: v for k, v in seen.get(step, {}).items()} for step in changes}
        apply(
            lambda: update_template(store, changes, actor=actor, seen=saw),
            f"Saved the template's steps ({', '.join(changes)}) for cycles opened from now on.",
            restart=GENERATION,
        )


def tasks_section(store: Store, actor: Actor, may: bool) -> None:
    """The template's tasks (automatic or by hand) and a form adding a hand task to a step."""
    names = cycle_template(store).set_index("step")["name"].to_dict()
    tasks = task_template(store)
    st.dataframe(
        pd.DataFrame(
            {
                "Step": tasks["step"].map(names),
                "Task": tasks["label"],
                "Ticked": ["by the data" if isinstance(a, str) else "by hand" for a in tasks["auto_check"]],
            }
        ),
        hide_index=True,
        width="stretch",
        height=(len(tasks) + 1) * 35 + 3,  # every task, no inner scrolling
        key="admin_tasks_table",
    )
    if not may:
        return
    with st.form("admin_add_task", clear_on_submit=True, border=False):
        step_col, label_col = st.columns([1, 2])
        step = step_col.selectbox("Step", list(names), format_func=names.get, key="admin_task_step")
        label = label_col.text_input("Hand task", key="admin_task_label", placeholder="e.g. Freight capacity booked")
        if st.form_submit_button("Add task", icon=":material/add_task:"):
            apply(
                lambda: add_template_task(store, str(step), label, actor=actor),
                f"Added the task “{label.strip()}” to {names.get(step, step)} for cycles opened from now on.",
            )


def holidays_section(store: Store, actor: Actor, may: bool) -> None:
    """The company's holidays (not working days for due dates): list, add, remove."""
    rows = holiday_table(store)
    if rows.empty:
        st.caption("No holidays: every Monday to Friday is a working day.")
    else:
        days = [pd.Timestamp(d).date() for d in rows["day"]]
        listed = pd.DataFrame({"Day": [f"{d:%a %d %b %Y}" for d in days], "Holiday": rows["name"]})
        st.dataframe(listed, hide_index=True, width="stretch", key="admin_holidays_table")
    if not may:
        return
    add_col, remove_col = st.columns(2, gap="large")
    with add_col, st.form("admin_add_holiday", clear_on_submit=True, border=False):
        day = st.date_input("Day", value=None, key="admin_holiday_day", format="YYYY-MM-DD")
        name = st.text_input("Name", key="admin_holiday_name", placeholder="e.g. Plant shutdown")
        if st.form_submit_button("Add holiday", icon=":material/event_busy:"):
            if day is None:
                st.error("Not saved: pick the day.", icon=":material/block:")
            else:
                weekend = " (a weekend day: not a working day anyway)" if day.weekday() >= 5 else ""
                apply(
                    lambda: add_holiday(store, day, name, actor=actor),
                    f"Added the holiday {day:%Y-%m-%d}{weekend} for cycles opened from now on.",
                )
    off = holidays(store)
    if off:
        with remove_col:
            pick = st.selectbox("Holiday", off, format_func=_holiday_label(rows), key="admin_holiday_pick")
            if st.button("Remove holiday", key="admin_remove_holiday", icon=":material/event_available:"):
                apply(
                    lambda: remove_holiday(store, pick, actor=actor),
                    f"Removed the holiday {pick:%Y-%m-%d} for cycles opened from now on.",
                )


def _holiday_label(rows: pd.DataFrame) -> Callable[[dt.date], str]:
    names = {pd.Timestamp(d).date(): str(n) for d, n in zip(rows["day"], rows["name"], strict=True)}
    return lambda day: f"{day:%Y-%m-%d} — {names.get(day, '')}"


def template_section(store: Store, actor: Actor) -> None:
    """The whole section: the caption saying when changes apply, then steps, tasks and holidays."""
    st.header("S&OP cycle template")
    st.caption(
        "The steps, owners, owning roles, due days and tasks every new cycle copies, and the holidays its due "
        "dates skip. Changes apply to cycles opened afterwards: an open cycle keeps what it was opened with."
    )
    may = can(actor, "settings")
    if not may:
        st.caption(needs_role(actor, "settings", "Changing the cycle template needs"))
    if flash := st.session_state.pop(FLASH, None):
        kind, message = flash
        if kind == "error":
            st.error(message, icon=":material/block:")
        else:
            st.success(message, icon=":material/check:")
    st.subheader("Steps")
    steps_editor(store, actor, may)
    st.subheader("Tasks")
    tasks_section(store, actor, may)
    st.subheader("Holidays")
    holidays_section(store, actor, may)
