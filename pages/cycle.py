"""Cycle: the monthly S&OP process — steps and owners, tasks, the supply plan, reconciliation, agenda, approval,
decisions and assumptions, the pre-read. Every write calls the cycle engine (sop_core.cycle) and says what it did."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pandas as pd
import streamlit as st

from sop_core import FrozenPlanError, Store, StoreError
from sop_core import cycle as cy
from sop_core.charts import family_colors
from sop_core.charts.cycle import STEP_COLORS, budget_gap, step_timeline, supply_vs_capacity
from sop_core.charts.review import capacity_panel, heatmaps
from sop_core.charts.theme import BAD
from sop_core.cycle.supply_plan import adjust_supply_plan, generate_supply_plan
from sop_core.cycle.supply_policy import SUPPLY_STRATEGIES, set_supply_policies
from sop_ui import cycle as cui
from sop_ui.format import download_csv
from sop_ui.store import get_store

EMPTY_MESSAGE = (
    "No S&OP cycle yet: the store has no plan. Load master data, actuals and a plan on the **Data** "
    "page (or create the demo company with `python -m sop_core demo`), then open the first cycle."
)
ERRORS = (StoreError, ValueError)  # CycleError and FrozenPlanError are StoreErrors: refusals with a reason
PICK_NEXT = "cy_pick_next"
NAME_HELP = "Every sign-off, tick, approval and register change records who made it."


def author() -> str:
    """The name typed in the sidebar (checked by the engine on every write)."""
    return str(st.session_state.get("cy_author") or "")


def refused(exc: Exception) -> None:
    """Show why the engine refused (it changed nothing)."""
    icon = ":material/lock:" if isinstance(exc, FrozenPlanError) else ":material/block:"
    st.error(f"Not done: {exc}", icon=icon)


# ---------------------------------------------------------------- header and the next cycle
def header(status: cy.CycleStatus) -> None:
    """Where the cycle stands: plan status, progress, current step, open items."""
    tasks = status.tasks
    current = status.steps[status.steps["step"] == status.current_step]
    cols = st.columns(4)
    plan = "approved" if status.approved else (status.plan_status or "no plan")
    cols[0].metric(
        "Plan",
        plan,
        f"frozen · by {status.approved_by}" if status.approved else "open for changes",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=f"Checksum of the frozen snapshot: {status.checksum}" if status.checksum else None,
    )
    cols[1].metric(
        "Progress",
        f"{status.progress:.0%}",
        f"{int(tasks['done'].fillna(False).sum())} of {len(tasks)} tasks done",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    with cols[2].container(border=True, height="stretch"):
        if current.empty:
            st.markdown("Current step  \n**All steps done**")
        else:
            step = current.iloc[0]
            st.markdown(f"Current step · {step['status']}  \n#### {step['name']}")
            st.caption(f"{step['owner']} · due {pd.Timestamp(step['due_date']):%a %d %b}")
    cols[3].metric(
        "Open decisions / assumptions",
        f"{status.open_decisions} / {status.open_assumptions}",
        f"{status.overdue_decisions + status.overdue_assumptions} overdue",
        delta_color="inverse" if status.overdue_decisions + status.overdue_assumptions else "off",
        delta_arrow="off",
        border=True,
    )
    st.progress(
        min(max(status.progress, 0.0), 1.0),
        text=f"Cycle {status.cycle:%B %Y}: {status.progress:.0%} of the "
        "tasks done"
        + (
            f" · opened by {status.opened_by} from the plan of {status.from_cycle:%B %Y}"
            if status.opened_by and status.from_cycle
            else ""
        ),
    )
    if status.carried_overrides_to_review:
        st.info(
            f"{status.carried_overrides_to_review} override cell(s) were carried from the previous cycle and await "
            "review on the Demand planning page.",
            icon=":material/history:",
        )
        st.page_link(
            "pages/demand_planning.py", label="Review them on Demand planning", icon=":material/arrow_forward:"
        )


def open_next_cycle(store: Store, latest_approved: bool) -> None:
    """Open the month after the latest plan cycle (roll forward, then the baseline with a progress bar)."""
    mode_col, button_col = st.columns([3, 2], vertical_alignment="bottom")
    mode = mode_col.radio(
        "Statistical baseline",
        ["quick", "full"],
        horizontal=True,
        key="cy_open_mode",
        format_func=lambda m: {"quick": "quick (seconds)"}.get(m, "full model choice (minutes)"),
        help="The baseline run when the cycle opens; the full model choice can also be run later "
        "on the Demand planning page.",
    )
    pressed = button_col.button(
        "Open the next cycle",
        key="cy_open",
        icon=":material/event_repeat:",
        type="primary" if latest_approved else "secondary",
        width="stretch",
        help=None if latest_approved else "Approve the latest cycle's plan first.",
    )
    if not pressed:
        return
    bar = st.progress(0.0, text="Rolling the approved plan forward…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    try:
        opened = cy.open_cycle(store, by=author(), mode=cast(Any, mode), progress=progress)
    except ERRORS as exc:
        bar.empty()
        refused(exc)
        return
    st.session_state[PICK_NEXT] = opened.cycle
    source = f" from the plan of {opened.from_cycle:%B %Y}" if opened.from_cycle else ""
    cui.done(
        "open",
        f"Cycle {opened.cycle:%B %Y} opened{source} by {author().strip()}: "
        f"{opened.plan_rows} plan rows rolled forward, {opened.overrides_carried} override cell(s), "
        f"{opened.decisions_carried} open decision(s) and {opened.assumptions_carried} assumption(s) carried, "
        f"{opened.baseline_rows} baseline rows.",
    )


# ---------------------------------------------------------------- steps and tasks
def step_table(steps: pd.DataFrame) -> None:
    """The five steps: owner, due date, status in its colour, tasks, sign-off."""
    styled = cui.step_frame(steps).style.map(
        lambda s: f"background-color: {STEP_COLORS.get(s, '#9e9e9e')}; color: #ffffff; font-weight: 600",
        subset=["Status"],
    )
    st.dataframe(styled, hide_index=True, width="stretch", key="cy_steps_table")


@st.fragment
def steps_card(store: Store, status: cy.CycleStatus, today: dt.date) -> None:
    """The timeline, the step table, each step's tasks (auto-checked or ticked by hand) and the sign-off."""
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
    )
    step_table(status.steps)
    locked = status.approved
    for step in status.steps.itertuples():
        tasks = status.tasks[status.tasks["step"] == step.step]
        icon = {"done": ":material/check_circle:", "overdue": ":material/warning:"}.get(
            str(step.status), ":material/radio_button_unchecked:"
        )
        with st.expander(
            f"{step.position}. {step.name} — {step.status} · {step.tasks_done}/{step.tasks_total} tasks",
            expanded=step.step == status.current_step,
            icon=icon,
        ):
            for task in tasks.itertuples():
                task_row(store, status, step.signed_by, task, locked)
            if step.step == status.current_step and step.step != "executive" and not locked:
                sign_off(store, status.cycle, str(step.step), str(step.name))
            elif step.step == "executive" and not status.approved:
                st.caption("The executive step is signed off by approving the plan (below).")


def task_row(store: Store, status: cy.CycleStatus, signed_by: object, task: Any, locked: bool) -> None:
    """An automatic task shows what the data says; a hand task is a checkbox (ticks record the name)."""
    done = bool(task.done) if not pd.isna(task.done) else False
    who = f" — {task.done_by}, {cui.when(task.done_at)}" if isinstance(task.done_by, str) and task.done_by else ""
    if task.auto:
        mark = ":green[:material/check_circle:]" if done else ":red[:material/cancel:]"
        st.markdown(f"{mark} **{task.label}** · _automatic_  \n{task.detail or ''}{who}")
        return
    frozen = locked or (isinstance(signed_by, str) and bool(signed_by))
    generation = st.session_state.get("cy_tick_generation", 0)
    ticked = st.checkbox(
        f"{task.label}{who}",
        value=done,
        disabled=frozen,
        help="Ticked by hand; records your name.",
        key=f"cy_tick_{status.cycle:%Y-%m}_{task.task}_{done}_{generation}",
    )
    if ticked != done:
        try:
            cy.tick_task(store, status.cycle, task.task, by=author(), done=ticked)
        except ERRORS as exc:  # put the box back as stored and say why
            st.session_state["cy_tick_generation"] = generation + 1
            cui.flash("steps", "error", f"Not done: {exc}")
            st.rerun(scope="fragment")
        cui.done("steps", f"“{task.label}” {'ticked' if ticked else 'unticked'} by {author().strip()}.")


def sign_off(store: Store, chosen: dt.date, step: str, name: str) -> None:
    """Sign off the current step with a comment."""
    with st.form(f"cy_sign_{step}", border=False):
        comment = st.text_input("Sign-off comment", key=f"cy_sign_comment_{step}", placeholder="optional")
        if st.form_submit_button(f"Sign off: {name}", icon=":material/how_to_reg:", type="primary"):
            try:
                cy.sign_off_step(store, chosen, step, by=author(), comment=comment)
            except ERRORS as exc:
                refused(exc)
                return
            cui.done("steps", f"{name} signed off by {author().strip()}.")


# ---------------------------------------------------------------- supply plan
@st.fragment
def supply_card(store: Store, chosen: dt.date, editable: bool, currency: str, families: list[str]) -> None:
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
        generate_form(store, chosen, supply.policies, editable)
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
    if editable:
        adjust_form(store, chosen, check.projection)
    if not supply.adjustments.empty:
        with st.expander(f"Adjustment log ({len(supply.adjustments)})", icon=":material/history:"):
            st.dataframe(supply.adjustments, hide_index=True, width="stretch", key="cy_adjust_log")


def generate_form(store: Store, chosen: dt.date, policies: pd.DataFrame, editable: bool) -> None:
    """The families' strategies and targets (editable) and the Generate button."""
    edited = st.data_editor(
        cui.policy_frame(policies),
        key="cy_policy_editor",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["Family", "Type", "Range (days)"] if editable else True,
        column_config={
            "Strategy": st.column_config.SelectboxColumn(options=list(SUPPLY_STRATEGIES), required=True),
            "Target days": st.column_config.NumberColumn(
                min_value=0.0, step=1.0, help="Days of cover (make-to-order: of backlog) to end each month on"
            ),
        },
    )
    if not editable:
        st.caption("This cycle's plan is approved: the supply plan is frozen.")
        return
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
            set_supply_policies(store, strategies, by=author(), target_days=targets)
        plan = generate_supply_plan(store, chosen, by=author(), strategies=strategies, target_days=targets)
    except ERRORS as exc:
        refused(exc)
        return
    counts = pd.Series(plan.strategies).value_counts()
    cui.done(
        "supply",
        f"Supply plan of {chosen:%B %Y} generated by {author().strip()} for {len(plan.strategies)} "
        f"families ({', '.join(f'{n} {s}' for s, n in counts.items())}): {plan.rows} plan rows written."
        + (" Policies kept." if keep else ""),
    )


def adjust_form(store: Store, chosen: dt.date, projection: pd.DataFrame) -> None:
    """Set one family-month's production, with a reason (logged)."""
    if projection.empty:
        return
    st.markdown("**Adjust a cell** (the family's stock is re-projected; the change is logged with your reason)")
    fam_col, month_col, qty_col = st.columns(3)
    family = fam_col.selectbox("Family", sorted(projection["family"].unique()), key="cy_adj_family")
    rows = projection[projection["family"] == family]
    months = [pd.Timestamp(m).date() for m in rows["month"]]
    month = month_col.selectbox("Month", months, key="cy_adj_month", format_func=lambda m: f"{m:%b %Y}")
    current = float(rows.loc[pd.to_datetime(rows["month"]) == pd.Timestamp(month), "supply"].sum())
    quantity = qty_col.number_input(
        "Production (units)",
        min_value=0.0,
        value=round(current, 1),
        step=10.0,
        key=f"cy_adj_qty_{family}_{month:%Y-%m}",
    )
    reason_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    reason = reason_col.text_input("Reason", key="cy_adj_reason", placeholder="e.g. overtime agreed with the plant")
    if button_col.button("Adjust", key="cy_adjust", icon=":material/edit:", width="stretch"):
        try:
            old = adjust_supply_plan(store, chosen, str(family), month, quantity, by=author(), reason=reason)
        except ERRORS as exc:
            refused(exc)
            return
        cui.done(
            "supply",
            f"{family} {month:%b %Y}: production {'–' if old is None else f'{old:,.0f}'} → "
            f"{quantity:,.0f} units ({reason.strip()}), by {author().strip()}.",
        )


# ---------------------------------------------------------------- reconciliation and agenda
def reconciliation_card(recon: pd.DataFrame, chosen: dt.date, currency: str) -> None:
    """Plan revenue and margin against the budget, by family (horizon totals) and by month."""
    st.subheader("Budget reconciliation")
    st.plotly_chart(budget_gap(recon, currency), key="cy_budget", config={"displayModeBar": False})
    if recon.empty:
        return
    styled = cui.reconciliation_frame(recon, currency).style.map(
        lambda v: f"color: {BAD}; font-weight: 700" if str(v).startswith(("−", "-")) else "",
        subset=["Revenue gap", "Margin gap", "Gap %"],
    )
    st.dataframe(styled, hide_index=True, width="stretch", key="cy_recon_table")
    st.caption(
        f"Over the cycle's horizon ({pd.Timestamp(recon['month'].min()):%b %Y} – "
        f"{pd.Timestamp(recon['month'].max()):%b %Y}); months without a budget count no gap."
    )
    with st.expander("By family and month"):
        st.dataframe(recon, hide_index=True, width="stretch", key="cy_recon_detail")
        download_csv(recon, f"budget-reconciliation-{chosen:%Y-%m}", key="cy_recon_csv")


def agenda_card(items: pd.DataFrame, chosen: dt.date, currency: str) -> None:
    """The generated agenda of the executive meeting, section by section."""
    st.subheader("Executive meeting agenda")
    if items.empty:
        st.info("Nothing on the agenda: no exception above the threshold, no decision due, no assumption changed.")
        return
    for section in cy.AGENDA_SECTIONS:
        part = items[items["section"] == section]
        st.markdown(f"**{section}** ({len(part)})")
        if part.empty:
            st.caption("None.")
            continue
        st.dataframe(
            cui.agenda_frame(part, currency),
            hide_index=True,
            width="stretch",
            key=f"cy_agenda_{cy.AGENDA_SECTIONS.index(section)}",
            column_config={
                "topic": "Topic",
                "subject": "Subject",
                "months": "When",
                "detail": st.column_config.TextColumn("What", width="large"),
                "money": st.column_config.TextColumn("At stake", alignment="right"),
                "page": st.column_config.TextColumn("Page / owner", width="medium"),
            },
        )
    download_csv(items, f"agenda-{chosen:%Y-%m}", key="cy_agenda_csv")


# ---------------------------------------------------------------- approval
def approval_card(store: Store, status: cy.CycleStatus, latest: bool) -> None:
    """Approve the plan (freezes it as the plan of record) or reopen it with a reason."""
    st.subheader("Approval")
    cui.show_flash("approval")
    if status.approved:
        st.success(
            f"Approved by {status.approved_by} on {cui.when(status.approved_at)} — the plan of record, frozen. "
            f"Snapshot checksum `{(status.checksum or '')[:16]}…`",
            icon=":material/verified:",
        )
        with st.form("cy_reopen_form", border=True):
            reason = st.text_input("Reason for reopening (required)", key="cy_reopen_reason")
            if st.form_submit_button(
                "Reopen the plan",
                icon=":material/lock_open:",
                help=None if latest else "Only the latest cycle can be reopened.",
            ):
                try:
                    cy.reopen_cycle(store, status.cycle, by=author(), reason=reason)
                except ERRORS as exc:
                    refused(exc)
                    return
                cui.done("approval", f"Cycle {status.cycle:%B %Y} reopened by {author().strip()}: {reason.strip()}")
        return
    with st.form("cy_approve_form", border=True):
        st.caption(
            "Approving freezes this cycle's plan as the plan of record (who, when and a checksum of the "
            "frozen snapshot); every later write to it is refused."
        )
        comment = st.text_input("Approval comment", key="cy_approve_comment")
        if st.form_submit_button("Approve the plan", icon=":material/verified:", type="primary"):
            try:
                checksum = cy.approve_cycle(store, status.cycle, by=author(), comment=comment)
            except ERRORS as exc:
                refused(exc)
                return
            cui.done(
                "approval", f"Plan of {status.cycle:%B %Y} approved by {author().strip()}; checksum {checksum[:16]}…."
            )


# ---------------------------------------------------------------- decisions and assumptions
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


# ---------------------------------------------------------------- page
store = get_store()
today = dt.date.today()
st.title("S&OP cycle")
st.caption(
    "The monthly rhythm: data, demand review, supply review, pre-S&OP reconciliation and the executive "
    "meeting that approves one plan. Error = actual − forecast."
)
st.sidebar.text_input("Your name", key="cy_author", placeholder="Who signs, ticks and approves", help=NAME_HELP)
stamp = cui.stamp(store)
cycles = cui.load_cycles(store, store.path, stamp, today)
family_list, resource_list, currency = cui.load_master(store, store.path, stamp)
if cycles.empty:
    st.info(EMPTY_MESSAGE, icon=":material/inbox:")
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/upload_file:")
    if family_list:
        open_next_cycle(store, latest_approved=True)
    st.stop()

options = [pd.Timestamp(c).date() for c in cycles["cycle"]]
if PICK_NEXT in st.session_state:  # a cycle just opened: show it
    st.session_state["cy_cycle_pick"] = st.session_state.pop(PICK_NEXT)
labels = {c: f"{c:%B %Y}" + (" (latest)" if i == 0 else "") for i, c in enumerate(options)}
if st.session_state.get("cy_cycle_pick") not in options:
    st.session_state["cy_cycle_pick"] = options[0]
chosen = cast(
    dt.date, st.sidebar.selectbox("Cycle", options, key="cy_cycle_pick", format_func=lambda c: labels.get(c, str(c)))
)
status = cui.load_status(store, store.path, stamp, chosen, today)
latest = chosen == options[0]
editable = status.plan_status == "draft"

st.subheader(f"Cycle {chosen:%B %Y}")
cui.show_flash("open")
header(status)
if latest and status.approved:
    with st.container(border=True):
        st.markdown(
            "**This cycle is approved: open the next one.** Its draft starts from this plan; open decisions "
            "and assumptions come along."
        )
        open_next_cycle(store, latest_approved=True)

steps_card(store, status, today)
supply_card(store, chosen, editable, currency, family_list)
reconciliation_card(cui.load_reconciliation(store, store.path, stamp, chosen), chosen, currency)
agenda_card(cui.load_agenda(store, store.path, stamp, chosen, today), chosen, currency)
approval_card(store, status, latest)
registers_card(store, chosen, today, family_list, resource_list)
try:
    from sop_ui.preread import preread_section
except ImportError:  # the pre-read lands with its own change
    st.caption("The meeting pre-read is not available in this version.")
else:
    preread_section(store, chosen)
if not latest or not status.approved:
    with st.expander("Open the next cycle", icon=":material/event_repeat:"):
        st.caption(
            "Opening rolls the last approved plan forward into a new 18-month draft, runs the statistical "
            "baseline, carries overrides still inside the horizon (flagged for review) and the open "
            "decisions and assumptions. The latest cycle must be approved first."
        )
        open_next_cycle(store, latest_approved=bool(latest and status.approved))
