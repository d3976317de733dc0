"""The assumption register: what the plan believes, with owner, due (review) date and status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from ..months import month_start
from ..people import Actor
from ..plans import latest_cycle
from ..store import Store
from .registers import add_item, list_items, update_item

CHANGED_COLUMNS = ["id", "text", "owner", "status", "family", "changes"]


def add_assumption(
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
    """Record an assumption (``cycle`` default: the latest plan cycle); returns its id. Audited as ``created``.

    Needs the ``decide`` role (``PermissionError`` otherwise, nothing written); recorded as ``actor.author``.
    """
    return add_item(
        store,
        "assumption",
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


def update_assumption(
    store: Store,
    assumption_id: int,
    changes: Mapping[str, object],
    *,
    actor: Actor,
    seen: dt.datetime | pd.Timestamp | None,
) -> int:
    """Change fields of an assumption (audited field by field); returns the fields changed.

    ``seen`` and the refusal of a stale save as :func:`~.decisions.update_decision`. Needs the ``decide`` role.
    """
    return update_item(store, "assumption", assumption_id, changes, actor=actor, seen=seen)


def list_assumptions(
    store: Store, cycle: dt.date | str | None = None, *, status: str | None = None, today: dt.date | None = None
) -> pd.DataFrame:
    """The assumption register: :data:`~.registers.REGISTER_COLUMNS` (same rules as the decision log)."""
    return list_items(store, "assumption", cycle, status=status, today=today)


def assumptions_changed(store: Store, cycle: dt.date | str | None = None) -> pd.DataFrame:
    """Assumptions created or changed since the previous cycle's approval (up to this cycle's approval, if any):
    :data:`CHANGED_COLUMNS` (``changes``: "new", or "field: old → new; …" in the order made).

    The previous cycle is the latest approved plan version before ``cycle`` (default: the latest cycle).
    """
    chosen = month_start(cycle) if cycle is not None else latest_cycle(store)
    if chosen is None:
        return pd.DataFrame(columns=CHANGED_COLUMNS)
    window = store.query(
        "SELECT (SELECT max(approved_at) FROM plan_versions WHERE cycle < $c AND status = 'approved') AS since, "
        "(SELECT approved_at FROM plan_versions WHERE cycle = $c) AS until",
        {"c": chosen},
    )
    since, until = window.at[0, "since"], window.at[0, "until"]
    rows = store.query(
        """SELECT a.assumption_id AS id, a.text, a.owner, a.status, a.family, r.field, r.old_value, r.new_value
           FROM register_audit r JOIN assumptions a ON a.assumption_id = r.item_id
           WHERE r.register = 'assumption' AND (? IS NULL OR r.changed_at > ?) AND (? IS NULL OR r.changed_at <= ?)
           ORDER BY r.item_id, r.changed_at, r.rowid""",
        [_value(since), _value(since), _value(until), _value(until)],
    )
    out = []
    for item_id, group in rows.groupby("id", sort=True):
        first = group.iloc[0]
        if (group["field"] == "created").any():
            changes = "new"
        else:
            changes = "; ".join(f"{r.field}: {r.old_value or '—'} → {r.new_value or '—'}" for r in group.itertuples())
        out.append(
            {
                "id": int(item_id),
                "text": first["text"],
                "owner": first["owner"],
                "status": first["status"],
                "family": first["family"],
                "changes": changes,
            }
        )
    return pd.DataFrame(out, columns=CHANGED_COLUMNS)


def _value(stamp: object) -> object:
    """A timestamp read back from the store, or ``None`` for a missing one (NaT)."""
    return None if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).to_pydatetime()
