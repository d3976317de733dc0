"""The cycle engine's refusals: a plain refusal, and a save refused because someone changed the item first."""

from __future__ import annotations

import datetime as dt

from ..store import StoreError


class CycleError(StoreError):
    """A cycle operation was refused (validation, wrong state); the message says why. CLI exit code 1."""


class EditConflictError(CycleError):
    """A save refused because the item changed since the editor read it (a version check, not last-write-wins).

    The message names who changed it and when; nothing was written. ``changed_by`` / ``changed_at`` are that
    change's author and time (``None`` when the store does not say).
    """

    def __init__(self, message: str, changed_by: str | None, changed_at: dt.datetime | None) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
