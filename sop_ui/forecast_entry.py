"""The Demand planning page's override entry: saving the grid, the month-range form, the carried cells to review
and the SKU-level overrides listed at family level.

Every save goes through the engine (:func:`~sop_core.forecast.save_overrides` /
:func:`~sop_core.forecast.save_override`, then :func:`~sop_core.forecast.write_consensus`), so the grid and
the range form refuse the same things with the same messages (no reason, a stale cell, an approved cycle).
The range form sends the versions of the cells as the page showed them when the form was drawn (kept in the
session), so a save made by someone else in between is refused, not overwritten. Confirming carried cells
calls :func:`~sop_core.cycle.confirm_carried_overrides` for the chosen family × region (or the whole cycle).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from sop_core import FrozenPlanError, Store, StoreError
from sop_core import forecast as fc
from sop_core.cycle import confirm_carried_overrides
from sop_core.people import Actor, can, needs_role
from sop_ui import forecast as fui
from sop_ui import forecast_editor as fed

MESSAGE = "dp_message"
RANGE_SEEN = "dp_range_seen"


def show_refusal(exc: Exception, key: str) -> None:
    """The message of a refused save (grid or range form); a conflict offers to reload the grid."""
    if isinstance(exc, fc.OverrideConflictError):
        st.error(f"Not saved — someone else got there first. {exc}", icon=":material/sync_problem:")
        st.button(
            "Reload the grid (your edits are dropped)",
            key=f"{key}_reload",
            icon=":material/refresh:",
            on_click=fed.reload_grid,
        )
    elif isinstance(exc, FrozenPlanError):
        st.error(str(exc), icon=":material/lock:")
    elif isinstance(exc, PermissionError):
        st.error(f"Not saved: {exc}", icon=":material/lock:")
    else:  # the message names the cell (e.g. an override without a reason)
        st.error(f"Not saved: {exc}", icon=":material/block:")


def _saved(message: str) -> None:
    """After a save: drop the caches, start the editor afresh, show ``message`` on the next run."""
    fui.clear_caches()
    fed.reset_editor()
    st.session_state[MESSAGE] = message
    st.rerun()


def save_edits(
    store: Store,
    cycle: dt.date,
    grid: pd.DataFrame,
    edited: pd.DataFrame,
    family: str,
    region: str,
    codes: pd.DataFrame,
    actor: Actor,
) -> None:
    """Save the edited grid as ``actor``; on success write the consensus as the draft's demand plan and rerun."""
    edits = fed.edits_from_editor(grid, edited, family, region, codes)
    try:
        written = fc.save_overrides(store, cycle, edits, actor)
        rows = fc.write_consensus(store, cycle, actor=actor) if written else 0
    except (PermissionError, ValueError, StoreError) as exc:
        show_refusal(exc, "dp_grid")
        return
    _saved(
        f"Saved {written} override cell(s) as {actor.author}. The consensus is now the draft's demand plan "
        f"({rows} family × region × month rows)."
        if written
        else "Nothing to save: no cell changed."
    )


# ---------------------------------------------------------------- a range of months
def _versions(grid: pd.DataFrame) -> dict[tuple[str, dt.date], int]:
    return {
        (str(layer), pd.Timestamp(month).date()): int(version)
        for layer, month, version in zip(grid["layer"], grid["month"], grid["version"], strict=True)
    }


def _where(family: str, region: str, sku: str) -> str:
    return f"{family} · {fui.region_label(region)}" + (f" · SKU {sku}" if sku else " (family level)")


def range_form(
    store: Store,
    cycle: dt.date,
    family: str,
    region: str,
    sku: str,
    grid: pd.DataFrame,
    layers: pd.DataFrame,
    codes: pd.DataFrame,
    pending: int,
    actor: Actor,
) -> None:
    """The "Override a range of months" form of the grid's family × region × SKU; saves through the engine.

    ``pending``: unsaved edits in the grid; a range save then is refused (saving would drop them).
    """
    months = sorted({pd.Timestamp(m).date() for m in grid["month"]})
    if not months:
        return
    context = (cycle, family, region, sku)
    before = st.session_state.get(RANGE_SEEN)
    now = _versions(grid)
    st.session_state[RANGE_SEEN] = (context, now)
    seen = before[1] if before is not None and before[0] == context else now
    labels = dict(zip(layers["label"], layers["layer"], strict=True))
    reasons = dict(zip(codes["label"], codes["reason"], strict=True))
    with st.expander(f"Override a range of months — {_where(family, region, sku)}", icon=":material/date_range:"):
        with st.form("dp_range", border=False, enter_to_submit=False):
            top = st.columns(3)
            label = top[0].selectbox("Layer", list(labels), key="dp_range_layer")
            first = top[1].selectbox("From month", months, format_func=lambda m: f"{m:%b %Y}", key="dp_range_from")
            last = top[2].selectbox("To month", months, format_func=lambda m: f"{m:%b %Y}", key="dp_range_to")
            middle = st.columns(3)
            kind = middle[0].radio("Units or %", list(fed.KIND_STORED), horizontal=True, key="dp_range_kind")
            value = middle[1].number_input(
                "Value", value=None, step=1.0, key="dp_range_value", placeholder="e.g. 50 or -10"
            )
            reason = middle[2].selectbox(
                "Reason", list(reasons), index=None, placeholder="Required", key="dp_range_reason"
            )
            comment = st.text_input("Comment", key="dp_range_comment")
            submitted = st.form_submit_button("Save the range", type="primary", icon=":material/save:")
        st.caption(
            "Sets the chosen layer's override in every month from … to … (inclusive); an override of that layer "
            "already in those months is replaced. Units add to the baseline, % is a share of the baseline. A "
            "reason is required, as in the grid."
        )
    if not submitted:
        return
    if pending:
        st.error(
            f"Not saved: the grid above has {pending} unsaved change(s). Save them (or reload the grid) first, "
            "so that neither change is lost.",
            icon=":material/block:",
        )
        return
    if value is None:
        st.error("Not saved: enter a value for the range (units, or % of the baseline).", icon=":material/block:")
        return
    layer = labels[str(label)]
    try:
        written = fc.save_override(
            store,
            cycle,
            layer=layer,
            family=family,
            region=region,
            sku=sku,
            start=first,
            end=last,
            value=float(value),
            kind=fed.KIND_STORED[str(kind)],
            reason=reasons.get(str(reason)) if reason is not None else None,
            comment=comment.strip(),
            actor=actor,
            seen={month: version for (lay, month), version in seen.items() if lay == layer},
        )
        rows = fc.write_consensus(store, cycle, actor=actor) if written else 0
    except (PermissionError, ValueError, StoreError) as exc:
        show_refusal(exc, "dp_range")
        return
    span = f"{first:%b %Y}" if first == last else f"{first:%b %Y} – {last:%b %Y}"
    change = f"{float(value):+,g} %" if kind == "%" else f"{float(value):+,g} units"
    _saved(
        f"Saved the {label} override {change} for {_where(family, region, sku)}, {span} ({written} cell(s) "
        f"written), reason {reason}, as {actor.author}. The consensus is now the draft's demand plan ({rows} rows)."
        if written
        else f"Nothing to save: the {label} override of {span} already is {change}."
    )


# ---------------------------------------------------------------- carried cells to review
def carried_panel(
    store: Store,
    cycle: dt.date,
    family: str,
    region: str | None,
    carried: pd.DataFrame,
    frozen: str | None,
    actor: Actor,
) -> None:
    """How many carried cells await review here and in the whole cycle; "Confirm reviewed" for planners."""
    if carried.empty:
        return
    todo = carried[carried["to_review"].astype(bool)]
    here = fed.carried_marks(todo, family, region, None)
    where = family + (f" · {fui.region_label(region)}" if region is not None else " (all regions)")
    source = ", ".join(sorted({f"{pd.Timestamp(c):%B %Y}" for c in carried["from_cycle"]}))
    if todo.empty:
        st.caption(f"All {len(carried)} override cell(s) carried from {source} have been reviewed.")
        return
    if frozen:  # the approved plan froze its overrides, reviewed or not
        st.caption(
            f"{len(here)} override cell(s) of {where} carried from {source} were not reviewed before the plan was "
            f"approved ({len(todo)} in the whole cycle); they are marked in the grid's *Carried* column."
        )
        return
    if here.empty:
        st.caption(
            f"No carried override of {where} awaits review; {len(todo)} cell(s) elsewhere in this cycle do "
            f"(carried from {source})."
        )
    else:
        at_sku = int((here["sku"] != "").sum())
        st.warning(
            f"**{len(here)} override cell(s) of {where} were carried from the {source} cycle and await review** "
            f"({len(todo)} in the whole cycle). They are marked “{fed.TO_REVIEW}” in the grid's *Carried* column "
            "(switch on *Only cells to review* to list them)"
            + (f"; {at_sku} are at SKU level (the SKU-level overrides, or pick the SKU)" if at_sku else "")
            + ". Saving a cell again, or confirming it here, counts as reviewing it.",
            icon=":material/history:",
        )
    if not can(actor, "forecast"):
        st.caption(needs_role(actor, "forecast", "Confirming carried overrides needs"))
        return
    left, right = st.columns(2)
    scope: tuple[str | None, str | None] | None = None
    if not here.empty and left.button(
        f"Confirm reviewed: {where} ({len(here)})", key="dp_confirm_here", icon=":material/task_alt:"
    ):
        scope = (family, region)
    if right.button(
        f"Confirm all carried cells of the cycle ({len(todo)})", key="dp_confirm_all", icon=":material/done_all:"
    ):
        scope = (None, None)
    if scope is None:
        return
    try:
        done = confirm_carried_overrides(store, cycle, actor=actor, family=scope[0], region=scope[1])
    except (PermissionError, FrozenPlanError, StoreError) as exc:
        show_refusal(exc, "dp_confirm")
        return
    _saved(
        f"Confirmed {done} carried override cell(s) of {where if scope[0] else 'the whole cycle'} as reviewed, "
        f"as {actor.author}; they keep their values."
    )


def sku_overrides_section(
    store: Store,
    stamp: str,
    cycle: dt.date,
    family: str,
    region: str,
    layers: pd.DataFrame,
    codes: pd.DataFrame,
    carried: pd.DataFrame,
) -> None:
    """At family level: the SKU-level overrides of the family × region, which move the consensus too."""
    overrides = fui.load_overrides(store, store.path, stamp, cycle, family, region)
    marks = fed.carried_marks(carried, family, region, None)
    table = fed.sku_override_table(overrides, layers, codes, marks)
    if table.empty:
        return
    skus = table["SKU"].nunique()
    where = f"{family} · {fui.region_label(region)}"
    with st.expander(
        f"SKU-level overrides of {where}: {len(table)} cell(s) on {skus} SKU(s), included in the consensus",
        icon=":material/account_tree:",
        expanded=bool(table[fed.CARRIED].str.startswith(fed.TO_REVIEW).any()),
    ):
        st.caption("Entered per SKU (here, or from the command line or the API): pick the SKU above to edit them.")
        st.dataframe(table, hide_index=True, width="stretch", key="dp_sku_overrides")
