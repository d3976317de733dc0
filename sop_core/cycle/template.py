"""The cycle template as data: the five steps (owner, owning role, offset in working days) and their tasks.

Seeded by migration 3 (``cycle_template``, ``cycle_template_tasks``) with the reference calendar: data by
working day 3, demand review 6, supply review 9, pre-S&OP 12, executive meeting 15 of the cycle month.
Opening a cycle copies the template into the cycle (``cycle_steps``, ``cycle_tasks``), so editing the
template changes later cycles only. A task with an ``auto_check`` is ticked by the data (see
:mod:`.tasks`); one without is ticked by hand.

**Owning role** (migration 6): each step names the role whose holders sign it off and tick its tasks —
data, demand and supply review the planner, pre-S&OP finance, the executive meeting the executive. The
``owner`` beside it is a free-text label (a team or a person). The role is one of the roles that may sign
off steps (``sign_off`` in :data:`sop_core.people.PERMISSIONS`); the executive step's is one that may
approve, since approving the plan signs it. *Choice:* there is no override — an admin manages people and
settings and is not a super-user, and an executive controls the whole cycle through the approval; a
person who runs another step holds its role too (or the template names another role for later cycles).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd

from ..people import PERMISSIONS, Actor, require
from ..people.roles import ordered
from ..plans import plan_status, record_decision
from ..store import Store
from .errors import CycleError, EditConflictError
from .workdays import nth_working_day

STEP_KEYS = ("data", "demand", "supply", "pre_sop", "executive")
EXECUTIVE = "executive"
TEMPLATE_COLUMNS = ["step", "position", "name", "owner", "owner_role", "offset_days"]
TASK_TEMPLATE_COLUMNS = ["task", "step", "position", "label", "auto_check"]
_TEMPLATE_SQL = "SELECT step, position, name, owner, owner_role, offset_days FROM cycle_template"  # fixed text


def cycle_template(store: Store) -> pd.DataFrame:
    """The step template in order: :data:`TEMPLATE_COLUMNS`."""
    return store.query(f"{_TEMPLATE_SQL} ORDER BY position")  # fixed text, no input


def step_role_choices(step: str) -> tuple[str, ...]:
    """The roles that may own ``step``: those that may sign off steps; for the executive step, approve."""
    return ordered(PERMISSIONS["approve" if step == EXECUTIVE else "sign_off"].roles)


@dataclass(frozen=True)
class StepOwner:
    """A cycle's step as the role check needs it: key, display name and owning role."""

    step: str
    name: str
    role: str


def step_owner(store: Store, cycle: dt.date, *, step: str | None = None, task: str | None = None) -> StepOwner | None:
    """The step ``step`` of ``cycle`` (or the step of its task ``task``) with its owning role; ``None`` when the
    cycle has no such step or task.

    A cycle opened in the tool answers from its own copy (a template edit changes later cycles only); a plan
    version from before the cycle engine, from the template (its rows are copied from it on the first write).
    """
    if (step is None) == (task is None):
        raise ValueError("step_owner needs exactly one of step and task")
    opened = bool(store.scalar("SELECT count(*) FROM cycles WHERE cycle = ?", [cycle]))
    if task is not None:
        table = "cycle_tasks WHERE cycle = ? AND task = ?" if opened else "cycle_template_tasks WHERE task = ?"
        # fixed table text chosen above; the values are bound
        found = store.query(f"SELECT step FROM {table}", [cycle, task] if opened else [task])  # fixed text above
        if found.empty:
            return None
        step = str(found.at[0, "step"])
    if opened:
        # a row written without the role (before migration 6 filled it) falls back to the template's
        rows = store.query(
            "SELECT s.name, coalesce(s.owner_role, t.owner_role) AS role FROM cycle_steps s "
            "LEFT JOIN cycle_template t USING (step) WHERE s.cycle = ? AND s.step = ?",
            [cycle, step],
        )
    else:
        rows = store.query("SELECT name, owner_role AS role FROM cycle_template WHERE step = ?", [step])
    if rows.empty:
        return None
    return StepOwner(str(step), str(rows.at[0, "name"]), str(rows.at[0, "role"] or ""))


def may_work_on(actor: Actor, role: str) -> bool:
    """True when ``actor`` holds ``role``: they may sign off the step it owns and tick its tasks."""
    return role in actor.roles


def require_step_role(actor: Actor, owner: StepOwner, doing: str) -> None:
    """Return when ``actor`` holds the step's owning role; else ``PermissionError`` naming the step and the role.

    ``doing`` completes ``may not …``: ``require_step_role(a, owner, "sign off")`` refuses with
    ``ann@example.com (planner) may not sign off the Pre-S&OP reconciliation step: needs finance``. A step without
    a role (never, after migration 6) is open to whoever may sign off steps.
    """
    if not owner.role:
        require(actor, "sign_off")
    elif not may_work_on(actor, owner.role):
        raise PermissionError(
            f"{actor.email} ({actor.role_text}) may not {doing} the {owner.name} step: needs {owner.role}"
        )


def step_role_hint(actor: Actor, role: str, doing: str) -> str:
    """The one-line caption a page shows in place of a step's control ``actor`` may not use, in the words of
    :func:`sop_core.people.needs_role`: ``Ticking tasks needs the finance role; you are signed in as planner.``"""
    return f"{doing} the {role} role; you are signed in as {actor.role_text}."


def task_template(store: Store) -> pd.DataFrame:
    """The task template in step order: :data:`TASK_TEMPLATE_COLUMNS` (``auto_check`` None: ticked by hand)."""
    return store.query(
        "SELECT t.task, t.step, t.position, t.label, t.auto_check FROM cycle_template_tasks t "
        "JOIN cycle_template s USING (step) ORDER BY s.position, t.position"
    )


def _step_row(cur: duckdb.DuckDBPyConnection, step: str) -> tuple:
    rows = cur.execute(f"{_TEMPLATE_SQL} WHERE step = ?", [step]).fetchall()  # fixed text; step bound
    if not rows:
        raise CycleError(f"Unknown step {step!r}; the steps are {', '.join(STEP_KEYS)}.")
    return rows[0]


EDITABLE_STEP_FIELDS = ("name", "owner", "owner_role", "offset_days")


def update_step_template(
    store: Store,
    step: str,
    *,
    actor: Actor,
    name: str | None = None,
    owner: str | None = None,
    owner_role: str | None = None,
    offset_days: int | None = None,
    seen: Mapping[str, object] | None = None,
) -> None:
    """Change a step's name, owner, owning role or offset; ``None`` keeps a field. See :func:`update_template`."""
    fields = {"name": name, "owner": owner, "owner_role": owner_role, "offset_days": offset_days}
    changes = {k: v for k, v in fields.items() if v is not None}
    update_template(store, {step: changes}, actor=actor, seen=None if seen is None else {step: seen})


def update_template(
    store: Store,
    changes: Mapping[str, Mapping[str, object]],
    *,
    actor: Actor,
    seen: Mapping[str, Mapping[str, object]] | None = None,
) -> list[str]:
    """Change several steps of the template at once (``{step: {field: value}}``, fields of
    :data:`EDITABLE_STEP_FIELDS`), all or nothing; returns the steps that changed.

    Rules, checked on the template as it will be: a name and an owner; an owning role of
    :func:`step_role_choices` (case and spaces ignored); offsets in working days from the cycle start, at least 1
    and never below an earlier step's. ``seen``: the steps' fields as the editor showed them — a step changed by
    someone else since is refused (:class:`~.errors.EditConflictError`, naming who and when). Later cycles only: an
    open cycle keeps the steps it was opened with. Each changed step is logged (kind ``template``) as
    ``actor.author``; needs the ``settings`` role (``PermissionError`` otherwise, nothing written);
    :class:`CycleError` on a bad value.
    """
    require(actor, "settings")
    changed: list[str] = []
    with store.transaction() as cur:
        template = {str(r[0]): r for r in cur.execute(f"{_TEMPLATE_SQL} ORDER BY position").fetchall()}  # fixed text
        rows = {step: dict(zip(TEMPLATE_COLUMNS, row, strict=True)) for step, row in template.items()}
        for step, fields in changes.items():
            if step not in rows:
                raise CycleError(f"Unknown step {step!r}; the steps are {', '.join(STEP_KEYS)}.")
            unknown = set(fields) - set(EDITABLE_STEP_FIELDS)
            if unknown:
                raise CycleError(f"Not a field of a step: {', '.join(sorted(unknown))}.")
            if seen is not None and step in seen:
                _check_seen(cur, rows[step], seen[step])
            new = {**rows[step], **{k: v for k, v in fields.items() if v is not None}}
            rows[step] = _clean_step(step, new)
        _check_offsets(list(rows.values()))
        for step, row in rows.items():
            before = dict(zip(TEMPLATE_COLUMNS, template[step], strict=True))
            if all(row[f] == before[f] for f in EDITABLE_STEP_FIELDS):
                continue
            cur.execute(
                "UPDATE cycle_template SET name = ?, owner = ?, owner_role = ?, offset_days = ? WHERE step = ?",
                [row["name"], row["owner"], row["owner_role"], row["offset_days"], step],
            )
            detail = {f: row[f] for f in EDITABLE_STEP_FIELDS}
            record_decision(cur, None, "template", step, json.dumps(detail), actor.author)
            changed.append(step)
    return changed


def _clean_step(step: str, row: dict[str, object]) -> dict[str, object]:
    """One step's fields validated and normalised (stripped text, lower-case role, whole offset)."""
    name, owner = str(row["name"] or "").strip(), str(row["owner"] or "").strip()
    role = str(row["owner_role"] or "").strip().lower()
    if not name or not owner:
        raise CycleError(f"The {step} step needs a name and an owner.")
    choices = step_role_choices(step)
    if role not in choices:
        why = "approving the plan signs it off" if step == EXECUTIVE else "a role that may sign off steps"
        raise CycleError(f"The {step} step's owning role must be {' or '.join(choices)} ({why}); not {role!r}.")
    value = row["offset_days"]
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if isinstance(value, bool) or not number.is_integer():
        raise CycleError(f"The {step} step's offset must be a whole number of working days; not {value!r}.")
    offset = int(number)
    return {**row, "name": name, "owner": owner, "owner_role": role, "offset_days": offset}


def _check_offsets(rows: list[dict[str, object]]) -> None:
    """Offsets at least 1 and never below an earlier step's (rows in position order)."""
    for i, row in enumerate(rows):
        low = max([1, *(int(str(r["offset_days"])) for r in rows[:i])])
        later = [int(str(r["offset_days"])) for r in rows[i + 1 :]]
        high = min(later) if later else None
        offset = int(str(row["offset_days"]))
        if offset < low or (high is not None and offset > high):
            raise CycleError(
                f"The {row['step']} step's offset must be at least 1 working day and lie between the offsets "
                f"of the steps around it ({low}…{high if high is not None else '∞'})."
            )


def _check_seen(cur: duckdb.DuckDBPyConnection, now: dict[str, object], seen: Mapping[str, object]) -> None:
    """Refuse (:class:`EditConflictError`) when a field the editor saw differs from the stored one."""
    differ = [
        (f, seen[f], now[f])
        for f in EDITABLE_STEP_FIELDS
        if f in seen and str(seen[f]).strip() != str(now[f] if now[f] is not None else "").strip()
    ]
    if not differ:
        return
    last = cur.execute(
        "SELECT decided_by, decided_at FROM decisions WHERE kind = 'template' AND subject = ? "
        "ORDER BY decision_id DESC LIMIT 1",
        [now["step"]],
    ).fetchall()
    by, at = (str(last[0][0]), pd.Timestamp(last[0][1]).to_pydatetime()) if last else (None, None)
    who = f" by {by} at {at:%Y-%m-%d %H:%M}" if by and at else ""
    what = "; ".join(f"{f}: {old} → {new}" for f, old, new in differ)
    raise EditConflictError(
        f"The {now['name']} step was changed{who} after you opened it ({what}). Nothing was saved: "
        "reload to see their change, then apply yours again.",
        by,
        at,
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
    steps = cur.execute(f"{_TEMPLATE_SQL} ORDER BY position").df()  # fixed text, no input
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
