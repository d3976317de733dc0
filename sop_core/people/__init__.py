"""People and permissions: roles, the acting person, the role check, the people directory.

* ``roles.py`` — the roles and the permission table (action → roles), as data.
* ``actor.py`` — :class:`Person` (stored), :class:`Actor` (acting now), :func:`local_actor`.
* ``permissions.py`` — :func:`can` (pages hide controls) and :func:`require` (the engine refuses).
* ``directory.py`` — people, roles and the default role in the store; every change audited.
* ``identity.py`` — :func:`actor_for`: a signed-in e-mail to an :class:`Actor`.
* ``bootstrap.py`` — the first admin, from the command line or ``$SOP_ADMIN_EMAIL``.
* ``command.py`` — the command line's actor: ``--as EMAIL`` (:func:`add_as_option`, :func:`command_actor`).
* ``cli.py`` — ``python -m sop_core users …``.

Wiring for every write function (docs/security.md): take ``actor: Actor``, call
``require(actor, "<action>")`` before the transaction, record ``actor.author`` as the author.
"""

from .actor import LOCAL_EMAIL, Actor, Person, local_actor, normalise_email
from .bootstrap import ADMIN_ENV, add_first_admin, apply_admin_env, has_admin
from .command import USER_ENV, UsageError, add_as_option, command_actor, login_name, refusals
from .directory import (
    add_person,
    default_role,
    get_person,
    list_people,
    people_frame,
    people_history,
    remove_person,
    set_default_role,
    set_name,
    set_roles,
)
from .identity import actor_for
from .permissions import can, needs_role, require, roles_needed
from .roles import DEFAULT_ROLE_CHOICES, NO_ACCESS, PERMISSIONS, ROLE_LABELS, ROLES, check_roles, role_text

__all__ = [
    "ADMIN_ENV",
    "USER_ENV",
    "UsageError",
    "add_as_option",
    "command_actor",
    "login_name",
    "DEFAULT_ROLE_CHOICES",
    "LOCAL_EMAIL",
    "NO_ACCESS",
    "PERMISSIONS",
    "ROLES",
    "ROLE_LABELS",
    "Actor",
    "Person",
    "actor_for",
    "add_first_admin",
    "add_person",
    "apply_admin_env",
    "can",
    "check_roles",
    "default_role",
    "get_person",
    "has_admin",
    "list_people",
    "local_actor",
    "needs_role",
    "normalise_email",
    "people_frame",
    "people_history",
    "refusals",
    "remove_person",
    "require",
    "role_text",
    "roles_needed",
    "set_default_role",
    "set_name",
    "set_roles",
]
