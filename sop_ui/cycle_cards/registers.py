"""The registers card: the decision log and the assumption register, their add and edit forms, the audit trail.

The forms are for people with the ``decide`` role. An edit passes what the person saw (:func:`seen_before`): a save
made after someone else changed the item is refused by the engine, naming who and when, and the form is redrawn
with the item as it is now, so that the person applies their change again.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_core.people import Actor
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS, permitted, refused, seen_before

GENERATION = "cy_edit_generation"  # bumped after a refused stale save: the edit form starts again from the data


@st.fragment
def registers_card(
    store: Store, actor: Actor, chosen: dt.date, today: dt.date, families: list[str], resources: list[str]
) -> None:
    """The decision log and the assumption register: add, edit status / owner / due date; audit trail."""
    st.subheader("Decisions and assumptions")
    cui.show_flash("registers")
    registers = cui.load_registers(store, store.path, cui.stamp(store), today)
    tabs = st.tabs(["Decision log", "Assumption register"])
    for tab, register, items in zip(
        tabs, ("decision", "assumption"), (registers.decisions, registers.assumptions), strict=True
    ):
        with tab:
            register_table(items, register)
            if permitted(actor, "decide", f"Adding or changing {register}s"):
                add_col, edit_col = st.columns(2, gap="large")
                with add_col:
                    add_form(store, actor, chosen, register, families, resources)
                with edit_col:
                    edit_form(store, actor, register, items)
            trail = registers.audit[registers.audit["register"] == register]
            with st.expander(f"Audit trail ({len(trail)} changes)", icon=":material/history:"):
                st.dataframe(
                    trail.sort_values("changed_at", ascending=False),
                    hide_index=True,
                    width="stretch",
                    key=f"cy_audit_{register}",
                )


def register_table(items: pd.DataFrame, register: str) -> None:
    """The register, open items first, overdue rows highlighted."""
    if items.empty:
        st.caption(f"No {register}s yet.")
        return
    shown = cui.register_frame(items)
    overdue = shown["Status"].eq("overdue").to_numpy()
    styled = shown.style.apply(
        lambda row: [
            "background-color: rgba(212,63,58,0.28); font-weight: 600" if overdue[row.name] else "" for _ in row
        ],
        axis=1,
    )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        key=f"cy_{register}_table",
        column_config={"What": st.column_config.TextColumn("What", width="large")},
    )
    if overdue.any():
        st.caption(f":red[{int(overdue.sum())} overdue] (open and past their due date), highlighted.")


def add_form(
    store: Store, actor: Actor, chosen: dt.date, register: str, families: list[str], resources: list[str]
) -> None:
    """Add a decision or an assumption to this cycle."""
    with st.form(f"cy_add_{register}", clear_on_submit=True):
        st.markdown(f"**Add a{'n' if register == 'assumption' else ''} {register}**")
        text = st.text_area("Text", key=f"cy_add_{register}_text", height=80)
        owner_col, due_col = st.columns(2)
        owner = owner_col.text_input("Owner", key=f"cy_add_{register}_owner")
        due = due_col.date_input("Due date", value=None, key=f"cy_add_{register}_due")
        fam_col, res_col = st.columns(2)
        family = fam_col.selectbox("Family", ["", *families], key=f"cy_add_{register}_family")
        resource = res_col.selectbox("Resource", ["", *resources], key=f"cy_add_{register}_resource")
        if not st.form_submit_button(f"Add {register}", icon=":material/add:"):
            return
    add = cy.add_decision if register == "decision" else cy.add_assumption
    try:
        new_id = add(
            store,
            text,
            owner=owner,
            actor=actor,
            due_date=due,
            cycle=chosen,
            family=family or None,
            resource=resource or None,
        )
    except ERRORS as exc:
        refused(exc)
        return
    cui.done("registers", f"{register.capitalize()} #{new_id} added by {actor.author}.")


def edit_form(store: Store, actor: Actor, register: str, items: pd.DataFrame) -> None:
    """Change the status, owner or due date of an item (each change audited; refused when it changed since)."""
    if items.empty:
        return
    ids = items.sort_values("id")["id"].tolist()
    texts = dict(zip(items["id"], items["text"], strict=True))
    picked = st.selectbox(
        f"Edit {register}", ids, key=f"cy_edit_{register}_id", format_func=lambda i: f"#{i} · {str(texts[i])[:70]}"
    )
    item = items[items["id"] == picked].iloc[0]
    now = {
        "status": str(item["status"]),
        "owner": str(item["owner"]),
        "due_date": None if pd.isna(item["due_date"]) else pd.Timestamp(item["due_date"]).date(),
        "updated_at": None if pd.isna(item["updated_at"]) else pd.Timestamp(item["updated_at"]).to_pydatetime(),
    }
    before = seen_before(f"{register}_{picked}", now)
    key = f"cy_edit_{register}_{picked}_{st.session_state.get(GENERATION, 0)}"
    with st.form(key):
        status_col, owner_col, due_col = st.columns(3)
        new_status = status_col.selectbox(
            "Status",
            list(cy.ITEM_STATUSES),
            key=f"{key}_status",
            index=list(cy.ITEM_STATUSES).index(str(item["status"])),
        )
        owner = owner_col.text_input("Owner", value=str(item["owner"]), key=f"{key}_owner")
        due = due_col.date_input(
            "Due date",
            key=f"{key}_due",
            value=None if pd.isna(item["due_date"]) else pd.Timestamp(item["due_date"]).date(),
        )
        if not st.form_submit_button("Save changes", icon=":material/save:"):
            return
    changes = {k: v for k, v in {"status": new_status, "owner": owner, "due_date": due}.items() if v != before[k]}
    if not changes:
        st.info("Nothing changed.")
        return
    update = cy.update_decision if register == "decision" else cy.update_assumption
    try:
        update(store, int(picked), changes, actor=actor, seen=before["updated_at"])
    except cy.EditConflictError as exc:  # start the form again from the item as it is now, and say why
        st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
        cui.flash("registers", "error", f"Not done: {exc}")
        st.rerun()  # the whole page: a click reruns a fragment only in the browser, not always
    except ERRORS as exc:
        refused(exc)
        return
    cui.done("registers", f"{register.capitalize()} #{picked}: {', '.join(changes)} changed by {actor.author}.")
