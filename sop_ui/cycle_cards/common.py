"""Small helpers shared by the Cycle page's cards: who is writing, and how a refusal is shown."""

from __future__ import annotations

import streamlit as st

from sop_core import FrozenPlanError, StoreError

ERRORS = (StoreError, ValueError)  # CycleError and FrozenPlanError are StoreErrors: refusals with a reason
PICK_NEXT = "cy_pick_next"


def author() -> str:
    """The name typed in the sidebar (checked by the engine on every write)."""
    return str(st.session_state.get("cy_author") or "")


def refused(exc: Exception) -> None:
    """Show why the engine refused (it changed nothing)."""
    icon = ":material/lock:" if isinstance(exc, FrozenPlanError) else ":material/block:"
    st.error(f"Not done: {exc}", icon=icon)
