"""Command line: ``python -m sop_core demo|import|uploads|revert|preread|cycle|decisions|assumptions|supply|template|
holidays|users|rollup|forecast …`` (``--help`` on each; writing commands act as ``--as EMAIL``, docs/security.md).

``import KIND FILE`` validates a file and loads it in one transaction; it prints
the report and exits 0 when the file was loaded (or is valid with
``--dry-run``, or was already loaded), 1 when the file was rejected, and 2 when
the store cannot be used. While the dashboard holds the store, every command but
``demo`` runs inside it, with the same report and exit code (``sop_core.jobs``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .demo import load_demo
from .people.command import refusals
from .store import StoreError, default_db_path, open_store


def _demo(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        load_demo(store, seed=args.seed, replace=True)
    print(f"Demo company written to {args.db}")
    return 0


@refusals()
def _import(args: argparse.Namespace) -> int:
    """``import KIND FILE``: 0 loaded / valid / already loaded; 1 rejected, refused or failed; 2 usage or store."""
    from .importer import ImportOptions, UploadConflict, import_file
    from .people import command_actor

    delimiter = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}.get(args.delimiter, args.delimiter)
    options = ImportOptions(
        encoding=args.encoding,
        delimiter=delimiter,
        locale=args.locale,
        date_format=args.date_format,
        sum_duplicates=args.sum_duplicates,
        cycle=args.cycle,
        sheet=args.sheet,
    )
    path = Path(args.file)
    if not path.is_file():
        print(f"error: cannot read {args.file}: no such file", file=sys.stderr)
        return 2
    with open_store(args.db) as store:
        actor = command_actor(store, args.as_email)
        try:
            # Given the path, DuckDB reads a UTF-8 file in place (no temporary copy).
            report = import_file(store, args.kind, path, path.name, options, actor=actor, dry_run=args.dry_run)
        except UploadConflict as exc:  # another upload wrote the same data at once: nothing of this one
            report = exc.report
    print(report.to_text(), end="")
    if report.preview is not None and report.status in ("valid", "committed"):
        preview = report.preview
        print(f"preview ({len(preview)} row(s){', first 40' if len(preview) > 40 else ''}):")
        print(preview.head(40).to_string(index=False))
    return 0 if report.status not in ("rejected", "failed") else 1


def _uploads(args: argparse.Namespace) -> int:
    from .importer import upload_history

    with open_store(args.db) as store:
        frame = upload_history(store).drop(columns=["sha256"])
    print(frame.to_string(index=False) if len(frame) else "No uploads yet.")
    return 0


@refusals()
def _revert(args: argparse.Namespace) -> int:
    """``revert UPLOAD_ID``: 0 reverted; 1 refused (role); 2 usage or a revert the store refuses (``main``)."""
    from .importer import revert_upload
    from .people import command_actor

    with open_store(args.db) as store:
        print(revert_upload(store, args.upload_id, command_actor(store, args.as_email)))
    return 0


def _preread(args: argparse.Namespace) -> int:
    """``preread CYCLE --out FILE.pdf|FILE.html``: 0 written, 1 the PDF cannot be built here, 2 usage (unknown cycle)."""
    import re
    import time

    from .cycle.preread import PrereadUnavailable, build_preread, format_of
    from .facts import cycles
    from .months import month_start

    try:
        fmt = format_of(args.out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-01)?", args.cycle):
        print(f"error: CYCLE must be a month YYYY-MM, not {args.cycle!r}", file=sys.stderr)
        return 2
    cycle = month_start(args.cycle)
    with open_store(args.db) as store:
        known = cycles(store)
        if cycle not in known:
            have = f"{min(known):%Y-%m} … {max(known):%Y-%m}" if known else "none"
            print(f"error: the store has no plan cycle {cycle:%Y-%m} (cycles: {have})", file=sys.stderr)
            return 2
        start = time.perf_counter()
        try:
            data = build_preread(store, cycle, fmt)
        except PrereadUnavailable as exc:
            print(f"error: the PDF pre-read cannot be built: {exc.reason}", file=sys.stderr)
            return 1
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(
        f"Pre-read of cycle {cycle:%Y-%m} written to {args.out} ({fmt.upper()}, {len(data) / 1e6:.1f} MB, "
        f"{time.perf_counter() - start:.1f} s)"
    )
    return 0


def _add_preread(sub: argparse._SubParsersAction) -> None:
    pre = sub.add_parser("preread", help="build the meeting pre-read of a cycle (PDF or self-contained HTML)")
    pre.add_argument("cycle", metavar="CYCLE", help="plan cycle YYYY-MM")
    pre.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.html")
    pre.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    pre.set_defaults(func=_preread)


def build_parser() -> argparse.ArgumentParser:
    """The ``sop_core`` argument parser with one sub-command per task."""
    from .jobs import default_wait

    parser = argparse.ArgumentParser(prog="python -m sop_core", description="S&OP store tools")
    parser.add_argument(
        "--wait",
        type=float,
        default=default_wait(),
        metavar="SECONDS",
        help="while another command holds the store, retry this long (default: $SOP_WAIT or 60); while the "
        "dashboard holds it, the command runs inside the dashboard (README: Scheduled loads)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="(re)create the demo company in the store")
    demo.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.set_defaults(func=_demo)

    from .importer.kinds import KINDS
    from .importer.options import DATE_FORMATS, ENCODINGS, NUMBER_LOCALES
    from .people import add_as_option

    imp = sub.add_parser("import", help="validate a CSV/xlsx file and load it (all or nothing)")
    imp.add_argument("kind", choices=list(KINDS), metavar="KIND", help="one of: " + ", ".join(KINDS))
    imp.add_argument("file", metavar="FILE", help="CSV or .xlsx file")
    imp.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    imp.add_argument("--cycle", help="plan cycle YYYY-MM (plan kinds; default: the latest draft)")
    imp.add_argument("--dry-run", action="store_true", help="validate and preview only; write nothing")
    imp.add_argument("--encoding", choices=ENCODINGS, help="file encoding when not UTF-8 (cp1252, latin-1)")
    imp.add_argument("--delimiter", help="comma, semicolon, tab or pipe (default: from the header)")
    imp.add_argument(
        "--locale",
        choices=list(NUMBER_LOCALES),
        help="number format: " + "; ".join(f"{k} = {v}" for k, v in NUMBER_LOCALES.items()),
    )
    imp.add_argument("--date-format", choices=list(DATE_FORMATS), help="day/month order of dd/mm/yyyy dates")
    imp.add_argument("--sum-duplicates", action="store_true", help="sum rows with the same key instead of rejecting")
    imp.add_argument("--sheet", help="worksheet name (xlsx; default: the sheet named after KIND, else the first)")
    add_as_option(imp, "--user")  # --as EMAIL; the older --user keeps working
    imp.set_defaults(func=_import)

    ups = sub.add_parser("uploads", help="list the upload history")
    ups.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    ups.set_defaults(func=_uploads)

    rev = sub.add_parser("revert", help="revert one upload")
    rev.add_argument("upload_id", type=int)
    rev.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    add_as_option(rev, "--user")
    rev.set_defaults(func=_revert)
    _add_preread(sub)
    from .cycle.cli import add_cycle_commands

    add_cycle_commands(sub)  # cycle status|open|consensus|carried|confirm-overrides|…, decisions …, assumptions …
    from .cycle.cli_supply import add_supply_commands

    add_supply_commands(sub)  # supply policy|generate|show|adjust|check|log
    from .cycle.cli_template import add_template_commands

    add_template_commands(sub)  # template show|set|add-task, holidays list|add|remove
    from .people.cli import add_users_command

    add_users_command(sub)  # users list|add|remove|roles|default-role|history (--as EMAIL)
    from .scale.cli import add_scale_commands

    add_scale_commands(sub)  # rollup SOURCE --kind …, forecast (--spark MASTER)
    return parser


def run_parsed(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    """Run a parsed command line; a store that cannot be opened prints why and gives exit code 2.

    Given ``argv`` (the command line as typed), a store held by the running dashboard gets the command
    handed over to it (``sop_core.jobs``); the dashboard's runner calls this without ``argv``.
    """
    try:
        if argv is None:
            return int(args.func(args))
        from .jobs import run_or_hand_off

        return run_or_hand_off(args, argv, args.wait)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_parsed(build_parser().parse_args(argv), argv)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader went away (`… | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
