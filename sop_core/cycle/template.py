"""The cycle template as data: the five steps (owner, offset in working days) and their tasks.

Seeded by migration 3 (``cycle_template``, ``cycle_template_tasks``) with the reference calendar: data by
working day 3, demand review 6, supply review 9, pre-S&OP 12, executive meeting 15 of the cycle month.
Opening a cycle copies the template into the cycle (``cycle_steps``, ``cycle_tasks``), so editing the
template changes later cycles only. A task with an ``auto_check`` is ticked by the data (see
:mod:`.tasks`); one without is ticked by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import duckdb
import pandas as pd

from ..people import Actor, require
from ..plans import plan_status, record_decision
from ..store import Store
from .errors import CycleError
from .workdays import nth_working_day

STEP_KEYS = ("data", "demand", "supply", "pre_sop", "executive")
TEMPLATE_COLUMNS = ["step", "position", "name", "owner", "offset_days"]
TASK_TEMPLATE_COLUMNS = ["task", "step", "position", "label", "auto_check"]


def cycle_template(store: Store) -> pd.DataFrame:
    """The step template in order: :data:`TEMPLATE_COLUMNS`."""
    return store.query("SELECT step, position, name, owner, offset_days FROM cycle_template ORDER BY position")


def task_template(store: Store) -> pd.DataFrame:
    """The task template in step order: :data:`TASK_TEMPLATE_COLUMNS` (``auto_check`` None: ticked by hand)."""
    return store.query(
        "SELECT t.task, t.step, t.position, t.label, t.auto_check FROM cycle_template_tasks t "
        "JOIN cycle_template s USING (step) ORDER BY s.position, t.position"
    )


def _step_row(cur: duckdb.DuckDBPyConnection, step: str) -> tuple:
    rows = cur.execute(
        "SELECT step, position, name, owner, offset_days FROM cycle_template WHERE step = ?", [step]
    ).fetchall()
    if not rows:
        raise CycleError(f"Unknown step {step!r}; the steps are {', '.join(STEP_KEYS)}.")
    return rows[0]


def update_step_template(
    store: Store,
    step: str,
    *,
    actor: Actor,
    name: str | None = None,
    owner: str | None = None,
    offset_days: int | None = None,
) -> None:
    """Change a step's name, owner or offset (working days from the cycle start, ≥ 1, increasing by position).

    Later cycles only: an open cycle keeps the steps it was opened with. Logged (kind ``template``) as
    ``actor.author``; needs the ``settings`` role (``PermissionError`` otherwise, nothing written).
    """
    require(actor, "settings")
    with store.transaction() as cur:
        _, position, old_name, old_owner, old_offset = _step_row(cur, step)
        new_name = (name if name is not None else str(old_name)).strip()
        new_owner = (owner if owner is not None else str(old_owner)).strip()
        offset = int(offset_days if offset_days is not None else old_offset)
        if not new_name or not new_owner:
            raise CycleError("A step needs a name and an owner.")
        before = cur.execute("SELECT max(offset_days) FROM cycle_template WHERE position < ?", [position]).fetchall()
        after = cur.execute("SELECT min(offset_days) FROM cycle_template WHERE position > ?", [position]).fetchall()
        low, high = int(before[0][0] or 0), after[0][0]
        if offset < max(low, 1) or (high is not None and offset > int(high)):
            raise CycleError(
                f"The {step} step's offset must be at least 1 working day and lie between the offsets "
                f"of the steps around it ({low}…{high if high is not None else '∞'})."
            )
        cur.execute(
            "UPDATE cycle_template SET name = ?, owner = ?, offset_days = ? WHERE step = ?",
            [new_name, new_owner, offset, step],
        )
        record_decision(
            cur,
            None,
            "template",
            step,
            json.dumps({"name": new_name, "owner": new_owner, "offset_days": offset}),
            actor.author,
        )


def add_template_task(store: Store, step: str, label: str, *, actor: Actor) -> str:
    """Add a hand-ticked task to a step of the template (later cycles only); returns its key.

    Logged (kind ``template``) as ``actor.author``; needs the ``settings`` role (``PermissionError`` otherwise).
    """
    require(actor, "settings")
    text = str(label or "").strip()
    if not text:
        raise CycleError("A task needs a label.")
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "task"
    with store.transaction() as cur:
        _step_row(cur, step)
        taken = {r[0] for r in cur.execute("SELECT task FROM cycle_template_tasks").fetchall()}
        key, n = base, 2
        while key in taken:
            key, n = f"{base}_{n}", n + 1
        position = cur.execute(
            "SELECT coalesce(max(position), 0) + 1 FROM cycle_template_tasks WHERE step = ?", [step]
        ).fetchall()[0][0]
        cur.execute("INSERT INTO cycle_template_tasks VALUES (?, ?, ?, ?, NULL)", [key, step, position, text])
        record_decision(cur, None, "template", step, json.dumps({"task": key, "label": text}), actor.author)
    return key


def due_dates(start: dt.date, offsets: list[int], holidays: list[dt.date]) -> list[dt.date]:
    """The due date of each offset: working day ``offset`` counted from ``start`` (day 1)."""
    return [nth_working_day(start, int(n), holidays) for n in offsets]


def cycle_frames(
    steps: pd.DataFrame, tasks: pd.DataFrame, cycle: dt.date, start: dt.date, holidays: list[dt.date]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``cycle_steps`` and ``cycle_tasks`` rows of a cycle from the template frames (:data:`TEMPLATE_COLUMNS`,
    :data:`TASK_TEMPLATE_COLUMNS`): due dates fixed on the working-day calendar, nothing signed or ticked."""
    step_rows = steps[TEMPLATE_COLUMNS].copy()
    step_rows.insert(0, "cycle", cycle)
    step_rows["due_date"] = due_dates(start, step_rows["offset_days"].tolist(), holidays)
    step_rows["signed_by"], step_rows["signed_at"], step_rows["comment"] = None, None, ""
    task_rows = tasks[TASK_TEMPLATE_COLUMNS].copy()
    task_rows.insert(0, "cycle", cycle)
    task_rows["done"], task_rows["detail"], task_rows["done_by"], task_rows["done_at"] = None, "", None, None
    task_rows["comment"] = ""
    return step_rows, task_rows


def insert_cycle_frames(
    cur: duckdb.DuckDBPyConnection, cycles: pd.DataFrame, steps: pd.DataFrame, tasks: pd.DataFrame
) -> None:
    """On an open transaction: insert ``cycles`` (``cycle, start_date, from_cycle, opened_by, opened_at``) and their
    step and task rows (:func:`cycle_frames`), one statement per table."""
    for table, frame in (("cycles", cycles), ("cycle_steps", steps), ("cycle_tasks", tasks)):
        cols = ", ".join(frame.columns)
        cur.register("_cycle_rows", frame)
        try:
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _cycle_rows")  # fixed names, our frames
        finally:
            cur.unregister("_cycle_rows")


def read_template(cur: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, list[dt.date]]:
    """On a cursor: the step template, the task template and the holidays."""
    steps = cur.execute("SELECT step, position, name, owner, offset_days FROM cycle_template ORDER BY position").df()
    tasks = cur.execute("SELECT task, step, position, label, auto_check FROM cycle_template_tasks").df()
    holidays = [pd.Timestamp(r[0]).date() for r in cur.execute("SELECT day FROM holidays").fetchall()]
    return steps, tasks, holidays


def create_cycle_rows(
    cur: duckdb.DuckDBPyConnection,
    cycle: dt.date,
    start: dt.date,
    from_cycle: dt.date | None,
    by: str,
) -> None:
    """On an open transaction: the ``cycles`` row and the cycle's steps and tasks copied from the template.

    Due dates are fixed here, on the working-day calendar as it is (holidays included).
    """
    steps, tasks, holidays = read_template(cur)
    step_rows, task_rows = cycle_frames(steps, tasks, cycle, start, holidays)
    row = pd.DataFrame(
        {
            "cycle": [cycle],
            "start_date": [start],
            "from_cycle": [from_cycle],
            "opened_by": [by],
            "opened_at": [dt.datetime.now()],
        }
    )
    insert_cycle_frames(cur, row, step_rows, task_rows)


def ensure_cycle(cur: duckdb.DuckDBPyConnection, cycle: dt.date, by: str) -> None:
    """On an open transaction: make sure ``cycle`` has its rows (a plan version from before the cycle engine gets
    them now, starting on the first day of its month). :class:`CycleError` when there is no plan version."""
    if cur.execute("SELECT count(*) FROM cycles WHERE cycle = ?", [cycle]).fetchall()[0][0]:
        return
    if plan_status(cur, cycle) is None:
        raise CycleError(f"There is no cycle {cycle:%Y-%m}; open it first.")
    create_cycle_rows(cur, cycle, cycle, None, by)
