"""``python -m sop_core rollup SOURCE --kind …`` and ``python -m sop_core forecast …`` (``--spark MASTER``).

* ``rollup SOURCE --kind sales|orders|production [--level sku|family] [--dry-run]``: Parquet
  transactions (a file, folder or glob) summed to months and loaded through the importer; prints the
  import report. Exit 0 loaded / valid / already loaded, 1 rejected or refused, 2 usage, store or Spark.
* ``forecast [--cycle YYYY-MM] [--family F …] [--horizon N] [--mode full|quick]``: runs and stores the
  statistical baseline of the cycle's draft, as the Demand planning page's "Run baseline" does. Exit 0
  stored, 1 refused (role, approved plan), 2 usage, store or Spark.

Both run locally unless ``--spark MASTER`` (or ``$SOP_SPARK_MASTER``) names a Spark master, e.g.
``local[2]`` or ``spark://host:7077`` (docs/scale-out.md). Both act as ``--as EMAIL``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from ..conventions import PLAN_HORIZON_MONTHS
from ..people import add_as_option, command_actor, refusals
from ..store import FrozenPlanError, default_db_path, open_store
from .rollup_sql import LEVELS, ROLLUP_KINDS
from .session import SPARK_ENV, configured_master, spark_missing


def _spark_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spark",
        metavar="MASTER",
        default=None,
        help=f"run on Spark: local[2], spark://host:7077, yarn … (default: ${SPARK_ENV}, else locally)",
    )


def _master(args: argparse.Namespace) -> str | None:
    """The Spark master to use, or None; ``RuntimeError`` when one is named but Spark cannot run here."""
    master = configured_master(args.spark)
    if master is not None:
        missing = spark_missing()
        if missing is not None:
            raise RuntimeError(f"--spark {master}: {missing}")
    return master


@refusals()
def _rollup(args: argparse.Namespace) -> int:
    from .rollup import rollup
    from .session import spark_session

    try:
        master = _master(args)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with open_store(args.db) as store:
        actor = command_actor(store, args.as_email)
        spark = spark_session(master, "sop_core rollup") if master else None
        report = rollup(store, args.source, args.kind, actor=actor, level=args.level, spark=spark, dry_run=args.dry_run)
    print(report.to_text(), end="")
    return 0 if report.status not in ("rejected", "failed") else 1


@refusals(FrozenPlanError)
def _forecast(args: argparse.Namespace) -> int:
    from .spark_forecast import run_baseline_on

    try:
        master = _master(args)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.cycle is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-01)?", args.cycle):
        print(f"error: --cycle must be a month YYYY-MM, not {args.cycle!r}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    with open_store(args.db) as store:
        actor = command_actor(store, args.as_email)
        frame = run_baseline_on(
            store, master, args.cycle, args.horizon, families=args.family or None, mode=args.mode, actor=actor
        )
    series = len(frame.drop_duplicates(["family", "sku", "region"])) if len(frame) else 0
    where = f"Spark {master}" if master else "this machine"
    print(
        f"Baseline stored: {series:,} series × {args.horizon} months on {where} in {time.perf_counter() - start:.1f} s"
    )
    return 0


def add_scale_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``rollup`` and ``forecast`` on the ``sop_core`` command line."""
    roll = sub.add_parser("rollup", help="sum Parquet transactions to months and load them (DuckDB or Spark)")
    roll.add_argument("source", metavar="SOURCE", help="Parquet file, folder or glob (a lake path with --spark)")
    roll.add_argument("--kind", required=True, choices=ROLLUP_KINDS, help="actuals kind: " + ", ".join(ROLLUP_KINDS))
    roll.add_argument("--level", choices=LEVELS, help="sum to SKU or family (default: SKU when the source has SKUs)")
    roll.add_argument("--dry-run", action="store_true", help="roll up, check and preview; write nothing")
    roll.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    _spark_option(roll)
    add_as_option(roll)
    roll.set_defaults(func=_rollup)

    fc = sub.add_parser("forecast", help="run and store the statistical baseline of a cycle (locally or on Spark)")
    fc.add_argument("--cycle", help="plan cycle YYYY-MM (default: the latest)")
    fc.add_argument("--family", action="append", metavar="FAMILY", help="only this family (repeat for more)")
    fc.add_argument("--horizon", type=int, default=PLAN_HORIZON_MONTHS, help="months ahead (default: %(default)s)")
    fc.add_argument("--mode", choices=("full", "quick"), default="full", help="full model choice or quick (no fit)")
    fc.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    _spark_option(fc)
    add_as_option(fc)
    fc.set_defaults(func=_forecast)
