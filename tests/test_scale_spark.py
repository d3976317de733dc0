"""Parity on Spark ``local[2]``: the rollup equals DuckDB's exactly, the baseline equals the local one.

One Spark session for the module (it takes ~10 s to start). Without Java or pyspark (or sqlglot) the
tests skip locally and fail under ``CI=true`` (``.ci/run`` installs them).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sop_core import Store, open_store
from sop_core.__main__ import main
from sop_core.actuals import insert_actuals
from sop_core.forecast import run_baseline
from sop_core.forecast.select import LOCAL, active_runner, fit_runner
from sop_core.scale.rollup import DuckDBEngine, SparkEngine, monthly_csv, roll_up, rollup
from sop_core.scale.rollup_sql import LEVELS
from sop_core.scale.session import SPARK_ENV, spark_missing, spark_session
from sop_core.scale.spark_forecast import SparkRunner
from sop_core.scale.synthetic import transactions, write_transactions
from tests.support.people import EVERYONE

SKUS = ["A1", "A2", "A3", "B1"]
RTOL = 1e-6


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    missing = spark_missing() or (None if importlib.util.find_spec("sqlglot") else "sqlglot is not installed")
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Spark parity tests cannot run under CI: {missing}")
        pytest.skip(missing)
    session = spark_session("local[2]", "sop_core parity tests")
    yield session
    session.stop()


def _store() -> Store:
    store = open_store(":memory:")
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5), ('B', 'mto', 'units', 5, 3, 10, 40, 5)"
        )
        cur.executemany("INSERT INTO products VALUES (?, ?, '')", [[s, s[0]] for s in SKUS])
        cur.execute("INSERT INTO regions VALUES ('N', 'north'), ('S', 'south')")
        cur.execute("INSERT INTO plan_versions (cycle, status) VALUES (DATE '2026-01-01', 'draft')")
    return store


def _rows(table: pa.Table) -> list[tuple]:
    """Rows as Python values: dates, text, ints and Decimals compare by value (2 == Decimal('2'))."""
    return [tuple(row.values()) for row in table.to_pylist()]


def test_rollup_on_spark_equals_duckdb_exactly(spark, tmp_path, db_path, capsys):
    table = transactions(SKUS, ["N", "S"], dt.date(2025, 1, 1), 12, 5_000, seed=5)
    folder = tmp_path / "lake"
    write_transactions(folder, table, files=4)
    store = _store()
    for level in LEVELS:
        local = roll_up(DuckDBEngine(store), str(folder), "sales", level)
        remote = roll_up(SparkEngine(spark, store), str(folder), "sales", level)
        assert remote.table.column_names == local.table.column_names
        assert pa.types.is_decimal(remote.table.schema.field("revenue").type)
        assert _rows(remote.table) == _rows(local.table)  # keys, quantities, decimal revenue, row counts
        assert remote.transactions == local.transactions == table.num_rows
        assert monthly_csv(remote) == monthly_csv(local)  # what the importer reads: byte for byte
    loaded = rollup(store, str(folder), "sales", actor=EVERYONE)
    assert loaded.status == "committed", loaded.to_text()
    again = rollup(store, str(folder), "sales", actor=EVERYONE, spark=spark)
    assert again.status == "already_loaded", again.to_text()  # same bytes from Spark: nothing changes
    store.close()
    # The command line with --spark (the running session is reused).
    with open_store(db_path) as s, s.transaction() as cur:
        cur.execute("INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5)")
        cur.execute("INSERT INTO products VALUES ('A1', 'A', ''), ('A2', 'A', ''), ('A3', 'A', ''), ('B1', 'A', '')")
        cur.execute("INSERT INTO regions VALUES ('N', 'north'), ('S', 'south')")
    assert (
        main(["rollup", str(folder), "--kind", "orders", "--level", "family", "--spark", "local[2]", "--db", db_path])
        == 0
    )
    out = capsys.readouterr().out
    assert "COMMITTED" in out and "at family level on spark" in out


class CountingSpark:
    """The Spark runner, counting the calls that reached Spark."""

    def __init__(self, spark: Any) -> None:
        self.inner = SparkRunner(spark)
        self.distributed = True
        self.calls = 0

    def cross_validation(self, *args: Any) -> pd.DataFrame:
        self.calls += 1
        return self.inner.cross_validation(*args)

    def forecast(self, *args: Any) -> pd.DataFrame:
        self.calls += 1
        return self.inner.forecast(*args)


def _history(store: Store) -> None:
    """Seasonal, trending, zero-month, intermittent and new series: every class and both candidate sets."""
    rng = np.random.default_rng(6)
    months = pd.date_range("2023-01-01", "2025-12-01", freq="MS")
    rows = []
    for i, m in enumerate(months):
        season = 1 + 0.3 * np.sin(2 * np.pi * m.month / 12)
        rows.append(("sales", m, "A1", None, "N", round(200 * season * rng.normal(1, 0.08), 1)))
        rows.append(("sales", m, "A2", None, "N", round((40 + i) * rng.normal(1, 0.1), 1)))
        rows.append(("sales", m, "A3", None, "S", 0.0 if i % 7 == 0 else round(30 * season * rng.normal(1, 0.2), 1)))
        rows.append(("orders", m, "B1", None, "N", float(rng.poisson(0.7))))
        if i >= 32:
            rows.append(("sales", m, "A2", None, "S", 12.0 + i))
    insert_actuals(store.cursor(), pd.DataFrame(rows, columns=["kind", "month", "sku", "family", "region", "quantity"]))


def test_the_setting_puts_the_fits_on_spark(spark, monkeypatch):
    monkeypatch.setenv(SPARK_ENV, "local[2]")
    assert isinstance(active_runner(), SparkRunner)  # the running session, reused
    with fit_runner(LOCAL):
        assert active_runner() is LOCAL  # an explicit runner wins
    monkeypatch.delenv(SPARK_ENV)
    assert active_runner() is LOCAL


def test_baseline_on_spark_equals_local_within_tolerance(spark):
    stores = [_store(), _store()]
    for store in stores:
        _history(store)
    with fit_runner(LOCAL):
        run_baseline(stores[0], "2026-01", 6, actor=EVERYONE)
    counting = CountingSpark(spark)
    with fit_runner(counting):
        run_baseline(stores[1], "2026-01", 6, actor=EVERYONE)
    assert counting.calls >= 4
    query = """SELECT b.family, b.sku, b.region, b.month, b.forecast, b.lo80, b.hi80, b.lo95, b.hi95,
                      m.model, m.holdout_mase, m.series_class
               FROM forecast_baseline b JOIN forecast_models m USING (cycle, family, sku, region)
               ORDER BY b.family, b.sku, b.region, b.month"""
    local, remote = (s.query(query) for s in stores)
    assert len(local) == 5 * 6 and set(local["series_class"]) >= {"regular", "intermittent", "short"}
    keys = ["family", "sku", "region", "month", "model", "series_class"]
    pd.testing.assert_frame_equal(remote[keys], local[keys])
    values = ["forecast", "lo80", "hi80", "lo95", "hi95", "holdout_mase"]
    np.testing.assert_allclose(remote[values].to_numpy(float), local[values].to_numpy(float), rtol=RTOL, atol=0)
    for store in stores:
        store.close()
