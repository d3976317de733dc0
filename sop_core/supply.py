"""Supply review calculations: the demand/supply gap and rough-cut capacity load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import calc
from .conventions import DEFAULT_WARNING_UTILISATION, EPS
from .facts import Facts, read_facts
from .months import add_months, month_column
from .plan_data import version_plan_of
from .plans import resolve_cycle
from .store import Store

GAP_COLUMNS = [
    "family",
    "strategy",
    "month",
    "demand",
    "supply",
    "opening_inventory",
    "ending_inventory",
    "backorders",
    "backlog",
    "days_of_supply",
    "min_days",
    "max_days",
    "gap",
    "status",
]
CAPACITY_COLUMNS = ["resource", "month", "load_hours", "available_hours", "utilisation", "status"]
_OPENING_KINDS = ("inventory", "orders", "sales", "backlog")  # the actuals an opening position reads


def opening_positions(store: Store, cycle: dt.date, families: Sequence[str] | None = None) -> pd.DataFrame:
    """Per family, the position the plan of ``cycle`` starts from (see :func:`opening_positions_from`)."""
    return opening_positions_from(read_facts(store, cycle, families, parts={"actuals"}, actual_kinds=_OPENING_KINDS))


def opening_positions_from(facts: Facts) -> pd.DataFrame:
    """Per family of the facts' master, the position the plan of the facts' cycle starts from.

    Columns ``family, inventory, backorders, backlog``: the month-end inventory
    count (make-to-stock) or backlog (make-to-order) of the month before the
    cycle (0 when not loaded), and for make-to-stock the open backorders,
    taken as cumulative orders minus shipments over the loaded history before
    the cycle (0 when orders are not loaded).
    """
    if facts.cycle is None:
        return pd.DataFrame(columns=["family", "inventory", "backorders", "backlog"])
    actuals, names = facts.actuals, facts.master["family"]
    codes = pd.Index(names).get_indexer(actuals["family"])  # -1: not a family of the master
    months, kinds = actuals["month"].to_numpy(), actuals["kind"].to_numpy()
    before = (codes >= 0) & (months < np.datetime64(facts.cycle))
    last = months == np.datetime64(add_months(facts.cycle, -1))
    quantity = actuals["quantity"].to_numpy(float)

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=quantity[mask], minlength=len(names))

    has_orders = np.bincount(codes[before & (kinds == "orders")], minlength=len(names)) > 0
    backorders = np.maximum(total(before & (kinds == "orders")) - total(before & (kinds == "sales")), 0.0)
    return pd.DataFrame(
        {
            "family": names.to_numpy(),
            "inventory": total(before & last & (kinds == "inventory")),
            "backorders": np.where(has_orders, backorders, 0.0),
            "backlog": total(before & last & (kinds == "backlog")),
        }
    )


def demand_supply_gap(
    store: Store, cycle: dt.date | str | None = None, families: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per family and month of the plan of ``cycle``: demand, supply, projected stock and the gap.

    ``cycle=None`` is the latest plan version (the draft under review). See
    :func:`demand_supply_gap_from` for the definitions.
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        return pd.DataFrame(columns=GAP_COLUMNS)
    facts = read_facts(
        store, chosen, families, parts={"plans", "actuals"}, plans=("demand", "production"), actual_kinds=_OPENING_KINDS
    )
    return demand_supply_gap_from(facts)


def demand_supply_gap_from(facts: Facts) -> pd.DataFrame:
    """Per family and month of the plan of the facts' cycle: demand, supply, projected stock and the gap.

    Demand is the demand plan (all regions), supply the production plan; ``gap = supply −
    demand`` (negative: a shortfall in that month).

    * Make-to-stock: inventory is projected from the opening position
      (:func:`opening_positions_from`); it never goes below zero, and unmet demand
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
    if facts.cycle is None:
        return pd.DataFrame(columns=GAP_COLUMNS)
    demand = version_plan_of(facts, "demand", facts.cycle, all_regions=True).rename(columns={"plan": "demand"})
    supply = version_plan_of(facts, "production", facts.cycle, all_regions=True).rename(columns={"plan": "supply"})
    frame = demand.merge(supply, on=["family", "month"], how="outer").fillna({"demand": 0.0, "supply": 0.0})
    master = facts.master.set_index("family")
    opening = opening_positions_from(facts).set_index("family")
    frame = frame[frame["family"].isin(master.index)].sort_values(["family", "month"], ignore_index=True)
    if frame.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    frame["month"] = month_column(frame["month"])
    days = frame["month"].dt.days_in_month.to_numpy(float)
    names = frame["family"].to_numpy()
    demand, supply = frame["demand"].to_numpy(float), frame["supply"].to_numpy(float)
    bounds = np.flatnonzero(np.r_[True, names[1:] != names[:-1], True])
    strategy = master["strategy"].to_dict()
    start = opening.to_dict("index")
    columns: dict[str, list[np.ndarray]] = {}
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
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
        out["backorders"].to_numpy() > EPS,
        "backorder",
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
        return {
            "opening_inventory": zeros,
            "ending_inventory": zeros,
            "backorders": zeros,
            "backlog": backlog,
            "days_of_supply": calc.days_of_supply(backlog, supply, days),
        }
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
    warning threshold (:data:`~sop_core.conventions.DEFAULT_WARNING_UTILISATION` when not set), else ``ok``. ``cycle=None`` is the latest
    plan version; ``families`` restricts the load to those families.
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        return pd.DataFrame(columns=CAPACITY_COLUMNS)
    return capacity_load_from(read_facts(store, chosen, families, parts={"plans", "capacity"}, plans=("production",)))


def capacity_load_from(facts: Facts) -> pd.DataFrame:
    """:func:`capacity_load` of the facts' cycle over facts already read."""
    if facts.cycle is None:
        return pd.DataFrame(columns=CAPACITY_COLUMNS)
    production = version_plan_of(facts, "production", facts.cycle, all_regions=True).rename(
        columns={"plan": "quantity"}
    )
    last = production["month"].max() if len(production) else pd.Timestamp(facts.cycle)
    months = facts.capacity["month"]
    available = facts.capacity[(months >= pd.Timestamp(facts.cycle)) & (months <= last)]
    load = calc.rough_cut_capacity(production, facts.bill, available)
    return with_capacity_status(load, facts.resources)


def with_capacity_status(load: pd.DataFrame, resources: pd.DataFrame) -> pd.DataFrame:
    """Add ``status`` to a rough-cut load using each resource's warning threshold."""
    warn = (
        load["resource"].map(resources.set_index("resource")["warning_utilisation"]).fillna(DEFAULT_WARNING_UTILISATION)
    )
    util = load["utilisation"]
    load = load.copy()
    load["month"] = month_column(load["month"])
    load["status"] = np.where(util > 1.0 + EPS, "overload", np.where(util >= warn, "warning", "ok"))
    return load[CAPACITY_COLUMNS]
