"""Who may load or revert which kind: the kind → action choice, used by the engine and the Data page.

Loading or reverting the budget (the business plan) is finance's ``budget`` action; every other
kind (actuals, master data, the demand, production and inventory plans) is the planner's
``upload``. A dry run (check and preview only) reads the store, so it needs ``view``. The roles
behind each action are in :data:`sop_core.people.PERMISSIONS`.
"""

from __future__ import annotations

from ..people import Actor, require

BUDGET_KINDS = frozenset({"budget"})
"""The kinds finance owns (the budget), loaded and reverted under the ``budget`` action."""


def action_for(kind: str) -> str:
    """The action that loading or reverting ``kind`` needs: ``budget`` for the budget, else ``upload``."""
    return "budget" if kind in BUDGET_KINDS else "upload"


def require_import(actor: Actor, kind: str, *, dry_run: bool) -> None:
    """Raise ``PermissionError`` unless ``actor`` may load ``kind`` (``view`` suffices for a dry run)."""
    require(actor, "view" if dry_run else action_for(kind))
