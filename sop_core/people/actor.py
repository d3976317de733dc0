"""Who acts: a stored :class:`Person`, the acting :class:`Actor`, and the local single-user actor.

An :class:`Actor` is what every write function takes (``require(actor, action)`` at its top) and
what it records as the author (:attr:`Actor.author`). It is built by
:func:`sop_core.people.actor_for` from a signed-in identity, by :func:`local_actor` when sign-in is
not configured, or by the command line from ``--as EMAIL``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .roles import ROLES, role_text

LOCAL_EMAIL = "local"
"""The identity of the local single-user mode; never a stored person (it holds no ``@``)."""

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def normalise_email(email: str) -> str:
    """``email`` trimmed and lower-cased; ``ValueError`` when it is not ``name@domain``.

    Identity providers differ in the case they return; the store keeps one spelling per person.
    """
    text = str(email).strip().lower()
    if not _EMAIL.fullmatch(text):
        raise ValueError(f"not an e-mail address: {email!r}")
    return text


@dataclass(frozen=True)
class Person:
    """A stored person: e-mail (the key), display name, roles, and who added them when."""

    email: str
    name: str
    roles: tuple[str, ...]
    created_by: str
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class Actor:
    """The person acting now: identity, roles, and how the roles were found.

    ``registered`` is true when the roles come from the person's own entry (false: the default
    role applied); ``local`` marks the single-user mode without sign-in.
    """

    email: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    registered: bool = False
    local: bool = False

    @property
    def author(self) -> str:
        """What a write records as its author: the e-mail; in local mode the name the user gave."""
        return (self.name or self.email) if self.local else self.email

    @property
    def role_text(self) -> str:
        """The roles for messages: ``planner, finance`` or ``no role``."""
        return role_text(self.roles)

    @property
    def label(self) -> str:
        """``Name <email>`` (just the e-mail when the name is the e-mail) for the sidebar and listings."""
        if self.local:
            return f"{self.name} (local mode)"
        return self.email if not self.name or self.name == self.email else f"{self.name} <{self.email}>"


def local_actor(name: str | None = None) -> Actor:
    """The single user of local mode (sign-in not configured): every role, clearly labelled.

    Local mode trusts whoever reaches the app, like the app did before sign-in existed; it is
    meant for one person on their own machine (docs/security.md).
    """
    return Actor(email=LOCAL_EMAIL, name=name or "Local user", roles=frozenset(ROLES), registered=False, local=True)
