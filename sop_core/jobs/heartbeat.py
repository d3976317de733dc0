"""The runner's heartbeat: a file in the spool with the app's PID and the time, rewritten every second.

A command hands its job over only while the heartbeat is fresh; a stale one means the app stopped (or
runs no runner), and the command then waits for the file as it would for another command.
"""

from __future__ import annotations

import json
import os
import time

from .spool import Spool

FRESH_SECONDS = 5.0
"""A heartbeat younger than this means a runner is alive."""


def beat(spool: Spool) -> None:
    """Write the heartbeat now."""
    spool.write_atomic(spool.heartbeat, json.dumps({"pid": os.getpid(), "time": time.time()}).encode())


def runner_pid(spool: Spool) -> int | None:
    """The PID of the process whose runner beat less than :data:`FRESH_SECONDS` ago, else ``None``."""
    try:
        raw = json.loads(spool.heartbeat.read_bytes())
        pid, when = int(raw["pid"]), float(raw["time"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if abs(time.time() - when) < FRESH_SECONDS else None


def runner_alive(spool: Spool) -> bool:
    """True when the app's runner beat recently."""
    return runner_pid(spool) is not None
