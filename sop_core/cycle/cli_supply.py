"""``python -m sop_core supply …``: the supply review from the command line.

* ``supply policy [FAMILY --strategy level|chase|hybrid --target-days N | --default-target]``: without a family,
  every family's policy (strategy and target cover, :mod:`.supply_policy`); with one, store its policy.
* ``supply generate [CYCLE] [--family F …] [--dry-run]``: the supply plan from the consensus demand with each
  family's policy (:func:`~.supply_plan.generate_supply_plan`), written into the draft, then the rough-cut
  verdict in one line; ``--dry-run`` prints the plan and writes nothing.
* ``supply show [CYCLE] [--family F …]``: the draft's plan per family and month (demand, production, ending
  inventory or backlog, cover, status); the production column is printed exactly, as ``adjust --seen`` takes it.
* ``supply adjust CYCLE FAMILY MONTH QUANTITY --reason TEXT [--seen QTY]``: one family-month's production
  (:func:`~.supply_plan.adjust_supply_plan`). ``--seen`` is the production the planner saw; when the cell holds
  another quantity now, the save is refused naming who changed it and when (exit 1, nothing written). Without
  ``--seen`` the command reads the cell and changes it at once (as ``decisions set`` does).
* ``supply check [CYCLE] [--strict]``: overloads, resources at their warning threshold and shortages of the draft
  (:func:`~.supply_check.supply_check`); with ``--strict`` it exits 3 when it finds an overload or a shortage
  (0 when clean), so that a scheduled job can alert.
* ``supply log [CYCLE]``: the adjustments with their reasons.

Exit codes as every cycle command: 0 done, 1 refused (``refused: …``: a role, an approved plan, a stale save, a
missing reason, an unknown family; nothing written), 2 usage; ``supply check --strict`` also 3 (found
overloads or shortages). Writing commands act as ``--as EMAIL``.
"""

from __future__ import annotations

import argparse
import datetime as dt

import pandas as pd

from ..formatting import pct, units
from ..people import UsageError, require
from ..store import Store, open_store
from .cli_common import acting, add_common, cycle_refusals, month_arg, table
from .errors import CycleError

STRICT_FOUND = 3
"""``supply check --strict``'s exit code when it finds an overload or a shortage (1 and 2 keep their meaning)."""
SHOW_COLUMNS = ["family", "month", "demand", "production", "stock", "backorders", "days_of_supply", "status"]


def _exact(value: float) -> str:
    """A quantity exactly as stored (``2275.5``, ``2280``), so that it can be passed back as ``--seen``."""
    return f"{float(value):.12g}"


def _strategies_text(strategies: dict[str, str]) -> str:
    """``chase: A, B; level: C`` (families grouped by strategy)."""
    groups: dict[str, list[str]] = {}
    for family, strategy in sorted(strategies.items()):
        groups.setdefault(strategy, []).append(family)
    return "; ".join(f"{s}: {', '.join(f)}" for s, f in sorted(groups.items()))


def _require_demand(store: Store, cycle: dt.date) -> None:
    """:class:`CycleError` when the draft has no demand plan to plan supply from."""
    if not store.scalar("SELECT count(*) FROM demand_plan WHERE cycle = ?", [cycle]):
        raise CycleError(
            f"Cycle {cycle:%Y-%m} has no demand plan to plan supply from: write the consensus first "
            f"(python -m sop_core cycle consensus {cycle:%Y-%m})."
        )


# ------------------------------------------------------------------- policy
@cycle_refusals
def _policy(args: argparse.Namespace) -> int:
    from .supply_policy import set_supply_policies, supply_policies

    with open_store(args.db) as store:
        if args.family is None:
            if args.strategy is not None or args.target_days is not None or args.default_target:
                raise UsageError("name the FAMILY whose policy to set")
            frame = supply_policies(store).drop(columns=["default_target_days"])
            print(table(frame, {"target_days": "days", "min_days": "days", "max_days": "days"}, empty="No families."))
            return 0
        if args.strategy is None and args.target_days is None and not args.default_target:
            raise UsageError("say what to set: --strategy, --target-days or --default-target")
        actor = acting(store, args)
        require(actor, "supply_plan")  # set_supply_policies checks it again; first, before the family's name
        policies = supply_policies(store).set_index("family")
        if args.family not in policies.index:
            raise CycleError(f"Unknown family: {args.family}.")
        strategy = args.strategy or str(policies.at[args.family, "strategy"])
        targets = {args.family: None} if args.default_target else {}
        if args.target_days is not None:
            targets = {args.family: args.target_days}
        set_supply_policies(store, {args.family: strategy}, actor=actor, target_days=targets)
        row = supply_policies(store).set_index("family").loc[args.family]
    cover = "backlog" if row["kind"] == "mto" else "inventory"
    print(
        f"Supply policy of {args.family}: {row['strategy']}, target {float(row['target_days']):,.1f} days of "
        f"{cover} cover{' (the default)' if args.default_target else ''}."
    )
    return 0


# ------------------------------------------------------------------- generate
def _verdict(store: Store, cycle: dt.date) -> str:
    """One line: the draft within capacity, or its overloaded resource-months and short family-months."""
    from .supply_check import supply_check

    check = supply_check(store, cycle)
    overloads, shortages = check.overloads, check.shortages
    if overloads.empty:
        text = "Rough-cut capacity: within capacity in every month"
    else:
        worst = overloads.sort_values("utilisation", ascending=False).iloc[0]
        text = (
            f"Rough-cut capacity: {len(overloads)} overloaded resource-month(s), the worst {worst['resource']} in "
            f"{pd.Timestamp(worst['month']):%Y-%m} at {pct(float(worst['utilisation']))}"
        )
    text += f"; {len(shortages)} family-month(s) short of supply" if len(shortages) else "; no shortages"
    more = f" (python -m sop_core supply check {cycle:%Y-%m})" if len(overloads) or len(shortages) else ""
    return f"{text}.{more}"


@cycle_refusals
def _generate(args: argparse.Namespace) -> int:
    from .supply_plan import generate_supply_plan, preview_supply_plan, require_plan

    with open_store(args.db) as store:
        actor = None if args.dry_run else acting(store, args)
        if actor is not None:
            require(actor, "supply_plan")  # generate_supply_plan checks it again; first, before the plan's state
        chosen = require_plan(store, args.cycle)
        _require_demand(store, chosen)
        if actor is None:
            plan = preview_supply_plan(store, chosen, families=args.family)
            frame = plan.plan.drop(columns=["overtime", "subcontract"])
            formats = {"month": "month", "demand": "units", "production": "units", "stock": "units", "target": "units"}
            print(
                f"Supply plan of cycle {chosen:%Y-%m} (dry run, nothing written): {_strategies_text(plan.strategies)}"
            )
            print(table(frame, formats, empty="No families to plan."))
            return 0
        plan = generate_supply_plan(store, chosen, actor=actor, families=args.family)
        verdict = _verdict(store, chosen)
    print(
        f"Supply plan of cycle {chosen:%Y-%m} generated for {len(plan.strategies)} families "
        f"({_strategies_text(plan.strategies)}): {plan.rows:,} production and inventory rows written."
    )
    print(verdict)
    return 0


# ------------------------------------------------------------------- show, check, log
@cycle_refusals
def _show(args: argparse.Namespace) -> int:
    from ..supply import demand_supply_gap
    from .supply_plan import require_plan

    with open_store(args.db) as store:
        chosen = require_plan(store, args.cycle)
        if args.family:
            known = set(store.query("SELECT family FROM families")["family"])
            unknown = sorted(set(args.family) - known)
            if unknown:
                raise CycleError(f"Unknown family: {', '.join(unknown)}.")
        frame = demand_supply_gap(store, chosen, args.family)
    frame = frame.assign(
        production=[_exact(v) for v in frame["supply"]],
        stock=frame["backlog"].where(frame["strategy"] == "mto", frame["ending_inventory"]),
    )[SHOW_COLUMNS]
    formats = {"month": "month", "demand": "units", "stock": "units", "backorders": "units", "days_of_supply": "days"}
    print(f"Supply plan of cycle {chosen:%Y-%m} (stock: ending inventory, or backlog for make-to-order):")
    print(table(frame, formats, empty="No plan rows."))
    return 0


@cycle_refusals
def _check(args: argparse.Namespace) -> int:
    from .supply_check import supply_check

    with open_store(args.db) as store:
        check = supply_check(store, args.cycle)
    overloads, shortages = check.overloads, check.shortages
    warnings = check.capacity[check.capacity["status"] == "warning"]
    print(
        f"Supply check of cycle {check.cycle:%Y-%m}: "
        + ("within capacity" if overloads.empty else f"{len(overloads)} overloaded resource-month(s)")
        + f", {len(warnings)} at the warning threshold, {len(shortages)} family-month(s) short of supply."
    )
    load = {"month": "month", "load_hours": "units", "available_hours": "units", "utilisation": "pct"}
    capacity_columns = ["resource", "month", "load_hours", "available_hours", "utilisation"]
    for title, frame in (("Overloads (load above the available hours)", overloads), ("Near capacity", warnings)):
        if len(frame):
            print(f"\n{title}:")
            print(table(frame[capacity_columns], load))
    if len(shortages):
        print("\nShort of supply (backorders, or backlog above its cover):")
        short = ["family", "month", "demand", "supply", "backorders", "backlog", "days_of_supply", "status"]
        formats = dict.fromkeys(("demand", "supply", "backorders", "backlog"), "units")
        print(table(shortages[short], {**formats, "month": "month", "days_of_supply": "days"}))
    return STRICT_FOUND if args.strict and (len(overloads) or len(shortages)) else 0


@cycle_refusals
def _log(args: argparse.Namespace) -> int:
    from .supply_plan import require_plan, supply_adjustments

    with open_store(args.db) as store:
        chosen = require_plan(store, args.cycle)
        frame = supply_adjustments(store, chosen)
    formats = {"cycle": "month", "month": "month", "old_quantity": "units", "new_quantity": "units"}
    print(table(frame, formats, empty=f"No supply plan adjustments in cycle {chosen:%Y-%m}."))
    return 0


# ------------------------------------------------------------------- adjust
def _current(store: Store, cycle: dt.date, family: str, month: dt.date) -> float | None:
    """The production the draft holds now for ``family`` in ``month`` (``None``: no row)."""
    rows = store.query(
        "SELECT quantity FROM production_plan WHERE cycle = ? AND family = ? AND month = ?", [cycle, family, month]
    )
    return None if rows.empty else float(rows["quantity"].iloc[0])


@cycle_refusals
def _adjust(args: argparse.Namespace) -> int:
    from .supply_plan import adjust_supply_plan, require_plan

    with open_store(args.db) as store:
        actor = acting(store, args)
        chosen = require_plan(store, args.cycle)
        # Without --seen the command reads the cell and changes it at once: what it "saw" is the cell as it is now.
        seen = args.seen if args.seen is not None else _current(store, chosen, args.family, args.month)
        old = adjust_supply_plan(
            store, chosen, args.family, args.month, args.quantity, actor=actor, reason=args.reason, seen=seen
        )
    was = "no production" if old is None else f"{units(old)} units"
    print(
        f"Production of {args.family} in {args.month:%Y-%m} (cycle {chosen:%Y-%m}) set to {units(args.quantity)} "
        f"units, was {was}; its planned inventory (or backlog) re-projected; logged with the reason."
    )
    return 0


def add_supply_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``supply policy|generate|show|adjust|check|log`` to the ``sop_core`` parser."""
    from .supply_policy import SUPPLY_STRATEGIES

    sup = sub.add_parser("supply", help="the supply plan: policy, generate, show, adjust, check, log")
    cmds = sup.add_subparsers(dest="supply_command", required=True)
    cycle_help = "YYYY-MM (default: the latest)"

    po = cmds.add_parser("policy", help="list the families' supply policies, or set one family's")
    po.add_argument("family", nargs="?", metavar="FAMILY", help="the family to set (omit to list)")
    po.add_argument("--strategy", choices=SUPPLY_STRATEGIES, help="level, chase or hybrid")
    target = po.add_mutually_exclusive_group()
    target.add_argument("--target-days", type=float, metavar="DAYS", help="target cover in days of demand")
    target.add_argument("--default-target", action="store_true", help="the middle of the family's min/max days")
    add_common(po, by=True)
    po.set_defaults(func=_policy)

    ge = cmds.add_parser("generate", help="generate the draft's supply plan from the consensus demand")
    ge.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help=cycle_help)
    ge.add_argument("--family", action="append", metavar="FAMILY", help="only this family (repeat for more)")
    ge.add_argument("--dry-run", action="store_true", help="print the plan it would write; write nothing")
    add_common(ge, by=True)
    ge.set_defaults(func=_generate)

    sh = cmds.add_parser("show", help="the draft's supply plan per family and month")
    sh.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help=cycle_help)
    sh.add_argument("--family", action="append", metavar="FAMILY", help="only this family (repeat for more)")
    add_common(sh)
    sh.set_defaults(func=_show)

    ad = cmds.add_parser("adjust", help="set one family-month's production, with a reason (logged)")
    ad.add_argument("cycle", type=month_arg, metavar="CYCLE", help="YYYY-MM")
    ad.add_argument("family", metavar="FAMILY")
    ad.add_argument("month", type=month_arg, metavar="MONTH", help="YYYY-MM, inside the cycle's plan")
    ad.add_argument("quantity", type=float, metavar="QUANTITY", help="production in units")
    ad.add_argument("--reason", required=True, help="why the plan is adjusted")
    ad.add_argument(
        "--seen", type=float, metavar="QTY", help="the production you saw (supply show); refused if it changed since"
    )
    add_common(ad, by=True)
    ad.set_defaults(func=_adjust)

    ck = cmds.add_parser(
        "check",
        help="overloads and shortages of the draft's supply plan (rough-cut)",
        description="Overloads, resources at their warning threshold and shortages of the draft's supply plan. "
        f"Exit codes: 0 done (with --strict: nothing found), 1 refused, 2 usage, {STRICT_FOUND} with --strict: an "
        "overload or a shortage was found (for a scheduled job that alerts).",
    )
    ck.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help=cycle_help)
    ck.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {STRICT_FOUND} when an overload or a shortage is found (0 when clean)",
    )
    add_common(ck)
    ck.set_defaults(func=_check)

    lg = cmds.add_parser("log", help="the supply plan adjustments of a cycle, with their reasons")
    lg.add_argument("cycle", nargs="?", type=month_arg, metavar="CYCLE", help=cycle_help)
    add_common(lg)
    lg.set_defaults(func=_log)
