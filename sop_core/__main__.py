"""Command line: ``python -m sop_core demo [--db PATH] [--seed N]``.

Later commands (such as ``import``) register themselves in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys

from .demo import load_demo
from .store import StoreError, default_db_path, open_store


def _demo(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        load_demo(store, seed=args.seed, replace=True)
    print(f"Demo company written to {args.db}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``sop_core`` argument parser with one sub-command per task."""
    parser = argparse.ArgumentParser(prog="python -m sop_core", description="S&OP store tools")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="(re)create the demo company in the store")
    demo.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
