"""The command's side: run directly, or, while the dashboard holds the store, hand the command to its runner.

A command that finds the store held (``StoreLockedError``) hands its job over when the app's runner
beats (``heartbeat.py``), then waits for the result and prints it and exits as a direct run would.
Without a runner (another command holds the file), it tries the file again until ``--wait`` runs
out. A job nobody claims before then is withdrawn (it never runs later) and the command fails as it
always did: the "in use" message, exit code 2. ``demo`` refuses at once while the app holds the store.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from ..people.command import USER_ENV, login_name
from ..store import StoreError, StoreLockedError, default_db_path
from .heartbeat import runner_alive
from .job import INPUT_ARGS, NOT_HANDED_OFF, OUTPUT_ARGS, PATH_ARGS, Job, Result
from .spool import Spool, new_id

DEFAULT_WAIT_SECONDS = 60.0
WAIT_ENV = "SOP_WAIT"
RETRY_SECONDS = 0.25
POLL_SECONDS = 0.02


def default_wait() -> float:
    """The default of ``--wait``: ``$SOP_WAIT`` seconds when set to a number, else 60."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV) or DEFAULT_WAIT_SECONDS))
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def run_or_hand_off(args: argparse.Namespace, argv: list[str], wait: float = DEFAULT_WAIT_SECONDS) -> int:
    """Run the parsed command ``args`` (typed as ``argv``); while the store is held, hand it over or retry.

    Raises the last :class:`StoreLockedError` when the store stays held for ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            return int(args.func(args))
        except StoreLockedError:
            spool = Spool(getattr(args, "db", None) or default_db_path())
            if runner_alive(spool):
                if args.command in NOT_HANDED_OFF:
                    raise
                code = hand_off(args, argv, spool, deadline)
                if code is not None:
                    return code
            if time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_SECONDS)


def hand_off(args: argparse.Namespace, argv: list[str], spool: Spool, deadline: float) -> int | None:
    """Hand the command to the app's runner and relay its result; ``None`` when it was withdrawn unrun.

    Withdrawn: nobody claimed it before ``deadline`` (``time.monotonic()``), or the runner stopped.
    """
    files = {d: Path(getattr(args, d)) for d in INPUT_ARGS if isinstance(getattr(args, d, None), str)}
    outputs = {d: Path(getattr(args, d)) for d in OUTPUT_ARGS if isinstance(getattr(args, d, None), str)}
    paths = {d: str(getattr(args, d)) for d in PATH_ARGS if isinstance(getattr(args, d, None), str)}
    job = Job(
        id=new_id(),
        argv=list(argv),
        expires=time.time() + max(0.0, deadline - time.monotonic()),
        inputs={d: p.name for d, p in files.items()},
        outputs={d: p.name for d, p in outputs.items()},
        paths={d: v if "://" in v else os.path.abspath(v) for d, v in paths.items()},
        sop_user=os.environ.get(USER_ENV) or None,
        login=login_name(),
    )
    try:
        spool.submit(job, files)
    except OSError as exc:
        raise StoreError(f"cannot hand the command to the dashboard through {spool.folder}: {exc}") from exc
    try:
        result = _await(spool, job.id, deadline)
        if result is None:
            return None
        return _relay(result, spool, job, outputs)
    finally:
        spool.withdraw(job.id)  # an interrupted wait: the job must not run later
        spool.discard(job.id)


def _await(spool: Spool, job_id: str, deadline: float) -> Result | None:
    """The job's result; ``None`` once withdrawn (unclaimed at the deadline, or the runner stopped)."""
    while True:
        result = spool.read_result(job_id)
        if result is not None:
            return result
        alive = runner_alive(spool)
        if spool.is_waiting(job_id):
            if (not alive or time.monotonic() >= deadline) and spool.withdraw(job_id):
                return None
        elif not alive and spool.read_result(job_id) is None:
            raise StoreError(
                f"the dashboard holding {spool.store} stopped while running the command; its outcome is "
                "unknown (python -m sop_core uploads lists what was loaded)"
            )
        time.sleep(POLL_SECONDS)


def _relay(result: Result, spool: Spool, job: Job, outputs: dict[str, Path]) -> int:
    """Print the result as the command would have, and copy its output files to where they were asked for."""
    stdout, stderr = result.stdout, result.stderr
    for dest, target in outputs.items():
        made = spool.outputs_dir(job.id) / job.outputs[dest]
        stdout, stderr = stdout.replace(str(made), str(target)), stderr.replace(str(made), str(target))
        if made.exists():
            try:
                shutil.copyfile(made, target)
            except OSError as exc:
                print(f"error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
                return 1
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return result.code
