"""One picture of a cycle for the page and the CLI: :class:`CycleStatus` from :func:`cycle_status`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..months import business_today, month_start
from ..plans import latest_cycle
from ..store import Store
from .errors import CycleError
from .registers import list_items
from .steps import STEP_COLUMNS, STEP_STATUSES, step_frame, stored_steps
from .tasks import TASK_COLUMNS, task_frame

__all__ = ["STEP_COLUMNS", "STEP_STATUSES", "TASK_COLUMNS", "CycleStatus", "cycle_list", "cycle_status"]


CYCLE_LIST_COLUMNS = ["cycle", "plan_status", "progress", "current_step", "overdue_steps", "approved_by", "approved_at"]


@dataclass(frozen=True)
class CycleStatus:
    """A cycle as the page and the CLI show it.

    ``steps``: :data:`STEP_COLUMNS`, one row per step in order (``status`` one of :data:`STEP_STATUSES`).
    ``tasks``: :data:`TASK_COLUMNS`, one row per task (``auto`` True: checked by the data; ``detail`` says what
    the check found). ``progress`` = tasks done / tasks. ``opened`` is False for a plan version that predates
    the cycle engine (its steps come from the template, nothing signed).
    """

    cycle: dt.date
    opened: bool
    plan_status: str | None  # 'draft' | 'approved' | None (no plan version)
    start: dt.date
    steps: pd.DataFrame
    tasks: pd.DataFrame
    progress: float
    current_step: str | None  # the first step not done (None when all are done)
    opened_by: str | None
    opened_at: dt.datetime | None
    from_cycle: dt.date | None  # the approved plan it rolled forward from
    approved_by: str | None
    approved_at: dt.datetime | None
    checksum: str | None  # sha256 of the frozen snapshot (approved cycles)
    open_decisions: int
    overdue_decisions: int
    open_assumptions: int
    overdue_assumptions: int
    carried_overrides_to_review: int

    @property
    def approved(self) -> bool:
        """True when the cycle's plan is approved (frozen)."""
        return self.plan_status == "approved"

    def to_text(self) -> str:
        """A plain-text summary (the CLI's ``cycle status``)."""
        head = f"Cycle {self.cycle:%Y-%m}: plan {self.plan_status or 'missing'}, {self.progress:.0%} of tasks done"
        lines = [head]
        if self.opened:
            source = f" from the plan of {self.from_cycle:%Y-%m}" if self.from_cycle else ""
            lines.append(f"  opened by {self.opened_by}{source}; started {self.start:%Y-%m-%d}")
        if self.approved:
            lines.append(
                f"  approved by {self.approved_by} at {pd.Timestamp(self.approved_at):%Y-%m-%d %H:%M}, "
                f"sha256 {self.checksum}"
            )
        for step in self.steps.itertuples():
            signed = (
                f" — signed by {step.signed_by} {pd.Timestamp(step.signed_at):%Y-%m-%d}"
                if isinstance(step.signed_by, str)
                else ""
            )
            lines.append(
                f"  {step.position}. {step.name:<30} {step.owner:<28} due {step.due_date:%Y-%m-%d}  "
                f"{step.status:<11} {step.tasks_done}/{step.tasks_total}{signed}"
            )
            for task in self.tasks[self.tasks["step"] == step.step].itertuples():
                mark = "x" if task.done else " "
                extra = f" — {task.detail}" if task.detail else ""
                lines.append(f"       [{mark}] {task.label}{extra}")
        lines.append(
            f"  decisions: {self.open_decisions} open ({self.overdue_decisions} overdue); assumptions: "
            f"{self.open_assumptions} open ({self.overdue_assumptions} overdue)"
        )
        if self.carried_overrides_to_review:
            lines.append(f"  carried overrides to review: {self.carried_overrides_to_review}")
        return "\n".join(lines) + "\n"


def cycle_status(store: Store, cycle: dt.date | str | None = None, *, today: dt.date | None = None) -> CycleStatus:
    """The status of ``cycle`` (default: the latest plan cycle) as of ``today`` (default: the system date).

    Read only. :class:`~.errors.CycleError` when the store has no such cycle.
    """
    chosen = month_start(cycle) if cycle is not None else latest_cycle(store)
    day = today or business_today()
    if chosen is None:
        raise CycleError("The store has no plan cycle yet.")
    version = store.query(
        """SELECT v.status, v.approved_by, v.approved_at, v.checksum, c.cycle IS NOT NULL AS opened, c.opened_by,
                  c.opened_at, c.from_cycle
           FROM plan_versions v LEFT JOIN cycles c ON c.cycle = v.cycle WHERE v.cycle = ?""",
        [chosen],
    )
    if version.empty:
        raise CycleError(f"There is no cycle {chosen:%Y-%m}.")
    info = version.iloc[0]
    start, steps = stored_steps(store, chosen)
    tasks = task_frame(store, chosen)
    opened = bool(info["opened"])
    frame = step_frame(steps, tasks, start, day, completed=not opened and info["status"] == "approved")
    pending = step_frame_pending(frame)
    decisions = list_items(store, "decision", chosen, status="open", today=day)
    assumptions = list_items(store, "assumption", chosen, status="open", today=day)
    to_review = int(
        store.scalar(
            """SELECT count(*) FROM cycle_carried_overrides c JOIN forecast_overrides o USING (cycle, layer, family,
               region, sku, month)
           WHERE c.cycle = ? AND c.reviewed_at IS NULL AND o.version = c.carried_version""",
            [chosen],
        )
        or 0
    )
    return CycleStatus(
        cycle=chosen,
        opened=opened,
        plan_status=str(info["status"]),
        start=start,
        steps=frame,
        tasks=tasks,
        progress=float(tasks["done"].mean()) if len(tasks) else 0.0,
        current_step=pending,
        opened_by=_text(info["opened_by"]),
        opened_at=_stamp(info["opened_at"]),
        from_cycle=None if pd.isna(info["from_cycle"]) else pd.Timestamp(info["from_cycle"]).date(),
        approved_by=_text(info["approved_by"]),
        approved_at=_stamp(info["approved_at"]),
        checksum=_text(info["checksum"]),
        open_decisions=len(decisions),
        overdue_decisions=int(decisions["overdue"].sum()),
        open_assumptions=len(assumptions),
        overdue_assumptions=int(assumptions["overdue"].sum()),
        carried_overrides_to_review=to_review,
    )


def step_frame_pending(steps: pd.DataFrame) -> str | None:
    """The first step not done (``None`` when every step is done)."""
    pending = steps.loc[steps["status"] != "done", "step"]
    return str(pending.iloc[0]) if len(pending) else None


def _text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _stamp(value: object) -> dt.datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def cycle_list(store: Store, *, today: dt.date | None = None) -> pd.DataFrame:
    """Every cycle, newest first: :data:`CYCLE_LIST_COLUMNS`.

    Draft cycles get their full :func:`cycle_status` (live checks); approved ones are read from their stored
    sign-offs in one query (an approved version from before the cycle engine counts as completed).
    """
    day = today or business_today()
    frame = store.query(
        """SELECT v.cycle, v.status AS plan_status,
                  CASE WHEN count(t.task) = 0 THEN 1.0 ELSE avg(coalesce(t.done, false)::INTEGER) END AS progress,
                  NULL::VARCHAR AS current_step, 0 AS overdue_steps, v.approved_by, v.approved_at
           FROM plan_versions v LEFT JOIN cycle_tasks t ON t.cycle = v.cycle
           GROUP BY ALL ORDER BY v.cycle DESC"""
    )
    for i, row in frame.iterrows():
        if row["plan_status"] != "approved":
            state = cycle_status(store, pd.Timestamp(row["cycle"]).date(), today=day)
            frame.loc[i, ["progress", "current_step", "overdue_steps"]] = [
                state.progress,
                state.current_step,
                int((state.steps["status"] == "overdue").sum()),
            ]
    frame["overdue_steps"] = frame["overdue_steps"].astype(int)
    return frame[CYCLE_LIST_COLUMNS]
