"""Rough-cut capacity planning: resource load and utilisation from a bill of resources (APICS/CPIM RCCP)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .validate import _require_columns


def rough_cut_capacity(production: pd.DataFrame, bill: pd.DataFrame, available: pd.DataFrame) -> pd.DataFrame:
    """Rough-cut capacity plan from a bill of resources (APICS/CPIM RCCP).

    Inputs (long form):
      * ``production``: ``family, month, quantity`` — planned production;
      * ``bill``: ``family, resource, hours_per_unit`` — bill of resources;
      * ``available``: ``resource, month, hours`` — available capacity.

    Definition: ``load_hours(r, t) = Σ_f quantity(f, t) × hours_per_unit(f, r)`` and
    ``utilisation(r, t) = load_hours / available_hours`` (a fraction; above 1.0 is an
    overload, the usual warning threshold is 0.85–0.90).

    Conventions:
      * Output has one row per resource-month that has a load or an availability row:
        resource-months with available hours but no load get ``load_hours = 0``;
        resource-months with load but no availability row get ``available_hours = NaN``.
      * ``utilisation`` is NaN when ``available_hours`` is 0 or missing (whatever the
        load), so "no capacity data" is never confused with a number; callers flag a
        positive load with NaN utilisation as an overload.
      * Duplicate rows are added up (production per family-month, hours per
        family-resource, available hours per resource-month).
      * Families in ``production`` without a bill row put no load on any resource; NaN
        quantities or hours contribute nothing.
      * Missing columns raise ``ValueError``.

    Returns columns ``resource, month, load_hours, available_hours, utilisation``,
    sorted by resource, month, with a fresh RangeIndex.
    """
    _require_columns(production, ["family", "month", "quantity"], "production")
    _require_columns(bill, ["family", "resource", "hours_per_unit"], "bill")
    _require_columns(available, ["resource", "month", "hours"], "available")

    prod = production[["family", "month", "quantity"]]
    bom = bill[["family", "resource", "hours_per_unit"]]
    joined = prod.merge(bom, on="family", how="inner")
    joined = joined.assign(
        load_hours=pd.to_numeric(joined["quantity"]).astype(float)
        * pd.to_numeric(joined["hours_per_unit"]).astype(float)
    )
    load = joined.groupby(["resource", "month"], as_index=False, sort=False)["load_hours"].sum()

    avail = available[["resource", "month", "hours"]].assign(hours=lambda d: pd.to_numeric(d["hours"]).astype(float))
    avail = (
        avail.groupby(["resource", "month"], as_index=False, sort=False)["hours"]
        .sum(min_count=1)
        .rename(columns={"hours": "available_hours"})
    )

    out = load.merge(avail, on=["resource", "month"], how="outer")
    out["load_hours"] = out["load_hours"].astype(float).fillna(0.0)
    out["available_hours"] = out["available_hours"].astype(float)
    avail_h = out["available_hours"].to_numpy()
    load_h = out["load_hours"].to_numpy()
    ok = np.isfinite(avail_h) & (avail_h != 0)
    util = np.full(len(out), np.nan)
    np.divide(load_h, avail_h, out=util, where=ok)
    out["utilisation"] = util
    out = out.sort_values(["resource", "month"], kind="mergesort").reset_index(drop=True)
    return out[["resource", "month", "load_hours", "available_hours", "utilisation"]]
