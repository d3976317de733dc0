"""The review bundle reads the store once: a few statements per bundle, and the same frames as the store path.

A counting proxy stands between the Store and DuckDB: every ``execute`` /
``executemany`` / ``sql`` / ``query`` on the connection or on any cursor taken
from it is recorded, so ``Store.query``/``Store.scalar``/``Store.cursor`` and
transactions are all seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import pytest

from sop_core import (
    capacity_load,
    demand_supply_gap,
    finance,
    forecast_pairs,
    load_demo,
    plan_vs_actual,
)
from sop_core.accuracy import accuracy_by_family
from sop_core.conventions import PLAN_HORIZON_MONTHS
from sop_core.months import add_months, month_window
from sop_core.plan_data import demand_actuals, version_plan
from sop_core.review import ACCURACY_HISTORY, ACCURACY_LAGS, ACCURACY_MONTHS, Review, load_review, region_names
from sop_core.store import Store, migrate
from tests.support.stores import DEMO_AS_OF

MAX_STATEMENTS = 12
_COUNTED = ("execute", "executemany", "sql", "query")


class _Counting:
    """A DuckDB connection or cursor whose statements are appended to ``log``; everything else passes through."""

    def __init__(self, target: Any, log: list[str]) -> None:
        self._target, self._log = target, log

    def cursor(self) -> _Counting:
        return _Counting(self._target.cursor(), self._log)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name not in _COUNTED:
            return attr

        def counted(sql: str, *args: Any, **kwargs: Any) -> Any:
            self._log.append(" ".join(str(sql).split()))
            return attr(sql, *args, **kwargs)

        return counted


@pytest.fixture(scope="module")
def counted() -> Iterator[tuple[Store, list[str]]]:
    """The demo company in a store whose every statement is logged."""
    log: list[str] = []
    con = duckdb.connect(":memory:")
    store = Store(_Counting(con, log), ":memory:")  # type: ignore[arg-type]  # a counting stand-in for the connection
    migrate(store)
    load_demo(store, as_of=DEMO_AS_OF)
    yield store, log
    con.close()


def _statements(log: list[str], build: Any) -> tuple[Any, list[str]]:
    start = len(log)
    result = build()
    return result, log[start:]


VIEWS = [
    {},
    {"families": ["Filters", "Custom Skids"], "regions": ["Europe"], "horizon": 6},
    {"cycle": dt.date(2025, 11, 1), "horizon": PLAN_HORIZON_MONTHS},
]


@pytest.mark.parametrize("view", VIEWS)
def test_one_bundle_reads_the_store_in_a_few_statements(counted, view):
    store, log = counted
    view = dict(view)
    review, statements = _statements(log, lambda: load_review(store, view.pop("cycle", None), **view))
    assert not review.empty
    assert 0 < len(statements) <= MAX_STATEMENTS, "\n".join(statements)


def test_the_counter_sees_a_chatty_path(counted):
    """The store-taking functions, one call per frame (the old way to build a bundle), run far more statements."""
    store, log = counted
    _, statements = _statements(log, lambda: _store_path(store, load_review(store, None), None, None))
    assert len(statements) > 3 * MAX_STATEMENTS


def _store_path(
    store: Store, review: Review, families: list[str] | None, regions: list[str] | None
) -> dict[str, pd.DataFrame]:
    """The bundle's frames as the per-function store path computes them."""
    cycle, start, end = review.cycle, review.months[0], review.months[-1]
    closed = add_months(cycle, -1)
    fin_start, fin_end = min(start, dt.date(cycle.year, 1, 1)), max(end, dt.date(cycle.year, 12, 1))
    frames = {
        "sales": month_window(plan_vs_actual(store, "sales", cycle, families, regions), start, end),
        "production": month_window(plan_vs_actual(store, "production", cycle, families), start, end),
        "stock": month_window(plan_vs_actual(store, "inventory", cycle, families), start, end),
        "gap": month_window(demand_supply_gap(store, cycle, families), cycle, end),
        "capacity": month_window(capacity_load(store, cycle, families), cycle, end),
        "finance": month_window(finance(store, cycle, families), fin_start, fin_end),
        "pairs": month_window(
            forecast_pairs(store, 1, families, regions), add_months(cycle, -ACCURACY_HISTORY), closed
        ),
    }
    frames["accuracy"] = pd.concat(
        [
            accuracy_by_family(
                month_window(
                    forecast_pairs(store, lag, families, regions), add_months(cycle, -ACCURACY_HISTORY), closed
                )
            ).assign(lag=lag)
            for lag in ACCURACY_LAGS
        ],
        ignore_index=True,
    )
    parts = []
    for region in regions or region_names(store):
        pva = month_window(
            plan_vs_actual(store, "sales", cycle, families, [region]), add_months(cycle, -ACCURACY_MONTHS), closed
        ).dropna(subset=["actual"])
        parts.append(pva.groupby("family", as_index=False)[["plan", "actual"]].sum().assign(region=region))
    frames["regions"] = pd.concat(parts, ignore_index=True)
    outlook = version_plan(store, "demand", cycle, families, regions)
    previous = (
        version_plan(store, "demand", review.previous_cycle, families, regions)
        if review.previous_cycle
        else outlook.iloc[:0]
    )
    last = demand_actuals(store, families, regions)
    last = last.assign(month=last["month"] + pd.DateOffset(months=12))
    frames["outlook"] = month_window(
        outlook.merge(previous.rename(columns={"plan": "previous_plan"}), on=["family", "month"], how="left").merge(
            last.rename(columns={"actual": "last_year"}), on=["family", "month"], how="left"
        ),
        cycle,
        end,
    )
    return frames


def _same(bundle: pd.DataFrame, path: pd.DataFrame, keys: list[str], name: str) -> None:
    columns = [c for c in path.columns if c in bundle.columns]
    left = bundle[columns].sort_values(keys, ignore_index=True)
    right = path[columns].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False, check_exact=False, rtol=1e-9, obj=name)


@pytest.mark.parametrize(
    "view",
    [
        {"cycle": None, "families": None, "regions": None, "horizon": 12},
        {"cycle": None, "families": ["Filters", "Custom Skids"], "regions": ["Europe"], "horizon": 6},
        {
            "cycle": dt.date(2025, 11, 1),
            "families": ["Compact Pumps", "Engineered Systems"],
            "regions": ["Asia Pacific", "North America"],
            "horizon": PLAN_HORIZON_MONTHS,
        },
    ],
)
def test_the_bundle_equals_the_store_path(demo_store, view):
    review = load_review(demo_store, view["cycle"], view["families"], view["regions"], view["horizon"])
    path = _store_path(demo_store, review, view["families"], view["regions"])
    keys = {"capacity": ["resource", "month"], "accuracy": ["lag", "family"], "regions": ["region", "family"]}
    for name, frame in path.items():
        assert not frame.empty, name
        _same(getattr(review, name), frame, keys.get(name, ["family", "month"]), name)
    assert review.previous_cycle == add_months(review.cycle, -1)
    regional = review.regions.assign(check=review.regions["plan"] * (1 + review.regions["deviation_pct"]))
    assert regional["check"].to_numpy() == pytest.approx(regional["actual"].to_numpy())


def test_the_data_stamp_runs_no_statement_and_moves_with_every_commit(counted):
    """The pages' cache key: free to read, new after a committed write, unchanged by a read or a rolled-back write."""
    from sop_core.facts import data_stamp

    store, log = counted
    first, statements = _statements(log, lambda: data_stamp(store))
    assert statements == []
    store.query("SELECT count(*) FROM actuals")
    assert data_stamp(store) == first
    with pytest.raises(RuntimeError), store.transaction() as cur:
        cur.execute("UPDATE settings SET value = value WHERE key = 'currency'")
        raise RuntimeError("rolled back")
    assert data_stamp(store) == first
    with store.transaction() as cur:
        cur.execute("UPDATE settings SET value = value WHERE key = 'currency'")
    assert data_stamp(store) != first


def test_two_opens_of_one_path_have_different_stamps(tmp_path):
    """A store file replaced under the same path (a test's copy, a restored backup) never reuses a cache key."""
    from sop_core import open_store
    from sop_core.facts import data_stamp

    path = tmp_path / "sop.duckdb"
    with open_store(path) as store:
        first = data_stamp(store)
    with open_store(path) as store:
        assert data_stamp(store) != first


def test_a_register_edit_keeps_the_review_caches_and_moves_the_cycle_caches(counted):
    """Decisions and assumptions are not review facts: their writes move only the registers stamp."""
    from sop_core.facts import data_stamp, registers_stamp

    store, _ = counted
    data, registers = data_stamp(store), registers_stamp(store)
    with store.transaction("registers") as cur:
        cur.execute("UPDATE settings SET value = value WHERE key = 'currency'")
    assert data_stamp(store) == data and registers_stamp(store) != registers
    registers = registers_stamp(store)
    with store.transaction() as cur:  # any other write moves both
        cur.execute("UPDATE settings SET value = value WHERE key = 'currency'")
    assert data_stamp(store) != data and registers_stamp(store) != registers
