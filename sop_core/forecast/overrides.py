"""Overrides: each layer's changes to the baseline, with author, reason and a version per cell.

A cell is cycle × layer × family × region × SKU (``''``: the whole family) × month. An override
adds units (``kind='units'``) or a percentage of the cell's stored baseline (``kind='pct'``; a %
of the *statistical baseline*, not of the previous layers, so layers add up independently and
each one's value added can be measured). Every changed cell needs a reason code; every save
carries the version of each cell the editor saw, and a cell that changed since is refused with
:class:`.codes.OverrideConflictError` naming who changed it and when — nothing is silently
overwritten. A removed override stays as a row with ``value`` NULL so its version keeps counting;
every save is also appended to ``forecast_override_history``. Overrides are frozen with the
cycle's plan: a save to an approved cycle raises ``FrozenPlanError``. Saving needs the ``forecast``
permission (planner); the acting person's :attr:`~sop_core.people.Actor.author` is the cell's author.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

from ..conventions import EPS, PLAN_HORIZON_MONTHS
from ..months import month_range, month_start
from ..people import Actor, require
from ..plans import require_draft
from ..store import Store, filter_list
from .baseline import baseline_cycle
from .codes import OVERRIDE_KINDS, OverrideConflictError

CELL_KEYS = ["layer", "family", "region", "sku", "month"]
OVERRIDE_COLUMNS = [
    "cycle",
    "layer",
    "family",
    "region",
    "sku",
    "month",
    "kind",
    "value",
    "delta",
    "reason",
    "comment",
    "author",
    "created_at",
    "updated_at",
    "version",
]
EDIT_COLUMNS = ["layer", "family", "region", "month", "kind", "value", "reason", "comment", "version"]
GRID_COLUMNS = [
    "layer",
    "label",
    "family",
    "region",
    "sku",
    "month",
    "baseline",
    "kind",
    "value",
    "delta",
    "reason",
    "comment",
    "author",
    "updated_at",
    "version",
]

# The delta of each current override in units, against the cycle's stored baseline: a family-level
# cell (sku '') against the family x region baseline, a SKU cell against that SKU's baseline.
_CURRENT_SQL = """
    WITH fam AS (SELECT family, region, month, sum(forecast) AS base FROM forecast_baseline
                 WHERE cycle = $cycle GROUP BY ALL)
    SELECT o.cycle, o.layer, o.family, o.region, o.sku, o.month, o.kind, o.value,
           CASE WHEN o.kind = 'units' THEN o.value
                ELSE o.value / 100 * coalesce(CASE WHEN o.sku = '' THEN fam.base ELSE b.forecast END, 0)
           END AS delta,
           o.reason, o.comment, o.author, o.created_at, o.updated_at, o.version
    FROM forecast_overrides o
    LEFT JOIN fam ON fam.family = o.family AND fam.region = o.region AND fam.month = o.month
    LEFT JOIN forecast_baseline b ON b.cycle = o.cycle AND b.family = o.family AND b.region = o.region
         AND b.sku = o.sku AND b.month = o.month
    WHERE o.cycle = $cycle AND o.value IS NOT NULL
      AND ($families::VARCHAR[] IS NULL OR list_contains($families::VARCHAR[], o.family))
      AND ($regions::VARCHAR[] IS NULL OR list_contains($regions::VARCHAR[], o.region))
    ORDER BY o.family, o.region, o.sku, o.month, o.layer"""


def forecast_layers(store: Store) -> pd.DataFrame:
    """The override layers in stairstep order: ``layer, label, position``."""
    return store.query("SELECT layer, label, position FROM forecast_layers ORDER BY position")


def reason_codes(store: Store) -> pd.DataFrame:
    """The reason codes an override may carry: ``reason, label``."""
    return store.query("SELECT reason, label FROM forecast_reasons ORDER BY reason")


def overrides(
    store: Store,
    cycle: dt.date | str | None = None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The current overrides of ``cycle`` (default: the latest cycle), columns :data:`OVERRIDE_COLUMNS`.

    ``delta`` is the override in units (a ``pct`` override times the cell's stored baseline / 100).
    """
    params = {"cycle": baseline_cycle(store, cycle), "families": filter_list(families), "regions": filter_list(regions)}
    return store.query(_CURRENT_SQL, params)


def _normalise(edits: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in EDIT_COLUMNS if c not in edits.columns and c not in ("comment", "version", "kind")]
    if missing:
        raise ValueError(f"Override edits lack the columns {', '.join(missing)}.")
    frame = pd.DataFrame(
        {
            "layer": edits["layer"].astype(str),
            "family": edits["family"].astype(str),
            "region": edits["region"].fillna("").astype(str),
            "sku": (edits["sku"] if "sku" in edits.columns else pd.Series("", index=edits.index))
            .fillna("")
            .astype(str),
            "month": [month_start(m) for m in edits["month"]],
            "kind": (edits["kind"] if "kind" in edits.columns else pd.Series("units", index=edits.index))
            .fillna("units")
            .astype(str),
            "value": pd.to_numeric(edits["value"], errors="coerce").astype("float64"),
            "reason": [
                None if r is None or pd.isna(r) or str(r).strip() == "" else str(r).strip() for r in edits["reason"]
            ],
            "comment": (edits["comment"] if "comment" in edits.columns else pd.Series("", index=edits.index))
            .fillna("")
            .astype(str),
            "seen": (
                pd.to_numeric(edits["version"], errors="coerce")
                if "version" in edits.columns
                else pd.Series(0.0, index=edits.index)
            )
            .fillna(0)
            .astype("int64"),
        }
    )
    if frame.duplicated(CELL_KEYS).any():
        raise ValueError("The same override cell appears twice in one save.")
    return frame.reset_index(drop=True)


def _labels(cur: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """``{code: label}`` of ``forecast_layers`` (in stairstep order) or ``forecast_reasons`` (by code)."""
    order, key = ("position", "layer") if table == "forecast_layers" else ("reason", "reason")
    return dict(cur.execute(f"SELECT {key}, label FROM {table} ORDER BY {order}").fetchall())  # two fixed tables


def _describe(row: pd.Series, layers: Mapping[str, str]) -> str:
    """The cell as the person saw it: ``Sales override for Compact Pumps / Europe in 2026-11``."""
    where = " / ".join(p for p in (row["family"], row["region"], row["sku"]) if p)
    return f"{layers.get(row['layer'], row['layer'])} override for {where} in {pd.Timestamp(row['month']):%Y-%m}"


def _sku_baselines(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> set[tuple]:
    """``(family, region, sku, month)`` with a stored SKU baseline, for the families of ``frame``'s SKU % cells."""
    families = sorted(set(frame.loc[(frame["sku"] != "") & (frame["kind"] == "pct"), "family"]))
    if not families:
        return set()
    rows = cur.execute(
        """SELECT family, region, sku, month FROM forecast_baseline
           WHERE cycle = ? AND sku <> '' AND list_contains(?::VARCHAR[], family)""",
        [frame["cycle"].iloc[0], families],
    ).fetchall()
    return {tuple(r) for r in rows}


def _validate(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, layers: Mapping[str, str]) -> None:
    """Refuse the first bad cell, naming it with the labels the grid shows (layer and reason labels).

    A SKU cell needs a SKU of the cell's family (the product master); a % override of a SKU needs the SKU's own
    stored baseline (a baseline held per family, e.g. the quick mode, has none: the % would add nothing).
    """
    reasons = _labels(cur, "forecast_reasons")
    families = {r[0] for r in cur.execute("SELECT family FROM families").fetchall()}
    skus = sorted({str(s) for s in frame["sku"] if s})
    sku_family = dict(
        cur.execute("SELECT sku, family FROM products WHERE list_contains(?::VARCHAR[], sku)", [skus]).fetchall()
    )
    sku_bases = _sku_baselines(cur, frame)
    for _, row in frame.iterrows():
        if row["layer"] not in layers:
            raise ValueError(f"Unknown override layer {row['layer']!r}; the layers are {', '.join(layers)}.")
        if row["family"] not in families:
            raise ValueError(f"Unknown family {row['family']!r} in the {_describe(row, layers)}.")
        if row["sku"] and sku_family.get(row["sku"]) != row["family"]:
            raise ValueError(
                f"SKU {row['sku']!r} is not a product of {row['family']} ({_describe(row, layers)}). Nothing was saved."
            )
        if row["kind"] not in OVERRIDE_KINDS:
            raise ValueError(f"Override kind must be 'units' or 'pct', not {row['kind']!r} ({_describe(row, layers)}).")
        if np.isnan(row["value"]):
            continue
        if not np.isfinite(row["value"]):
            raise ValueError(f"The {_describe(row, layers)} is not a finite number.")
        if row["reason"] is None:
            raise ValueError(
                f"The {_describe(row, layers)} has no reason. Every override needs a reason: "
                f"{', '.join(reasons.values())}. Nothing was saved."
            )
        if row["reason"] not in reasons:
            raise ValueError(
                f"Unknown reason code {row['reason']!r} for the {_describe(row, layers)}; "
                f"the reasons are {', '.join(reasons.values())}."
            )
        key = (row["family"], row["region"], row["sku"], pd.Timestamp(row["month"]).date())
        if row["sku"] and row["kind"] == "pct" and key not in sku_bases:
            raise ValueError(
                f"The {_describe(row, layers)} is a % of the SKU's baseline, but the SKU has no baseline of its own "
                "in this cycle (the baseline is held per family, e.g. by the quick mode, or the SKU has no "
                "history): enter units, or run the baseline per SKU first. Nothing was saved."
            )


def save_overrides(store: Store, cycle: dt.date | str, edits: pd.DataFrame, actor: Actor) -> int:
    """Save a batch of override cells (columns :data:`EDIT_COLUMNS`, optional ``sku``) in one transaction.

    ``value`` NaN removes the cell's override. ``version`` is the cell version the editor saw (0 for an
    empty cell). Cells equal to what is stored are skipped (a whole grid may be passed). Refused as a
    whole: ``PermissionError`` unless ``actor`` may change overrides (``forecast``), ``ValueError`` when a
    changed cell has no reason (or an unknown layer, reason or kind), :class:`OverrideConflictError` when
    a cell changed since it was read (naming who changed it and when), ``FrozenPlanError`` when the cycle
    is approved. The cells written record ``actor.author``; returns how many were written.
    """
    require(actor, "forecast")
    cycle_date = month_start(cycle)
    frame = _normalise(edits)
    if frame.empty:
        return 0
    with store.transaction() as cur:
        require_draft(cur, cycle_date)
        frame.insert(0, "cycle", cycle_date)
        cur.register("_edits", frame)
        try:
            merged = cur.execute(
                """SELECT e.*, o.version AS current_version, o.value AS current_value, o.kind AS current_kind,
                          o.reason AS current_reason, o.comment AS current_comment,
                          o.author AS changed_by, o.updated_at AS changed_at
                   FROM _edits e LEFT JOIN forecast_overrides o
                     ON o.cycle = e.cycle AND o.layer = e.layer AND o.family = e.family AND o.region = e.region
                    AND o.sku = e.sku AND o.month = e.month"""
            ).df()
        finally:
            cur.unregister("_edits")
        merged["current_version"] = merged["current_version"].fillna(0).astype("int64")
        same = _unchanged(merged)
        changed = merged[~same].reset_index(drop=True)
        if changed.empty:
            return 0
        layers = _labels(cur, "forecast_layers")
        _validate(cur, changed, layers)
        stale = changed[changed["seen"] != changed["current_version"]]
        if not stale.empty:
            last = stale.sort_values("changed_at").iloc[-1]
            when = pd.Timestamp(last["changed_at"])
            raise OverrideConflictError(
                f"The {_describe(last, layers)} was changed by {last['changed_by']} at {when:%Y-%m-%d %H:%M} "
                f"after you opened it ({len(stale)} cell(s) in conflict). Nothing was saved: reload "
                "to see their change, then apply yours again.",
                str(last["changed_by"]),
                when.to_pydatetime(),
                [(r.layer, r.family, r.region, r.sku, pd.Timestamp(r.month).date()) for r in stale.itertuples()],
            )
        now = dt.datetime.now()
        rows = changed[["cycle", *CELL_KEYS, "kind", "value", "reason", "comment"]].copy()
        rows["month"] = pd.to_datetime(rows["month"]).dt.date
        rows["author"] = actor.author
        rows["version"] = changed["current_version"] + 1
        rows["now"] = now
        cur.register("_changes", rows)
        try:
            cur.execute(
                """INSERT INTO forecast_overrides (cycle, layer, family, region, sku, month, kind, value, reason,
                       comment, author, created_at, updated_at, version)
                   SELECT cycle, layer, family, region, sku, month, kind, value, reason, comment, author,
                          now, now, version FROM _changes
                   ON CONFLICT (cycle, layer, family, region, sku, month) DO UPDATE SET
                       kind = excluded.kind, value = excluded.value, reason = excluded.reason,
                       comment = excluded.comment, author = excluded.author,
                       updated_at = excluded.updated_at, version = excluded.version"""
            )
            cur.execute(
                """INSERT INTO forecast_override_history
                   SELECT cycle, layer, family, region, sku, month, kind, value, reason, comment, author,
                          now, version FROM _changes"""
            )
        finally:
            cur.unregister("_changes")
        return len(rows)


def _unchanged(merged: pd.DataFrame) -> np.ndarray:
    """Cells whose edit equals what is stored (or removes a cell that holds no override)."""
    value = merged["value"].to_numpy(float)
    current = merged["current_value"].to_numpy(float)
    both_empty = np.isnan(value) & np.isnan(current)
    same_value = np.isclose(value, current, rtol=0, atol=EPS)
    same_text = (
        (merged["kind"] == merged["current_kind"]).to_numpy()
        & (merged["reason"].fillna("") == merged["current_reason"].fillna("")).to_numpy()
        & (merged["comment"] == merged["current_comment"].fillna("")).to_numpy()
    )
    return both_empty | (same_value & same_text)


def save_override(
    store: Store,
    cycle: dt.date | str,
    *,
    layer: str,
    family: str,
    region: str,
    start: dt.date | str,
    end: dt.date | str | None = None,
    value: float,
    kind: str = "units",
    reason: str | None,
    comment: str = "",
    actor: Actor,
    sku: str = "",
    seen: int | Mapping[dt.date, int] = 0,
) -> int:
    """Save one override over the months ``start … end`` (inclusive; default one month), as ``actor``.

    ``seen`` is the version the editor saw, one for all months or per month (0: the cell was empty).
    Same refusals as :func:`save_overrides`. Returns the cells written.
    """
    require(actor, "forecast")
    first = month_start(start)
    last = month_start(end) if end is not None else first
    months = [m for m in month_range(first, 1200) if m <= last]
    if not months:
        raise ValueError("The override's end month is before its start month.")
    versions = [seen.get(m, 0) if isinstance(seen, Mapping) else int(seen) for m in months]
    edits = pd.DataFrame(
        {
            "layer": layer,
            "family": family,
            "region": region,
            "sku": sku,
            "month": months,
            "kind": kind,
            "value": value,
            "reason": reason,
            "comment": comment,
            "version": versions,
        }
    )
    return save_overrides(store, cycle, edits, actor)


def override_grid(
    store: Store, family: str, region: str, cycle: dt.date | str | None = None, sku: str = ""
) -> pd.DataFrame:
    """The editing grid for one family × region (``sku`` ``''``) or one of its SKUs: a row per layer × month.

    Columns :data:`GRID_COLUMNS` (``value``/``reason`` empty and ``version`` 0 where the layer has no
    override; a removed override keeps its version). ``baseline`` is the family × region's stored baseline, or
    the SKU's at SKU level (0 where the baseline is held per family). The months are the family × region's
    stored baseline's, else the plan horizon. The edited grid can be passed back to :func:`save_overrides` as
    it is.
    """
    cycle_date = baseline_cycle(store, cycle)
    if cycle_date is None:
        return pd.DataFrame(columns=GRID_COLUMNS)
    return store.query(
        """WITH cells AS (SELECT month, sku, forecast FROM forecast_baseline
                          WHERE cycle = $cycle AND family = $family AND region = $region),
                base AS (SELECT month, sum(forecast) FILTER (WHERE $sku = '' OR sku = $sku) AS baseline
                         FROM cells GROUP BY month),
                months AS (SELECT month FROM base UNION
                           SELECT unnest($horizon::DATE[]) WHERE NOT EXISTS (SELECT 1 FROM base))
           SELECT l.layer, l.label, $family AS family, $region AS region, $sku AS sku, m.month,
                  coalesce(b.baseline, 0) AS baseline,
                  coalesce(o.kind, 'units') AS kind, o.value,
                  CASE WHEN o.kind = 'pct' THEN o.value / 100 * coalesce(b.baseline, 0) ELSE o.value END AS delta,
                  CASE WHEN o.value IS NULL THEN NULL ELSE o.reason END AS reason,
                  coalesce(o.comment, '') AS comment, o.author, o.updated_at, coalesce(o.version, 0) AS version
           FROM forecast_layers l CROSS JOIN months m
           LEFT JOIN base b ON b.month = m.month
           LEFT JOIN forecast_overrides o ON o.cycle = $cycle AND o.layer = l.layer AND o.family = $family
                AND o.region = $region AND o.sku = $sku AND o.month = m.month
           ORDER BY l.position, m.month""",
        {
            "cycle": cycle_date,
            "family": family,
            "region": region,
            "sku": sku,
            "horizon": month_range(cycle_date, PLAN_HORIZON_MONTHS),
        },
    )
