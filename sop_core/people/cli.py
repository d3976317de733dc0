"""``python -m sop_core users list|add|remove|roles|default-role|history`` — people and roles from the shell.

The command acts as a named person: ``--as EMAIL`` (default ``$SOP_USER``), with that person's roles
from the store, so only an admin changes people. While a store has no admin yet, ``users add EMAIL
admin`` makes the first admin without ``--as`` (as does ``$SOP_ADMIN_EMAIL``). Later sessions give the
other commands (import, revert, cycle, decisions) the same ``--as`` option.

Shell access to the store's file is full access to its data; ``--as`` names who acts and keeps
mistakes out, it is not a security boundary (docs/security.md).

Exit codes: 0 done; 1 refused (wrong role, unknown role, not an e-mail, the last admin) — nothing
was written; 2 usage (argparse, no ``--as``) or a store that cannot be opened (``__main__``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..store import Store, default_db_path, open_store
from .actor import Actor, normalise_email
from .bootstrap import add_first_admin, apply_admin_env, has_admin
from .command import UsageError, refusals, user_env
from .directory import (
    add_person,
    default_role,
    people_frame,
    people_history,
    remove_person,
    set_default_role,
    set_roles,
)
from .identity import actor_for
from .roles import DEFAULT_ROLE_CHOICES, ROLES, check_roles, role_text

Action = Callable[[Store, argparse.Namespace], str]


def _actor(store: Store, args: argparse.Namespace) -> Actor:
    email = getattr(args, "as_email", None) or user_env()
    if not email:
        if not has_admin(store):
            raise ValueError("the store has no admin yet: first run  users add EMAIL admin")
        raise UsageError("name who acts: --as EMAIL (or set $SOP_USER)")
    try:
        return actor_for(store, email)
    except ValueError:
        raise ValueError(f"--as / $SOP_USER must be an e-mail address, not {email!r}") from None


def _list(store: Store, args: argparse.Namespace) -> str:
    frame = people_frame(store)
    listing = frame.to_string(index=False) if len(frame) else "No people listed."
    return f"{listing}\nSigned-in people without an entry get: {default_role(store)}"


def _history(store: Store, args: argparse.Namespace) -> str:
    frame = people_history(store, limit=args.limit)
    return frame.to_string(index=False) if len(frame) else "No changes yet."


def _add(store: Store, args: argparse.Namespace) -> str:
    roles = check_roles(args.roles or ["viewer"])
    if "admin" in roles and not has_admin(store):
        add_first_admin(store, args.email, source="command line", name=args.name or "")
        if roles != ("admin",):
            set_roles(store, actor_for(store, args.email), args.email, roles)
        return f"Added {normalise_email(args.email)} ({role_text(roles)}) as the first admin."
    person = add_person(store, _actor(store, args), args.email, roles, name=args.name or "")
    return f"Added {person.email} ({role_text(person.roles)})."


def _remove(store: Store, args: argparse.Namespace) -> str:
    remove_person(store, _actor(store, args), args.email)
    return f"Removed {normalise_email(args.email)}; they now get the default role ({default_role(store)})."


def _roles(store: Store, args: argparse.Namespace) -> str:
    person = set_roles(store, _actor(store, args), args.email, args.roles)
    return f"{person.email} now holds: {role_text(person.roles)}."


def _default_role(store: Store, args: argparse.Namespace) -> str:
    if args.role is None:
        return f"Signed-in people without an entry get: {default_role(store)}"
    set_default_role(store, _actor(store, args), args.role)
    return f"Signed-in people without an entry now get: {default_role(store)}"


@refusals()
def _run(args: argparse.Namespace) -> int:
    action: Action = args.users_action
    with open_store(getattr(args, "db", None) or default_db_path()) as store:
        apply_admin_env(store)
        print(action(store, args))
    return 0


def add_users_command(sub: argparse._SubParsersAction) -> None:
    """Add ``users`` and its actions to the ``python -m sop_core`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=f"store path (default: {default_db_path()})")
    common.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        default=argparse.SUPPRESS,
        help="who acts (default: $SOP_USER); their roles come from the store",
    )
    users = sub.add_parser(
        "users",
        parents=[common],
        help="people and roles: list, add, remove, change roles",
        description="People and roles. Changes act as --as EMAIL (default $SOP_USER) with that person's roles; "
        "while the store has no admin, 'users add EMAIL admin' makes the first one.",
        epilog="Exit codes: 0 done, 1 refused (nothing written), 2 usage or the store cannot be opened.",
    )
    acts = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    roles_help = "one or more of: " + ", ".join(ROLES)

    lst = acts.add_parser("list", parents=[common], help="the people, their roles and the default role")
    lst.set_defaults(users_action=_list)
    add = acts.add_parser("add", parents=[common], help="list a person with roles (default: viewer)")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("roles", metavar="ROLE", nargs="*", help=roles_help)
    add.add_argument("--name", help="display name")
    add.set_defaults(users_action=_add)
    rem = acts.add_parser("remove", parents=[common], help="take a person off the list (they get the default role)")
    rem.add_argument("email", metavar="EMAIL")
    rem.set_defaults(users_action=_remove)
    rol = acts.add_parser("roles", parents=[common], help="replace a person's roles (none given: no access)")
    rol.add_argument("email", metavar="EMAIL")
    rol.add_argument("roles", metavar="ROLE", nargs="*", help=roles_help)
    rol.set_defaults(users_action=_roles)
    dfl = acts.add_parser("default-role", parents=[common], help="show or set what unlisted signed-in people get")
    dfl.add_argument(
        "role",
        nargs="?",
        choices=DEFAULT_ROLE_CHOICES,
        metavar="ROLE",
        help="one of: " + ", ".join(DEFAULT_ROLE_CHOICES),
    )
    dfl.set_defaults(users_action=_default_role)
    his = acts.add_parser("history", parents=[common], help="the audit of people changes, newest first")
    his.add_argument("--limit", type=int, default=50)
    his.set_defaults(users_action=_history)
    users.set_defaults(func=_run)
