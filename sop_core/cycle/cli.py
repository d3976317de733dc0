"""The cycle's command line: ``python -m sop_core cycle …``, one sub-command per step of the monthly cycle.

``status`` (steps, tasks, sign-offs; ``--all``: every cycle), ``open`` (roll forward, run the baseline),
``consensus`` (the demand review: write the consensus — baseline plus override layers — as the draft's demand
plan), ``carried`` / ``confirm-overrides`` (the overrides carried into a new cycle, and keeping them as they
are), ``tick`` and ``signoff`` (tasks and steps), ``agenda``, ``approve`` and ``reopen``. The registers
(``decisions …``, ``assumptions …``) are :mod:`.cli_registers`; the supply plan (``supply …``) is
:mod:`.cli_supply`; the step template and the holidays (``template …``, ``holidays …``) are :mod:`.cli_template`;
what they share is :mod:`.cli_common`.

Exit codes: 0 done; 1 refused (a :class:`~.errors.CycleError`, an approved plan, a cycle without a plan, a bad
value, a role that does not allow the action — the message says why, nothing was written); 2 usage (argparse,
nobody named while the store lists its people) or a store that cannot be opened (``__main__``); 3 only from
``supply check --strict`` (an overload or a shortage found).

Every writing command acts as a named person: ``--as EMAIL`` (the older ``--by`` still works; default
``$SOP_USER``), resolved by :func:`sop_core.people.command_actor` — while the store lists nobody, any name (default
the login name) with every role; once it lists people, that person's roles decide. Approving and reopening need
the name spelled out. While the dashboard holds the store, a command is handed to it and runs there
(``sop_core.jobs``), with the same output and exit code.
"""

from __future__ import annotations

import argparse

import pandas as pd

from ..people import require
from ..store import Store, open_store
from .cli_common import acting, add_common, cycle_refusals, day_arg, month_arg, table
from .cli_registers import ASSUMPTIONS, DECISIONS, add_register_commands
from .errors import CycleError


@cycle_refusals
def _status(args: argparse.Namespace) -> int:
    from .status import cycle_list, cycle_status

    with open_store(args.db) as store:
        if args.all:
            print(cycle_list(store, today=args.today).to_string(index=False))
        else:
            print(cycle_status(store, args.cycle, today=args.today).to_text(), end="")
    return 0


@cycle_refusals
def _open(args: argparse.Namespace) -> int:
    from .rollforward import open_cycle

    with open_store(args.db) as store:
        done = open_cycle(store, args.cycle, actor=acting(store, args), mode="quick" if args.quick else "full")
    source = f"from the approved plan of {done.from_cycle:%Y-%m}" if done.from_cycle else "with an empty draft"
    print(
        f"Cycle {done.cycle:%Y-%m} opened {source}: {done.plan_rows} plan rows, {done.baseline_rows} baseline rows, "
        f"{done.overrides_carried} overrides carried for review, {done.decisions_carried} open decisions and "
        f"{done.assumptions_carried} open assumptions carried."
    )
    return 0


@cycle_refusals
def _approve(args: argparse.Namespace) -> int:
    from .approval import approve_cycle

    with open_store(args.db) as store:
        actor = acting(store, args)
        checksum = approve_cycle(store, args.cycle, actor=actor, comment=args.comment or "")
    print(f"Approved by {actor.author}; the plan of record is frozen (sha256 {checksum}).")
    return 0


@cycle_refusals
def _reopen(args: argparse.Namespace) -> int:
    from .approval import reopen_cycle

    with open_store(args.db) as store:
        actor = acting(store, args)
        reopen_cycle(store, args.cycle, actor=actor, reason=args.reason)
    print(f"Cycle {args.cycle:%Y-%m} reopened by {actor.author} (logged): {args.reason}")
    return 0


@cycle_refusals
def _signoff(args: argparse.Namespace) -> int:
    from .steps import sign_off_step

    with open_store(args.db) as store:
        sign_off_step(store, args.cycle, args.step, actor=acting(store, args), comment=args.comment or "")
    print(f"Step {args.step} of {args.cycle:%Y-%m} signed off.")
    return 0


@cycle_refusals
def _tick(args: argparse.Namespace) -> int:
    from .tasks import tick_task

    with open_store(args.db) as store:
        actor = acting(store, args)
        tick_task(store, args.cycle, args.task, actor=actor, done=not args.undo, comment=args.comment or "")
    print(f"Task {args.task} of {args.cycle:%Y-%m} {'unticked' if args.undo else 'ticked'}.")
    return 0


@cycle_refusals
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


@cycle_refusals
def _consensus(args: argparse.Namespace) -> int:
    from ..forecast import stored_baseline, write_consensus
    from .supply_plan import require_plan

    with open_store(args.db) as store:
        actor = acting(store, args)
        require(actor, "forecast")  # write_consensus checks it again; first, so that a refusal says who may
        chosen = require_plan(store, args.cycle)
        if stored_baseline(store, chosen).empty:
            raise CycleError(
                f"Cycle {chosen:%Y-%m} has no statistical baseline to build the consensus on: run "
                f"python -m sop_core forecast --cycle {chosen:%Y-%m} first."
            )
        rows = write_consensus(store, chosen, actor=actor)
    print(f"Consensus written as the demand plan of cycle {chosen:%Y-%m}: {rows:,} rows (family × region × month).")
    return 0


def _check_names(store: Store, layer: str | None, family: str | None, region: str | None) -> None:
    """:class:`CycleError` for a layer, family or region the store does not know (a typo would confirm nothing)."""
    from ..forecast import forecast_layers

    layers = list(forecast_layers(store)["layer"])
    if layer is not None and layer not in layers:
        raise CycleError(f"Unknown layer {layer!r}; the layers are {', '.join(layers)}.")
    known = {
        "family": "SELECT count(*) FROM families WHERE family = ?",
        "region": "SELECT count(*) FROM regions WHERE region = ?",
    }
    for name, value in (("family", family), ("region", region)):
        if value is not None and not store.scalar(known[name], [value]):
            raise CycleError(f"Unknown {name}: {value}.")


@cycle_refusals
def _confirm_overrides(args: argparse.Namespace) -> int:
    from .rollforward import carried_overrides, confirm_carried_overrides
    from .supply_plan import require_plan

    with open_store(args.db) as store:
        actor = acting(store, args)
        require(actor, "forecast")  # confirm_carried_overrides checks it again; first, before the names
        chosen = require_plan(store, args.cycle)
        _check_names(store, args.layer, args.family, args.region)
        done = confirm_carried_overrides(
            store, chosen, actor=actor, layer=args.layer, family=args.family, region=args.region
        )
        left = int(carried_overrides(store, chosen)["to_review"].sum())
    named = (("family", args.family), ("region", args.region), ("layer", args.layer))
    scope = ", ".join(f"{what} {value}" for what, value in named if value)
    print(
        f"{done} carried override cell(s) of cycle {chosen:%Y-%m} confirmed as they are"
        f"{f' ({scope})' if scope else ''}; {left} left to review."
    )
    return 0


@cycle_refusals
def _carried(args: argparse.Namespace) -> int:
    from .rollforward import carried_overrides
    from .supply_plan import require_plan

    with open_store(args.db) as store:
        chosen = require_plan(store, args.cycle)
        frame = carried_overrides(store, chosen)
    if not args.all:
        frame = frame[frame["to_review"]]
    empty = f"No carried overrides{'' if args.all else ' left to review'} in cycle {chosen:%Y-%m}."
    print(table(frame, {"month": "month", "from_cycle": "month"}, empty=empty))
    return 0


def add_cycle_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``cycle``, ``decisions`` and ``assumptions`` sub-commands to the ``sop_core`` parser."""
    cyc = sub.add_parser(
        "cycle",
        help="the monthly S&OP cycle: status, open, consensus, carried overrides, sign-off, tick, agenda, approve, "
        "reopen",
    )
    steps = cyc.add_subparsers(dest="cycle_command", required=True)
    st = steps.add_parser("status", help="steps, tasks and sign-offs of a cycle (default: the latest)")
    st.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help="YYYY-MM")
    st.add_argument("--today", type=day_arg, help="judge due dates as of this day (default: today)")
    st.add_argument("--all", action="store_true", help="one line per cycle instead")
    add_common(st)
    st.set_defaults(func=_status)
    op = steps.add_parser("open", help="open the next cycle: roll the approved plan forward, run the baseline")
    op.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help="YYYY-MM (default: the next month)")
    op.add_argument("--quick", action="store_true", help="quick baseline (no model fit)")
    add_common(op, by=True)
    op.set_defaults(func=_open)
    cs = steps.add_parser("consensus", help="write the consensus (baseline + overrides) as the draft's demand plan")
    cs.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help="YYYY-MM (default: the latest)")
    add_common(cs, by=True)
    cs.set_defaults(func=_consensus)
    ca = steps.add_parser("carried", help="overrides carried into a cycle when it opened (default: left to review)")
    ca.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help="YYYY-MM (default: the latest)")
    ca.add_argument("--all", action="store_true", help="also the ones already reviewed")
    add_common(ca)
    ca.set_defaults(func=_carried)
    co = steps.add_parser("confirm-overrides", help="keep carried overrides as they are (marks them reviewed)")
    co.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help="YYYY-MM (default: the latest)")
    co.add_argument("--family", help="only this family's cells")
    co.add_argument("--region", help="only this region's cells")
    co.add_argument("--layer", help="only this override layer's cells (sales, marketing, …)")
    add_common(co, by=True)
    co.set_defaults(func=_confirm_overrides)
    ap = steps.add_parser("approve", help="approve the cycle's plan (freeze it as the plan of record)")
    ap.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help="YYYY-MM (default: the latest)")
    ap.add_argument("--comment", help="the meeting's comment")
    add_common(ap, required_by=True)
    ap.set_defaults(func=_approve)
    ro = steps.add_parser("reopen", help="reopen an approved plan (needs a reason; logged)")
    ro.add_argument("cycle", type=month_arg, metavar="CYCLE", help="YYYY-MM")
    ro.add_argument("--reason", required=True, help="why the approved plan must change")
    add_common(ro, required_by=True)
    ro.set_defaults(func=_reopen)
    so = steps.add_parser("signoff", help="sign off a step (data, demand, supply, pre_sop)")
    so.add_argument("cycle", type=month_arg, metavar="CYCLE", help="YYYY-MM")
    so.add_argument("step", help="data, demand, supply or pre_sop")
    so.add_argument("--comment")
    add_common(so, by=True)
    so.set_defaults(func=_signoff)
    tk = steps.add_parser("tick", help="tick a task by hand (an automatic one only with --comment)")
    tk.add_argument("cycle", type=month_arg, metavar="CYCLE", help="YYYY-MM")
    tk.add_argument("task")
    tk.add_argument("--undo", action="store_true", help="untick")
    tk.add_argument("--comment")
    add_common(tk, by=True)
    tk.set_defaults(func=_tick)
    ag = steps.add_parser("agenda", help="the generated agenda of the executive meeting")
    ag.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help="YYYY-MM (default: the latest)")
    ag.add_argument("--threshold", type=float, default=None, help="money at stake for an exception to be listed")
    ag.add_argument("--today", type=day_arg)
    add_common(ag)
    ag.set_defaults(func=_agenda)

    add_register_commands(sub, DECISIONS)
    add_register_commands(sub, ASSUMPTIONS)
