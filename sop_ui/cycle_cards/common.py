"""Small helpers shared by the Cycle page's cards: what the person may do, what they saw, how a refusal shows."""

from __future__ import annotations

from typing import TypeVar

import streamlit as st

from sop_core import FrozenPlanError, StoreError
from sop_core.people import Actor, can, needs_role

ERRORS = (StoreError, ValueError, PermissionError)  # refusals with a reason (CycleError etc. are StoreErrors)
PICK_NEXT = "cy_pick_next"
SEEN = "cy_seen_"
T = TypeVar("T")


def permitted(actor: Actor, action: str, doing: str) -> bool:
    """True when ``actor`` may do ``action``; else one short caption saying who may (``doing``: "Approving")."""
    if can(actor, action):
        return True
    st.caption(needs_role(actor, action, f"{doing} needs"))
    return False


def seen_before(key: str, now: T) -> T:
    """What the person saw of an item when the page was last drawn (``now`` the first time); keeps ``now``.

    A save compares with this, not with the data re-read on the click's own run (it may hold another person's
    change made in between): the engine then refuses the stale save and names who changed the item.
    """
    kept: T = st.session_state.get(SEEN + key, now)
    st.session_state[SEEN + key] = now
    return kept


def refused(exc: Exception) -> None:
    """Show why the engine refused (it changed nothing)."""
    icon = ":material/lock:" if isinstance(exc, FrozenPlanError | PermissionError) else ":material/block:"
    st.error(f"Not done: {exc}", icon=icon)
