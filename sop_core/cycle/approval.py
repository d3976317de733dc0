"""Approval and reopening: the cycle's plan becomes the frozen plan of record, with a checksum.

The frozen snapshot is the cycle's four plan tables (demand, production, inventory/backlog, budget), rows in
key order, written as canonical text (:func:`sop_core.plans.snapshot_texts`); its sha256 is stored on the plan
version at approval. Every later write
to the approved plan is refused by ``plans.require_draft`` / ``plans.write_plan_rows`` (one rule).
Reopening (back to draft) needs a reason, is logged, and is allowed for the latest cycle only.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..months import month_start
from ..people import Actor, require
from ..plans import (
    PLAN_COLUMNS,
    freeze_plan,
    plan_checksum,
    plan_snapshot_rows,
    plan_status,
    resolve_cycle,
    unfreeze_plan,
)
from ..store import FrozenPlanError, Store
from .errors import CycleError
from .steps import EXECUTIVE
from .tasks import record_task_states, task_frame
from .template import ensure_cycle


def approve_cycle(store: Store, cycle: dt.date | str | None = None, *, actor: Actor, comment: str = "") -> str:
    """Approve the plan of ``cycle`` (default: the latest) and sign off the executive step; returns the checksum.

    Needs the ``approve`` role (``PermissionError`` otherwise, nothing written); recorded as ``actor.author``.
    Refused (:class:`~.errors.CycleError`) while an earlier step is not signed off or a hand task of the
    executive step is not done; ``FrozenPlanError`` when already approved. The freeze itself is
    :func:`sop_core.plans.freeze_plan` (the same rule as ``plans.approve_plan``).
    """
    require(actor, "approve")
    author = actor.author
    cycle_date = resolve_cycle(store, cycle)
    if cycle_date is None:
        raise CycleError("The store has no plan cycle yet.")
    tasks = task_frame(store, cycle_date)
    mine = tasks[(tasks["step"] == EXECUTIVE)]
    note = str(comment or "").strip()
    with store.transaction() as cur:
        status = plan_status(cur, cycle_date)
        if status == "approved":
            raise FrozenPlanError(f"The plan of cycle {cycle_date:%Y-%m} is already approved.")
        ensure_cycle(cur, cycle_date, author)
        open_steps = [
            r[0]
            for r in cur.execute(
                "SELECT step FROM cycle_steps WHERE cycle = ? AND step <> ? AND signed_by IS NULL ORDER BY position",
                [cycle_date, EXECUTIVE],
            ).fetchall()
        ]
        if open_steps:
            raise CycleError(
                f"Cycle {cycle_date:%Y-%m} cannot be approved before these steps are signed off: "
                f"{', '.join(open_steps)}."
            )
        undone = mine[~mine["done"] & (mine["task"] != "plan_approved")]
        if len(undone):
            raise CycleError("Executive tasks not done: " + "; ".join(undone["label"]))
        checksum = freeze_plan(cur, cycle_date, author, note or None)
        record_task_states(cur, cycle_date, mine.assign(done=True, detail=f"approved by {author}"), "check")
        cur.execute(
            "UPDATE cycle_steps SET signed_by = ?, signed_at = current_timestamp, comment = ? "
            "WHERE cycle = ? AND step = ?",
            [author, note, cycle_date, EXECUTIVE],
        )
    return checksum


def reopen_cycle(store: Store, cycle: dt.date | str, *, actor: Actor, reason: str) -> None:
    """Reopen the approved plan of ``cycle``: back to draft, the executive sign-off cleared, logged with the reason.

    Needs the ``approve`` role (``PermissionError`` otherwise, nothing written); logged as ``actor.author``.
    Refused (:class:`~.errors.CycleError`) without a reason, when the cycle is not approved, or when a later cycle
    exists (its draft rolled forward from this plan; reopen that one instead).
    """
    require(actor, "approve")
    author = actor.author
    why = str(reason or "").strip()
    if not why:
        raise CycleError("Reopening an approved plan needs a reason.")
    cycle_date = month_start(cycle)
    with store.transaction() as cur:
        status = plan_status(cur, cycle_date)
        if status != "approved":
            raise CycleError(f"The plan of cycle {cycle_date:%Y-%m} is not approved; there is nothing to reopen.")
        later = cur.execute("SELECT min(cycle) FROM plan_versions WHERE cycle > ?", [cycle_date]).fetchall()[0][0]
        if later is not None:
            raise CycleError(
                f"Cycle {later:%Y-%m} is already open after {cycle_date:%Y-%m}; only the latest cycle can be reopened."
            )
        unfreeze_plan(cur, cycle_date, author, why)
        ensure_cycle(cur, cycle_date, author)
        cur.execute(
            "UPDATE cycle_steps SET signed_by = NULL, signed_at = NULL, comment = ? WHERE cycle = ? AND step = ?",
            [f"reopened by {author}: {why}", cycle_date, EXECUTIVE],
        )
        cur.execute(
            "UPDATE cycle_tasks SET done = NULL, detail = '', done_by = NULL, done_at = NULL "
            "WHERE cycle = ? AND step = ? AND auto_check IS NOT NULL",
            [cycle_date, EXECUTIVE],
        )


def plan_snapshot(store: Store, cycle: dt.date | str) -> dict[str, pd.DataFrame]:
    """The cycle's plan tables (``demand_plan``, ``production_plan``, ``inventory_plan``, ``budget``) in key order:
    the rows the checksum is taken over."""
    cycle_date = month_start(cycle)
    cur = store.cursor()
    try:
        rows = plan_snapshot_rows(cur, [cycle_date])[cycle_date]
    finally:
        cur.close()
    return {
        table: pd.DataFrame(rows[table], columns=[*keys, *values]) for table, (keys, values) in PLAN_COLUMNS.items()
    }


def snapshot_checksum(store: Store, cycle: dt.date | str) -> str:
    """The sha256 (hex) of the cycle's plan snapshot as it is now (:func:`sop_core.plans.plan_checksum`)."""
    cur = store.cursor()
    try:
        return plan_checksum(cur, month_start(cycle))
    finally:
        cur.close()


def verify_snapshot(store: Store, cycle: dt.date | str) -> bool:
    """True when the approved cycle's plan still matches the checksum stored at approval (False without one)."""
    stored = store.scalar(
        "SELECT checksum FROM plan_versions WHERE cycle = ? AND status = 'approved'", [month_start(cycle)]
    )
    return stored is not None and stored == snapshot_checksum(store, cycle)
