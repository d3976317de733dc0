"""The role check: :func:`can` for pages (hide what a person cannot do), :func:`require` for the engine.

Every ``sop_core`` function that writes calls ``require(actor, "<action>")`` first, before it opens
its transaction, so a refused write changes nothing. The refusal is a built-in ``PermissionError``
whose message names the person, their roles, the action and the roles that would allow it.
"""

from __future__ import annotations

from .actor import Actor
from .roles import ROLES, permission


def can(actor: Actor, action: str) -> bool:
    """True when one of ``actor``'s roles allows ``action`` (``KeyError`` for an unknown action)."""
    return bool(permission(action).roles & actor.roles)


def require(actor: Actor, action: str) -> None:
    """Return when ``actor`` may do ``action``; else raise ``PermissionError`` saying why.

    Message: ``ann@example.com (viewer) may not approve plans: needs executive``.
    """
    perm = permission(action)
    if perm.roles & actor.roles:
        return
    needs = " or ".join(role for role in ROLES if role in perm.roles)
    raise PermissionError(f"{actor.email} ({actor.role_text}) may not {perm.phrase}: needs {needs}")
