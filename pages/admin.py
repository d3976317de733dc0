"""People (Admin): who holds which roles, the default role for everyone else, and the audit of changes; then the
S&OP cycle template (steps, owning roles, due days, tasks, holidays: ``sop_ui.admin_template``).

Every change goes through ``sop_core.people`` / ``sop_core.cycle`` with the acting person, which checks the role
again.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from sop_core.people import (
    DEFAULT_ROLE_CHOICES,
    NO_ACCESS,
    ROLE_LABELS,
    ROLES,
    add_person,
    can,
    default_role,
    list_people,
    people_frame,
    people_history,
    remove_person,
    set_default_role,
    set_roles,
)
from sop_ui.admin_template import template_section
from sop_ui.auth import current_actor, people_changed
from sop_ui.store import get_store

FLASH = "admin_flash"

store = get_store()
actor = current_actor()

st.title("People")
st.caption(
    "Who may sign in with which roles. Everyone signed in can read; the roles decide what a person may "
    "change. A person may hold several roles."
)
if not can(actor, "manage_people"):
    st.error(f"{actor.email} ({actor.role_text}) may not manage people and roles: needs admin.", icon=":material/lock:")
    st.stop()
if actor.local:
    st.info(
        "Local mode: sign-in is not configured, so these roles take effect once it is (README, “Sign-in and "
        "roles”). Changes made here are recorded as made by “local”.",
        icon=":material/info:",
    )
if flash := st.session_state.pop(FLASH, None):
    st.success(flash, icon=":material/check:")


def apply(change: Callable[[], object], done: str) -> None:
    """Run one engine change; on success remember ``done`` and rerun, on refusal say why."""
    try:
        change()
    except (PermissionError, ValueError) as exc:
        st.error(str(exc), icon=":material/block:")
        return
    people_changed()
    st.session_state[FLASH] = done
    st.rerun()


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, "No access" if role == NO_ACCESS else role)


st.dataframe(
    people_frame(store),
    hide_index=True,
    width="stretch",
    column_config={"added_at": st.column_config.DatetimeColumn("added at", format="YYYY-MM-DD HH:mm")},
)

add_col, edit_col = st.columns(2, gap="large")
with add_col, st.form("admin_add", clear_on_submit=True):
    st.subheader("Add a person")
    email = st.text_input("E-mail (as the identity provider gives it)", key="admin_add_email")
    name = st.text_input("Display name (optional)", key="admin_add_name")
    roles = st.multiselect("Roles", ROLES, default=["viewer"], format_func=role_label, key="admin_add_roles")
    if st.form_submit_button("Add", type="primary", icon=":material/person_add:"):
        apply(lambda: add_person(store, actor, email, roles, name=name), f"Added {email.strip().lower()}.")

with edit_col:
    st.subheader("Change or remove")
    people = {p.email: p for p in list_people(store)}
    if not people:
        st.caption("Nobody is listed yet.")
    else:
        who = st.selectbox("Person", list(people), key="admin_edit_person")
        current = list(people[who].roles)
        new_roles = st.multiselect(
            "Roles (none: no access)", ROLES, default=current, format_func=role_label, key=f"admin_edit_roles_{who}"
        )
        save_col, remove_col = st.columns(2)
        if save_col.button(
            "Save roles", icon=":material/save:", disabled=set(new_roles) == set(current), key="admin_save_roles"
        ):
            apply(lambda: set_roles(store, actor, who, new_roles), f"Saved the roles of {who}.")
        if remove_col.button("Remove", icon=":material/person_remove:", key="admin_remove"):
            apply(lambda: remove_person(store, actor, who), f"Removed {who}; they now get the default role.")

st.subheader("Everyone else")
choice = default_role(store)
picked = st.selectbox(
    "A signed-in person who is not listed gets",
    DEFAULT_ROLE_CHOICES,
    index=DEFAULT_ROLE_CHOICES.index(choice),
    format_func=role_label,
    key="admin_default_role",
    disabled=not can(actor, "settings"),
)
if picked != choice and st.button("Save default role", icon=":material/save:", key="admin_save_default"):
    apply(lambda: set_default_role(store, actor, picked), f"Unlisted people now get: {picked}.")
st.caption(
    "With a provider open to any account (a consumer Google or Microsoft login), choose “No access” and "
    "list the people who may use the dashboard."
)

with st.expander("Changes", icon=":material/history:"):
    st.dataframe(people_history(store), hide_index=True, width="stretch")

template_section(store, actor)
