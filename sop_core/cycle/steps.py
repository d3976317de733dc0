"""Steps: due dates on the working-day calendar, statuses, sign-off.

Status of a step as of ``today``: **done** when signed off; else **overdue** when ``today`` is after its
due date; else **in progress** when the step before it is done (the first step: once the cycle has started)
or one of its tasks was ticked by hand; else **not started**. (An automatic check that the data already
passes does not start a step: the data can be ready long before the step's owner looks.)
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from ..months import month_start
from ..people import Actor, require
from ..plans import plan_status, record_decision, require_draft
from ..store import Store
from .errors import CycleError
from .tasks import record_task_states, task_frame
from .template import EXECUTIVE, cycle_template, due_dates, ensure_cycle, require_step_role, step_owner
from .workdays import holidays

STEP_STATUSES = ("not started", "in progress", "done", "overdue")
STEP_COLUMNS = [
    "step",
    "position",
    "name",
    "owner",
    "owner_role",
    "offset_days",
    "due_date",
    "status",
    "tasks_done",
    "tasks_total",
    "signed_by",
    "signed_at",
    "comment",
]


def stored_steps(store: Store, cycle: dt.date) -> tuple[dt.date, pd.DataFrame]:
    """The cycle's start and its step rows; a cycle without rows gets the template's (start: its month's 1st)."""
    start = store.query("SELECT start_date FROM cycles WHERE cycle = ?", [cycle])
    if len(start):
        # a row without its role (written before migration 6 filled it) shows the template's
        steps = store.query(
            "SELECT s.step, s.position, s.name, s.owner, coalesce(s.owner_role, t.owner_role) AS owner_role, "
            "s.offset_days, s.due_date, s.signed_by, s.signed_at, s.comment "
            "FROM cycle_steps s LEFT JOIN cycle_template t USING (step) WHERE s.cycle = ? ORDER BY s.position",
            [cycle],
        )
        steps["due_date"] = [pd.Timestamp(d).date() for d in steps["due_date"]]
        return pd.Timestamp(start.at[0, "start_date"]).date(), steps
    steps = cycle_template(store)
    steps["due_date"] = due_dates(cycle, steps["offset_days"].tolist(), holidays(store))
    steps["signed_by"], steps["signed_at"], steps["comment"] = None, pd.NaT, ""
    return cycle, steps


def step_status(signed: bool, due: dt.date, today: dt.date, started: bool) -> str:
    """One step's status (see the module doc)."""
    if signed:
        return "done"
    if today > due:
        return "overdue"
    return "in progress" if started else "not started"


def step_frame(
    steps: pd.DataFrame, tasks: pd.DataFrame, start: dt.date, today: dt.date, completed: bool = False
) -> pd.DataFrame:
    """The steps with ``status`` and task counts (:data:`STEP_COLUMNS`); ``completed``: every step done (an
    approved version from before the cycle engine)."""
    counts = tasks.groupby("step")["done"].agg(["sum", "count"])
    by_hand = tasks["done"] & tasks["done_by"].notna() & (tasks["done_by"] != "check")
    touched = set(tasks.loc[by_hand, "step"])
    frame = steps.copy()
    frame["tasks_done"] = [int(counts["sum"].get(s, 0)) for s in frame["step"]]
    frame["tasks_total"] = [int(counts["count"].get(s, 0)) for s in frame["step"]]
    statuses, previous_done = [], today >= start
    for row in frame.itertuples():
        signed = row.signed_by is not None and not pd.isna(row.signed_by)
        started = previous_done or row.step in touched
        statuses.append(step_status(signed or completed, row.due_date, today, started))
        previous_done = signed
    frame["status"] = statuses
    return frame[STEP_COLUMNS]


def sign_off_step(store: Store, cycle: dt.date | str, step: str, *, actor: Actor, comment: str = "") -> None:
    """Sign off ``step`` of ``cycle`` (who, when, comment).

    Refused (:class:`~.errors.CycleError`) when a task of the step is not done, when an earlier step is not
    signed off, or when already signed; ``FrozenPlanError`` when the cycle is approved. The executive step is
    signed by :func:`~.approval.approve_cycle`. The automatic tasks' states are recorded with the sign-off.
    Needs the ``sign_off`` permission and the step's owning role (the cycle's copy of the template:
    ``PermissionError`` naming the step and the role otherwise, nothing written); signed as ``actor.author``.
    """
    require(actor, "sign_off")
    author = actor.author
    cycle_date = month_start(cycle)
    if step == EXECUTIVE:
        raise CycleError("The executive step is signed off by approving the cycle's plan (approve_cycle).")
    owner = step_owner(store, cycle_date, step=step)
    if owner is not None:  # an unknown step is refused below
        require_step_role(actor, owner, "sign off")
    tasks = task_frame(store, cycle_date)
    mine = tasks[tasks["step"] == step]
    with store.transaction() as cur:
        if plan_status(cur, cycle_date) is None:
            raise CycleError(f"There is no cycle {cycle_date:%Y-%m}; open it first.")
        require_draft(cur, cycle_date)
        ensure_cycle(cur, cycle_date, author)
        rows = cur.execute(
            "SELECT position, signed_by FROM cycle_steps WHERE cycle = ? AND step = ?", [cycle_date, step]
        ).fetchall()
        if not rows:
            raise CycleError(f"Cycle {cycle_date:%Y-%m} has no step {step!r}.")
        position, signed_by = rows[0]
        if signed_by is not None:
            raise CycleError(f"The {step} step of {cycle_date:%Y-%m} is already signed off by {signed_by}.")
        open_before = [
            r[0]
            for r in cur.execute(
                "SELECT step FROM cycle_steps WHERE cycle = ? AND position < ? AND signed_by IS NULL ORDER BY position",
                [cycle_date, position],
            ).fetchall()
        ]
        if open_before:
            raise CycleError(f"Sign off the earlier steps first: {', '.join(open_before)}.")
        undone = mine[~mine["done"]]
        if len(undone):
            raise CycleError(
                "Tasks not done: "
                + "; ".join(f"{r.label} ({r.detail})" if r.detail else r.label for r in undone.itertuples())
            )
        record_task_states(cur, cycle_date, mine, "check")
        cur.execute(
            "UPDATE cycle_steps SET signed_by = ?, signed_at = current_timestamp, comment = ? "
            "WHERE cycle = ? AND step = ?",
            [author, str(comment or "").strip(), cycle_date, step],
        )
        record_decision(cur, cycle_date, "sign_off", step, json.dumps({"comment": str(comment or "").strip()}), author)
