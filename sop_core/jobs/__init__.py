"""Scheduled loads while the dashboard runs: commands hand their job to the app that holds the store.

DuckDB lets one process write a file, and the running app holds the store. A command that finds it
held (``python -m sop_core import …``, ``cycle …``, ``preread`` …) leaves its command line (and its
input file) in a spool folder beside the store; the app's runner thread runs it through the same
parser and handlers on the app's own store and writes back the exit code and output, which the
command prints as its own. The app's pages show the change at their next rerun (their caches are
keyed by ``facts.data_stamp``).

Modules: ``job`` (the job and result files), ``spool`` (the folder), ``heartbeat`` (is the app's
runner alive), ``capture`` (one thread's output), ``execute`` (run one job), ``runner`` (the app's
thread), ``client`` (the command's side).
"""

from .client import DEFAULT_WAIT_SECONDS, default_wait, hand_off, run_or_hand_off
from .heartbeat import runner_alive, runner_pid
from .job import Job, Result
from .runner import Runner, start_runner, stop_runner
from .spool import Spool, spool_dir

__all__ = [
    "DEFAULT_WAIT_SECONDS",
    "Job",
    "Result",
    "Runner",
    "Spool",
    "default_wait",
    "hand_off",
    "run_or_hand_off",
    "runner_alive",
    "runner_pid",
    "spool_dir",
    "start_runner",
    "stop_runner",
]
