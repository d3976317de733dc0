"""The app's runner: a daemon thread that runs handed-over commands on the app's store, one at a time.

:func:`start_runner` starts one per store file (the app calls it where it opens its cached store).
A second daemon thread writes the heartbeat every second while the store is open; commands hand
their jobs over only while it is fresh. Jobs run in order of arrival; a job whose caller gave up
(past its ``expires``) is dropped unrun. Results nobody collected are removed after an hour.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback

import duckdb

from ..store import Store
from .execute import execute
from .heartbeat import beat
from .job import Result
from .spool import Spool

POLL_SECONDS = 0.25
"""How often an idle runner looks for jobs (a directory listing)."""
BEAT_SECONDS = 1.0
KEEP_SECONDS = 3600.0
"""Results and leftovers older than this are removed."""
CLEAN_SECONDS = 60.0


def _is_open(store: Store) -> bool:
    try:
        store.cursor().close()
    except duckdb.Error:
        return False
    return True


class Runner:
    """Runs the jobs of one store's spool on that store (see the module docstring)."""

    def __init__(self, store: Store, *, poll: float = POLL_SECONDS) -> None:
        self.store = store
        self.spool = Spool(store.path)
        self.poll = poll
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Runner:
        """Create the spool, forget jobs an earlier app left half-run, and start the threads."""
        self.spool.ensure()
        self.spool.abandon_claimed()
        beat(self.spool)
        for target, name in ((self._beat_loop, "heartbeat"), (self._work_loop, "runner")):
            thread = threading.Thread(target=target, name=f"sop-jobs-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the current job (``timeout``: wait that long for the threads)."""
        self._stop.set()
        if timeout is not None:
            for thread in self._threads:
                thread.join(timeout)

    @property
    def alive(self) -> bool:
        """True while the runner's threads run."""
        return not self._stop.is_set() and all(t.is_alive() for t in self._threads)

    def run_next(self) -> bool:
        """Run the oldest waiting job, if any; True when one was claimed."""
        for job_id in self.spool.waiting():
            job = self.spool.claim(job_id)
            if job is None:
                continue  # withdrawn by its caller a moment ago
            if job.expires < time.time():
                self.spool.finish(job_id, None)  # its caller has given up: never run it later
                continue
            try:
                result = execute(self.store, self.spool, job)
            except Exception:  # noqa: BLE001 - execute reports a command's crash itself; this is the runner's own
                result = Result(1, "", traceback.format_exc())
            self.spool.finish(job_id, result)
            return True
        return False

    def _beat_loop(self) -> None:
        while not self._stop.is_set():
            if not _is_open(self.store):
                self._stop.set()  # the app closed its store: commands open the file themselves again
                break
            try:
                beat(self.spool)
            except FileNotFoundError:
                self._stop.set()  # the spool folder was removed (the store's folder went away)
                break
            except OSError as exc:
                print(f"sop_core.jobs: cannot write the heartbeat: {exc}", file=sys.__stderr__)
            self._stop.wait(BEAT_SECONDS)

    def _work_loop(self) -> None:
        next_clean = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_clean:
                    self.spool.clean(KEEP_SECONDS)
                    next_clean = time.monotonic() + CLEAN_SECONDS
                if self.run_next():
                    continue
            except Exception as exc:  # noqa: BLE001 - a broken spool file must not end the runner
                print(f"sop_core.jobs: {type(exc).__name__}: {exc}", file=sys.__stderr__)
            self._stop.wait(self.poll)


_RUNNERS: dict[str, Runner] = {}
_LOCK = threading.Lock()


def start_runner(store: Store) -> Runner | None:
    """Start the runner of ``store`` once per file (again for a new ``Store`` of the same file).

    ``None`` for an in-memory store, or when the spool cannot be created (the reason goes to stderr;
    commands then wait for the file as before).
    """
    if store.path == ":memory:":
        return None
    key = str(Spool(store.path).folder)
    with _LOCK:
        runner = _RUNNERS.get(key)
        if runner is not None and runner.store is store and runner.alive:
            return runner
        if runner is not None:
            runner.stop()
        try:
            runner = Runner(store).start()
        except OSError as exc:
            print(f"sop_core.jobs: no scheduled loads for {store.path}: {exc}", file=sys.__stderr__)
            _RUNNERS.pop(key, None)
            return None
        _RUNNERS[key] = runner
        return runner


def stop_runner(store: Store) -> None:
    """Stop the runner of ``store`` (if this store's runner is the one running)."""
    key = str(Spool(store.path).folder)
    with _LOCK:
        runner = _RUNNERS.get(key)
        if runner is not None and runner.store is store:
            runner.stop()
            del _RUNNERS[key]
