"""A handed-over command and its result, as the small JSON files of the spool.

A job is the command line as typed (``argv``, ``--as`` included) plus what the app cannot see from the
caller's side: the input files (copied into the spool, under their own names), the output files to bring
back, data paths made absolute, and who the caller is when the command line does not say (``$SOP_USER``,
the login name).
Nothing secret goes in a job.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

INPUT_ARGS = ("file",)
"""Parsed arguments that name a file the command reads (``import KIND FILE``): copied into the spool."""

OUTPUT_ARGS = ("out",)
"""Parsed arguments that name a file the command writes (``preread --out FILE``): written in the spool, copied back."""

PATH_ARGS = ("source",)
"""Parsed arguments that name data the command reads in place (``rollup SOURCE``: a Parquet file, folder or glob,
possibly large): not copied, but made absolute, so the app reads the same files (a ``scheme://`` lake path as is)."""

NOT_HANDED_OFF = frozenset({"demo"})
"""Commands that never go to the app: ``demo`` replaces the whole store, so it refuses while the app holds it."""


@dataclass(frozen=True)
class Job:
    """One command for the app's runner (see the module docstring)."""

    id: str
    argv: list[str]
    expires: float
    """Wall-clock time (``time.time()``) after which the runner drops the job unrun: its caller gave up."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Argument name → file name in the job's input folder."""
    outputs: dict[str, str] = field(default_factory=dict)
    """Argument name → file name in the job's output folder."""
    paths: dict[str, str] = field(default_factory=dict)
    """Argument name → the absolute path it names (:data:`PATH_ARGS`)."""
    sop_user: str | None = None
    """The caller's ``$SOP_USER`` (``None`` when unset)."""
    login: str = ""
    """The caller's login name (``$SOP_USER`` or the operating system's): who acts in local mode."""

    def to_json(self) -> bytes:
        """The job file's content."""
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Job:
        """A job read back from its file."""
        raw = json.loads(data)
        return cls(
            id=str(raw["id"]),
            argv=[str(a) for a in raw["argv"]],
            expires=float(raw["expires"]),
            inputs={str(k): str(v) for k, v in raw.get("inputs", {}).items()},
            outputs={str(k): str(v) for k, v in raw.get("outputs", {}).items()},
            paths={str(k): str(v) for k, v in raw.get("paths", {}).items()},
            sop_user=raw.get("sop_user"),
            login=str(raw.get("login", "")),
        )


@dataclass(frozen=True)
class Result:
    """What the command did: its exit code and everything it printed."""

    code: int
    stdout: str
    stderr: str

    def to_json(self) -> bytes:
        """The result file's content."""
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Result:
        """A result read back from its file."""
        raw = json.loads(data)
        return cls(code=int(raw["code"]), stdout=str(raw["stdout"]), stderr=str(raw["stderr"]))
