"""``python -m sop_core template …`` and ``holidays …``: the cycle's template and the company calendar.

* ``template show``: the steps (name, owner, owning role, due offset in working days) and their tasks.
* ``template set STEP [--name N] [--owner O] [--role R] [--offset DAYS]``: change one step
  (:func:`~.template.update_step_template`: offsets at least 1 and in step order, an owning role that may sign the
  step off); naming nothing to change is a usage error. The command reads the step and changes it at once.
* ``template add-task STEP LABEL``: a hand-ticked task for the step (:func:`~.template.add_template_task`).
* ``holidays list``; ``holidays add DAY NAME`` (adds, or renames the day's holiday); ``holidays remove DAY``.

The template and the holidays apply to cycles opened later: an open cycle keeps the steps and due dates it was
opened with. Every change needs the ``settings`` role (``--as EMAIL``) and is logged. Exit codes as every cycle
command: 0 done, 1 refused (``refused: …``: a role, a bad value; nothing written), 2 usage.
"""

from __future__ import annotations

import argparse

import pandas as pd

from ..people import UsageError
from ..store import open_store
from .cli_common import acting, add_common, cycle_refusals, day_arg, table
from .template import STEP_KEYS

LATER_ONLY = "cycles opened from now on use it; open cycles keep their steps and due dates"


@cycle_refusals
def _show(args: argparse.Namespace) -> int:
    from .template import cycle_template, task_template

    with open_store(args.db) as store:
        steps = cycle_template(store)
        tasks = task_template(store)
    print("Steps (due: working day OFFSET of the cycle):")
    print(table(steps.rename(columns={"owner_role": "role", "offset_days": "offset"}).drop(columns="position")))
    tasks = tasks.assign(checked=tasks["auto_check"].map(lambda c: "by hand" if c is None else "automatic"))
    print("\nTasks:")
    print(table(tasks[["step", "task", "label", "checked"]], empty="No tasks."))
    return 0


@cycle_refusals
def _set(args: argparse.Namespace) -> int:
    from .template import cycle_template, update_step_template

    fields = {"name": args.name, "owner": args.owner, "owner_role": args.role, "offset_days": args.offset}
    if all(v is None for v in fields.values()):
        raise UsageError("say what to change: --name, --owner, --role or --offset")
    with open_store(args.db) as store:
        actor = acting(store, args)
        update_step_template(store, args.step, actor=actor, **fields)
        row = cycle_template(store).set_index("step").loc[args.step]
    print(
        f"Step {args.step} of the template: {row['name']}, owned by {row['owner']} ({row['owner_role']}), due on "
        f"working day {int(row['offset_days'])}; {LATER_ONLY}."
    )
    return 0


@cycle_refusals
def _add_task(args: argparse.Namespace) -> int:
    from .template import add_template_task

    with open_store(args.db) as store:
        key = add_template_task(store, args.step, args.label, actor=acting(store, args))
    print(f"Task {key} added to the {args.step} step of the template, ticked by hand; {LATER_ONLY}.")
    return 0


@cycle_refusals
def _holidays(args: argparse.Namespace) -> int:
    from .workdays import holiday_table

    with open_store(args.db) as store:
        frame = holiday_table(store)
    print(table(frame, {"day": "date"}, empty="No holidays: every Monday to Friday is a working day."))
    return 0


@cycle_refusals
def _add_holiday(args: argparse.Namespace) -> int:
    from .workdays import add_holiday, holiday_table

    with open_store(args.db) as store:
        actor = acting(store, args)
        known = set(pd.to_datetime(holiday_table(store)["day"]).dt.date)
        add_holiday(store, args.day, args.name, actor=actor)
    done = "renamed" if args.day in known else "added"
    print(f"Holiday {args.day:%Y-%m-%d} ({args.name.strip()}) {done}; {LATER_ONLY}.")
    return 0


@cycle_refusals
def _remove_holiday(args: argparse.Namespace) -> int:
    from .workdays import remove_holiday

    with open_store(args.db) as store:
        name = remove_holiday(store, args.day, actor=acting(store, args))
    print(f"Holiday {args.day:%Y-%m-%d} ({name}) removed; {LATER_ONLY}.")
    return 0


def add_template_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``template show|set|add-task`` and ``holidays list|add|remove`` to the ``sop_core`` parser."""
    tpl = sub.add_parser("template", help="the cycle's step template: show, set, add-task (later cycles)")
    cmds = tpl.add_subparsers(dest="template_command", required=True)
    sh = cmds.add_parser("show", help="the steps (owner, role, due offset) and their tasks")
    add_common(sh)
    sh.set_defaults(func=_show)
    se = cmds.add_parser("set", help="change a step's name, owner, owning role or due offset (logged)")
    se.add_argument("step", choices=STEP_KEYS, metavar="STEP", help=", ".join(STEP_KEYS))
    se.add_argument("--name", help="the step's display name")
    se.add_argument("--owner", help="who owns the step (a name)")
    se.add_argument("--role", help="the role that signs the step off (approver for the executive step)")
    se.add_argument("--offset", type=int, metavar="DAYS", help="due on this working day of the cycle (1 = first)")
    add_common(se, by=True)
    se.set_defaults(func=_set)
    at = cmds.add_parser("add-task", help="add a hand-ticked task to a step (logged)")
    at.add_argument("step", choices=STEP_KEYS, metavar="STEP", help=", ".join(STEP_KEYS))
    at.add_argument("label", metavar="LABEL", help="what is to be done")
    add_common(at, by=True)
    at.set_defaults(func=_add_task)

    hol = sub.add_parser("holidays", help="the company's holidays (non-working weekdays): list, add, remove")
    hcmds = hol.add_subparsers(dest="holidays_command", required=True)
    ls = hcmds.add_parser("list", help="the holidays by day")
    add_common(ls)
    ls.set_defaults(func=_holidays)
    ad = hcmds.add_parser("add", help="add a holiday (or rename the day's), logged")
    ad.add_argument("day", type=day_arg, metavar="DAY", help="YYYY-MM-DD")
    ad.add_argument("name", metavar="NAME")
    add_common(ad, by=True)
    ad.set_defaults(func=_add_holiday)
    rm = hcmds.add_parser("remove", help="remove a holiday (a working day again when a weekday), logged")
    rm.add_argument("day", type=day_arg, metavar="DAY", help="YYYY-MM-DD")
    add_common(rm, by=True)
    rm.set_defaults(func=_remove_holiday)
