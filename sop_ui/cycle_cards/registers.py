"""The registers card: the decision log and the assumption register, their add and edit forms, the audit trail."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS, author, refused


@st.fragment
def registers_card(store: Store, chosen: dt.date, today: dt.date, families: list[str], resources: list[str]) -> None:
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
            add_col, edit_col = st.columns(2, gap="large")
            with add_col:
                add_form(store, chosen, register, families, resources)
            with edit_col:
                edit_form(store, register, items)
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


def add_form(store: Store, chosen: dt.date, register: str, families: list[str], resources: list[str]) -> None:
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
            by=author(),
            due_date=due,
            cycle=chosen,
            family=family or None,
            resource=resource or None,
        )
    except ERRORS as exc:
        refused(exc)
        return
    cui.done("registers", f"{register.capitalize()} #{new_id} added by {author().strip()}.")


def edit_form(store: Store, register: str, items: pd.DataFrame) -> None:
    """Change the status, owner or due date of an item (each change audited)."""
    if items.empty:
        return
    ids = items.sort_values("id")["id"].tolist()
    texts = dict(zip(items["id"], items["text"], strict=True))
    picked = st.selectbox(
        f"Edit {register}", ids, key=f"cy_edit_{register}_id", format_func=lambda i: f"#{i} · {str(texts[i])[:70]}"
    )
    item = items[items["id"] == picked].iloc[0]
    with st.form(f"cy_edit_{register}_{picked}"):
        status_col, owner_col, due_col = st.columns(3)
        key = f"cy_edit_{register}_{picked}"
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
    before = {
        "status": str(item["status"]),
        "owner": str(item["owner"]),
        "due_date": None if pd.isna(item["due_date"]) else pd.Timestamp(item["due_date"]).date(),
    }
    changes = {k: v for k, v in {"status": new_status, "owner": owner, "due_date": due}.items() if v != before[k]}
    if not changes:
        st.info("Nothing changed.")
        return
    update = cy.update_decision if register == "decision" else cy.update_assumption
    try:
        update(store, int(picked), changes, by=author())
    except ERRORS as exc:
        refused(exc)
        return
    cui.done("registers", f"{register.capitalize()} #{picked}: {', '.join(changes)} changed by {author().strip()}.")
