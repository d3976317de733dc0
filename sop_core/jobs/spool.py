"""The spool: a folder beside the store (``<store file>.jobs/``) where commands leave jobs for the app.

Files (``ID`` sorts in order of arrival: nanoseconds, then the caller's PID and a random tail):

* ``ID.job``: a waiting job (JSON, :class:`~.job.Job`); ``ID.in/``: its input files, written first;
* ``ID.run``: the job the runner has claimed (an atomic rename of ``ID.job``; the caller withdraws a
  waiting job by deleting ``ID.job``, so exactly one of the two wins);
* ``ID.result``: the exit code and output (:class:`~.job.Result`); ``ID.out/``: output files;
* ``heartbeat``: the runner's PID and the time, rewritten every second (``heartbeat.py``).

Every file appears whole: written under a temporary dot-name, then ``os.replace``-d into place. The
folder gets the permissions of the store's folder (whoever may write there may already change the
store), its files the same without the execute bits.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import time
from pathlib import Path

from .job import Job, Result

SUFFIX = ".jobs"


def spool_dir(db: str | os.PathLike[str]) -> Path:
    """The spool folder of the store at ``db`` (the same from the app and from any working directory)."""
    path = Path(db).resolve()
    return path.with_name(path.name + SUFFIX)


def new_id() -> str:
    """A job id that sorts in order of arrival."""
    return f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}"


class Spool:
    """The spool folder of one store; :meth:`ensure` creates it."""

    def __init__(self, db: str | os.PathLike[str]) -> None:
        self.store = Path(db).resolve()
        self.folder = spool_dir(db)
        self.heartbeat = self.folder / "heartbeat"

    # --- the folder -------------------------------------------------------------------
    def ensure(self) -> Spool:
        """Create the folder (with the store folder's permissions) if it is not there yet."""
        if not self.folder.is_dir():
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.folder.mkdir()
            except FileExistsError:
                return self
            os.chmod(self.folder, stat.S_IMODE(self.folder.parent.stat().st_mode))
        return self

    def _dir_mode(self) -> int:
        return stat.S_IMODE(self.folder.stat().st_mode)

    def _mkdir(self, path: Path) -> None:
        path.mkdir()
        os.chmod(path, self._dir_mode())

    def write_atomic(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            tmp.write_bytes(data)
            os.chmod(tmp, self._dir_mode() & 0o666)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    # --- paths ------------------------------------------------------------------------
    def job_path(self, job_id: str) -> Path:
        """The waiting job's file."""
        return self.folder / f"{job_id}.job"

    def run_path(self, job_id: str) -> Path:
        """The claimed job's file."""
        return self.folder / f"{job_id}.run"

    def result_path(self, job_id: str) -> Path:
        """The result's file."""
        return self.folder / f"{job_id}.result"

    def inputs_dir(self, job_id: str) -> Path:
        """The folder of the job's input files."""
        return self.folder / f"{job_id}.in"

    def outputs_dir(self, job_id: str) -> Path:
        """The folder of the job's output files."""
        return self.folder / f"{job_id}.out"

    # --- the caller's side ------------------------------------------------------------
    def submit(self, job: Job, files: dict[str, Path]) -> None:
        """Copy ``files`` (argument → source) into the job's input folder, then make the job visible."""
        self.ensure()
        try:
            if files:
                self._mkdir(self.inputs_dir(job.id))
                for dest, source in files.items():
                    target = self.inputs_dir(job.id) / job.inputs[dest]
                    shutil.copyfile(source, target)
                    os.chmod(target, self._dir_mode() & 0o666)
            self.write_atomic(self.job_path(job.id), job.to_json())
        except BaseException:
            shutil.rmtree(self.inputs_dir(job.id), ignore_errors=True)
            raise

    def is_waiting(self, job_id: str) -> bool:
        """True while nobody has claimed the job."""
        return self.job_path(job_id).exists()

    def withdraw(self, job_id: str) -> bool:
        """Take a waiting job back so that it never runs; False when the runner has claimed it already."""
        try:
            self.job_path(job_id).unlink()
        except FileNotFoundError:
            return False
        shutil.rmtree(self.inputs_dir(job_id), ignore_errors=True)
        return True

    def read_result(self, job_id: str) -> Result | None:
        """The job's result, or ``None`` while there is none."""
        try:
            return Result.from_json(self.result_path(job_id).read_bytes())
        except FileNotFoundError:
            return None

    def discard(self, job_id: str) -> None:
        """Remove the job's result and output files (the caller has them)."""
        self.result_path(job_id).unlink(missing_ok=True)
        shutil.rmtree(self.outputs_dir(job_id), ignore_errors=True)

    # --- the runner's side ------------------------------------------------------------
    def waiting(self) -> list[str]:
        """The ids of the waiting jobs, oldest first."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n[: -len(".job")] for n in names if n.endswith(".job") and not n.startswith("."))

    def claim(self, job_id: str) -> Job | None:
        """Claim a waiting job (``None`` when its caller withdrew it first) and read it."""
        try:
            os.rename(self.job_path(job_id), self.run_path(job_id))
        except FileNotFoundError:
            return None
        job = Job.from_json(self.run_path(job_id).read_bytes())
        if job.outputs:
            self._mkdir(self.outputs_dir(job_id))
        return job

    def finish(self, job_id: str, result: Result | None) -> None:
        """Write the result (``None``: the job was dropped unrun) and remove the job and its inputs."""
        if result is not None:
            self.write_atomic(self.result_path(job_id), result.to_json())
        self.run_path(job_id).unlink(missing_ok=True)
        shutil.rmtree(self.inputs_dir(job_id), ignore_errors=True)

    def abandon_claimed(self) -> None:
        """Forget jobs claimed by an earlier runner of this store (its process ended mid-job: never rerun)."""
        for name in self._names():
            if name.endswith(".run"):
                self.finish(name[: -len(".run")], None)

    def clean(self, max_age: float) -> None:
        """Remove results, outputs, unclaimed jobs, orphaned inputs and temporary files older than ``max_age`` seconds."""
        cutoff = time.time() - max_age
        for name in self._names():
            path = self.folder / name
            stem = name.rsplit(".", 1)[0]
            leftover = name.endswith((".job", ".result", ".out", ".tmp")) or (
                name.endswith(".in") and not self.job_path(stem).exists() and not self.run_path(stem).exists()
            )
            try:
                if not leftover or path.lstat().st_mtime >= cutoff:
                    continue
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                continue

    def _names(self) -> list[str]:
        try:
            return os.listdir(self.folder)
        except FileNotFoundError:
            return []
