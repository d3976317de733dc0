"""Opening a cycle: roll the last approved plan forward into the new cycle's draft.

One transaction: the draft of the new cycle (18 months) gets the last approved plan's rows for the months
they cover (the months beyond are the last planned month repeated, per family and region), its budget, the
cycle's steps and tasks from the template; overrides of the previous cycle still inside the new horizon are
carried (flagged for review until re-saved or confirmed); open decisions and assumptions are carried. Then
the statistical baseline is run (:func:`sop_core.forecast.run_baseline`) and stored with the draft in its
own transaction: if it fails, the cycle stays open with its ``baseline_run`` task unticked.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from ..conventions import PLAN_HORIZON_MONTHS
from ..forecast import Progress, run_baseline
from ..months import add_months, current_month, month_start
from ..people import Actor, require
from ..plans import PLAN_COLUMNS, latest_cycle, record_decision, require_draft, require_plan_version, write_plan_rows
from ..store import Store
from .errors import CycleError
from .registers import carry_open_items
from .template import create_cycle_rows


@dataclass(frozen=True)
class OpenedCycle:
    """What :func:`open_cycle` did."""

    cycle: dt.date
    from_cycle: dt.date | None  # the approved plan rolled forward (None: first cycle, empty draft)
    plan_rows: int
    overrides_carried: int
    decisions_carried: int
    assumptions_carried: int
    baseline_rows: int


def open_cycle(
    store: Store,
    cycle: dt.date | str | None = None,
    *,
    actor: Actor,
    mode: Literal["full", "quick"] = "full",
    progress: Progress | None = None,
    start: dt.date | None = None,
) -> OpenedCycle:
    """Open ``cycle`` (default: the month after the latest plan cycle) and roll forward into its draft.

    Refused (:class:`~.errors.CycleError`) when the cycle already has a plan version, is not after every
    existing one, or when an earlier cycle is still a draft (approve it first). ``mode`` is the baseline's
    (``quick``: no model fit, seconds; ``full``: the model choice, minutes on large data). ``start`` is the
    day the cycle's working days count from (default: the first day of the cycle month). Needs the ``run_cycle``
    and ``forecast`` roles (the baseline it runs is a forecast write), both checked before anything is written
    (``PermissionError``); recorded as ``actor.author``.
    """
    require(actor, "run_cycle")
    require(actor, "forecast")  # run_baseline checks it again; here so that a refusal leaves no half-open cycle
    author = actor.author
    latest = latest_cycle(store)
    new = month_start(cycle) if cycle is not None else (add_months(latest, 1) if latest else current_month())
    with store.transaction() as cur:
        source = _check_can_open(cur, new)
        require_draft(cur, new)  # the new draft version (one rule for creating and guarding it)
        plan_rows = _roll_plan(cur, source, new) if source else 0
        create_cycle_rows(cur, new, start or new, source, author)
        carried = _carry_overrides(cur, source, new) if source else 0
        items = carry_open_items(cur, new)
        detail = {
            "from_cycle": f"{source:%Y-%m}" if source else None,
            "plan_rows": plan_rows,
            "overrides_carried": carried,
            "decisions_carried": items["decision"],
            "assumptions_carried": items["assumption"],
        }
        record_decision(cur, new, "open_cycle", f"{new:%Y-%m}", json.dumps(detail), author)
    baseline = run_baseline(store, new, PLAN_HORIZON_MONTHS, actor=actor, mode=mode, progress=progress)
    return OpenedCycle(new, source, plan_rows, carried, items["decision"], items["assumption"], len(baseline))


def _check_can_open(cur: duckdb.DuckDBPyConnection, new: dt.date) -> dt.date | None:
    """Refuse a cycle that cannot open; return the approved cycle to roll forward from (``None``: none yet)."""
    rows = cur.execute("SELECT cycle, status FROM plan_versions ORDER BY cycle").fetchall()
    for version, status in rows:
        if version == new:
            raise CycleError(f"Cycle {new:%Y-%m} is already open ({status}).")
        if version > new:
            raise CycleError(f"Cycle {new:%Y-%m} is before the latest cycle {version:%Y-%m}; cycles open in order.")
        if status != "approved":
            raise CycleError(f"Cycle {version:%Y-%m} is still a draft: approve it before opening {new:%Y-%m}.")
    return rows[-1][0] if rows else None


def _roll_plan(cur: duckdb.DuckDBPyConnection, source: dt.date, new: dt.date) -> int:
    """Copy the approved plan of ``source`` into the draft of ``new`` over the new horizon (the budget whole).

    Months beyond the approved plan's last month repeat that month's figure per family (and region).
    """
    months = [add_months(new, i) for i in range(PLAN_HORIZON_MONTHS)]
    written = 0
    for table, (keys, values) in PLAN_COLUMNS.items():
        cols = ", ".join([*keys, *values])
        frame = cur.execute(f"SELECT {cols} FROM {table} WHERE cycle = ?", [source]).df()  # PLAN_COLUMNS names
        if frame.empty:
            continue
        frame["month"] = pd.to_datetime(frame["month"])
        if table != "budget":
            frame = _extend(frame, keys, months)
        written += write_plan_rows(cur, table, new, frame, replace_all=True)  # type: ignore[arg-type]  # table names from the fixed plan-table list
    return written


def _extend(frame: pd.DataFrame, keys: list[str], months: list[dt.date]) -> pd.DataFrame:
    """The rows of the new horizon; a key's months after its last planned one repeat that month's values."""
    group = [k for k in keys if k != "month"]
    last = frame.sort_values("month").groupby(group, as_index=False).tail(1)
    first, end = pd.Timestamp(months[0]), pd.Timestamp(months[-1])
    kept = frame[(frame["month"] >= first) & (frame["month"] <= end)]
    tails = []
    for month in months:
        stamp = pd.Timestamp(month)
        missing = last[last["month"] < stamp]
        if len(missing):
            tails.append(missing.assign(month=stamp))
    return pd.concat([kept, *tails], ignore_index=True) if tails else kept.reset_index(drop=True)


def _carry_overrides(cur: duckdb.DuckDBPyConnection, source: dt.date, new: dt.date) -> int:
    """Carry ``source``'s current overrides for months inside the new horizon into ``new`` (version 1, flagged)."""
    end = add_months(new, PLAN_HORIZON_MONTHS - 1)
    params = [new, source, new, end]
    cells = """FROM forecast_overrides WHERE cycle = ? AND value IS NOT NULL AND month BETWEEN ? AND ?"""
    cur.execute(
        f"""INSERT INTO forecast_overrides (cycle, layer, family, region, sku, month, kind, value, reason, comment,
                author, created_at, updated_at, version)
            SELECT ?, layer, family, region, sku, month, kind, value, reason, comment, author, created_at,
                   current_timestamp, 1 {cells}""",
        params,
    )
    cur.execute(
        f"""INSERT INTO forecast_override_history
            SELECT ?, layer, family, region, sku, month, kind, value, reason, comment, author, current_timestamp, 1
            {cells}""",
        params,
    )
    rows = cur.execute(
        f"""INSERT INTO cycle_carried_overrides (cycle, layer, family, region, sku, month, from_cycle, carried_version)
            SELECT ?, layer, family, region, sku, month, cycle, 1 {cells} RETURNING month""",
        params,
    ).fetchall()
    return len(rows)


CARRIED_COLUMNS = [
    "layer",
    "family",
    "region",
    "sku",
    "month",
    "from_cycle",
    "kind",
    "value",
    "reason",
    "author",
    "to_review",
]


def carried_overrides(store: Store, cycle: dt.date | str) -> pd.DataFrame:
    """Overrides carried into ``cycle``: :data:`CARRIED_COLUMNS` (``to_review`` True until the cell is re-saved
    or confirmed)."""
    return store.query(
        """SELECT c.layer, c.family, c.region, c.sku, c.month, c.from_cycle, o.kind, o.value, o.reason, o.author,
                  (c.reviewed_at IS NULL AND o.version = c.carried_version) AS to_review
           FROM cycle_carried_overrides c JOIN forecast_overrides o USING (cycle, layer, family, region, sku, month)
           WHERE c.cycle = ? ORDER BY c.family, c.region, c.sku, c.layer, c.month""",
        [month_start(cycle)],
    )


def confirm_carried_overrides(
    store: Store,
    cycle: dt.date | str,
    *,
    actor: Actor,
    layer: str | None = None,
    family: str | None = None,
    region: str | None = None,
) -> int:
    """Mark the carried overrides still to review (of ``layer``, ``family``, ``region``; None: all) as reviewed,
    kept as they are; returns the cells confirmed.

    A carried cell re-saved since it was carried already counts as reviewed (see :func:`carried_overrides`) and
    is not confirmed again. ``FrozenPlanError`` when the cycle is approved (the overrides are frozen with its
    plan); :class:`~sop_core.plans.NoPlanError` when it has no plan version (nothing written, no draft created).
    Needs the ``forecast`` role (``PermissionError`` otherwise, nothing written); recorded as
    ``actor.author``.
    """
    require(actor, "forecast")
    author = actor.author
    cycle_date = month_start(cycle)
    with store.transaction() as cur:
        require_plan_version(cur, cycle_date)  # refused before require_draft could create one
        require_draft(cur, cycle_date)
        rows = cur.execute(
            """UPDATE cycle_carried_overrides c SET reviewed_by = $author, reviewed_at = current_timestamp
               FROM forecast_overrides o
               WHERE c.cycle = $cycle AND c.reviewed_at IS NULL
                 AND o.cycle = c.cycle AND o.layer = c.layer AND o.family = c.family AND o.region = c.region
                 AND o.sku = c.sku AND o.month = c.month AND o.version = c.carried_version
                 AND ($layer::VARCHAR IS NULL OR c.layer = $layer)
                 AND ($family::VARCHAR IS NULL OR c.family = $family)
                 AND ($region::VARCHAR IS NULL OR c.region = $region)
               RETURNING c.month""",
            {"author": author, "cycle": cycle_date, "layer": layer, "family": family, "region": region},
        ).fetchall()
        if rows:
            record_decision(
                cur,
                cycle_date,
                "confirm_overrides",
                family or "all families",
                json.dumps({"layer": layer, "region": region, "cells": len(rows)}),
                author,
            )
    return len(rows)
