"""The decision log: what the meeting decided, with owner, due date and status (rules in :mod:`.registers`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from ..people import Actor
from ..store import Store
from .registers import add_item, list_items, update_item


def add_decision(
    store: Store,
    text: str,
    *,
    owner: str,
    actor: Actor,
    due_date: dt.date | str | None = None,
    cycle: dt.date | str | None = None,
    family: str | None = None,
    scenario_id: int | None = None,
    resource: str | None = None,
    status: str = "open",
) -> int:
    """Log a decision (``cycle`` default: the latest plan cycle); returns its id. Audited as ``created``.

    Needs the ``decide`` role (``PermissionError`` otherwise, nothing written); logged as ``actor.author``.
    """
    return add_item(
        store,
        "decision",
        text,
        owner=owner,
        actor=actor,
        due_date=due_date,
        cycle=cycle,
        family=family,
        scenario_id=scenario_id,
        resource=resource,
        status=status,
    )


def update_decision(
    store: Store,
    decision_id: int,
    changes: Mapping[str, object],
    *,
    actor: Actor,
    seen: dt.datetime | pd.Timestamp | None,
) -> int:
    """Change fields of a decision (keys of :data:`~.registers.EDITABLE_FIELDS`); returns the fields changed.

    Each changed field is audited (who, when, field, old and new value); unchanged fields are skipped.
    ``seen``: the decision's ``updated_at`` as the editor read it; a change made since by someone else refuses
    the save (:class:`~.errors.EditConflictError`, naming who and when). Needs the ``decide`` role.
    """
    return update_item(store, "decision", decision_id, changes, actor=actor, seen=seen)


def list_decisions(
    store: Store, cycle: dt.date | str | None = None, *, status: str | None = None, today: dt.date | None = None
) -> pd.DataFrame:
    """The decision log: :data:`~.registers.REGISTER_COLUMNS`, by due date.

    ``cycle`` given: the decisions raised in it and those carried into it (``carried`` True); ``None``: all.
    ``overdue``: open and due before ``today``.
    """
    return list_items(store, "decision", cycle, status=status, today=today)
