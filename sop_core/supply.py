"""Supply review calculations: the demand/supply gap and rough-cut capacity load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import calc, plan_data
from .months import add_months
from .plans import resolve_cycle
from .store import Store, filter_list

GAP_COLUMNS = [
    "family", "strategy", "month", "demand", "supply", "opening_inventory", "ending_inventory",
    "backorders", "backlog", "days_of_supply", "min_days", "max_days", "gap", "status",
]
CAPACITY_COLUMNS = ["resource", "month", "load_hours", "available_hours", "utilisation", "status"]


def opening_positions(store: Store, cycle: dt.date, families: Sequence[str] | None = None) -> pd.DataFrame:
    """Per family, the position the plan of ``cycle`` starts from (the month before it).

    Columns ``family, inventory, backorders, backlog``: the month-end inventory
    count (make-to-stock) or backlog (make-to-order) of the month before the
    cycle (0 when not loaded), and for make-to-stock the open backorders,
    taken as cumulative orders minus shipments over the loaded history (0 when
    orders are not loaded).
    """
    return store.query(
        """WITH a AS (
               SELECT family, kind, month, sum(quantity) AS q FROM actuals_monthly
               WHERE month < ? GROUP BY ALL)
           SELECT f.family,
                  coalesce(sum(q) FILTER (kind = 'inventory' AND month = ?), 0) AS inventory,
                  greatest(0, coalesce(sum(q) FILTER (kind = 'orders'), 0)
                              - coalesce(sum(q) FILTER (kind = 'sales'), 0))
                      * (count(*) FILTER (kind = 'orders') > 0)::INT AS backorders,
                  coalesce(sum(q) FILTER (kind = 'backlog' AND month = ?), 0) AS backlog
           FROM families f LEFT JOIN a USING (family)
           WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], f.family)
           GROUP BY f.family ORDER BY f.family""",
        [cycle, add_months(cycle, -1), add_months(cycle, -1), filter_list(families), filter_list(families)],
    )


def demand_supply_gap(
    store: Store, cycle: dt.date | str | None = None, families: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per family and month of the plan of ``cycle``: demand, supply, projected stock and the gap.

    ``cycle=None`` is the latest plan version (the draft under review). Demand is
    the demand plan (all regions), supply the production plan; ``gap = supply −
    demand`` (negative: a shortfall in that month).

    * Make-to-stock: inventory is projected from the opening position
      (:func:`opening_positions`); it never goes below zero, and unmet demand
      is carried as ``backorders`` and served first. ``days_of_supply`` is the
      forward cover of the ending inventory against the following months'
      demand. Status: ``backorder`` when backorders remain, else ``below`` /
      ``above`` the family's days-of-supply range, else ``ok``.
    * Make-to-order: no finished inventory (0); ``backlog = backlog − shipments
      + orders`` where shipments are the planned supply, capped at what is on
      order; ``days_of_supply`` is the backlog cover in days of future
      shipments, judged against the same min/max range (``above``: customers
      wait too long). ``backorders`` is 0 and ``backlog`` NaN for make-to-stock.
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        return pd.DataFrame(columns=GAP_COLUMNS)
    demand = plan_data.version_plan(store, "demand", chosen, families).rename(columns={"plan": "demand"})
    supply = plan_data.version_plan(store, "production", chosen, families).rename(columns={"plan": "supply"})
    frame = demand.merge(supply, on=["family", "month"], how="outer").fillna({"demand": 0.0, "supply": 0.0})
    master = plan_data.families(store, families).set_index("family")
    opening = opening_positions(store, chosen, families).set_index("family")
    frame = frame[frame["family"].isin(master.index)].sort_values(["family", "month"], ignore_index=True)
    if frame.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    frame["month"] = pd.to_datetime(frame["month"])
    days = frame["month"].dt.days_in_month.to_numpy(float)
    names = frame["family"].to_numpy()
    demand, supply = frame["demand"].to_numpy(float), frame["supply"].to_numpy(float)
    bounds = np.flatnonzero(np.r_[True, names[1:] != names[:-1], True])
    strategy = master["strategy"].to_dict()
    start = opening.to_dict("index")
    columns: dict[str, list[np.ndarray]] = {}
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        family = names[lo]
        part = project_family(demand[lo:hi], supply[lo:hi], days[lo:hi], strategy[family], start[family])
        for key, values in part.items():
            columns.setdefault(key, []).append(values)
    out = frame[["family", "month", "demand", "supply"]].copy()
    out["strategy"] = out["family"].map(master["strategy"])
    for key, parts in columns.items():
        out[key] = np.concatenate(parts)
    out["min_days"] = out["family"].map(master["min_days_of_supply"]).astype(float)
    out["max_days"] = out["family"].map(master["max_days_of_supply"]).astype(float)
    out["gap"] = out["supply"] - out["demand"]
    cover = out["days_of_supply"].to_numpy()
    out["status"] = np.where(
        out["backorders"].to_numpy() > 1e-9, "backorder",
        np.where(cover < out["min_days"], "below", np.where(cover > out["max_days"], "above", "ok")),
    )
    return out[GAP_COLUMNS]


def project_family(
    demand: np.ndarray, supply: np.ndarray, days: np.ndarray, strategy: str, opening: Mapping[str, float]
) -> dict[str, np.ndarray]:
    """Project one family's months (arrays aligned by month) from ``opening``
    (``inventory``, ``backorders``, ``backlog``); ``strategy`` is ``mts`` or ``mto``."""
    if strategy == "mto":
        backlog, _ = calc.project_backlog_arrays(float(opening["backlog"]), demand, supply)
        zeros = np.zeros_like(backlog)
        return {"opening_inventory": zeros, "ending_inventory": zeros, "backorders": zeros,
                "backlog": backlog, "days_of_supply": calc.days_of_supply(backlog, supply, days)}
    ending, backorders = calc.project_inventory_arrays(
        float(opening["inventory"]), supply, demand, float(opening["backorders"])
    )
    return {
        "opening_inventory": np.concatenate([[float(opening["inventory"])], ending[:-1]]),
        "ending_inventory": ending,
        "backorders": backorders,
        "backlog": np.full_like(ending, np.nan),
        "days_of_supply": calc.days_of_supply(ending, demand, days),
    }


def capacity_load(
    store: Store, cycle: dt.date | str | None = None, families: Sequence[str] | None = None
) -> pd.DataFrame:
    """Rough-cut capacity of the production plan of ``cycle``: one row per resource and month.

    ``load_hours = Σ production × hours per unit`` over the bill of resources,
    ``utilisation = load / available hours`` (NaN where no hours are available).
    ``status``: ``overload`` above 100 %, ``warning`` at or above the resource's
    warning threshold (default 90 %), else ``ok``. ``cycle=None`` is the latest
    plan version; ``families`` restricts the load to those families.
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        return pd.DataFrame(columns=CAPACITY_COLUMNS)
    production = plan_data.version_plan(store, "production", chosen, families).rename(columns={"plan": "quantity"})
    bill = store.query("SELECT family, resource, hours_per_unit FROM bill_of_resources")
    available = store.query(
        "SELECT resource, month, available_hours AS hours FROM capacity WHERE month >= ? AND month <= ?",
        [chosen, production["month"].max() if len(production) else chosen],
    )
    load = calc.rough_cut_capacity(production, bill, available)
    return with_capacity_status(load, store.query("SELECT resource, warning_utilisation FROM resources"))


def with_capacity_status(load: pd.DataFrame, resources: pd.DataFrame) -> pd.DataFrame:
    """Add ``status`` to a rough-cut load using each resource's warning threshold."""
    warn = load["resource"].map(resources.set_index("resource")["warning_utilisation"]).fillna(0.9)
    util = load["utilisation"]
    load = load.copy()
    load["month"] = pd.to_datetime(load["month"])
    load["status"] = np.where(util > 1.0 + 1e-9, "overload", np.where(util >= warn, "warning", "ok"))
    return load[CAPACITY_COLUMNS]
