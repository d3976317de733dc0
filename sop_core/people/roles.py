"""Roles and what each may do: the permission table, as data.

A person holds one or more roles; an action is allowed when any of the person's roles is among the
action's roles. Reading is every role's right (``view``); each write is an action of its own, so a
later domain adds its action here (one row) and calls :func:`sop_core.people.require` at the top of
its write function. Admin is not a super-user: it manages people and settings, nothing else (a
person who also plans holds both roles).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROLES: tuple[str, ...] = ("viewer", "planner", "finance", "executive", "admin")
"""Every role, in display order."""

ROLE_LABELS: dict[str, str] = {
    "viewer": "Viewer — reads everything",
    "planner": "Planner — uploads, overrides, supply plan, scenarios",
    "finance": "Finance — budget and finance assumptions",
    "executive": "Executive — sign-off and approval",
    "admin": "Admin — people and settings",
}

NO_ACCESS = "none"
"""The default-role value that gives a signed-in person without an entry no access at all."""

DEFAULT_ROLE_CHOICES: tuple[str, ...] = ("viewer", "planner", "finance", "executive", NO_ACCESS)
"""What the default role may be set to: never ``admin`` (an unknown person must not manage people)."""


@dataclass(frozen=True)
class Permission:
    """One action: the phrase of the refusal message (``may not <phrase>``) and the roles allowed."""

    phrase: str
    roles: frozenset[str]


def _allow(phrase: str, *roles: str) -> Permission:
    return Permission(phrase, frozenset(roles))


PERMISSIONS: dict[str, Permission] = {
    "view": _allow("see the dashboard", *ROLES),
    "upload": _allow("upload or revert data", "planner"),
    "budget": _allow("upload or revert the budget", "finance"),
    "forecast": _allow("run the baseline or change forecast overrides", "planner"),
    "supply_plan": _allow("change the supply plan", "planner"),
    "scenario": _allow("save, delete or promote scenarios", "planner"),
    "run_cycle": _allow("open cycles", "planner"),
    # the roles a cycle step may be owned by; a step is signed off, and its tasks ticked, only by holders of its
    # own role (sop_core.cycle.template: data, demand and supply review planner, pre-S&OP finance), no override
    "sign_off": _allow("sign off cycle steps", "planner", "finance", "executive"),
    "decide": _allow("record decisions and assumptions", "planner", "finance", "executive"),
    "approve": _allow("approve or reopen plans", "executive"),
    "manage_people": _allow("manage people and roles", "admin"),
    "settings": _allow("change settings", "admin"),  # default role, cycle template, holidays,
}
"""Action → who may do it. The one table the engine and the pages read."""


def permission(action: str) -> Permission:
    """The :class:`Permission` of ``action``; ``KeyError`` naming the known actions when there is none."""
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}; known: {', '.join(PERMISSIONS)}") from None


def ordered(roles: Iterable[str]) -> tuple[str, ...]:
    """``roles`` without repeats, in :data:`ROLES` order."""
    have = set(roles)
    return tuple(role for role in ROLES if role in have)


def check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """Validate role names (case and spaces ignored); return them in display order.

    Raises ``ValueError`` naming the unknown ones and the known roles.
    """
    cleaned = [str(role).strip().lower() for role in roles]
    unknown = [role for role in cleaned if role not in ROLES]
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(map(repr, unknown))}; roles are: {', '.join(ROLES)}")
    return ordered(cleaned)


def role_text(roles: Iterable[str]) -> str:
    """``planner, finance`` — or ``no role`` — for messages and the sidebar."""
    names = ordered(roles)
    return ", ".join(names) if names else "no role"


def actions_of(roles: Iterable[str]) -> tuple[str, ...]:
    """The actions any of ``roles`` allows, in table order."""
    have = set(roles)
    return tuple(action for action, perm in PERMISSIONS.items() if perm.roles & have)
