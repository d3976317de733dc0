"""The cycle's command line: ``python -m sop_core cycle …`` and ``python -m sop_core decisions …``.

Exit codes: 0 done; 1 refused (a :class:`~.errors.CycleError`, an approved plan, a bad value, a role that does
not allow the action — the message says why, nothing was written); 2 usage (argparse, nobody named while the
store lists its people) or a store that cannot be opened (``__main__``).

Every writing command acts as a named person: ``--as EMAIL`` (the older ``--by`` still works; default
``$SOP_USER``), resolved by :func:`sop_core.people.command_actor` — while the store lists nobody, any name (default
the login name) with every role; once it lists people, that person's roles decide. Approving and reopening need
the name spelled out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable

import pandas as pd

from ..people import Actor, add_as_option, command_actor, refusals
from ..store import FrozenPlanError, Store, default_db_path, open_store
from .errors import CycleError

Handler = Callable[[argparse.Namespace], int]


def _month(text: str) -> dt.date:
    """An argparse type: ``YYYY-MM`` as the month's first day."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-01)?", text):
        raise argparse.ArgumentTypeError(f"a cycle is a month YYYY-MM, not {text!r}")
    return dt.date(int(text[:4]), int(text[5:7]), 1)


def _day(text: str) -> dt.date:
    """An argparse type: ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"a date is YYYY-MM-DD, not {text!r}") from exc


def _actor(store: Store, args: argparse.Namespace) -> Actor:
    """Who acts: ``--as``/``--by`` (else ``$SOP_USER``) resolved against the store (``UsageError``: nobody named)."""
    return command_actor(store, args.as_email)


_refusals = refusals(CycleError, FrozenPlanError)
"""A cycle command's refusals (wrong role, frozen plan, a step out of order) print ``refused: …`` and exit 1."""


@_refusals
def _status(args: argparse.Namespace) -> int:
    from .status import cycle_list, cycle_status

    with open_store(args.db) as store:
        if args.all:
            print(cycle_list(store, today=args.today).to_string(index=False))
        else:
            print(cycle_status(store, args.cycle, today=args.today).to_text(), end="")
    return 0


@_refusals
def _open(args: argparse.Namespace) -> int:
    from .rollforward import open_cycle

    with open_store(args.db) as store:
        done = open_cycle(store, args.cycle, actor=_actor(store, args), mode="quick" if args.quick else "full")
    source = f"from the approved plan of {done.from_cycle:%Y-%m}" if done.from_cycle else "with an empty draft"
    print(
        f"Cycle {done.cycle:%Y-%m} opened {source}: {done.plan_rows} plan rows, {done.baseline_rows} baseline rows, "
        f"{done.overrides_carried} overrides carried for review, {done.decisions_carried} open decisions and "
        f"{done.assumptions_carried} open assumptions carried."
    )
    return 0


@_refusals
def _approve(args: argparse.Namespace) -> int:
    from .approval import approve_cycle

    with open_store(args.db) as store:
        actor = _actor(store, args)
        checksum = approve_cycle(store, args.cycle, actor=actor, comment=args.comment or "")
    print(f"Approved by {actor.author}; the plan of record is frozen (sha256 {checksum}).")
    return 0


@_refusals
def _reopen(args: argparse.Namespace) -> int:
    from .approval import reopen_cycle

    with open_store(args.db) as store:
        actor = _actor(store, args)
        reopen_cycle(store, args.cycle, actor=actor, reason=args.reason)
    print(f"Cycle {args.cycle:%Y-%m} reopened by {actor.author} (logged): {args.reason}")
    return 0


@_refusals
def _signoff(args: argparse.Namespace) -> int:
    from .steps import sign_off_step

    with open_store(args.db) as store:
        sign_off_step(store, args.cycle, args.step, actor=_actor(store, args), comment=args.comment or "")
    print(f"Step {args.step} of {args.cycle:%Y-%m} signed off.")
    return 0


@_refusals
def _tick(args: argparse.Namespace) -> int:
    from .tasks import tick_task

    with open_store(args.db) as store:
        actor = _actor(store, args)
        tick_task(store, args.cycle, args.task, actor=actor, done=not args.undo, comment=args.comment or "")
    print(f"Task {args.task} of {args.cycle:%Y-%m} {'unticked' if args.undo else 'ticked'}.")
    return 0


@_refusals
def _agenda(args: argparse.Namespace) -> int:
    from .agenda import AGENDA_MONEY_THRESHOLD, agenda

    threshold = AGENDA_MONEY_THRESHOLD if args.threshold is None else args.threshold
    with open_store(args.db) as store:
        frame = agenda(store, args.cycle, threshold=threshold, today=args.today)
    for section, rows in frame.groupby("section", sort=False):
        print(section)
        for r in rows.itertuples():
            money = f"  [{r.money:,.0f}]" if pd.notna(r.money) else ""
            months = f" ({r.months})" if r.months else ""
            print(f"  - {r.topic}: {r.subject} — {r.detail}{months}{money}")
    return 0


@_refusals
def _decisions_list(args: argparse.Namespace) -> int:
    from .decisions import list_decisions

    with open_store(args.db) as store:
        frame = list_decisions(store, args.cycle, status=args.status, today=args.today)
    if args.overdue:
        frame = frame[frame["overdue"]]
    if frame.empty:
        print("No decisions.")
        return 0
    shown = frame[["id", "cycle", "status", "due_date", "owner", "family", "text", "carried", "overdue"]].copy()
    shown["cycle"] = pd.to_datetime(shown["cycle"]).dt.strftime("%Y-%m")
    print(shown.to_string(index=False))
    return 0


@_refusals
def _decisions_add(args: argparse.Namespace) -> int:
    from .decisions import add_decision

    with open_store(args.db) as store:
        item = add_decision(
            store,
            args.text,
            owner=args.owner,
            actor=_actor(store, args),
            due_date=args.due,
            cycle=args.cycle,
            family=args.family,
            resource=args.resource,
            scenario_id=args.scenario,
        )
    print(f"Decision {item} logged.")
    return 0


@_refusals
def _decisions_set(args: argparse.Namespace) -> int:
    from .decisions import update_decision
    from .registers import item_version

    changes: dict[str, object] = {
        k: v
        for k, v in (("status", args.status), ("owner", args.owner), ("due_date", args.due), ("text", args.text))
        if v is not None
    }
    with open_store(args.db) as store:
        actor = _actor(store, args)
        # The command reads and changes the decision at once: what it "saw" is the decision as it is now.
        changed = update_decision(store, args.id, changes, actor=actor, seen=item_version(store, "decision", args.id))
    print(f"Decision {args.id}: {changed} field(s) changed.")
    return 0


def _common(parser: argparse.ArgumentParser, by: bool = False, required_by: bool = False) -> None:
    """``--db``, and for a writing command ``--as EMAIL`` (``--by`` kept); ``required_by``: it must be given."""
    parser.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    if by or required_by:
        add_as_option(parser, "--by")
    if required_by:
        for action in parser._actions:  # argparse keeps its options here; make the one just added required
            if action.dest == "as_email":
                action.required = True


def add_cycle_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``cycle`` and ``decisions`` sub-commands to the ``sop_core`` parser."""
    cyc = sub.add_parser("cycle", help="the monthly S&OP cycle: status, open, sign-off, approve, reopen, agenda")
    steps = cyc.add_subparsers(dest="cycle_command", required=True)
    st = steps.add_parser("status", help="steps, tasks and sign-offs of a cycle (default: the latest)")
    st.add_argument("cycle", nargs="?", type=_month, metavar="CYCLE", help="YYYY-MM")
    st.add_argument("--today", type=_day, help="judge due dates as of this day (default: today)")
    st.add_argument("--all", action="store_true", help="one line per cycle instead")
    _common(st)
    st.set_defaults(func=_status)
    op = steps.add_parser("open", help="open the next cycle: roll the approved plan forward, run the baseline")
    op.add_argument("cycle", nargs="?", type=_month, metavar="CYCLE", help="YYYY-MM (default: the next month)")
    op.add_argument("--quick", action="store_true", help="quick baseline (no model fit)")
    _common(op, by=True)
    op.set_defaults(func=_open)
    ap = steps.add_parser("approve", help="approve the cycle's plan (freeze it as the plan of record)")
    ap.add_argument("cycle", nargs="?", type=_month, metavar="CYCLE", help="YYYY-MM (default: the latest)")
    ap.add_argument("--comment", help="the meeting's comment")
    _common(ap, required_by=True)
    ap.set_defaults(func=_approve)
    ro = steps.add_parser("reopen", help="reopen an approved plan (needs a reason; logged)")
    ro.add_argument("cycle", type=_month, metavar="CYCLE", help="YYYY-MM")
    ro.add_argument("--reason", required=True, help="why the approved plan must change")
    _common(ro, required_by=True)
    ro.set_defaults(func=_reopen)
    so = steps.add_parser("signoff", help="sign off a step (data, demand, supply, pre_sop)")
    so.add_argument("cycle", type=_month, metavar="CYCLE", help="YYYY-MM")
    so.add_argument("step", help="data, demand, supply or pre_sop")
    so.add_argument("--comment")
    _common(so, by=True)
    so.set_defaults(func=_signoff)
    tk = steps.add_parser("tick", help="tick a task by hand (an automatic one only with --comment)")
    tk.add_argument("cycle", type=_month, metavar="CYCLE", help="YYYY-MM")
    tk.add_argument("task")
    tk.add_argument("--undo", action="store_true", help="untick")
    tk.add_argument("--comment")
    _common(tk, by=True)
    tk.set_defaults(func=_tick)
    ag = steps.add_parser("agenda", help="the generated agenda of the executive meeting")
    ag.add_argument("cycle", nargs="?", type=_month, metavar="CYCLE", help="YYYY-MM (default: the latest)")
    ag.add_argument("--threshold", type=float, default=None, help="money at stake for an exception to be listed")
    ag.add_argument("--today", type=_day)
    _common(ag)
    ag.set_defaults(func=_agenda)

    dec = sub.add_parser("decisions", help="the decision log: list, add, set")
    dsub = dec.add_subparsers(dest="decisions_command", required=True)
    ls = dsub.add_parser("list", help="list decisions (all, or of a cycle with the ones carried into it)")
    ls.add_argument("--cycle", type=_month, help="YYYY-MM")
    ls.add_argument("--status", choices=["open", "done", "dropped"])
    ls.add_argument("--overdue", action="store_true", help="only open decisions past their due date")
    ls.add_argument("--today", type=_day)
    _common(ls)
    ls.set_defaults(func=_decisions_list)
    ad = dsub.add_parser("add", help="log a decision")
    ad.add_argument("text")
    ad.add_argument("--owner", required=True)
    ad.add_argument("--due", type=_day)
    ad.add_argument("--cycle", type=_month)
    ad.add_argument("--family")
    ad.add_argument("--resource")
    ad.add_argument("--scenario", type=int, help="scenario id")
    _common(ad, by=True)
    ad.set_defaults(func=_decisions_add)
    se = dsub.add_parser("set", help="change a decision's status, owner, due date or text (audited)")
    se.add_argument("id", type=int)
    se.add_argument("--status", choices=["open", "done", "dropped"])
    se.add_argument("--owner")
    se.add_argument("--due", type=_day)
    se.add_argument("--text")
    _common(se, by=True)
    se.set_defaults(func=_decisions_set)
