"""The registers card: the decision log and the assumption register, their forms, each item's audit trail.

The table shows the links as names (family, scenario, resource) and makes overdue items stand out (highlighted,
"overdue" as the status, the days late beside the due date). The add and edit forms (:mod:`.register_forms`) are
for people with the ``decide`` role; everyone can pick an item and read its history (who, when, field,
old → new), read through the engine (:func:`sop_core.cycle.audit_trail`, via the page's cached loader).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from sop_core import Store, list_scenarios
from sop_core import cycle as cy
from sop_core.people import Actor
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import permitted
from sop_ui.cycle_cards.register_forms import (
    FIELD_LABELS,
    NONE,
    add_form,
    edit_form,
    optional_id,
    pick_item,
    scenario_label,
)

OVERDUE_STYLE = "background-color: rgba(212,63,58,0.18); color: #8f1d1a; font-weight: 600"
HISTORY_COLUMNS = ["When", "Who", "Field", "Change"]
TABLE_ORDER = ["#", "What", "Owner", "Due", "Status", "Family", "Scenario", "Carried", "Resource", "Cycle"]


@st.cache_data(show_spinner=False, ttl=cui.CACHE_TTL, max_entries=4)
def load_scenario_names(_store: Store, path: str, stamp: str) -> dict[int, str]:
    """The saved scenarios, id → name (newest first): the forms' scenario picker and the table's links."""
    saved = list_scenarios(_store)
    return {int(i): str(n) for i, n in zip(saved["scenario_id"], saved["name"], strict=True)}


@st.cache_data(show_spinner=False, ttl=cui.CACHE_TTL, max_entries=8)
def load_carried(_store: Store, path: str, stamp: str, chosen: dt.date) -> dict[str, set[int]]:
    """Per register, the ids of the items carried into ``chosen`` (open when it opened)."""
    lists = {"decision": cy.list_decisions(_store, chosen), "assumption": cy.list_assumptions(_store, chosen)}
    return {register: {int(i) for i in frame.loc[frame["carried"], "id"]} for register, frame in lists.items()}


@st.fragment
def registers_card(
    store: Store, actor: Actor, chosen: dt.date, today: dt.date, families: list[str], resources: list[str]
) -> None:
    """The decision log and the assumption register: add, edit every field, each item's history, the audit trail."""
    st.subheader("Decisions and assumptions")
    cui.show_flash("registers")
    stamp = cui.stamp(store)
    registers = cui.load_registers(store, store.path, stamp, today)
    scenarios = load_scenario_names(store, store.path, stamp)
    carried = load_carried(store, store.path, stamp, chosen)
    tabs = st.tabs(["Decision log", "Assumption register"])
    for tab, register, items in zip(
        tabs, ("decision", "assumption"), (registers.decisions, registers.assumptions), strict=True
    ):
        with tab:
            register_table(items, register, scenarios, today, chosen, carried[register])
            trail = registers.audit[registers.audit["register"] == register]
            if permitted(actor, "decide", f"Adding or changing {register}s"):
                add_col, edit_col = st.columns(2, gap="large")
                with add_col:
                    add_form(store, actor, chosen, register, families, resources, scenarios)
                with edit_col:
                    item = pick_item(register, items, f"Edit {register}")
                    if item is not None:
                        edit_form(store, actor, register, item, families, resources, scenarios)
            else:
                item = pick_item(register, items, f"History of a{'n' if register == 'assumption' else ''} {register}")
            if item is not None:  # full width: the changes read on one line
                item_history(trail, item, register, scenarios)
            with st.expander(f"Audit trail of every {register} ({len(trail)} changes)", icon=":material/history:"):
                st.dataframe(
                    history_frame(trail, scenarios, with_item=True),
                    hide_index=True,
                    width="stretch",
                    key=f"cy_audit_{register}",
                )


def table_frame(
    items: pd.DataFrame, scenarios: Mapping[int, str], today: dt.date, chosen: dt.date, carried: set[int]
) -> pd.DataFrame:
    """The register as the table shows it (:func:`sop_ui.cycle.register_frame`), with the scenario link by name,
    for overdue items the days late beside the due date, and "yes" under Carried for the items ``carried`` into
    the chosen cycle (raised earlier, still open when it opened)."""
    shown = cui.register_frame(items)
    rows = items.set_index(items["id"].astype(int))
    ids = shown["#"].astype(int)
    named = [scenario_label(rows.at[i, "scenario_id"], scenarios) for i in ids]
    shown.insert(shown.columns.get_loc("Family") + 1, "Scenario", [n if n != NONE else "" for n in named])
    late = [(today - pd.Timestamp(rows.at[i, "due_date"]).date()).days if rows.at[i, "overdue"] else 0 for i in ids]
    shown["Due"] = [f"{d} · {n} d late" if n > 0 else d for d, n in zip(shown["Due"], late, strict=True)]
    shown["Carried"] = ["yes" if i in carried else "" for i in ids]
    return shown


def register_table(
    items: pd.DataFrame,
    register: str,
    scenarios: Mapping[int, str],
    today: dt.date,
    chosen: dt.date,
    carried: set[int],
) -> None:
    """The register, open items first, overdue rows highlighted; links (family, scenario, resource) by name."""
    if items.empty:
        st.caption(f"No {register}s yet.")
        return
    shown = table_frame(items, scenarios, today, chosen, carried)
    overdue = shown["Status"].eq("overdue").to_numpy()
    styled = shown.style.apply(lambda row: [OVERDUE_STYLE if overdue[row.name] else "" for _ in row], axis=1)
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        key=f"cy_{register}_table",
        column_order=TABLE_ORDER,
        column_config={
            "#": st.column_config.NumberColumn("#", width=40),
            "What": st.column_config.TextColumn("What", width=280, help="The full text: pick the item below"),
            "Owner": st.column_config.TextColumn("Owner", width=170),
            "Scenario": st.column_config.TextColumn("Scenario", width=170),  # auto-sized, a blank column is narrow
        },
    )
    note = f"Carried: raised in an earlier cycle and still open when {chosen:%B %Y} opened."
    if overdue.any():
        note = f":red[**{int(overdue.sum())} overdue**] (open and past their due date), highlighted in red. {note}"
    st.caption(note)


def _value(field: str, value: object, scenarios: Mapping[int, str]) -> str:
    """An audited value as people read it: scenario ids by name, "—" for an empty one."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return "—"
    return scenario_label(value, scenarios) if field == "scenario_id" else str(value)


def history_frame(trail: pd.DataFrame, scenarios: Mapping[int, str], *, with_item: bool = False) -> pd.DataFrame:
    """Audit rows (:data:`sop_core.cycle.audit.AUDIT_COLUMNS`) newest first as When, Who, Field, Change
    ("old → new"; the creation shows the text created); ``with_item`` adds the item's ``#`` first."""
    rows = trail.sort_values("changed_at", ascending=False, kind="stable")
    change = [
        f"created: {_value(f, n, scenarios)}"
        if f == "created"
        else f"{_value(f, o, scenarios)} → {_value(f, n, scenarios)}"
        for f, o, n in zip(rows["field"], rows["old_value"], rows["new_value"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "When": [cui.when(a) for a in rows["changed_at"]],
            "Who": rows["changed_by"].astype(str).to_numpy(),
            "Field": [FIELD_LABELS.get(str(f), str(f)) for f in rows["field"]],
            "Change": change,
        },
        columns=HISTORY_COLUMNS,
    )
    if with_item:
        frame.insert(0, "#", rows["item_id"].astype(int).to_numpy())
    return frame


def item_history(trail: pd.DataFrame, item: pd.Series, register: str, scenarios: Mapping[int, str]) -> None:
    """One item's audit trail (who, when, field, old → new) in an expander, newest first."""
    item_id = int(item["id"])
    own = trail[trail["item_id"].map(optional_id) == item_id]
    with st.expander(f"History of #{item_id} ({len(own)} changes)", icon=":material/history:"):
        st.dataframe(
            history_frame(own, scenarios),
            hide_index=True,
            width="stretch",
            key=f"cy_history_{register}",
            column_config={"Change": st.column_config.TextColumn("Change", width="large")},
        )
