"""Scenarios: move plan levers and see the trade-offs against the current plan at once; save, compare, promote.

Anyone may move the levers and compare (nothing is written); saving, deleting and promoting need the
``scenario`` permission. Delete and promote act on the version listed when their buttons were drawn
(button callbacks with the id and the draft's fingerprint as arguments), so a change by someone else in
between is refused by the engine, naming who and when, instead of acting on what replaced it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import streamlit as st

from sop_core import Store, StoreError, facts
from sop_core import scenario as sc
from sop_core.charts.scenario import scenario_spec
from sop_core.conventions import EPS
from sop_core.export import neutralise
from sop_core.people import Actor, can, needs_role
from sop_ui import scenario_levers as levers
from sop_ui.auth import current_actor
from sop_ui.format import money
from sop_ui.live_chart import live_chart
from sop_ui.store import get_store

CACHE_TTL = 600
CHART_KEY = (
    "Solid: scenario · dashed grey: baseline (the current plan) · dotted: budget. Blue: inventory and "
    "revenue, orange: backorders, green: margin. Hover for values."
)


# ---------------------------------------------------------------- cached data
@st.cache_data(show_spinner="Reading the plan…", ttl=CACHE_TTL, max_entries=8)
def load_inputs(_store: Store, path: str, stamp: str) -> tuple[sc.ScenarioInputs, str]:
    """The pre-aggregated plan of the latest cycle and its fingerprint (re-read when the data stamp changes).

    The fingerprint goes with a promotion (``plan_seen``): the draft must still be the one the figures show.
    """
    inputs = sc.baseline_inputs(_store)
    return inputs, sc.plan_fingerprint(_store, inputs.cycle)


# ---------------------------------------------------------------- levers (widgets: sop_ui.scenario_levers)
def lever_widgets(inputs: sc.ScenarioInputs) -> None:
    """Draw the slider levers (their values live in ``st.session_state``)."""
    levers.draw_group("card", inputs)
    with st.expander("Capacity by resource (%)", expanded=True):
        levers.draw_group("capacity", inputs)


def detail_levers(inputs: sc.ScenarioInputs) -> None:
    """Regional demand and the hybrid strategy's limits and premiums (outside the fragment)."""
    region_col, hybrid_col = st.columns(2, gap="medium")
    with region_col.expander("Demand by region (%)"):
        levers.draw_group("region", inputs)
    with hybrid_col.expander("Hybrid strategy: overtime and subcontracting"):
        levers.draw_group("hybrid", inputs)


def family_editor(inputs: sc.ScenarioInputs) -> pd.DataFrame:
    """The per-family lever table (outside the fragment: an edit reruns the page, a slider only the card)."""
    st.markdown(
        "**Per family** (edit the cells): strategy, demand and price change, target days of cover "
        "(make-to-order: target backlog)"
    )
    return st.data_editor(
        st.session_state.get(levers.FAMILY_FRAME_KEY, levers.family_frame(inputs)),
        key=f"scn_family_editor_{st.session_state.get('scn_editor_gen', 0)}",
        hide_index=True,
        width="stretch",
        disabled=["family", "type"],
        column_config=levers.column_config(),
    )


def tile(label: str, value: str, delta: float, text: str, inverse: bool = False) -> None:
    """One KPI tile; the delta is coloured by its sign (``inverse``: lower is better), grey when nil."""
    color: Literal["off", "inverse", "normal"] = "off" if abs(delta) < EPS else ("inverse" if inverse else "normal")
    st.metric(label, value, text.replace("−", "-"), delta_color=color, border=True)


def kpi_row(result: sc.ScenarioResult, currency: str) -> None:
    """Headline tiles: scenario value, delta against the baseline."""
    s, b = result.scenario.kpis(), result.baseline.kpis()
    with st.container(horizontal=True):
        d = s["Fill rate"] - b["Fill rate"]
        tile("Fill rate", f"{s['Fill rate']:.1%}", round(d, 4), f"{d:+.1%}")
        for key, inverse in (
            ("Revenue", False),
            ("Margin", False),
            ("Avg inventory value", True),
            ("Gap to budget", False),
        ):
            d = s[key] - b[key]
            tile(key, money(s[key], currency), round(d), money(d, currency, signed=True), inverse)
        d = s["Peak utilisation"] - b["Peak utilisation"]
        peak = s["Peak utilisation"]
        sign = 0.0 if np.isnan(d) else (round(d, 3) if np.isfinite(d) else 1.0)
        tile(
            "Peak utilisation",
            cell("Peak utilisation", peak, currency),
            sign,
            cell("Peak utilisation", d, currency, signed=True),
            inverse=True,
        )


PCT_ROWS = {"Fill rate", "Peak utilisation"}
COUNT_ROWS = {"Overtime + subcontract units", "Overloaded resource-months"}


def cell(metric: str, value: float, currency: str, signed: bool = False) -> str:
    """One headline figure as text: percent, count or money by metric."""
    if pd.isna(value):
        return "–"
    if np.isinf(value):
        return "∞ (no hours)"
    if metric in PCT_ROWS:
        return f"{value:+.1%}" if signed else f"{value:.1%}"
    if metric in COUNT_ROWS:
        return f"{value:+,.0f}" if signed else f"{value:,.0f}"
    return money(value, currency, signed)


def delta_table(result: sc.ScenarioResult, currency: str) -> pd.DataFrame:
    """The compact delta table as display strings."""
    table = result.delta_table()
    metric = table["metric"]
    return pd.DataFrame(
        {
            "Figure": metric,
            "Baseline": [cell(m, v, currency) for m, v in zip(metric, table["baseline"], strict=True)],
            "Scenario": [cell(m, v, currency) for m, v in zip(metric, table["scenario"], strict=True)],
            "Δ": [cell(m, v, currency, signed=True) for m, v in zip(metric, table["delta"], strict=True)],
            "Δ %": [
                "–" if m in PCT_ROWS or pd.isna(p) else f"{p:+.1%}"
                for m, p in zip(metric, table["delta_pct"], strict=True)
            ],
        }
    )


def family_table(result: sc.ScenarioResult, currency: str) -> pd.DataFrame:
    """Per family, scenario against baseline, as display strings."""
    t = result.family_table()
    return pd.DataFrame(
        {
            "Family": t["family"],
            "Fill rate": [f"{b:.1%} → {s:.1%}" for b, s in zip(t["fill_rate_baseline"], t["fill_rate"], strict=True)],
            "Δ revenue": [money(v, currency, signed=True) for v in t["revenue_delta"]],
            "Δ margin": [money(v, currency, signed=True) for v in t["margin_delta"]],
            "Avg inventory value": [
                f"{money(b, currency)} → {money(s, currency)}"
                for b, s in zip(t["avg_inventory_value_baseline"], t["avg_inventory_value"], strict=True)
            ],
            "End backorders / backlog": [
                f"{b:,.0f} → {s:,.0f}" for b, s in zip(t["end_shortfall_baseline"], t["end_shortfall"], strict=True)
            ],
        }
    )


@st.fragment
def scenario_card(inputs: sc.ScenarioInputs, currency: str, families: pd.DataFrame) -> None:
    """The slider levers and everything they drive; reruns alone when a slider moves."""
    kpi_box = st.container()
    levers_col, chart_col = st.columns([1, 3], gap="medium")
    with levers_col:
        lever_widgets(inputs)
    chosen = levers.levers_from_state(st.session_state, inputs, families)
    st.session_state["scn_levers"] = chosen
    result = sc.evaluate_scenario(inputs, chosen)
    with kpi_box:
        kpi_row(result, currency)
    with chart_col:
        moved = chosen.changes()
        st.caption(f"**Levers moved:** {'; '.join(moved) if moved else 'none — this is the current plan'}. {CHART_KEY}")
        spec = scenario_spec(result, currency)
        live_chart(spec, key="scn_figure", height=spec["layout"]["height"], config={"displayModeBar": False})
    totals, per_family = st.columns([2, 3], gap="medium")
    totals.markdown("**Scenario vs baseline** (the current plan, same horizon)")
    totals.table(delta_table(result, currency), hide_index=True)
    per_family.markdown("**By family** (baseline → scenario; backorders and backlog in units)")
    per_family.table(family_table(result, currency), hide_index=True)


# ---------------------------------------------------------------- save, compare, promote
SAVE_MESSAGE, LIST_MESSAGE, PROMOTE_MESSAGE = "scn_save_message", "scn_list_message", "scn_promote_message"


def load_into_levers(inputs: sc.ScenarioInputs, saved: sc.Levers) -> None:
    """Set the widgets to a saved scenario's levers (a button callback: runs before the widgets exist)."""
    st.session_state.update(levers.state_from_levers(saved, inputs))
    st.session_state["scn_editor_gen"] = st.session_state.get("scn_editor_gen", 0) + 1


def show_message(key: str) -> None:
    """Show (once) what a button callback left under ``key``: ``(kind, text)``."""
    if found := st.session_state.pop(key, None):
        kind, text = found
        {"success": st.success, "warning": st.warning}.get(kind, st.error)(text)


def save_scenario(store: Store, seen: dict[str, int]) -> None:
    """The save form's callback: save the levers on screen; ``seen`` maps the names listed to their ids.

    The callbacks ask for the acting person when they run (the sidebar's name may have changed since).
    """
    actor = current_actor()
    name = str(st.session_state.get("scn_save_name") or "").strip()
    replaces = seen.get(name) if st.session_state.get("scn_save_replace") else None
    try:
        sid = sc.save_scenario(
            store, name, st.session_state["scn_levers"], actor, st.session_state.get("scn_save_note"), replaces=replaces
        )
    except (PermissionError, ValueError, StoreError) as exc:
        st.session_state[SAVE_MESSAGE] = ("error", str(exc))
    else:
        done = "Replaced" if replaces is not None else "Saved"
        st.session_state[SAVE_MESSAGE] = ("success", f"{done} scenario {name!r} (#{sid}).")


def save_form(store: Store, actor: Actor, seen: dict[str, int]) -> None:
    """Save the levers on screen as a named scenario, signed by ``actor``."""
    with st.form("scn_save", clear_on_submit=False, border=True):
        st.markdown("**Save these levers as a scenario**")
        st.caption(f"Saves the levers as they are on screen now, signed {actor.author}.")
        st.text_input("Name", key="scn_save_name")
        st.text_area("Note", key="scn_save_note", height=80)
        st.checkbox(
            "Replace the saved scenario of this name",
            key="scn_save_replace",
            help="Only the version listed on this page: if someone saved it again since, nothing is saved.",
        )
        st.form_submit_button("Save scenario", icon=":material/save:", on_click=save_scenario, args=(store, seen))
    show_message(SAVE_MESSAGE)


def delete_saved(store: Store, scenario_id: int, name: str) -> None:
    """The Delete button's callback: delete the version listed when the button was drawn."""
    try:
        sc.delete_scenario(store, scenario_id, current_actor())
    except (PermissionError, StoreError) as exc:
        st.session_state[LIST_MESSAGE] = ("error", str(exc))
    else:
        st.session_state[LIST_MESSAGE] = ("success", f"Deleted scenario {name!r}; its levers stay in the decision log.")


def promote_saved(store: Store, scenario_id: int, name: str, plan_seen: str) -> None:
    """The promote form's callback: promote the version listed onto the draft the figures were computed from."""
    if not st.session_state.get("scn_promote_sure"):
        st.session_state[PROMOTE_MESSAGE] = ("warning", "Tick the confirmation first.")
        return
    try:
        cycle = sc.promote_scenario(store, scenario_id, current_actor(), plan_seen=plan_seen)
    except (PermissionError, ValueError, StoreError) as exc:  # FrozenPlanError is a StoreError
        st.session_state[PROMOTE_MESSAGE] = ("error", str(exc))
    else:
        load_inputs.clear()
        st.session_state["scn_promoted"] = f"Promoted {name!r} to the draft of cycle {cycle:%Y-%m}."


def saved_section(
    store: Store, inputs: sc.ScenarioInputs, currency: str, saved: pd.DataFrame, actor: Actor, plan_seen: str
) -> None:
    """List, load and compare saved scenarios; delete and promote them when ``actor`` may."""
    show_message(LIST_MESSAGE)
    if saved.empty:
        st.info("No saved scenarios yet: move the levers, then save them on the left.", icon=":material/bookmark:")
        return
    # neutralise: the grid's own CSV download must not carry a name or note that a spreadsheet would run
    st.dataframe(
        neutralise(saved.drop(columns=["scenario_id"])),
        hide_index=True,
        width="stretch",
        key="scn_saved_list",
        column_config={
            "cycle": st.column_config.DateColumn("cycle", format="YYYY-MM"),
            "created_at": st.column_config.DatetimeColumn("saved", format="YYYY-MM-DD HH:mm"),
            "promoted_at": st.column_config.DatetimeColumn("promoted", format="YYYY-MM-DD HH:mm"),
            "promoted_by": "promoted by",
        },
    )
    names = dict(zip(saved["name"], saved["scenario_id"], strict=True))
    chosen = st.multiselect(
        "Compare with the baseline (up to three)", list(names), max_selections=sc.MAX_COMPARED, key="scn_compare"
    )
    if chosen:
        table = sc.compare_scenarios(inputs, [sc.load_scenario(store, names[n]) for n in chosen])
        shown = table.copy()
        for col in shown.columns[1:]:
            shown[col] = [cell(m, v, currency) for m, v in zip(table["metric"], table[col], strict=True)]
        st.table(shown, hide_index=True)

    pick = str(st.selectbox("Scenario", list(names), key="scn_pick"))
    sid = int(names[pick])
    may = can(actor, "scenario")
    load_col, delete_col = st.columns(2)
    load_col.button(
        "Load into the levers",
        key="scn_load",
        icon=":material/upload:",
        on_click=load_into_levers,
        args=(inputs, sc.load_scenario(store, sid).levers),
    )
    if not may:
        return
    delete_col.button(
        "Delete", key="scn_delete", icon=":material/delete:", on_click=delete_saved, args=(store, sid, pick)
    )
    with st.form("scn_promote", border=True):
        st.markdown(f"**Promote {pick!r} to the draft plan of cycle {inputs.cycle:%Y-%m}**")
        st.caption(
            "Writes the scenario's production plan (and its demand plan when demand moved) into the draft; "
            f"recorded in the decision log, signed {actor.author}. An approved plan is never changed, and nothing "
            "is written if the draft changed since this page was drawn."
        )
        st.checkbox("I confirm: replace the draft's plan with this scenario", key="scn_promote_sure")
        st.form_submit_button(
            "Promote to draft",
            icon=":material/publish:",
            type="primary",
            on_click=promote_saved,
            args=(store, sid, pick, plan_seen),
        )
    show_message(PROMOTE_MESSAGE)


# ---------------------------------------------------------------- page
store = get_store()
st.title("Scenarios and trade-offs")
actor = current_actor()
try:
    inputs, plan_seen = load_inputs(store, store.path, facts.data_stamp(store))
except StoreError as exc:
    st.info(f"{exc} Load plans on the Data page first.", icon=":material/inbox:")
    st.stop()
currency = facts.currency(store)
st.caption(
    f"What if? Levers against the current plan of cycle {inputs.cycle:%Y-%m} (the baseline). "
    "Figures are projected from the same data the review pages use; nothing is written until you promote."
)
if message := st.session_state.pop("scn_promoted", None):
    st.success(message, icon=":material/check_circle:")

card, editor_box = st.container(), st.container()
with editor_box:
    st.markdown("#### More levers")
    st.caption("These change the whole page when edited; the sliders above update the results alone.")
    detail_levers(inputs)
    family_levers = family_editor(inputs)
with card:
    scenario_card(inputs, currency, family_levers)

st.divider()
st.subheader("Saved scenarios")
saved = sc.list_scenarios(store)
save_col, list_col = st.columns([1, 3], gap="medium")
with save_col:
    if can(actor, "scenario"):
        save_form(store, actor, dict(zip(saved["name"], saved["scenario_id"].astype(int), strict=True)))
    else:
        st.caption(
            needs_role(actor, "scenario", "Saving, deleting and promoting scenarios need")
            + " The levers are yours to try: they write nothing."
        )
with list_col:
    saved_section(store, inputs, currency, saved, actor, plan_seen)
