"""Reads shared by the calculations: master data, the plan of record and a version's plan.

The *plan of record* for a month is the plan of the latest approved version
whose cycle is at or before that month (the frozen plan the month was run
against), among versions up to a chosen cycle; months after that cycle take the
chosen version's own plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from .store import Store, filter_list

# Demand actuals: shipments for make-to-stock, incoming orders for make-to-order.
DEMAND_ACTUAL_SQL = "CASE WHEN f.strategy = 'mto' THEN 'orders' ELSE 'sales' END"
# Stock actuals: on-hand inventory for make-to-stock, backlog for make-to-order.
STOCK_ACTUAL_SQL = "CASE WHEN f.strategy = 'mto' THEN 'backlog' ELSE 'inventory' END"

_PLAN_SQL = {
    # Table names are fixed here and chosen by key, never taken from input.
    "demand": "SELECT cycle, family, month, sum(quantity) AS quantity FROM demand_plan "
              "WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], region) GROUP BY ALL",
    # The two region parameters are bound but unused for plans kept per family.
    "production": "SELECT cycle, family, month, quantity FROM production_plan WHERE ? IS NULL OR ? IS NULL",
    "inventory": "SELECT cycle, family, month, quantity FROM inventory_plan WHERE ? IS NULL OR ? IS NULL",
}


def families(store: Store, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The family master (optionally only ``names``), sorted by family."""
    return store.query(
        "SELECT * FROM families WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family) "
        "ORDER BY family",
        [filter_list(names), filter_list(names)],
    )


def plan_of_record(
    store: Store,
    plan: str,
    cycle: dt.date,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``family, month, plan``: per month, the latest approved plan at or before it (≤ ``cycle``).

    ``plan`` is ``demand``, ``production`` or ``inventory``; ``regions`` filters
    the demand plan. The version of ``cycle`` itself counts even as a draft.
    """
    source = _PLAN_SQL[plan]
    sql = f"""
        WITH p AS ({source})
        SELECT p.family, p.month, arg_max(p.quantity, p.cycle) AS plan
        FROM p JOIN plan_versions v ON v.cycle = p.cycle
        WHERE p.cycle <= p.month AND p.cycle <= ?
          AND (v.status = 'approved' OR v.cycle = ?)
          AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], p.family))
        GROUP BY p.family, p.month ORDER BY p.family, p.month"""  # source is a fixed fragment
    return store.query(sql, [filter_list(regions), filter_list(regions), cycle, cycle, filter_list(families), filter_list(families)])


def version_plan(
    store: Store,
    plan: str,
    cycle: dt.date,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``family, month, plan``: the plan of one version (``plan`` as in :func:`plan_of_record`)."""
    source = _PLAN_SQL[plan]
    sql = f"""
        WITH p AS ({source})
        SELECT family, month, quantity AS plan FROM p
        WHERE cycle = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], family))
        ORDER BY family, month"""  # source is a fixed fragment
    return store.query(sql, [filter_list(regions), filter_list(regions), cycle, filter_list(families), filter_list(families)])


def stock_actuals(store: Store, families: Sequence[str] | None = None) -> pd.DataFrame:
    """``family, month, actual``: month-end inventory (make-to-stock) or backlog (make-to-order)."""
    return _typed_actuals(store, STOCK_ACTUAL_SQL, families, None)


def demand_actuals(
    store: Store, families: Sequence[str] | None = None, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """``family, month, actual``: shipments (make-to-stock) or orders (make-to-order)."""
    return _typed_actuals(store, DEMAND_ACTUAL_SQL, families, regions)


def production_actuals(store: Store, families: Sequence[str] | None = None) -> pd.DataFrame:
    """``family, month, actual``: produced quantity."""
    return _typed_actuals(store, "'production'", families, None)


def _typed_actuals(store: Store, kind_sql: str, fams: Sequence[str] | None, regions: Sequence[str] | None) -> pd.DataFrame:
    sql = f"""
        SELECT a.family, a.month, sum(a.quantity) AS actual
        FROM actuals_monthly a JOIN families f USING (family)
        WHERE a.kind = {kind_sql}
          AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], a.family))
          AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], a.region))
        GROUP BY ALL ORDER BY a.family, a.month"""  # kind_sql is one of the fixed fragments above
    return store.query(sql, [filter_list(fams), filter_list(fams), filter_list(regions), filter_list(regions)])


def calendar(store: Store) -> pd.DataFrame:
    """``month, working_days``."""
    return store.query("SELECT month, working_days FROM calendar ORDER BY month")

