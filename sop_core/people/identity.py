"""From a signed-in identity to the acting :class:`~.actor.Actor`.

The identity is the e-mail the identity provider vouches for (Streamlit's ``st.user.email`` after an
OpenID Connect sign-in) or the command line's ``--as EMAIL``. A listed person gets their own roles;
anyone else gets the default role (viewer unless an admin changed it; ``none`` gives no access).
"""

from __future__ import annotations

from ..store import Store
from .actor import Actor, normalise_email
from .directory import default_role, get_person
from .roles import NO_ACCESS


def actor_for(store: Store, email: str, name: str | None = None) -> Actor:
    """The :class:`Actor` for ``email`` with its roles from the store, the default role when not listed.

    ``name`` (the provider's display name) is used when the person has no stored name.
    ``ValueError`` when ``email`` is not an e-mail address.
    """
    key = normalise_email(email)
    person = get_person(store, key)
    shown = (name or "").strip()
    if person is not None:
        return Actor(email=key, name=person.name or shown or key, roles=frozenset(person.roles), registered=True)
    role = default_role(store)
    roles = frozenset() if role == NO_ACCESS else frozenset({role})
    return Actor(email=key, name=shown or key, roles=roles, registered=False)
