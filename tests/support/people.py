"""Acting people for tests: one :class:`Actor` per role, and a helper for any mix of roles."""

from __future__ import annotations

from sop_core.people import ROLES, Actor, local_actor


def person(*roles: str, email: str | None = None, name: str = "") -> Actor:
    """A listed person holding ``roles`` (e-mail ``<first role>@example.com`` unless given)."""
    address = email or f"{roles[0] if roles else 'nobody'}@example.com"
    return Actor(email=address, name=name or address, roles=frozenset(roles), registered=True)


VIEWER = person("viewer")
PLANNER = person("planner")
FINANCE = person("finance")
EXECUTIVE = person("executive")
ADMIN = person("admin")
EVERYONE = person(*ROLES, email="all@example.com")
"""Every role: for tests about something other than permissions."""
LOCAL = local_actor("Tester")
"""The local single-user mode (every role; signs as ``Tester``)."""


def everyone_but(*roles: str) -> list[Actor]:
    """One person per role not in ``roles``, plus a person with no role: the ones a write must refuse."""
    return [person(role) for role in ROLES if role not in roles] + [person(email="nobody@example.com")]
