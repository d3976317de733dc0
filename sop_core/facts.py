"""Store facts: every read the analytics need, done once per cycle and filters.

A :class:`Facts` holds, for one plan cycle, the chosen families and regions,
the frames that plan vs actual, the demand/supply gap, capacity, finance and
forecast accuracy are computed from (see :mod:`sop_core.plan_data` for the pure
selections over them). :func:`read_facts` fetches them in a handful of
statements; the store-taking analytics read only the parts they need and the
review bundle reads them all at once, so both run the same pure code.

The frames (months are dates of the first day, as ``datetime64``):

* ``master`` — the family master of the chosen families;
* ``record`` — ``plan, family, region, month, total, selected``: the plan of
  record (latest approved version at or before the month, among versions up to
  the cycle; the cycle's own version counts even as a draft). ``region`` is
  null on the family rows: ``total`` over all regions, ``selected`` over the
  chosen regions (null when none of them has a row). Demand rows per region,
  for the ``region_months`` closed months before the cycle, follow with the
  region set;
* ``plans`` — ``plan, cycle, family, month, lag, approved, total, selected``: the
  rows of the cycle's version, optionally the previous cycle's demand plan, and
  the approved demand plan at each of ``lags`` (``lag`` = month − cycle in months);
* ``actuals`` — ``kind, family, region, month, quantity, revenue``: the monthly
  rollup rows of the chosen families (per region, as loaded);
* ``budget`` — ``family, month, budget_volume, budget_revenue``: per month the
  budget of the latest version at or before the cycle that has one;
* ``bill``, ``capacity`` (``resource, month, hours``, from the cycle on) and
  ``resources`` (``resource, warning_utilisation``).

``plan`` is ``demand``, ``production`` or ``inventory`` (planned ending
inventory, or backlog for make-to-order). Plans kept per family (production,
inventory) have ``selected`` = ``total``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd

from .actuals import ACTUAL_KINDS
from .months import add_months
from .plans import plan_versions
from .store import Store, filter_list, write_generation

PLAN_KINDS = ("demand", "production", "inventory")
PARTS = frozenset({"record", "plans", "actuals", "budget", "capacity"})
# The columns of each frame, so that a part left unread is an empty frame of the right shape.
COLUMNS = {
    "record": ["plan", "family", "region", "month", "total", "selected"],
    "plans": ["plan", "cycle", "family", "month", "lag", "approved", "total", "selected"],
    "actuals": ["kind", "family", "region", "month", "quantity", "revenue"],
    "budget": ["family", "month", "budget_volume", "budget_revenue"],
    "bill": ["family", "resource", "hours_per_unit"],
    "capacity": ["resource", "month", "hours"],
    "resources": ["resource", "warning_utilisation"],
}
# The frame of a part left unread (shared: the analytics never change the facts' frames).
_EMPTY = {name: pd.DataFrame(columns=columns) for name, columns in COLUMNS.items()}

# SQL below is assembled from the fixed fragments of this module only, chosen by key or by whether a
# filter is set; every value is bound as a named parameter.
_TABLES = {"demand": "demand_plan", "production": "production_plan", "inventory": "inventory_plan"}
_FAMILY = "($families::VARCHAR[] IS NULL OR list_contains($families::VARCHAR[], family))"
_IN_REGIONS = "list_contains($regions::VARCHAR[], region)"
# With a region filter, the demand plan also sums the chosen regions (``chosen``); otherwise ``selected`` = ``total``.
_SUM_CHOSEN = ", sum(quantity) FILTER (WHERE list_contains($regions::VARCHAR[], region)) AS chosen"
_RECORD_CHOSEN = ", arg_max(chosen, cycle) FILTER (WHERE chosen IS NOT NULL) AS chosen"

# Per plan table: the plan of record, per family and month, over all regions and over the chosen ones.
_RECORD_SQL = """
    SELECT '{plan}' AS plan, family, NULL::VARCHAR AS region, month, total, {selected} AS selected
    FROM (SELECT family, month, arg_max(total, cycle) AS total{record_chosen}
          FROM (SELECT s.* FROM (
                    SELECT cycle, family, month, sum(quantity) AS total{sum_chosen}
                    FROM {table} WHERE cycle <= month AND cycle <= $cycle AND {family}
                    GROUP BY cycle, family, month) s
                JOIN plan_versions v ON v.cycle = s.cycle WHERE v.status = 'approved' OR v.cycle = $cycle)
          GROUP BY family, month)"""
# The demand plan of record per region, in the months from $region_from to the cycle.
_RECORD_BY_REGION_SQL = """
    SELECT 'demand' AS plan, family, region, month, arg_max(quantity, cycle) AS total,
           arg_max(quantity, cycle) AS selected
    FROM demand_plan JOIN plan_versions USING (cycle)
    WHERE month >= $region_from AND month < $cycle AND cycle <= month
      AND (status = 'approved' OR cycle = $cycle) AND {family} AND {regions}
    GROUP BY family, region, month"""
_ALL_REGIONS = "region IN (SELECT region FROM regions)"
_ORDER_RECORD = " ORDER BY plan, family, region NULLS FIRST, month"

# Per plan table: the rows of the cycle's version ({which} adds the previous cycle's demand plan and the
# approved demand plan at the chosen lags), summed over all regions and over the chosen ones.
_PLANS_SQL = """
    SELECT '{plan}' AS plan, s.cycle, s.family, s.month, datediff('month', s.cycle, s.month)::INTEGER AS lag,
           coalesce(v.status = 'approved', false) AS approved, s.total, s.{selected} AS selected
    FROM (SELECT cycle, family, month, sum(quantity) AS total{sum_chosen}
          FROM {table} WHERE {family} AND ({which})
          GROUP BY cycle, family, month) s
    LEFT JOIN plan_versions v ON v.cycle = s.cycle
    WHERE s.cycle IN ($cycle, $previous) OR v.status = 'approved'"""
_OF_CYCLE = "cycle = $cycle"
_OF_PREVIOUS = " OR cycle = $previous"
_AT_LAGS = """ OR (list_contains($lags::INTEGER[], datediff('month', cycle, month)::INTEGER)
                AND ($lag_from::DATE IS NULL OR month >= $lag_from::DATE)
                AND ($cycle::DATE IS NULL OR month < $cycle::DATE))"""
_ORDER_PLANS = " ORDER BY plan, cycle, family, month"


def _bind(sql: str, values: dict[str, object]) -> dict[str, object]:
    """The named parameters ``sql`` uses, from ``values`` (DuckDB refuses unused ones)."""
    return {name: values[name] for name in dict.fromkeys(re.findall(r"\$(\w+)", sql))}


@dataclass(frozen=True)
class Facts:
    """The frames the analytics of one cycle and filters are computed from (see the module doc)."""

    cycle: dt.date | None
    regions: tuple[str, ...] | None
    master: pd.DataFrame
    record: pd.DataFrame
    plans: pd.DataFrame
    actuals: pd.DataFrame
    budget: pd.DataFrame
    bill: pd.DataFrame
    capacity: pd.DataFrame
    resources: pd.DataFrame


def read_facts(
    store: Store,
    cycle: dt.date | None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    *,
    parts: Collection[str] = PARTS,
    plans: Collection[str] = PLAN_KINDS,
    actual_kinds: Collection[str] = ACTUAL_KINDS,
    previous: bool = False,
    lags: Sequence[int] = (),
    lag_months: int | None = None,
    region_months: int = 0,
) -> Facts:
    """Read the facts of ``cycle`` (a month, already resolved) for ``families`` and ``regions`` (``None``: all).

    ``parts`` names the frames to read (others are left empty): ``record``,
    ``plans``, ``actuals``, ``budget``, ``capacity`` (bill, capacity and
    resources); the master is always read. ``plans`` limits the plan tables,
    ``actual_kinds`` the actuals. ``previous`` adds the demand plan of the
    previous cycle's version to ``plans``, ``lags`` the approved demand plan at
    those lags to ``plans`` (for the ``lag_months`` months before the cycle;
    all months when ``cycle`` or ``lag_months`` is ``None``); ``region_months``
    adds per-region demand plan of record for that many closed months.
    One statement per part (three for ``capacity``) plus the master.
    """
    fams, regs = filter_list(families), filter_list(regions)
    wanted = [p for p in PLAN_KINDS if p in plans]
    values: dict[str, object] = {
        "cycle": cycle,
        "previous": add_months(cycle, -1) if cycle else None,
        "families": fams,
        "regions": regs,
        "region_from": add_months(cycle, -region_months) if cycle else None,
        "lags": list(lags),
        "lag_from": add_months(cycle, -lag_months) if cycle and lag_months is not None else None,
    }

    def chosen(plan: str) -> bool:  # does ``selected`` differ from ``total``?
        return plan == "demand" and regs is not None

    frames = dict(_EMPTY)
    if "record" in parts and wanted and cycle is not None:
        branches = [
            _RECORD_SQL.format(
                plan=p,
                table=_TABLES[p],
                family=_FAMILY,
                sum_chosen=_SUM_CHOSEN if chosen(p) else "",
                record_chosen=_RECORD_CHOSEN if chosen(p) else "",
                selected="chosen" if chosen(p) else "total",
            )
            for p in wanted
        ]
        if region_months > 0 and "demand" in wanted:
            branches.append(
                _RECORD_BY_REGION_SQL.format(family=_FAMILY, regions=_IN_REGIONS if regs is not None else _ALL_REGIONS)
            )
        sql = " UNION ALL ".join(branches) + _ORDER_RECORD  # fixed fragments (see above); values are bound
        frames["record"] = store.query(sql, _bind(sql, values))
    if "plans" in parts and wanted:
        sql = (
            " UNION ALL ".join(
                _PLANS_SQL.format(
                    plan=p,
                    table=_TABLES[p],
                    family=_FAMILY,
                    sum_chosen=_SUM_CHOSEN if chosen(p) else "",
                    selected="chosen" if chosen(p) else "total",
                    which=_OF_CYCLE
                    + (_OF_PREVIOUS if previous and p == "demand" else "")
                    + (_AT_LAGS if lags and p == "demand" else ""),
                )
                for p in wanted
            )
            + _ORDER_PLANS
        )  # fixed fragments (see above); values are bound
        frames["plans"] = store.query(sql, _bind(sql, values))
    if "actuals" in parts:
        frames["actuals"] = read_actuals(store, families, actual_kinds)
    if "budget" in parts and cycle is not None:
        frames["budget"] = store.query(
            """SELECT family, month, arg_max(volume, cycle) AS budget_volume,
                      arg_max(revenue, cycle) AS budget_revenue
               FROM budget WHERE cycle <= ?
                 AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family))
               GROUP BY family, month""",
            [cycle, fams, fams],
        )
    if "capacity" in parts:
        frames["bill"] = store.query("SELECT family, resource, hours_per_unit FROM bill_of_resources")
        frames["capacity"] = store.query(
            "SELECT resource, month, available_hours AS hours FROM capacity WHERE ?::DATE IS NULL OR month >= ?",
            [cycle, cycle],
        )
        frames["resources"] = store.query("SELECT resource, warning_utilisation FROM resources")
    return Facts(cycle, tuple(regions) if regions is not None else None, read_master(store, families), **frames)


def read_master(store: Store, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The family master (optionally only ``names``), sorted by family."""
    return store.query(
        "SELECT * FROM families WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family) ORDER BY family",
        [filter_list(names), filter_list(names)],
    )


def read_actuals(
    store: Store, families: Sequence[str] | None = None, kinds: Collection[str] = ACTUAL_KINDS
) -> pd.DataFrame:
    """``kind, family, region, month, quantity, revenue``: the monthly rollup rows of master families."""
    fams = filter_list(families)
    return store.query(
        """SELECT kind, family, region, month, quantity, revenue FROM actuals_monthly
           WHERE list_contains(?::VARCHAR[], kind) AND family IN (SELECT family FROM families)
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family))
           ORDER BY kind, family, region, month""",
        [list(kinds), fams, fams],
    )


# ---------------------------------------------------------------- small store facts
def cycles(store: Store) -> list[dt.date]:
    """Plan cycles, newest first."""
    return [pd.Timestamp(c).date() for c in plan_versions(store)["cycle"]]


def family_names(store: Store) -> list[str]:
    """All family names, sorted."""
    return read_master(store)["family"].tolist()


def region_names(store: Store) -> list[str]:
    """All region names, sorted."""
    return store.query("SELECT region FROM regions ORDER BY region")["region"].tolist()


def currency(store: Store) -> str:
    """The store's currency code (``EUR`` when not set)."""
    return str(store.scalar("SELECT value FROM settings WHERE key = 'currency'") or "EUR")


def data_stamp(store: Store) -> str:
    """The one cache key of the pages: changes with every committed write (upload, plan write, approval,
    cycle step, register edit, override save, baseline run…); no statement at all.

    Every write commits through :func:`sop_core.store.transaction_on`, which counts commits per process
    (:func:`~sop_core.store.write_generation`); while the app holds the store no other process can write
    it, and scheduled loads run inside the app (``sop_core.jobs``). The counts of a dozen tables and a
    hash of the draft plan this replaced cost 8–20 ms per page run (issue 9, bench/ui.py).
    """
    return f"{store.opened}-{write_generation()}"


def registers_stamp(store: Store) -> str:
    """:func:`data_stamp` that also moves with the decision and assumption registers: the key of what reads them
    (the cycle page, the agenda, overdue items). A register edit leaves the review pages' caches valid."""
    return f"{data_stamp(store)}-{write_generation('registers')}"
