"""The people directory in the store: who holds which roles, the default role, and the audit of changes.

Reads take the store; every write takes the acting :class:`~.actor.Actor`, checks its role with
:func:`~.permissions.require` before anything is written, runs in one ``store.transaction()`` and
adds a row to ``people_audit`` (who, when, what) in the same transaction. A change that would leave
a store that has an admin without any admin is refused, so people can always be managed.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from ..store import Store
from .actor import Actor, Person, normalise_email
from .permissions import require
from .roles import DEFAULT_ROLE_CHOICES, check_roles, role_text

DEFAULT_ROLE_KEY = "default_role"
FALLBACK_DEFAULT_ROLE = "viewer"

_PEOPLE_SQL = """
    SELECT p.email, p.name, list(r.role) FILTER (WHERE r.role IS NOT NULL), p.created_by, p.created_at
    FROM people p LEFT JOIN person_roles r USING (email)
    WHERE ?::VARCHAR IS NULL OR p.email = ?
    GROUP BY p.email, p.name, p.created_by, p.created_at
    ORDER BY p.email"""


def _people(cur: duckdb.DuckDBPyConnection, email: str | None) -> list[Person]:
    rows = cur.execute(_PEOPLE_SQL, [email, email]).fetchall()
    return [
        Person(email=e, name=n or "", roles=check_roles(r or []), created_by=b, created_at=a) for e, n, r, b, a in rows
    ]


def list_people(store: Store) -> list[Person]:
    """Every listed person with their roles, by e-mail."""
    cur = store.cursor()
    try:
        return _people(cur, None)
    finally:
        cur.close()


def get_person(store: Store, email: str) -> Person | None:
    """The listed person with this e-mail (any case), or ``None``."""
    cur = store.cursor()
    try:
        found = _people(cur, normalise_email(email))
    finally:
        cur.close()
    return found[0] if found else None


def people_frame(store: Store) -> pd.DataFrame:
    """The people as a table for pages and the CLI: email, name, roles (text), added by, added at."""
    rows = [(p.email, p.name, role_text(p.roles), p.created_by, p.created_at) for p in list_people(store)]
    return pd.DataFrame(rows, columns=["email", "name", "roles", "added_by", "added_at"])


def people_history(store: Store, limit: int = 200) -> pd.DataFrame:
    """The latest ``limit`` changes of people, roles and people settings, newest first."""
    return store.query(
        "SELECT changed_at, changed_by, subject, change, old_value, new_value FROM people_audit "
        "ORDER BY change_id DESC LIMIT ?",
        [int(limit)],
    )


def admin_count(cur: duckdb.DuckDBPyConnection) -> int:
    """How many people hold the admin role (on an open cursor, inside the caller's transaction)."""
    return int(cur.execute("SELECT count(*) FROM person_roles WHERE role = 'admin'").fetchall()[0][0])


def audit(cur: duckdb.DuckDBPyConnection, by: str, subject: str, change: str, old: str | None, new: str | None) -> None:
    """Record one change in ``people_audit`` (inside the caller's transaction)."""
    cur.execute(
        "INSERT INTO people_audit (changed_by, subject, change, old_value, new_value) VALUES (?, ?, ?, ?, ?)",
        [by, subject, change, old, new],
    )


def insert_roles(cur: duckdb.DuckDBPyConnection, email: str, roles: Iterable[str], by: str) -> None:
    """Grant ``roles`` to ``email`` (inside the caller's transaction; roles already checked)."""
    for role in roles:
        cur.execute("INSERT INTO person_roles (email, role, granted_by) VALUES (?, ?, ?)", [email, role, by])


def _roles_of(cur: duckdb.DuckDBPyConnection, email: str) -> tuple[str, ...] | None:
    """The roles of a listed person, ``None`` when not listed."""
    if not cur.execute("SELECT count(*) FROM people WHERE email = ?", [email]).fetchall()[0][0]:
        return None
    rows = cur.execute("SELECT role FROM person_roles WHERE email = ?", [email]).fetchall()
    return check_roles(r for (r,) in rows)


def _keep_an_admin(cur: duckdb.DuckDBPyConnection, before: int) -> None:
    if before and not admin_count(cur):
        raise ValueError("this would leave nobody with the admin role; give another person admin first")


def add_person(store: Store, actor: Actor, email: str, roles: Iterable[str], name: str = "") -> Person:
    """List a new person with ``roles`` (needs ``manage_people``); ``ValueError`` if already listed.

    No roles is allowed and means no access, even when the default role would give some.
    """
    require(actor, "manage_people")
    key, wanted, name = normalise_email(email), check_roles(roles), str(name).strip()
    with store.transaction() as cur:
        if _roles_of(cur, key) is not None:
            raise ValueError(f"{key} is already listed; change their roles instead")
        cur.execute("INSERT INTO people (email, name, created_by) VALUES (?, ?, ?)", [key, name, actor.author])
        insert_roles(cur, key, wanted, actor.author)
        audit(cur, actor.author, key, "add", None, role_text(wanted))
    person = get_person(store, key)
    assert person is not None
    return person


def set_roles(store: Store, actor: Actor, email: str, roles: Iterable[str]) -> Person:
    """Replace a listed person's roles (needs ``manage_people``); no roles means no access."""
    require(actor, "manage_people")
    key, wanted = normalise_email(email), check_roles(roles)
    with store.transaction() as cur:
        old = _roles_of(cur, key)
        if old is None:
            raise ValueError(f"{key} is not listed; add them first")
        if old != wanted:
            before = admin_count(cur)
            cur.execute("DELETE FROM person_roles WHERE email = ?", [key])
            insert_roles(cur, key, wanted, actor.author)
            cur.execute(
                "UPDATE people SET updated_by = ?, updated_at = current_timestamp WHERE email = ?", [actor.author, key]
            )
            _keep_an_admin(cur, before)
            audit(cur, actor.author, key, "roles", role_text(old), role_text(wanted))
    person = get_person(store, key)
    assert person is not None
    return person


def set_name(store: Store, actor: Actor, email: str, name: str) -> None:
    """Change a listed person's display name (needs ``manage_people``)."""
    require(actor, "manage_people")
    key, name = normalise_email(email), str(name).strip()
    with store.transaction() as cur:
        rows = cur.execute("SELECT name FROM people WHERE email = ?", [key]).fetchall()
        if not rows:
            raise ValueError(f"{key} is not listed; add them first")
        if rows[0][0] != name:
            cur.execute(
                "UPDATE people SET name = ?, updated_by = ?, updated_at = current_timestamp WHERE email = ?",
                [name, actor.author, key],
            )
            audit(cur, actor.author, key, "name", rows[0][0], name)


def remove_person(store: Store, actor: Actor, email: str) -> None:
    """Take a person off the list (needs ``manage_people``): afterwards they get the default role."""
    require(actor, "manage_people")
    key = normalise_email(email)
    with store.transaction() as cur:
        old = _roles_of(cur, key)
        if old is None:
            raise ValueError(f"{key} is not listed")
        before = admin_count(cur)
        cur.execute("DELETE FROM person_roles WHERE email = ?", [key])
        cur.execute("DELETE FROM people WHERE email = ?", [key])
        _keep_an_admin(cur, before)
        audit(cur, actor.author, key, "remove", role_text(old), None)


def default_role(store: Store) -> str:
    """What a signed-in person without an entry gets: a role, or ``none`` (no access). Viewer unless set."""
    value = store.scalar("SELECT value FROM people_settings WHERE key = ?", [DEFAULT_ROLE_KEY])
    return str(value) if value in DEFAULT_ROLE_CHOICES else FALLBACK_DEFAULT_ROLE


def set_default_role(store: Store, actor: Actor, role: str) -> None:
    """Set the default role (needs ``settings``): one of viewer, planner, finance, executive or ``none``."""
    require(actor, "settings")
    value = str(role).strip().lower()
    if value not in DEFAULT_ROLE_CHOICES:
        raise ValueError(f"the default role must be one of {', '.join(DEFAULT_ROLE_CHOICES)}, not {role!r}")
    with store.transaction() as cur:
        rows = cur.execute("SELECT value FROM people_settings WHERE key = ?", [DEFAULT_ROLE_KEY]).fetchall()
        old = rows[0][0] if rows else None
        if old != value:
            if rows:
                cur.execute(
                    "UPDATE people_settings SET value = ?, updated_by = ?, updated_at = current_timestamp "
                    "WHERE key = ?",
                    [value, actor.author, DEFAULT_ROLE_KEY],
                )
            else:
                cur.execute(
                    "INSERT INTO people_settings (key, value, updated_by) VALUES (?, ?, ?)",
                    [DEFAULT_ROLE_KEY, value, actor.author],
                )
            audit(cur, actor.author, DEFAULT_ROLE_KEY, "setting", old, value)
