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
    raise PermissionError(f"{actor.email} ({actor.role_text}) may not {perm.phrase}: needs {roles_needed(action)}")


def roles_needed(action: str) -> str:
    """The roles that allow ``action``, for messages: ``executive`` or ``planner or finance or executive``."""
    roles = permission(action).roles
    return " or ".join(role for role in ROLES if role in roles)


def needs_role(actor: Actor, action: str, doing: str) -> str:
    """The one-line hint a page shows in place of a control ``actor`` may not use.

    ``doing`` is the sentence's subject and verb: ``needs_role(a, "approve", "Approving the plan needs")`` gives
    ``Approving the plan needs the executive role; you are signed in as viewer.``
    """
    return f"{doing} the {roles_needed(action)} role; you are signed in as {actor.role_text}."
