"""The demo company's cycle history: past cycles signed off, decisions, assumptions, the current cycle part-way.

Written by :func:`sop_core.demo.load_demo` inside its transaction, after the plan versions:

* the template's owners are the demo's people;
* the last :data:`TRACKED_CYCLES` approved cycles were run in the tool: opened from the plan before, every
  step signed off on its due date (the executive step when the plan was approved), their tasks recorded done
  at sign-off, their plans frozen with the checksum of the snapshot (older versions predate the tool);
* the current cycle is part-way: data and demand review signed off, the supply review in progress (the
  Assembly overload is not explained yet). Its start is placed six working days before the day the demo is
  built, so that a first look at the Cycle page shows that moment whatever the day of the month;
* the decision log: some done, one overdue (the second casting supplier for Industrial Pumps), some open —
  among them the Custom Skids backlog, due at this month's meeting; one dropped. Open items are carried into
  every later cycle, as opening a cycle does;
* the assumption register, with one assumption created and one changed since the last cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from ..months import add_months
from ..plans import plan_checksums
from .registers import apply_change, insert_item
from .template import due_dates, insert_cycle_frames, read_template
from .workdays import add_working_days, nth_working_day

TRACKED_CYCLES = 12  # past cycles run in the tool (the demand planning history covers the same ones)
OWNERS = {
    "data": "Ines Vogt (Demand planning)",
    "demand": "Jonas Keller (Sales)",
    "supply": "Lena Brandt (Operations)",
    "pre_sop": "Tom Berg (Finance)",
    "executive": "Katrin Wolf (Managing director)",
}
HAND_TICKS = {  # who ticks each hand task in the demo
    "data_reviewed": OWNERS["data"],
    "demand_assumptions": "Mara Lind (Marketing)",
    "supply_reviewed": OWNERS["supply"],
    "scenarios_prepared": OWNERS["pre_sop"],
    "preread_sent": OWNERS["pre_sop"],
}

STEP_ROW_COLUMNS = [
    "cycle",
    "step",
    "position",
    "name",
    "owner",
    "owner_role",
    "offset_days",
    "due_date",
    "signed_by",
    "signed_at",
    "comment",
]
TASK_ROW_COLUMNS = [
    "cycle",
    "task",
    "step",
    "position",
    "label",
    "auto_check",
    "done",
    "detail",
    "done_by",
    "done_at",
    "comment",
]
_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Item:
    """A demo decision or assumption: raised ``back`` cycles before the current one (0: the current cycle)."""

    register: str
    back: int
    text: str
    owner: str
    due: tuple[int, int] | None  # (cycles before the current one, day of month); None: no due date
    closed: tuple[str, int, int] | None = None  # (status, cycles back, day) when it was done or dropped
    family: str | None = None
    resource: str | None = None


ITEMS = (
    Item(
        "decision",
        8,
        "Run the Compact Pumps spring promotion with dealer incentives",
        "Mara Lind (Marketing)",
        (7, 15),
        ("done", 7, 12),
        family="Compact Pumps",
    ),
    Item(
        "decision",
        6,
        "Raise the Compact Pumps stock target to 30 days of supply",
        OWNERS["data"],
        (5, 20),
        ("done", 5, 18),
        family="Compact Pumps",
    ),
    Item(
        "decision",
        5,
        "Qualify a second casting supplier for Industrial Pumps",
        OWNERS["supply"],
        (2, 25),
        family="Industrial Pumps",
    ),
    Item(
        "decision",
        3,
        "Cap Sales overrides on Standard Valves at the baseline unless backed by orders",
        OWNERS["demand"],
        (-2, 15),
        family="Standard Valves",
    ),
    Item(
        "decision",
        2,
        "Hold the High-Pressure Valves budget; Finance presents a re-forecast next month",
        OWNERS["pre_sop"],
        (1, 20),
        ("done", 1, 19),
        family="High-Pressure Valves",
    ),
    Item(
        "decision",
        1,
        "Raise Filters prices 3 % from January",
        OWNERS["pre_sop"],
        (0, 10),
        ("dropped", 1, 28),
        family="Filters",
    ),
    Item(
        "decision",
        1,
        "Add a Saturday shift in skid assembly to work down the Custom Skids backlog",
        OWNERS["supply"],
        (0, 0),
        family="Custom Skids",
    ),
    Item(
        "assumption",
        8,
        "The Compact Pumps promotion lifts demand 10-15 % through the spring",
        "Mara Lind (Marketing)",
        (4, 30),
        ("done", 4, 28),
        family="Compact Pumps",
    ),
    Item("assumption", 6, "Steel prices stay within 5 % of the budget", OWNERS["pre_sop"], (-3, 28)),
    Item(
        "assumption",
        3,
        "The Assembly line refit takes 28 % of its hours for three months from February",
        OWNERS["supply"],
        (-4, 28),
        resource="Assembly",
    ),
    Item(
        "assumption",
        0,
        "Custom Skids orders keep growing about 5 % a month",
        OWNERS["demand"],
        (-2, 28),
        family="Custom Skids",
    ),
)
STEEL_SURCHARGE = "Steel prices rise 8 % from January (supplier surcharge announced)"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def write_cycle_history(cur: duckdb.DuckDBPyConnection, cycle: dt.date, today: dt.date) -> None:
    """On the demo's open transaction: the cycle history described in the module doc (``cycle``: the draft)."""
    for step, owner in OWNERS.items():
        cur.execute("UPDATE cycle_template SET owner = ? WHERE step = ?", [owner, step])
    starts = {add_months(cycle, -back): add_months(cycle, -back) for back in range(TRACKED_CYCLES, 0, -1)}
    rows = cur.execute(
        "SELECT cycle, approved_at, approved_by FROM plan_versions WHERE status = 'approved' AND cycle >= ?",
        [min(starts)],
    ).fetchall()
    approved = {r[0]: r[1] for r in rows}
    approvers = {r[0]: r[2] for r in rows}
    cur.executemany(
        "UPDATE plan_versions SET checksum = ? WHERE cycle = ?",
        [[value, version] for version, value in plan_checksums(cur, list(approved)).items()],
    )
    starts[cycle] = add_working_days(today, -6)  # the current cycle: today is its 7th working day
    template, task_template, holidays = read_template(cur)
    step_rows, task_rows = [], []
    tasks_of = {step: [t for t in task_template.itertuples() if t.step == step] for step in OWNERS}
    for version, start in starts.items():
        dues = due_dates(start, template["offset_days"].tolist(), holidays)
        for step, due in zip(template.itertuples(), dues, strict=True):
            signed = version != cycle or step.step in ("data", "demand")
            when = (approved[version] if step.step == "executive" else _at(due, 16, 30)) if signed else None
            by = (approvers[version] if step.step == "executive" else OWNERS[step.step]) if signed else None
            step_rows.append(
                (version, step.step, step.position, step.name, step.owner, step.owner_role, step.offset_days, due)
                + (by, when, "")
            )
            for task in tasks_of[step.step]:
                auto = isinstance(task.auto_check, str)
                state = (
                    (
                        True,
                        "recorded at sign-off" if auto else "",
                        "check" if auto else HAND_TICKS.get(task.task, OWNERS[step.step]),
                        when - _HOUR,
                    )
                    if when is not None
                    else (None, "", None, None)
                )
                task_rows.append(
                    (
                        version,
                        task.task,
                        step.step,
                        task.position,
                        task.label,
                        task.auto_check if auto else None,
                        *state,
                        "",
                    )
                )
    cycles = pd.DataFrame(
        {
            "cycle": list(starts),
            "start_date": list(starts.values()),
            "from_cycle": [add_months(v, -1) for v in starts],
            "opened_by": OWNERS["data"],
            "opened_at": [_at(s, 8) for s in starts.values()],
        }
    )
    steps = pd.DataFrame(step_rows, columns=STEP_ROW_COLUMNS).astype({"signed_at": "datetime64[us]"})
    tasks = pd.DataFrame(task_rows, columns=TASK_ROW_COLUMNS).astype({"done": "boolean", "done_at": "datetime64[us]"})
    insert_cycle_frames(cur, cycles, steps, tasks)
    meeting = steps.loc[(steps["cycle"] == cycle) & (steps["step"] == "executive"), "due_date"].iloc[0]
    _items(cur, cycle, today, meeting, {v: _at(s, 8) for v, s in starts.items()})


def _day(cycle: dt.date, back: int, day: int, meeting: dt.date) -> dt.date:
    """Day ``day`` of the month ``back`` cycles before ``cycle``; day 0: the current cycle's ``meeting`` date."""
    return meeting if day == 0 else add_months(cycle, -back).replace(day=min(day, 28))


def _items(
    cur: duckdb.DuckDBPyConnection, cycle: dt.date, today: dt.date, meeting: dt.date, opened: dict[dt.date, dt.datetime]
) -> None:
    """The decision log and the assumption register, their audit trail and the carrying into later cycles."""
    carried: list[tuple[dt.date, str, int]] = []
    for item in ITEMS:
        raised = add_months(cycle, -item.back)
        created = _at(add_working_days(today, -2), 11) if item.back == 0 else _at(nth_working_day(raised, 15), 15)
        values = {
            "text": item.text,
            "owner": item.owner,
            "status": "open",
            "family": item.family,
            "resource": item.resource,
            "due_date": _day(cycle, *item.due, meeting) if item.due else None,
        }
        item_id = insert_item(
            cur,
            item.register,
            raised,
            values,
            OWNERS["executive"] if item.register == "decision" else item.owner,
            created,
        )
        closed_at = None
        if item.closed:
            status, back, day = item.closed
            closed_at = _at(_day(cycle, back, day, meeting), 10)
            apply_change(cur, item.register, item_id, "status", "open", status, item.owner, closed_at)
        if item.text.startswith("Steel prices"):
            apply_change(
                cur,
                item.register,
                item_id,
                "text",
                item.text,
                STEEL_SURCHARGE,
                item.owner,
                _at(add_working_days(today, -3), 9),
            )
        for back in range(item.back - 1, -1, -1):  # carried into each later cycle opened while it was open
            if closed_at is None or closed_at > opened[add_months(cycle, -back)]:
                carried.append((add_months(cycle, -back), item.register, item_id))
    frame = pd.DataFrame(carried, columns=["cycle", "register", "item_id"])
    cur.register("_carried", frame)
    try:
        cur.execute("INSERT INTO cycle_carried_items SELECT cycle, register, item_id FROM _carried")
    finally:
        cur.unregister("_carried")
