"""Tasks of a cycle's steps: checked by the data where it can tell, ticked by hand otherwise.

Automatic checks (``auto_check`` keys of the template):

* ``actuals_loaded`` — the closed month (the month before the cycle) has demand actuals (shipments for
  make-to-stock, orders for make-to-order), production and the stock count (inventory for make-to-stock,
  backlog for make-to-order) for every family;
* ``baseline_run`` — the cycle has a stored statistical baseline;
* ``consensus_saved`` — the draft's demand plan equals the consensus (baseline + override layers, whole
  units) in every cell;
* ``capacity_ok`` — no resource is overloaded by the draft's production plan, or every overloaded resource
  has a decision or assumption raised in this cycle (not carried, not dropped) linked to it: its explanation;
* ``budget_compared`` — the plan's horizon months within the budget's years have a budget for every family
  (the revenue gap is on the agenda);
* ``plan_approved`` — the cycle's plan is approved.

A signed-off step keeps the task states recorded at its sign-off.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable

import duckdb
import numpy as np
import pandas as pd

from ..forecast.consensus import consensus
from ..months import add_months, month_start
from ..people import Actor
from ..plan_data import DEMAND_ACTUAL_SQL, actual_kinds
from ..plans import plan_status, record_decision, require_draft
from ..store import Store
from ..supply import capacity_load
from .errors import CycleError
from .reconcile import budget_reconciliation
from .registers import list_items
from .template import ensure_cycle, require_step_role, step_owner

WAIVED = "waived by hand"
"""The ``detail`` of an automatic task ticked by hand (a waiver, with its comment)."""
TASK_COLUMNS = ["task", "step", "position", "label", "auto", "done", "detail", "done_by", "done_at", "comment"]
Check = Callable[[Store, dt.date], tuple[bool, str]]
UNTRACKED = "completed before the cycle was tracked in the tool"


def _months(values: Iterable[object]) -> str:
    months = sorted({pd.Timestamp(v) for v in values})
    if not months:
        return ""
    return f"{months[0]:%Y-%m}" if len(months) == 1 else f"{months[0]:%Y-%m}…{months[-1]:%Y-%m}"


# The stock count of a family's strategy (inventory for make-to-stock, backlog for make-to-order), as a SQL fragment
# over ``families f`` built from plan_data's fixed kinds (no input), beside its demand rule.
_STOCK_ACTUAL_SQL = "CASE WHEN f.strategy = 'mto' THEN '{1}' ELSE '{0}' END".format(*actual_kinds("stock"))
_ACTUAL_MEASURES = ("demand", "production", "stock count")


def check_actuals_loaded(store: Store, cycle: dt.date) -> tuple[bool, str]:
    """The closed month (the month before ``cycle``) has, for every family, demand actuals (shipments for
    make-to-stock, orders for make-to-order), production and the stock count (inventory for make-to-stock,
    backlog for make-to-order)."""
    closed = add_months(cycle, -1)
    # DEMAND_ACTUAL_SQL and _STOCK_ACTUAL_SQL are fixed fragments (no input); the month is bound
    rows = store.query(
        f"""SELECT f.family,
                   count(*) FILTER (WHERE a.kind = {DEMAND_ACTUAL_SQL}) AS demand,
                   count(*) FILTER (WHERE a.kind = 'production') AS production,
                   count(*) FILTER (WHERE a.kind = {_STOCK_ACTUAL_SQL}) AS stock
            FROM families f LEFT JOIN actuals_monthly a ON a.family = f.family AND a.month = ?
            GROUP BY f.family ORDER BY f.family""",
        [closed],
    )
    if rows.empty:
        return False, "no families in the master"
    columns = ("demand", "production", "stock")
    missing = [
        f"{r.family} ({', '.join(m for m, c in zip(_ACTUAL_MEASURES, columns, strict=True) if not getattr(r, c))})"
        for r in rows.itertuples()
        if not all(getattr(r, c) for c in columns)
    ]
    if missing:
        return False, f"{closed:%Y-%m} missing for {len(missing)} of {len(rows)} families: {'; '.join(missing)}"
    return True, f"{closed:%Y-%m}: demand, production and stock count for all {len(rows)} families"


def check_baseline_run(store: Store, cycle: dt.date) -> tuple[bool, str]:
    """The cycle has a stored statistical baseline."""
    rows = store.query(
        "SELECT count(*) AS series, any_value(mode) AS mode, max(run_at) AS run_at "
        "FROM forecast_models WHERE cycle = ?",
        [cycle],
    )
    series = int(rows.at[0, "series"])
    if not series:
        return False, "no statistical baseline stored for this cycle"
    return True, f"{series} series ({rows.at[0, 'mode']} mode), run {pd.Timestamp(rows.at[0, 'run_at']):%Y-%m-%d %H:%M}"


def check_consensus_saved(store: Store, cycle: dt.date) -> tuple[bool, str]:
    """The draft's demand plan equals the consensus (whole units) in every family × region × month cell."""
    cons = consensus(store, cycle)
    if cons.empty:
        return False, "no consensus yet (no baseline stored)"
    plan = store.query("SELECT family, region, month, quantity FROM demand_plan WHERE cycle = ?", [cycle])
    cells = cons[["family", "region", "month", "consensus"]].copy()
    cells["month"] = pd.to_datetime(cells["month"])
    plan["month"] = pd.to_datetime(plan["month"])
    both = cells.merge(plan, on=["family", "region", "month"], how="left")
    expected = np.floor(both["consensus"].to_numpy(float) + 0.5)
    off = ~np.isclose(both["quantity"].to_numpy(float), expected, rtol=0, atol=0.5)
    if off.any():
        first = both[off].iloc[0]
        return False, (
            f"the demand plan differs from the consensus in {int(off.sum())} of {len(both)} cells "
            f"(e.g. {first['family']} / {first['region']} {first['month']:%Y-%m})"
        )
    return True, f"demand plan = consensus in all {len(both)} cells"


def check_capacity(store: Store, cycle: dt.date) -> tuple[bool, str]:
    """No overload in the draft's rough-cut capacity, or each overloaded resource has a linked decision or
    assumption raised in this cycle (not carried, not dropped) that explains it."""
    load = capacity_load(store, cycle)
    over = load[load["status"] == "overload"]
    if over.empty:
        peak = load.loc[load["utilisation"].idxmax()] if load["utilisation"].notna().any() else None
        return True, (
            "no capacity data"
            if peak is None
            else f"within capacity (peak {peak['utilisation']:.0%}, {peak['resource']} "
            f"{pd.Timestamp(peak['month']):%Y-%m})"
        )
    linked: dict[str, list[str]] = {}
    for register in ("decision", "assumption"):
        items = list_items(store, register, cycle)
        for item in items[~items["carried"] & (items["status"] != "dropped") & items["resource"].notna()].itertuples():
            linked.setdefault(str(item.resource), []).append(f"{register} #{item.id}")
    parts, unexplained = [], []
    for resource, group in over.groupby("resource", sort=True):
        text = f"{resource} {_months(group['month'])} (peak {group['utilisation'].max():.0%})"
        if str(resource) in linked:
            parts.append(f"{text}: explained by {', '.join(linked[str(resource)])}")
        else:
            unexplained.append(text)
    if unexplained:
        return False, "overloaded, not explained: " + "; ".join(unexplained)
    return True, "overloads explained — " + "; ".join(parts)


def check_budget_compared(store: Store, cycle: dt.date) -> tuple[bool, str]:
    """Every planned family has a budget in the plan's months that fall in the budget's years."""
    money = budget_reconciliation(store, cycle)
    if money.empty:
        return False, "no plan revenue for this cycle"
    budgeted = money[money["budget_revenue"].notna()]
    if budgeted.empty:
        return False, "no budget for the plan's months"
    months = set(budgeted["month"])
    window = money[money["month"].isin(months)]
    lacking = sorted(set(window.loc[window["budget_revenue"].isna(), "family"]))
    if lacking:
        return False, f"no budget for {', '.join(lacking)}"
    gap, base = budgeted["revenue_gap"].sum(), budgeted["budget_revenue"].sum()
    return True, (
        f"plan revenue {gap / base:+.1%} against the budget over {_months(months)}" if base > 0 else "budget compared"
    )


def check_plan_approved(store: Store, cycle: dt.date) -> tuple[bool, str]:
    """The cycle's plan is approved."""
    rows = store.query("SELECT status, approved_by, approved_at FROM plan_versions WHERE cycle = ?", [cycle])
    if rows.empty or rows.at[0, "status"] != "approved":
        return False, "the plan is a draft"
    return True, f"approved by {rows.at[0, 'approved_by']} on {pd.Timestamp(rows.at[0, 'approved_at']):%Y-%m-%d}"


AUTO_CHECKS: dict[str, Check] = {
    "actuals_loaded": check_actuals_loaded,
    "baseline_run": check_baseline_run,
    "consensus_saved": check_consensus_saved,
    "capacity_ok": check_capacity,
    "budget_compared": check_budget_compared,
    "plan_approved": check_plan_approved,
}


def run_check(store: Store, cycle: dt.date, name: str) -> tuple[bool, str]:
    """Run one automatic check; an unknown check name reports itself as not done."""
    check = AUTO_CHECKS.get(name)
    return check(store, cycle) if check else (False, f"unknown automatic check {name!r}")


def plan_status_of(store: Store, cycle: dt.date) -> str | None:
    """The status of the plan version of ``cycle`` (``None`` without one)."""
    value = store.scalar("SELECT status FROM plan_versions WHERE cycle = ?", [cycle])
    return None if value is None else str(value)


def task_frame(store: Store, cycle: dt.date) -> pd.DataFrame:
    """The tasks of ``cycle`` (:data:`TASK_COLUMNS`): stored states, automatic checks run live where undecided.

    A cycle without rows (a plan version from before the cycle engine) shows the template's tasks.
    """
    frame = store.query(
        """SELECT t.task, t.step, t.position, t.label, t.auto_check, t.done, t.detail, t.done_by, t.done_at, t.comment
           FROM cycle_tasks t JOIN cycle_steps s ON s.cycle = t.cycle AND s.step = t.step
           WHERE t.cycle = ? ORDER BY s.position, t.position""",
        [cycle],
    )
    live = True
    if frame.empty:
        # Not tracked by the engine: an approved version completed its cycle before the tool tracked it.
        live = plan_status_of(store, cycle) != "approved"
        frame = store.query(
            """SELECT t.task, t.step, t.position, t.label, t.auto_check, NULL::BOOLEAN AS done, '' AS detail,
                      NULL::VARCHAR AS done_by, NULL::TIMESTAMP AS done_at, '' AS comment
               FROM cycle_template_tasks t JOIN cycle_template s USING (step) ORDER BY s.position, t.position"""
        )
    frame["auto"] = frame["auto_check"].notna()
    done = frame["done"].astype(object).to_numpy()
    detail = frame["detail"].astype(object).to_numpy()
    for i, (check, state) in enumerate(zip(frame["auto_check"], done, strict=True)):
        if state is None or pd.isna(state):
            if not live:
                done[i], detail[i] = True, UNTRACKED
            elif isinstance(check, str):
                done[i], detail[i] = run_check(store, cycle, check)
            else:
                done[i] = False
    frame["done"] = [bool(v) for v in done]
    frame["detail"] = detail
    return frame[TASK_COLUMNS]


def record_task_states(cur: duckdb.DuckDBPyConnection, cycle: dt.date, tasks: pd.DataFrame, by: str) -> None:
    """On an open transaction: write the automatic tasks' live states (as of a sign-off) into ``cycle_tasks``
    (only those not decided yet)."""
    for row in tasks.itertuples():
        if row.auto:
            cur.execute(
                "UPDATE cycle_tasks SET done = ?, detail = ?, done_by = ?, done_at = current_timestamp "
                "WHERE cycle = ? AND task = ? AND done IS NULL",
                [bool(row.done), str(row.detail), by, cycle, row.task],
            )


def tick_task(
    store: Store, cycle: dt.date | str, task: str, *, actor: Actor, done: bool = True, comment: str = ""
) -> None:
    """Tick (or untick) a task by hand. An automatic task can be ticked by hand only with a comment (a waiver);
    unticking it hands it back to its check.

    Refused when the step is signed off; ``FrozenPlanError`` when the cycle is approved. Needs the owning role of
    the task's step (the cycle's copy of the template: finance ticks the pre-S&OP tasks; ``PermissionError``
    naming the step and the role otherwise, nothing written); the tick records ``actor.author``.
    """
    author = actor.author
    cycle_date = month_start(cycle)
    owner = step_owner(store, cycle_date, task=task)
    if owner is not None:  # an unknown task or cycle is refused below
        require_step_role(actor, owner, "tick the tasks of")
    note = str(comment or "").strip()
    with store.transaction() as cur:
        if plan_status(cur, cycle_date) is None:
            raise CycleError(f"There is no cycle {cycle_date:%Y-%m}; open it first.")
        require_draft(cur, cycle_date)
        ensure_cycle(cur, cycle_date, author)
        rows = cur.execute(
            "SELECT t.auto_check, s.signed_at FROM cycle_tasks t JOIN cycle_steps s "
            "ON s.cycle = t.cycle AND s.step = t.step WHERE t.cycle = ? AND t.task = ?",
            [cycle_date, task],
        ).fetchall()
        if not rows:
            raise CycleError(f"Cycle {cycle_date:%Y-%m} has no task {task!r}.")
        auto, signed = rows[0]
        if signed is not None:
            raise CycleError(f"The step of task {task!r} is signed off; its tasks are closed.")
        if auto is not None and done and not note:
            raise CycleError(f"{task!r} is checked by the data; ticking it by hand needs a comment (a waiver).")
        if auto is not None and not done:
            cur.execute(
                "UPDATE cycle_tasks SET done = NULL, detail = '', done_by = NULL, done_at = NULL, "
                "comment = ? WHERE cycle = ? AND task = ?",
                [note, cycle_date, task],
            )
        else:
            cur.execute(
                "UPDATE cycle_tasks SET done = ?, detail = ?, done_by = ?, done_at = current_timestamp, "
                "comment = ? WHERE cycle = ? AND task = ?",
                [bool(done), WAIVED if auto is not None else "", author, note, cycle_date, task],
            )
        record_decision(cur, cycle_date, "tick_task", task, json.dumps({"done": bool(done), "comment": note}), author)
