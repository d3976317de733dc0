"""The supply plan card: strategies and the Generate form, the plan against capacity, adjusting a cell.

Generating and adjusting are for people with the ``supply_plan`` role. An adjustment passes the quantity the person
saw (:func:`seen_before`): when the cell changed since, the engine refuses and names who changed the plan and when.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from sop_core import Store
from sop_core import cycle as cy
from sop_core.charts import family_colors
from sop_core.charts.cycle import supply_vs_capacity
from sop_core.charts.review import capacity_panel, heatmaps
from sop_core.cycle.supply_plan import adjust_supply_plan, generate_supply_plan
from sop_core.cycle.supply_policy import SUPPLY_STRATEGIES, set_supply_policies
from sop_core.people import Actor
from sop_ui import cycle as cui
from sop_ui.cycle_cards.common import ERRORS, permitted, refused, seen_before
from sop_ui.format import download_csv


@st.fragment
def supply_card(
    store: Store, actor: Actor, chosen: dt.date, editable: bool, currency: str, families: list[str]
) -> None:
    """Generate the supply plan by strategy, see it against capacity, adjust a cell with a reason."""
    st.subheader("Supply plan vs capacity")
    cui.show_flash("supply")
    stamp = cui.stamp(store)
    supply = cui.load_supply(store, store.path, stamp, chosen)
    check = supply.check
    st.caption(
        "Generated from the consensus demand per family with its strategy — level (one rate per working "
        "day), chase (production follows demand to the target) or hybrid (a level rate plus overtime and "
        "subcontracting within limits) — and its target cover in days (make-to-order: target backlog). "
        "Not cut to capacity: overloads show here for the supply review to resolve."
    )
    with st.expander(
        "Strategies and targets; generate the supply plan",
        expanded=editable and check.projection.empty,
        icon=":material/tune:",
    ):
        generate_form(store, actor, chosen, supply.policies, editable)
    over = check.overloads
    if over.empty:
        st.success("The supply plan is within capacity in every month.", icon=":material/check_circle:")
    else:
        st.warning(
            f"{over['resource'].nunique()} resource(s) overloaded in {len(over)} month(s): "
            + ", ".join(
                f"{r} {pd.Timestamp(m):%b %y} {u:.0%}"
                for r, m, u in list(zip(over["resource"], over["month"], over["utilisation"], strict=True))[:6]
            )
            + (" …" if len(over) > 6 else ""),
            icon=":material/warning:",
        )
    st.plotly_chart(
        supply_vs_capacity(check.load, check.capacity, family_colors(families)),
        key="cy_capacity",
        config={"displayModeBar": False},
    )
    if not check.capacity.empty:
        st.plotly_chart(
            heatmaps([capacity_panel(check.capacity)], title="Utilisation by resource and month"),
            key="cy_utilisation",
            config={"displayModeBar": False},
        )
    st.markdown("**Exceptions for the meeting** (overloads and shortages, by money at stake)")
    if supply.exceptions.empty:
        st.caption("No overload or shortage in the plan's horizon.")
    else:
        st.dataframe(
            supply.exceptions.drop(columns="page"),
            hide_index=True,
            width="stretch",
            key="cy_supply_exc",
            column_config={
                "rule": "Exception",
                "subject": "Resource / family",
                "detail": st.column_config.TextColumn("What", width="large"),
                "months": "When",
                "money": st.column_config.NumberColumn(f"At stake ({currency})", format="compact"),
            },
        )
    with st.expander("Production and projected stock by family and month"):
        proj = check.projection
        table = proj.assign(month=pd.to_datetime(proj["month"]).dt.strftime("%b %y")).pivot_table(
            index="family", columns="month", values="supply", aggfunc="sum", sort=False
        )
        st.dataframe(table.round(0), width="stretch", key="cy_supply_table")
        download_csv(proj, f"supply-plan-{chosen:%Y-%m}", key="cy_supply_csv")
    if editable and permitted(actor, "supply_plan", "Adjusting the supply plan"):
        adjust_form(store, actor, chosen, check.projection)
    if not supply.adjustments.empty:
        with st.expander(f"Adjustment log ({len(supply.adjustments)})", icon=":material/history:"):
            st.dataframe(supply.adjustments, hide_index=True, width="stretch", key="cy_adjust_log")


def generate_form(store: Store, actor: Actor, chosen: dt.date, policies: pd.DataFrame, editable: bool) -> None:
    """The families' strategies and targets (editable) and the Generate button."""
    if not editable:
        st.dataframe(cui.policy_frame(policies), hide_index=True, width="stretch", key="cy_policy_table")
        st.caption("This cycle's plan is approved: the supply plan is frozen.")
        return
    if not permitted(actor, "supply_plan", "Generating the supply plan"):
        st.dataframe(cui.policy_frame(policies), hide_index=True, width="stretch", key="cy_policy_table")
        return
    edited = st.data_editor(
        cui.policy_frame(policies),
        key="cy_policy_editor",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["Family", "Type", "Range (days)"],
        column_config={
            "Strategy": st.column_config.SelectboxColumn(options=list(SUPPLY_STRATEGIES), required=True),
            "Target days": st.column_config.NumberColumn(
                min_value=0.0, step=1.0, help="Days of cover (make-to-order: of backlog) to end each month on"
            ),
        },
    )
    keep_col, button_col = st.columns([3, 2], vertical_alignment="center")
    keep = keep_col.checkbox(
        "Also keep these as the families' policies",
        key="cy_policy_keep",
        help="Otherwise they apply to this generation only.",
    )
    if not button_col.button(
        "Generate the supply plan",
        key="cy_generate",
        type="primary",
        icon=":material/precision_manufacturing:",
        width="stretch",
    ):
        return
    strategies = dict(zip(edited["Family"], edited["Strategy"], strict=True))
    targets = dict(zip(edited["Family"], pd.to_numeric(edited["Target days"], errors="coerce"), strict=True))
    try:
        if keep:
            set_supply_policies(store, strategies, actor=actor, target_days=targets)
        plan = generate_supply_plan(store, chosen, actor=actor, strategies=strategies, target_days=targets)
    except ERRORS as exc:
        refused(exc)
        return
    counts = pd.Series(plan.strategies).value_counts()
    cui.done(
        "supply",
        f"Supply plan of {chosen:%B %Y} generated by {actor.author} for {len(plan.strategies)} "
        f"families ({', '.join(f'{n} {s}' for s, n in counts.items())}): {plan.rows} plan rows written."
        + (" Policies kept." if keep else ""),
    )


def adjust_form(store: Store, actor: Actor, chosen: dt.date, projection: pd.DataFrame) -> None:
    """Set one family-month's production, with a reason (logged; refused when the cell changed since it was shown)."""
    if projection.empty:
        return
    st.markdown("**Adjust a cell** (the family's stock is re-projected; the change is logged with your reason)")
    fam_col, month_col, qty_col = st.columns(3)
    family = fam_col.selectbox("Family", sorted(projection["family"].unique()), key="cy_adj_family")
    rows = projection[projection["family"] == family]
    months = [pd.Timestamp(m).date() for m in rows["month"]]
    month = month_col.selectbox("Month", months, key="cy_adj_month", format_func=lambda m: f"{m:%b %Y}")
    current = float(rows.loc[pd.to_datetime(rows["month"]) == pd.Timestamp(month), "supply"].sum())
    seen = seen_before(f"adj_{family}_{month:%Y-%m}", current)
    generation = st.session_state.get("cy_adj_generation", 0)
    quantity = qty_col.number_input(
        "Production (units)",
        min_value=0.0,
        value=round(current, 1),
        step=10.0,
        key=f"cy_adj_qty_{family}_{month:%Y-%m}_{generation}",
    )
    reason_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    reason = reason_col.text_input("Reason", key="cy_adj_reason", placeholder="e.g. overtime agreed with the plant")
    if button_col.button("Adjust", key="cy_adjust", icon=":material/edit:", width="stretch"):
        try:
            old = adjust_supply_plan(store, chosen, str(family), month, quantity, actor=actor, reason=reason, seen=seen)
        except cy.EditConflictError as exc:  # start the cell again from the plan as it is now, and say why
            st.session_state["cy_adj_generation"] = generation + 1
            cui.flash("supply", "error", f"Not done: {exc}")
            st.rerun()  # the whole page: a click reruns a fragment only in the browser, not always
        except ERRORS as exc:
            refused(exc)
            return
        cui.done(
            "supply",
            f"{family} {month:%b %Y}: production {'–' if old is None else f'{old:,.0f}'} → "
            f"{quantity:,.0f} units ({reason.strip()}), by {actor.author}.",
        )
