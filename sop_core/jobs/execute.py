"""Run one handed-over command on the app's store, exactly as the command line would, and capture its output.

The job's ``argv`` goes through the same parser and handlers as a direct run (``sop_core.__main__``);
the handlers' ``open_store(args.db)`` gets the app's own store (:func:`~sop_core.store.lend_store`), the
file arguments point into the spool, and who acts defaults to the caller (``--as`` from the caller's
``$SOP_USER``, the local name from the caller's login: :func:`~sop_core.people.command.caller_environment`),
never to the app's own environment.
"""

from __future__ import annotations

import sys
import traceback

from ..people.command import caller_environment
from ..store import Store, lend_store
from .capture import captured
from .job import NOT_HANDED_OFF, Job, Result
from .spool import Spool


def execute(store: Store, spool: Spool, job: Job) -> Result:
    """Run ``job`` on ``store``: its exit code and what it printed (a crash: the traceback and exit code 1)."""
    with captured() as (out, err):
        code = _run(store, spool, job)
    return Result(code, out.getvalue(), err.getvalue())


def _run(store: Store, spool: Spool, job: Job) -> int:
    from ..__main__ import build_parser, run_parsed  # late: __main__ imports this package

    try:
        args = build_parser().parse_args(job.argv)
        if args.command in NOT_HANDED_OFF:
            print(f"error: '{args.command}' does not run inside the dashboard", file=sys.stderr)
            return 2
        args.db = store.path
        for dest, name in job.inputs.items():
            setattr(args, dest, str(spool.inputs_dir(job.id) / name))
        for dest, name in job.outputs.items():
            setattr(args, dest, str(spool.outputs_dir(job.id) / name))
        for dest, path in job.paths.items():
            setattr(args, dest, path)
        with caller_environment(job.sop_user, job.login), lend_store(store):
            return run_parsed(args)
    except SystemExit as exc:  # argparse, or a handler calling sys.exit
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception:  # noqa: BLE001 - a direct run would print the traceback and exit 1; the runner lives on
        traceback.print_exc()
        return 1
