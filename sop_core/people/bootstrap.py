"""The first admin: from the command line or ``$SOP_ADMIN_EMAIL``, only while the store has no admin.

Once a store has an admin, people are managed by admins only (the directory refuses a change that
would leave none), so neither the variable nor the command line can take over an established store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..store import Store
from .actor import normalise_email
from .directory import admin_count, audit, insert_roles
from .roles import role_text

ADMIN_ENV = "SOP_ADMIN_EMAIL"


def has_admin(store: Store) -> bool:
    """True when somebody holds the admin role."""
    return bool(store.scalar("SELECT count(*) FROM person_roles WHERE role = 'admin'"))


def add_first_admin(store: Store, email: str, *, source: str, name: str = "") -> bool:
    """Make ``email`` an admin when the store has no admin yet; return whether it did.

    ``source`` says where the admin came from (``$SOP_ADMIN_EMAIL``, ``command line``) and is
    recorded as the author of the change. A listed person keeps their roles and gains admin.
    """
    key = normalise_email(email)
    by = f"first admin ({source})"
    with store.transaction() as cur:
        if admin_count(cur):
            return False
        listed = cur.execute("SELECT count(*) FROM people WHERE email = ?", [key]).fetchall()[0][0]
        if listed:
            old = [r for (r,) in cur.execute("SELECT role FROM person_roles WHERE email = ?", [key]).fetchall()]
            insert_roles(cur, key, ["admin"], by)
            audit(cur, by, key, "roles", role_text(old), role_text([*old, "admin"]))
        else:
            cur.execute("INSERT INTO people (email, name, created_by) VALUES (?, ?, ?)", [key, str(name).strip(), by])
            insert_roles(cur, key, ["admin"], by)
            audit(cur, by, key, "add", None, "admin")
    return True


def apply_admin_env(store: Store, environ: Mapping[str, str] | None = None) -> str | None:
    """Apply ``$SOP_ADMIN_EMAIL`` (at app start and before CLI commands): the admin's e-mail if added.

    Does nothing when the variable is empty or the store already has an admin. ``ValueError`` when
    the variable is not an e-mail address (a misconfiguration to fix, not to ignore).
    """
    value = (environ if environ is not None else os.environ).get(ADMIN_ENV, "").strip()
    if not value:
        return None
    try:
        email = normalise_email(value)
    except ValueError:
        raise ValueError(f"${ADMIN_ENV} is not an e-mail address: {value!r}") from None
    if has_admin(store):
        return None
    return email if add_first_admin(store, email, source=f"${ADMIN_ENV}") else None
