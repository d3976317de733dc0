"""The decision log and the assumption register share one shape and one set of rules (this module).

An item has a text, an owner, a due date, a status (``open``, ``done``, ``dropped``) and links to a family, the
cycle it was raised in, a scenario and a resource (all optional). Every change is audited field by field
(:mod:`.audit`, one row per field: who, when, old and new value; the creation is one ``created`` row). Open
items are carried into the next cycle when it opens; an open item past its due date is overdue. Decisions live
in the ``decisions`` table (``kind = 'decision'``, the text in ``subject``; the other kinds there are the
engine's own events: plan approvals, scenario promotions, sign-offs, reopenings), assumptions in
``assumptions``.

Adding and changing items needs the ``decide`` role. A change is a version check, not last-write-wins: the
editor passes the item's ``updated_at`` as read (``seen``; ``None`` for an item never changed since it was
created), and a save made after someone else's is refused (:class:`~.errors.EditConflictError`, naming who
changed what and when); nothing is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from ..months import business_today, month_start
from ..people import Actor, require
from ..plans import latest_cycle, record_decision
from ..store import Store
from .audit import audit_change
from .errors import CycleError, EditConflictError

Register = Literal["decision", "assumption"]
ITEM_STATUSES = ("open", "done", "dropped")
EDITABLE_FIELDS = ("text", "owner", "due_date", "status", "family", "scenario_id", "resource")
REGISTER_COLUMNS = [
    "id",
    "cycle",
    "text",
    "owner",
    "due_date",
    "status",
    "family",
    "scenario_id",
    "scenario",
    "resource",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "carried",
    "overdue",
]


@dataclass(frozen=True)
class _Spec:
    """Where a register lives. Every name here is a constant, never input: safe to write into SQL."""

    table: str
    id_col: str
    text_col: str
    created_by: str
    created_at: str
    only: str  # the rows of the table that belong to the register


SPECS: dict[str, _Spec] = {
    "decision": _Spec("decisions", "decision_id", "subject", "decided_by", "decided_at", "i.kind = 'decision'"),
    "assumption": _Spec("assumptions", "assumption_id", "text", "created_by", "created_at", "TRUE"),
}


def _spec(register: str) -> _Spec:
    if register not in SPECS:
        raise CycleError(f"Unknown register {register!r}; use 'decision' or 'assumption'.")
    return SPECS[register]


def _column(spec: _Spec, field: str) -> str:
    return spec.text_col if field == "text" else field


def _clean(cur: duckdb.DuckDBPyConnection, field: str, value: object) -> object:
    """A field's value checked and normalised (``ValueError`` / :class:`CycleError` with the reason)."""
    blank = (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (not isinstance(value, str) and pd.isna(value))
    )
    if field in ("text", "owner", "status"):
        if blank:
            raise CycleError(f"The {field} must not be empty.")
        text = str(value).strip()
        if field == "status" and text not in ITEM_STATUSES:
            raise ValueError(f"Status must be one of {', '.join(ITEM_STATUSES)}, not {text!r}.")
        return text
    if blank:
        return None
    if field == "due_date":
        return pd.Timestamp(value).date()
    if field == "scenario_id":
        sid = value if isinstance(value, int) else int(float(str(value)))
        if not cur.execute("SELECT count(*) FROM scenarios WHERE scenario_id = ?", [sid]).fetchall()[0][0]:
            raise CycleError(f"There is no scenario {sid}.")
        return sid
    text = str(value).strip()
    table = {"family": "families", "resource": "resources"}[field]
    if not cur.execute(f"SELECT count(*) FROM {table} WHERE {field} = ?", [text]).fetchall()[0][0]:  # constant names
        raise CycleError(f"Unknown {field} {text!r}.")
    return text


def add_item(
    store: Store,
    register: Register,
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
    """Add an item to ``register`` (``cycle`` default: the latest plan cycle); returns its id (audited ``created``).

    Needs the ``decide`` role (``PermissionError`` otherwise, nothing written); recorded as ``actor.author``.
    """
    require(actor, "decide")
    _spec(register)
    raised = month_start(cycle) if cycle is not None else latest_cycle(store)
    fields = {
        "text": text,
        "owner": owner,
        "due_date": due_date,
        "status": status,
        "family": family,
        "scenario_id": scenario_id,
        "resource": resource,
    }
    with store.transaction("registers") as cur:
        values = {f: _clean(cur, f, v) for f, v in fields.items()}
        return insert_item(cur, register, raised, values, actor.author)


def insert_item(
    cur: duckdb.DuckDBPyConnection,
    register: str,
    cycle: dt.date | None,
    values: Mapping[str, object],
    by: str,
    at: dt.datetime | None = None,
) -> int:
    """On an open transaction: insert an item with checked ``values`` (keys of :data:`EDITABLE_FIELDS`) and its
    ``created`` audit row; ``at`` default now. Returns the id."""
    fields = [values.get(f) for f in ("owner", "due_date", "status", "family", "scenario_id", "resource")]
    if register == "decision":
        item_id = record_decision(cur, cycle, "decision", str(values["text"]), None, by)
        cur.execute(
            "UPDATE decisions SET owner = ?, due_date = ?, status = ?, family = ?, scenario_id = ?, "
            "resource = ?, decided_at = coalesce(?, decided_at) WHERE decision_id = ?",
            [*fields, at, item_id],
        )
    else:
        rows = cur.execute(
            "INSERT INTO assumptions (assumption_id, cycle, text, owner, due_date, status, family, scenario_id, "
            "resource, created_by, created_at) VALUES (nextval('assumption_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "coalesce(?, current_timestamp)) RETURNING assumption_id",
            [cycle, values["text"], *fields, by, at],
        ).fetchall()
        item_id = int(rows[0][0])
    audit_change(cur, register, item_id, "created", None, str(values["text"]), by, at)
    return item_id


def update_item(
    store: Store,
    register: Register,
    item_id: int,
    changes: Mapping[str, object],
    *,
    actor: Actor,
    seen: dt.datetime | pd.Timestamp | None,
) -> int:
    """Change fields of an item (keys of :data:`EDITABLE_FIELDS`); each change audited. Returns fields changed.

    ``seen`` is the item's ``updated_at`` as the editor read it (``None``: not changed since it was created;
    :func:`item_version` reads it now). When the item changed since, a save that would change something is
    refused with :class:`~.errors.EditConflictError` naming who changed it and when; nothing is written.
    Needs the ``decide`` role (``PermissionError`` otherwise, nothing written); recorded as ``actor.author``.
    """
    require(actor, "decide")
    spec = _spec(register)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise CycleError(f"Cannot change {', '.join(unknown)}; the fields are {', '.join(EDITABLE_FIELDS)}.")
    cols = ", ".join(_column(spec, f) for f in EDITABLE_FIELDS)
    with store.transaction("registers") as cur:
        # names from _Spec and EDITABLE_FIELDS (constants); the id is bound
        rows = cur.execute(
            f"SELECT {cols}, updated_by, updated_at FROM {spec.table} i WHERE {spec.id_col} = ? AND {spec.only}",
            [int(item_id)],
        ).fetchall()
        if not rows:
            raise CycleError(f"There is no {register} {item_id}.")
        *values, updated_by, updated_at = rows[0]
        current = dict(zip(EDITABLE_FIELDS, values, strict=True))
        cleaned = {field: _clean(cur, field, raw) for field, raw in changes.items()}
        wanted = {f: v for f, v in cleaned.items() if _text(current[f]) != _text(v)}
        if wanted and _stamp(seen) != _stamp(updated_at):
            _refuse_stale(cur, register, int(item_id), seen, updated_by, updated_at)
        for field, value in wanted.items():
            apply_change(cur, register, int(item_id), field, current[field], value, actor.author)
    return len(wanted)


def item_version(store: Store, register: Register, item_id: int) -> dt.datetime | None:
    """The item's ``updated_at`` as it is now (``None``: never changed, or no such item): the ``seen`` of an
    editor that reads the item and changes it at once (the command line shows nothing in between)."""
    spec = _spec(register)
    # names from _Spec (constants); the id is bound
    # names from _Spec (constants); the id is bound
    sql = f"SELECT updated_at FROM {spec.table} i WHERE {spec.id_col} = ? AND {spec.only}"
    rows = store.query(sql, [int(item_id)])
    stamp = _stamp(rows["updated_at"].iloc[0]) if len(rows) else None
    return None if stamp is None else stamp.to_pydatetime()


def _stamp(value: object) -> pd.Timestamp | None:
    """A change time as one comparable value (``None`` for a missing one: NULL, NaT)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value)  # a datetime, Timestamp or ISO text


def _refuse_stale(
    cur: duckdb.DuckDBPyConnection, register: str, item_id: int, seen: object, by: object, at: object
) -> None:
    """Raise :class:`~.errors.EditConflictError`: the item changed since ``seen`` (by ``by`` at ``at``)."""
    stamp = _stamp(seen)
    since = None if stamp is None else stamp.to_pydatetime()
    rows = cur.execute(
        "SELECT field, old_value, new_value FROM register_audit WHERE register = ? AND item_id = ? "
        "AND field <> 'created' AND (?::TIMESTAMP IS NULL OR changed_at > ?::TIMESTAMP) ORDER BY changed_at, rowid",
        [register, item_id, since, since],
    ).fetchall()
    what = "; ".join(f"{f}: {o or '—'} → {n or '—'}" for f, o, n in rows)
    when = _stamp(at)
    moment = f" at {when:%Y-%m-%d %H:%M}" if when is not None else ""
    raise EditConflictError(
        f"{register.capitalize()} #{item_id} was changed by {by}{moment} after you opened it"
        + (f" ({what})" if what else "")
        + ". Nothing was saved: reload to see their change, then apply yours again.",
        None if by is None else str(by),
        None if when is None else when.to_pydatetime(),
    )


def apply_change(
    cur: duckdb.DuckDBPyConnection,
    register: str,
    item_id: int,
    field: str,
    old: object,
    new: object,
    by: str,
    at: dt.datetime | None = None,
) -> None:
    """On an open transaction: set one checked field of an item and audit it (``at`` default now)."""
    spec = _spec(register)
    # names from _Spec and EDITABLE_FIELDS (constants); values bound
    cur.execute(
        f"UPDATE {spec.table} SET {_column(spec, field)} = ?, updated_by = ?, "
        f"updated_at = coalesce(?, current_timestamp) WHERE {spec.id_col} = ?",
        [new, by, at, item_id],
    )
    audit_change(cur, register, item_id, field, _text(old), _text(new), by, at)


def _text(value: object) -> str | None:
    """A value as the audit trail writes it (dates ISO, ``None`` stays ``None``)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return f"{pd.Timestamp(value).date():%Y-%m-%d}"
    return str(value)


def list_items(
    store: Store,
    register: Register,
    cycle: dt.date | str | None = None,
    *,
    status: str | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The items of ``register`` (:data:`REGISTER_COLUMNS`), by due date (undated last), then id.

    ``cycle`` given: raised in it or carried into it (``carried`` True); ``None``: all. ``overdue``: open and
    due before ``today`` (default: the system date).
    """
    spec = _spec(register)
    day = today or business_today()
    chosen = month_start(cycle) if cycle is not None else None
    # every name below comes from _Spec (constants); values are bound
    frame = store.query(
        f"""SELECT i.{spec.id_col} AS id, i.cycle, i.{spec.text_col} AS text, i.owner, i.due_date, i.status, i.family,
                   i.scenario_id, s.name AS scenario, i.resource, i.{spec.created_by} AS created_by,
                   i.{spec.created_at} AS created_at, i.updated_by, i.updated_at,
                   coalesce(i.cycle IS DISTINCT FROM $cycle AND $cycle IS NOT NULL, false) AS carried,
                   coalesce(i.status = 'open' AND i.due_date < $today, false) AS overdue
            FROM {spec.table} i LEFT JOIN scenarios s ON s.scenario_id = i.scenario_id
            WHERE {spec.only} AND ($status IS NULL OR i.status = $status)
              AND ($cycle IS NULL OR i.cycle = $cycle OR i.{spec.id_col} IN (
                   SELECT item_id FROM cycle_carried_items WHERE cycle = $cycle AND register = $register))
            ORDER BY i.due_date NULLS LAST, id""",
        {"cycle": chosen, "today": day, "status": status, "register": register},
    )
    return frame[REGISTER_COLUMNS]


def carry_open_items(cur: duckdb.DuckDBPyConnection, cycle: dt.date) -> dict[str, int]:
    """On an open transaction: carry every open item raised before ``cycle`` into it; counts per register."""
    counts = {}
    for register, spec in SPECS.items():
        # names from _Spec (constants); values bound
        rows = cur.execute(
            f"""INSERT INTO cycle_carried_items (cycle, register, item_id)
                SELECT ?, ?, {spec.id_col} FROM {spec.table} i
                WHERE {spec.only} AND status = 'open' AND cycle < ?
                ON CONFLICT DO NOTHING RETURNING item_id""",
            [cycle, register, cycle],
        ).fetchall()
        counts[register] = len(rows)
    return counts
