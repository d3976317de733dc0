"""The registers card's forms: add a decision or an assumption, and change every field of one.

Both forms carry every field the engine has (:data:`sop_core.cycle.registers.EDITABLE_FIELDS`): text, owner,
due date, status, family, scenario (a saved scenario, read through :func:`sop_core.scenario.list_scenarios`) and
resource, each optional link with a "none" choice. A refused add keeps what was typed; a successful one empties
the form. An edit passes what the person saw (:func:`~sop_ui.cycle_cards.common.seen_before`): a save made after
someone else changed the item is refused by the engine, naming who and when; the form is redrawn with the item as
it is now and the message repeats the change that was not saved, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_core.people import Actor
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS, refused, seen_before

GENERATION = "cy_edit_generation"  # bumped after a refused stale save: the edit form starts again from the data
NONE = "(none)"
FIELD_LABELS = {
    "created": "Created",
    "text": "Text",
    "owner": "Owner",
    "due_date": "Due date",
    "status": "Status",
    "family": "Family",
    "scenario_id": "Scenario",
    "resource": "Resource",
}
ADD_FIELDS = ("text", "owner", "due", "status", "family", "scenario", "resource")  # the add form's key suffixes


def scenario_label(scenario_id: object, scenarios: Mapping[int, str]) -> str:
    """A scenario link as people read it: its name, ``#id (deleted)`` when it is gone, "(none)" when unset."""
    sid = optional_id(scenario_id)
    if sid is None:
        return NONE
    return scenarios.get(sid, f"#{sid} (deleted)")


def optional_id(value: object) -> int | None:
    """An id read from a frame (int, float or text) as an ``int``; ``None`` for a missing one (None, NaN, "")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) and pd.isna(value):
        return None
    return int(float(str(value)))


def _optional_text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def _optional_date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(str(value)).date()


def item_state(item: pd.Series) -> dict[str, Any]:
    """The editable fields of a register row as the form shows them (``None`` for an unset link) + ``updated_at``."""
    stamp = item["updated_at"]
    return {
        "text": str(item["text"]),
        "owner": str(item["owner"]),
        "due_date": _optional_date(item["due_date"]),
        "status": str(item["status"]),
        "family": _optional_text(item["family"]),
        "scenario_id": optional_id(item["scenario_id"]),
        "resource": _optional_text(item["resource"]),
        "updated_at": None if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).to_pydatetime(),
    }


def _choices(known: list[Any], current: Any) -> list[Any]:
    """``None`` (no link), the known values, and the current one when it is no longer known (kept, not lost)."""
    return [None, *known, *([current] if current is not None and current not in known else [])]


def _fields(
    key: str,
    families: list[str],
    resources: list[str],
    scenarios: Mapping[int, str],
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A form's fields under its text, two to a row: owner and due date, status and family, scenario and resource
    (each link with "(none)"); ``current`` the item's values (an edit) or ``None`` (an add: empty, open)."""
    now = current or {}
    owner_col, due_col = st.columns(2)
    owner = owner_col.text_input(
        "Owner", value=now.get("owner", ""), key=f"{key}_owner", placeholder="Who follows it up"
    )
    due = due_col.date_input("Due date", value=now.get("due_date"), key=f"{key}_due")
    status_col, fam_col = st.columns(2)
    statuses = list(cy.ITEM_STATUSES)
    status = status_col.selectbox(
        "Status", statuses, index=statuses.index(now.get("status", "open")), key=f"{key}_status"
    )
    fams = _choices(families, now.get("family"))
    family = fam_col.selectbox(
        "Family", fams, index=fams.index(now.get("family")), key=f"{key}_family", format_func=lambda f: f or NONE
    )
    scen_col, res_col = st.columns(2)
    sids = _choices(list(scenarios), now.get("scenario_id"))
    scenario = scen_col.selectbox(
        "Scenario",
        sids,
        index=sids.index(now.get("scenario_id")),
        key=f"{key}_scenario",
        format_func=lambda s: scenario_label(s, scenarios),
        help="A saved scenario (Scenarios page) this item is about.",
    )
    res = _choices(resources, now.get("resource"))
    resource = res_col.selectbox(
        "Resource", res, index=res.index(now.get("resource")), key=f"{key}_resource", format_func=lambda r: r or NONE
    )
    return {
        "owner": str(owner or "").strip(),
        "due_date": due,
        "status": str(status),
        "family": family,
        "scenario_id": scenario,
        "resource": resource,
    }


def add_form(
    store: Store,
    actor: Actor,
    chosen: dt.date,
    register: str,
    families: list[str],
    resources: list[str],
    scenarios: Mapping[int, str],
) -> None:
    """Add a decision or an assumption to this cycle; a refusal keeps what was typed."""
    key = f"cy_add_{register}"
    with st.form(key, clear_on_submit=False):
        st.markdown(f"**Add a{'n' if register == 'assumption' else ''} {register}**")
        text = st.text_area("Text", key=f"{key}_text", height=80)
        fields = _fields(key, families, resources, scenarios)
        if not st.form_submit_button(f"Add {register}", icon=":material/add:"):
            return
    add = cy.add_decision if register == "decision" else cy.add_assumption
    try:
        new_id = add(store, text, actor=actor, cycle=chosen, **fields)
    except ERRORS as exc:
        refused(exc)  # the form keeps what was typed: correct it and add again
        return
    for suffix in ADD_FIELDS:  # added: the next one starts from an empty form
        st.session_state.pop(f"{key}_{suffix}", None)
    cui.done("registers", f"{register.capitalize()} #{new_id} added by {actor.author}.")


def pick_item(register: str, items: pd.DataFrame, label: str) -> pd.Series | None:
    """The item picker above the edit form and the history (the first item by id unless one is picked)."""
    if items.empty:
        return None
    ids = items.sort_values("id")["id"].astype(int).tolist()
    rows = items.set_index(items["id"].astype(int))
    picked = st.selectbox(
        label,
        ids,
        key=f"cy_edit_{register}_id",
        format_func=lambda i: f"#{i} · {rows.at[i, 'status']} · {str(rows.at[i, 'text'])[:70]}",
    )
    return rows.loc[int(picked)] if picked is not None else None


def _shown(field: str, value: object, scenarios: Mapping[int, str]) -> str:
    """A field's value in a message (dates ISO, "(none)" for an empty link)."""
    if field == "scenario_id":
        return scenario_label(value, scenarios)
    if value is None:
        return NONE
    return f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else str(value)


def edit_form(
    store: Store,
    actor: Actor,
    register: str,
    item: pd.Series,
    families: list[str],
    resources: list[str],
    scenarios: Mapping[int, str],
) -> None:
    """Change any field of ``item`` (each change audited; refused when someone changed it since it was shown)."""
    picked = int(item["id"])
    now = item_state(item)
    before = seen_before(f"{register}_{picked}", now)
    key = f"cy_edit_{register}_{picked}_{st.session_state.get(GENERATION, 0)}"
    with st.form(key):
        text = st.text_area("Text", value=now["text"], key=f"{key}_text", height=80)
        fields = _fields(key, families, resources, scenarios, now)
        if not st.form_submit_button("Save changes", icon=":material/save:"):
            return
    typed = {"text": str(text).strip(), **fields}
    changes = {k: v for k, v in typed.items() if v != before[k]}
    if not changes:
        st.info("Nothing changed.", icon=":material/info:")
        return
    update = cy.update_decision if register == "decision" else cy.update_assumption
    try:
        update(store, picked, changes, actor=actor, seen=before["updated_at"])
    except cy.EditConflictError as exc:  # start the form again from the item as it is now; repeat what was typed
        st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
        mine = "; ".join(f"{FIELD_LABELS[f]} → {_shown(f, v, scenarios)}" for f, v in changes.items())
        cui.flash("registers", "error", f"Not done: {exc} Your change, not saved: {mine}.")
        st.rerun()  # the whole page: a click reruns a fragment only in the browser, not always
    except ERRORS as exc:
        refused(exc)
        return
    names = ", ".join(FIELD_LABELS[f].lower() for f in changes)
    cui.done("registers", f"{register.capitalize()} #{picked}: {names} changed by {actor.author}.")
