"""The cycle engine's refusals and the one place an actor is checked."""

from __future__ import annotations

from ..store import StoreError


class CycleError(StoreError):
    """A cycle operation was refused (validation, wrong state); the message says why. CLI exit code 1."""


def require_actor(name: str | None, role: str = "person") -> str:
    """The acting person's name, stripped; :class:`CycleError` when empty.

    Every write of the cycle engine passes its ``by``/``author`` here first: the one place where
    an actor is checked (a later issue adds sign-in and roles).
    """
    actor = str(name or "").strip()
    if not actor:
        article = "an" if role[:1].lower() in "aeiou" else "a"
        raise CycleError(f"Say who acts: {article} {role} name is required.")
    return actor
