"""Forecast value added from frozen vintages: seasonal naive → statistical → layers → consensus → approved.

For every *approved* cycle *c* (its stored baseline and overrides are frozen with its plan) and lag
*k*, each step's forecast of month *c + k* is set beside the demand actual of that month, at family
level (regions summed). The steps:

* ``seasonal naive``: the actual of month *c + k − 12* (known before *c* for *k* < 12);
* ``statistical``: the cycle's stored baseline;
* ``+ <layer>``: the baseline plus the layers' deltas up to and including that layer (stairstep order);
* ``consensus``: baseline + all layers, floored at zero per family × region × month;
* ``approved plan``: the cycle's approved ``demand_plan``.

Only family-months where every step has a figure count, so the steps are compared on the same
months. Metrics come from :func:`sop_core.calc.accuracy_metrics` (WMAPE = Σ|e| / Σ actual, bias
= Σe / n with e = actual − forecast); ``fva`` = the previous step's WMAPE − this step's (positive:
the step added value). ``All families`` pools the families' units.

A layer's exception: in each cycle where the layer changed a family's forecast, compare the family's
absolute error over the months at lags 1–3 that have actuals, before and after the layer (before =
the stairstep up to the previous layer). Worse in the latest ``run`` such cycles in a row → flagged.
The streak counts only the cycles where the layer changed the family: a cycle where it made the
forecast better (or no worse) breaks it; a cycle where it left the family alone (or whose lag 1–3
months have no actuals yet) is neutral — it neither counts nor breaks — so a layer that overrides
every other month and is wrong each time is flagged too, and the message then names the cycles
instead of saying "running".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import calc, plan_data
from ..conventions import EPS
from ..months import month_start
from ..store import Store, filter_list
from .codes import STEP_APPROVED, STEP_CONSENSUS, STEP_SEASONAL_NAIVE, STEP_STATISTICAL
from .overrides import forecast_layers

FVA_COLUMNS = ["family", "lag", "step_order", "step", "n", "wmape", "bias", "bias_pct", "fva"]
EXCEPTION_COLUMNS = ["family", "layer", "label", "cycles", "added_error", "message"]
ALL_FAMILIES = "All families"

_VINTAGE_SQL = """
    WITH v AS (SELECT cycle FROM plan_versions WHERE status = 'approved' AND cycle <= $through),
    base AS (
        SELECT b.cycle, b.family, b.region, b.month, sum(b.forecast) AS baseline
        FROM forecast_baseline b JOIN v USING (cycle)
        WHERE ($families::VARCHAR[] IS NULL OR list_contains($families::VARCHAR[], b.family))
          AND datediff('month', b.cycle, b.month) BETWEEN 0 AND $max_lag
        GROUP BY ALL),
    fam AS (SELECT cycle, family, region, month, sum(forecast) AS base FROM forecast_baseline GROUP BY ALL),
    delta AS (
        SELECT o.cycle, o.family, o.region, o.month, o.layer,
               sum(CASE WHEN o.kind = 'units' THEN o.value
                        ELSE o.value / 100 * coalesce(CASE WHEN o.sku = '' THEN fam.base ELSE b.forecast END, 0)
                   END) AS delta
        FROM forecast_overrides o JOIN v USING (cycle)
        LEFT JOIN fam ON fam.cycle = o.cycle AND fam.family = o.family AND fam.region = o.region
             AND fam.month = o.month
        LEFT JOIN forecast_baseline b ON b.cycle = o.cycle AND b.family = o.family AND b.region = o.region
             AND b.sku = o.sku AND b.month = o.month
        WHERE o.value IS NOT NULL
        GROUP BY ALL)
    SELECT base.*, delta.layer, coalesce(delta.delta, 0) AS delta
    FROM base LEFT JOIN delta USING (cycle, family, region, month)"""


def vintages(
    store: Store,
    families: Sequence[str] | None = None,
    lags: Sequence[int] = (1, 3),
    through: dt.date | str | None = None,
) -> pd.DataFrame:
    """Family × cycle × lag: ``family, cycle, lag, month, actual`` and one column per step (in order).

    The frozen figures each step gave for the month before its actual was known.
    """
    layers = forecast_layers(store)
    through_date = month_start(through) if through is not None else dt.date(9999, 1, 1)
    wanted = sorted({int(k) for k in lags})
    raw = store.query(
        _VINTAGE_SQL,
        {"through": through_date, "families": filter_list(families), "max_lag": max(wanted) if wanted else 0},
    )
    step_names = [
        STEP_SEASONAL_NAIVE,
        STEP_STATISTICAL,
        *[f"+ {x}" for x in layers["label"]],
        STEP_CONSENSUS,
        STEP_APPROVED,
    ]
    columns = ["family", "cycle", "lag", "month", "actual", *step_names]
    if raw.empty or not wanted:
        return pd.DataFrame(columns=columns)
    raw["cycle"] = pd.to_datetime(raw["cycle"])
    raw["month"] = pd.to_datetime(raw["month"])
    raw["lag"] = (raw["month"].dt.year - raw["cycle"].dt.year) * 12 + raw["month"].dt.month - raw["cycle"].dt.month
    raw = raw[raw["lag"].isin(wanted)]
    cell = ["cycle", "family", "region", "month", "lag"]
    base = raw.groupby(cell, as_index=False)["baseline"].first()
    deltas = raw.dropna(subset=["layer"]).pivot_table(index=cell, columns="layer", values="delta", aggfunc="sum")
    deltas = deltas.reindex(columns=layers["layer"].tolist(), fill_value=0.0).fillna(0.0)
    cells = base.merge(deltas.reset_index(), on=cell, how="left").fillna(dict.fromkeys(layers["layer"], 0.0))
    running = cells["baseline"].to_numpy(float).copy()
    cells[STEP_STATISTICAL] = running.copy()
    for layer, label in zip(layers["layer"], layers["label"], strict=True):
        running = running + cells[layer].to_numpy(float)
        cells[f"+ {label}"] = running.copy()
    cells[STEP_CONSENSUS] = np.maximum(running, 0.0)
    steps_mid = [STEP_STATISTICAL, *[f"+ {x}" for x in layers["label"]], STEP_CONSENSUS]
    fam = cells.groupby(["family", "cycle", "lag", "month"], as_index=False)[steps_mid].sum()
    actual = plan_data.demand_actuals(store, families)
    actual["month"] = pd.to_datetime(actual["month"])
    fam = fam.merge(actual, on=["family", "month"], how="inner")
    naive = actual.assign(month=actual["month"] + pd.DateOffset(months=12)).rename(
        columns={"actual": STEP_SEASONAL_NAIVE}
    )
    fam = fam.merge(naive, on=["family", "month"], how="inner")
    approved = store.query(
        """SELECT d.cycle, d.family, d.month, sum(d.quantity) AS plan FROM demand_plan d
           JOIN plan_versions v ON v.cycle = d.cycle AND v.status = 'approved' GROUP BY ALL"""
    )
    approved["cycle"] = pd.to_datetime(approved["cycle"])
    approved["month"] = pd.to_datetime(approved["month"])
    fam = fam.merge(approved.rename(columns={"plan": STEP_APPROVED}), on=["cycle", "family", "month"], how="inner")
    return fam[columns].sort_values(["family", "lag", "cycle"], ignore_index=True)


def fva_stairstep(
    store: Store,
    families: Sequence[str] | None = None,
    lags: Sequence[int] = (1, 3),
    through: dt.date | str | None = None,
) -> pd.DataFrame:
    """The FVA stairstep per family (and ``'All families'``) and lag, columns :data:`FVA_COLUMNS`.

    ``fva`` = previous step's WMAPE − this step's (positive: the step improved the forecast; NaN for
    the first step). Only approved cycles up to ``through`` count.
    """
    vint = vintages(store, families, lags, through)
    steps = list(vint.columns[5:])
    rows = []
    groups = [(f, g) for f, g in vint.groupby("family", sort=True)]
    if not vint.empty:
        groups.append((ALL_FAMILIES, vint))
    for family, group in groups:
        for lag, sub in group.groupby("lag", sort=True):
            previous = float("nan")
            for order, step in enumerate(steps):
                m = calc.accuracy_metrics(sub["actual"].to_numpy(float), sub[step].to_numpy(float))
                rows.append(
                    {
                        "family": family,
                        "lag": int(lag),
                        "step_order": order,
                        "step": step,
                        "n": m["n"],
                        "wmape": m["wmape"],
                        "bias": m["bias"],
                        "bias_pct": m["bias_pct"],
                        "fva": previous - m["wmape"],
                    }
                )
                previous = m["wmape"]
    return pd.DataFrame(rows, columns=FVA_COLUMNS)


def layer_exceptions(store: Store, cycle: dt.date | str | None = None, run: int = 3) -> pd.DataFrame:
    """Layers that made a family's forecast worse in ``run`` cycles running, up to ``cycle``.

    ``family, layer, label, cycles, added_error, message`` — for the meeting's exception list;
    ``added_error`` is the absolute error the layer added over those cycles (units). Only cycles where
    the layer changed the family count; one where it was better breaks the run, one where it did not
    touch the family is skipped (see the module docstring).
    """
    vint = vintages(store, None, (1, 2, 3), cycle)
    layers = forecast_layers(store)
    out = []
    if vint.empty:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    previous_step = STEP_STATISTICAL
    for layer, label in zip(layers["layer"], layers["label"], strict=True):
        step = f"+ {label}"
        frame = vint.assign(
            before=(vint["actual"] - vint[previous_step]).abs(),
            after=(vint["actual"] - vint[step]).abs(),
            touched=(vint[step] - vint[previous_step]).abs() > EPS,
        )
        per_cycle = frame.groupby(["family", "cycle"]).agg(
            before=("before", "sum"), after=("after", "sum"), touched=("touched", "any")
        )
        for family, sub in per_cycle[per_cycle["touched"]].groupby(level="family", sort=True):
            sub = sub.sort_index(level="cycle")
            worse = (sub["after"] - sub["before"]).to_numpy(float)
            streak = 0
            for value in worse[::-1]:
                if value <= 0:
                    break
                streak += 1
            if streak >= run:
                stamps = list(sub.index.get_level_values("cycle")[-streak:])
                every = sorted(per_cycle.loc[family].index)  # the family's cycles with vintages, touched or not
                running = every[-streak:] == stamps
                cycles = [pd.Timestamp(c).strftime("%Y-%m") for c in stamps]
                added = float(worse[-streak:].sum())
                when = (
                    f"worse {streak} cycles running ({cycles[0]} to {cycles[-1]})"
                    if running
                    else f"worse in each of the last {streak} cycles where they changed it ({', '.join(cycles)})"
                )
                out.append(
                    {
                        "family": family,
                        "layer": layer,
                        "label": label,
                        "cycles": ", ".join(cycles),
                        "added_error": added,
                        "message": f"{label} overrides made the {family} forecast {when}: "
                        f"{added:,.0f} units of absolute error added.",
                    }
                )
        previous_step = step
    return pd.DataFrame(out, columns=EXCEPTION_COLUMNS)
