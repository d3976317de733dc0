"""``python -m sop_core decisions list|add|set`` and ``assumptions list|add|set``: one builder for both registers.

The decision log and the assumption register share one shape and one set of rules (:mod:`.registers`), so
their commands are built by :func:`add_register_commands` from a :class:`RegisterCommands` naming the register
and its words. ``list`` reads (``--cycle``: raised in or carried into it; ``--status``; ``--overdue``);
``add`` records an item as ``--as EMAIL`` (role ``decide``); ``set ID`` changes its status, owner, due date or
text, audited field by field (naming nothing to change is a usage error). The command reads the item and changes it at once, so what it "saw"
(:func:`~.registers.item_version`) is the item as it is now. Exit codes as every cycle command: 0 done,
1 refused (``refused: …``: a role, an unknown item, family or resource, an empty text; nothing written),
2 usage.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ..people import UsageError
from ..store import open_store
from .cli_common import Handler, acting, add_common, cycle_refusals, day_arg, month_arg, table
from .registers import ITEM_STATUSES, Register, add_item, item_version, list_items, update_item

LIST_COLUMNS = ["id", "cycle", "status", "due_date", "owner", "family", "text", "carried", "overdue"]


@dataclass(frozen=True)
class RegisterCommands:
    """One register on the command line: its name in :mod:`.registers` and the words its commands print."""

    register: Register
    command: str  # the sub-command: ``decisions``
    noun: str  # one item, capitalised: ``Decision``
    added: str  # what ``add`` did: ``logged``
    help: str  # the sub-command's help line


DECISIONS = RegisterCommands("decision", "decisions", "Decision", "logged", "the decision log: list, add, set")
ASSUMPTIONS = RegisterCommands(
    "assumption", "assumptions", "Assumption", "recorded", "the assumption register: list, add, set"
)


def _list_handler(spec: RegisterCommands) -> Handler:
    @cycle_refusals
    def run(args: argparse.Namespace) -> int:
        with open_store(args.db) as store:
            frame = list_items(store, spec.register, args.cycle, status=args.status, today=args.today)
        if args.overdue:
            frame = frame[frame["overdue"]]
        print(table(frame[LIST_COLUMNS], {"cycle": "month", "due_date": "date"}, empty=f"No {spec.command}."))
        return 0

    return run


def _add_handler(spec: RegisterCommands) -> Handler:
    @cycle_refusals
    def run(args: argparse.Namespace) -> int:
        with open_store(args.db) as store:
            item = add_item(
                store,
                spec.register,
                args.text,
                owner=args.owner,
                actor=acting(store, args),
                due_date=args.due,
                cycle=args.cycle,
                family=args.family,
                scenario_id=args.scenario,
                resource=args.resource,
            )
        print(f"{spec.noun} {item} {spec.added}.")
        return 0

    return run


def _set_handler(spec: RegisterCommands) -> Handler:
    @cycle_refusals
    def run(args: argparse.Namespace) -> int:
        fields = (("status", args.status), ("owner", args.owner), ("due_date", args.due), ("text", args.text))
        changes: dict[str, object] = {k: v for k, v in fields if v is not None}
        if not changes:
            raise UsageError("say what to change: --status, --owner, --due or --text")
        with open_store(args.db) as store:
            actor = acting(store, args)
            # The command reads and changes the item at once: what it "saw" is the item as it is now.
            seen = item_version(store, spec.register, args.id)
            changed = update_item(store, spec.register, args.id, changes, actor=actor, seen=seen)
        print(f"{spec.noun} {args.id}: {changed} field(s) changed.")
        return 0

    return run


def add_register_commands(sub: argparse._SubParsersAction, spec: RegisterCommands) -> None:
    """Add ``<spec.command> list|add|set`` to the ``sop_core`` parser."""
    word = spec.noun.lower()
    parser = sub.add_parser(spec.command, help=spec.help)
    cmds = parser.add_subparsers(dest=f"{spec.command}_command", required=True)
    ls = cmds.add_parser("list", help=f"list {spec.command} (all, or of a cycle with the ones carried into it)")
    ls.add_argument("--cycle", type=month_arg, help="YYYY-MM")
    ls.add_argument("--status", choices=ITEM_STATUSES)
    ls.add_argument("--overdue", action="store_true", help=f"only open {spec.command} past their due date")
    ls.add_argument("--today", type=day_arg, help="judge due dates as of this day (default: today)")
    add_common(ls)
    ls.set_defaults(func=_list_handler(spec))
    ad = cmds.add_parser("add", help=f"record a {word}")
    ad.add_argument("text")
    ad.add_argument("--owner", required=True)
    ad.add_argument("--due", type=day_arg, help="due (review) date YYYY-MM-DD")
    ad.add_argument("--cycle", type=month_arg, help="the cycle it belongs to (default: the latest)")
    ad.add_argument("--family")
    ad.add_argument("--resource", help="a resource it explains (an overload in the supply review)")
    ad.add_argument("--scenario", type=int, help="scenario id")
    add_common(ad, by=True)
    ad.set_defaults(func=_add_handler(spec))
    se = cmds.add_parser("set", help=f"change a {word}'s status, owner, due date or text (audited)")
    se.add_argument("id", type=int)
    se.add_argument("--status", choices=ITEM_STATUSES)
    se.add_argument("--owner")
    se.add_argument("--due", type=day_arg)
    se.add_argument("--text")
    add_common(se, by=True)
    se.set_defaults(func=_set_handler(spec))
