"""Capture what one thread prints, while every other thread keeps printing to the real streams.

``contextlib.redirect_stdout`` swaps ``sys.stdout`` for the whole process, so output of the app's
sessions would land in a job's report. Instead ``sys.stdout`` and ``sys.stderr`` get (once) a thin
proxy that writes to a per-thread target when one is set, else to the stream it replaced.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

_INSTALL = threading.Lock()


class ThreadStream:
    """A text stream that writes to this thread's target, else to the stream it wraps."""

    def __init__(self, default: TextIO) -> None:
        self.default = default
        self._local = threading.local()

    def target(self) -> TextIO:
        """Where this thread's writes go now."""
        stream: TextIO | None = getattr(self._local, "stream", None)
        return stream if stream is not None else self.default

    def set_target(self, stream: TextIO | None) -> None:
        """Send this thread's writes to ``stream`` (``None``: back to the wrapped stream)."""
        self._local.stream = stream

    def write(self, text: str) -> int:
        """Write to this thread's target."""
        return self.target().write(text)

    def flush(self) -> None:
        """Flush this thread's target."""
        self.target().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target(), name)


def _proxy(name: str) -> ThreadStream:
    """The proxy installed as ``sys.<name>`` (installed now if something replaced it or it is not there)."""
    with _INSTALL:
        current = getattr(sys, name)
        if not isinstance(current, ThreadStream):
            current = ThreadStream(current)
            setattr(sys, name, current)
        return current


@contextmanager
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Collect what this thread prints to ``sys.stdout`` and ``sys.stderr`` inside the block."""
    out, err = io.StringIO(), io.StringIO()
    stdout, stderr = _proxy("stdout"), _proxy("stderr")
    stdout.set_target(out)
    stderr.set_target(err)
    try:
        yield out, err
    finally:
        stdout.set_target(None)
        stderr.set_target(None)
