"""Consensus demand: baseline plus the layers, written as the draft's demand plan; SKU spread.

consensus(family, region, month) = stored baseline + Σ the layers' deltas, never below zero. It is
written to the draft's ``demand_plan`` in whole units through ``plans.write_plan_rows`` (so an
approved plan stays frozen). The SKU view spreads that whole-unit family figure over the SKUs in
proportion to their baseline mix — a family-level change moves every SKU by its baseline share, a
SKU-level override moves its SKU — with largest-remainder rounding, so the SKUs add up to the
family figure exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..conventions import EPS
from ..people import Actor, require
from ..plan_data import DEMAND_ACTUAL_SQL
from ..plans import require_plan_version, write_plan_rows
from ..store import Store, filter_list
from .baseline import baseline_cycle
from .overrides import forecast_layers, overrides

CELL = ["family", "region", "month"]


def spread_to_skus(total: float, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Whole units per SKU in proportion to ``weights`` that add up to ``round(total)`` exactly.

    Largest-remainder rounding (ties to the earlier SKU); negative weights count as zero; equal
    weights when all are zero; a total below zero spreads as zero.
    """
    w = np.maximum(np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0), 0.0)
    target = int(np.floor(max(float(total), 0.0) + 0.5))
    if len(w) == 0:
        return np.zeros(0, dtype=np.int64)
    if w.sum() <= EPS:
        w = np.ones_like(w)
    raw = target * w / w.sum()
    base = np.floor(raw).astype(np.int64)
    short = target - int(base.sum())
    if short > 0:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:short]] += 1
    return base


def _baseline_cells(
    store: Store, cycle: dt.date | None, families: Sequence[str] | None, regions: Sequence[str] | None, by_sku: bool
) -> pd.DataFrame:
    keys = "family, sku, region, month" if by_sku else "family, region, month"
    # ``keys`` is one of two fixed column lists; values are bound.
    return store.query(
        f"""SELECT {keys}, sum(forecast) AS baseline FROM forecast_baseline
            WHERE cycle = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family))
              AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], region))
            GROUP BY ALL ORDER BY ALL""",
        [cycle, filter_list(families), filter_list(families), filter_list(regions), filter_list(regions)],
    )


def _split_by_history(store: Store, cycle: dt.date | None, family: str, cells: pd.DataFrame) -> pd.DataFrame:
    """A family-level baseline split over the SKUs by their share of the last 12 months' SKU actuals.

    For a baseline stored per family × region (the demo's quick history) of a family whose actuals
    come per SKU; when no SKU actuals exist the family-level rows are returned unchanged.
    """
    mix = store.query(
        f"""SELECT a.sku, a.region, sum(a.quantity) AS qty
            FROM actuals a JOIN products p ON p.sku = a.sku JOIN families f ON f.family = p.family
            WHERE p.family = ? AND a.kind = {DEMAND_ACTUAL_SQL}
              AND a.month < ? AND a.month >= ? - INTERVAL 12 MONTH
            GROUP BY ALL""",  # DEMAND_ACTUAL_SQL is a fixed CASE fragment; values are bound
        [family, cycle, cycle],
    )
    mix = mix[mix["qty"] > 0]
    if mix.empty:
        return cells
    mix["share"] = mix["qty"] / mix.groupby("region")["qty"].transform("sum")
    split = cells.drop(columns="sku").merge(mix[["sku", "region", "share"]], on="region", how="inner")
    split["baseline"] = split["baseline"] * split["share"]
    return split[["family", "sku", "region", "month", "baseline"]]


def consensus(
    store: Store,
    cycle: dt.date | str | None = None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Family × region × month: ``family, region, month, baseline, <one delta column per layer>, consensus``.

    consensus = baseline + the layers' deltas (units), never below zero.
    """
    cycle_date = baseline_cycle(store, cycle)
    layers = forecast_layers(store)["layer"].tolist()
    base = _baseline_cells(store, cycle_date, families, regions, by_sku=False)
    ov = overrides(store, cycle_date, families, regions)
    frame = base.copy()
    if not ov.empty:
        deltas = ov.pivot_table(index=CELL, columns="layer", values="delta", aggfunc="sum").reset_index()
        frame = frame.merge(deltas, on=CELL, how="outer")
    for layer in layers:
        frame[layer] = frame[layer].fillna(0.0) if layer in frame.columns else 0.0
    frame["baseline"] = frame["baseline"].fillna(0.0)
    frame["consensus"] = np.maximum(frame["baseline"] + frame[layers].sum(axis=1), 0.0)
    columns = [*CELL, "baseline", *layers, "consensus"]
    return frame[columns].sort_values(CELL, ignore_index=True)


def write_consensus(store: Store, cycle: dt.date | str | None = None, *, actor: Actor) -> int:
    """Write the consensus (whole units) as the draft's ``demand_plan``; ``FrozenPlanError`` when approved.

    ``PermissionError`` (nothing written) unless ``actor`` may change the forecast (``forecast``);
    :class:`~sop_core.plans.NoPlanError` (nothing written, no draft created) when the cycle has no plan
    version — opening the cycle creates it. Rows are replaced by key (family × region × month); returns the
    rows written. ``actor.author`` is recorded on the plan version's note when the draft has none.
    """
    require(actor, "forecast")
    cycle_date = baseline_cycle(store, cycle)
    if cycle_date is None:
        return 0
    frame = consensus(store, cycle_date)
    rows = frame[CELL].copy()
    rows["quantity"] = np.floor(frame["consensus"].to_numpy(float) + 0.5)
    with store.transaction() as cur:
        require_plan_version(cur, cycle_date)  # write_plan_rows would create a draft: only open_cycle does
        written = write_plan_rows(cur, "demand_plan", cycle_date, rows)
        cur.execute(
            "UPDATE plan_versions SET note = coalesce(note, ?) WHERE cycle = ?",
            [f"Demand plan = consensus, written by {actor.author}", cycle_date],
        )
    return written


def sku_drilldown(
    store: Store, family: str, region: str | None = None, cycle: dt.date | str | None = None
) -> pd.DataFrame:
    """``sku, month, baseline, share, consensus``: the family consensus spread to SKUs.

    Per region and month the whole-unit consensus is spread over the SKUs in proportion to
    baseline + the family-level change at the SKU's baseline share + the SKU's own overrides, so
    the SKUs add up to the family's written figure exactly; ``region`` None sums the regions.
    ``share`` is the SKU's share of the family baseline of the month. A baseline stored per family
    (the demo's quick history) is first split by the SKUs' share of the last 12 months' actuals; a
    family whose actuals come per family has one row per month with ``sku`` ``''``.
    """
    cycle_date = baseline_cycle(store, cycle)
    regions = None if region is None else [region]
    skus = _baseline_cells(store, cycle_date, [family], regions, by_sku=True)
    if not skus.empty and (skus["sku"] == "").all():
        skus = _split_by_history(store, cycle_date, family, skus)
    cells = consensus(store, cycle_date, [family], regions)
    ov = overrides(store, cycle_date, [family], regions)
    sku_delta = ov[ov["sku"] != ""].groupby(["sku", "region", "month"])["delta"].sum()
    out = []
    for (reg, month), group in skus.groupby(["region", "month"], sort=True):
        cell = cells[(cells["region"] == reg) & (cells["month"] == month)]
        if cell.empty:
            continue
        total = float(cell["consensus"].iloc[0])
        fam_base = float(group["baseline"].sum())
        own = np.array([sku_delta.get((s, reg, month), 0.0) for s in group["sku"]])
        fam_change = total - fam_base - own.sum()
        share = group["baseline"].to_numpy(float) / fam_base if fam_base > EPS else np.full(len(group), 1 / len(group))
        weights = group["baseline"].to_numpy(float) + fam_change * share + own
        units = spread_to_skus(total, weights)
        out.append(
            pd.DataFrame(
                {
                    "sku": group["sku"].to_numpy(),
                    "month": month,
                    "baseline": group["baseline"].to_numpy(float),
                    "consensus": units,
                }
            )
        )
    if not out:
        return pd.DataFrame(columns=["sku", "month", "baseline", "share", "consensus"])
    frame = pd.concat(out, ignore_index=True).groupby(["sku", "month"], as_index=False).sum()
    month_total = frame.groupby("month")["baseline"].transform("sum")
    frame["share"] = np.where(month_total > EPS, frame["baseline"] / month_total.where(month_total > EPS, 1.0), 0.0)
    return frame[["sku", "month", "baseline", "share", "consensus"]].sort_values(["sku", "month"], ignore_index=True)
