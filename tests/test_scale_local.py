"""Scale-out without Spark: the actuals rollup on DuckDB, the one SQL text and its Spark transpilation,
the session settings, the fit-runner hook of the model choice, and the ``rollup`` / ``forecast`` commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from sop_core import Store, open_store
from sop_core.__main__ import main
from sop_core.actuals import insert_actuals
from sop_core.forecast import run_baseline, stored_baseline
from sop_core.forecast.select import LOCAL, fit_runner
from sop_core.importer import revert_upload, upload_history
from sop_core.scale.rollup import DuckDBEngine, roll_up, rollup
from sop_core.scale.rollup_sql import RollupSourceError, match_columns, plan_rollup, spark_text
from sop_core.scale.session import SPARK_ENV, configured_master, local_cores, session_conf
from sop_core.scale.synthetic import transactions, write_transactions
from tests.support.people import EVERYONE, VIEWER

SKUS = ["A1", "A2", "B1"]


def _master(cur: Any) -> None:
    cur.execute(
        "INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5), ('B', 'mts', 'units', 5, 3, 10, 40, 5)"
    )
    cur.execute("INSERT INTO products VALUES ('A1', 'A', ''), ('A2', 'A', ''), ('B1', 'B', '')")
    cur.execute("INSERT INTO regions VALUES ('N', 'north'), ('S', 'south')")
    cur.execute("INSERT INTO plan_versions (cycle, status) VALUES (DATE '2026-01-01', 'draft')")


@pytest.fixture()
def store() -> Iterator[Store]:
    s = open_store(":memory:")
    with s.transaction() as cur:
        _master(cur)
    yield s
    s.close()


@pytest.fixture()
def lake(tmp_path: Path) -> tuple[Path, pa.Table]:
    table = transactions(SKUS, ["N", "S"], dt.date(2025, 1, 1), 12, 5_000, seed=1)
    write_transactions(tmp_path / "lake", table, files=3)
    return tmp_path / "lake", table


def test_columns_match_by_the_importers_aliases():
    found = match_columns("sales", ["Posting Date", "MATERIAL", "market", "qty", "net_sales", "comment"])
    assert found == {
        "date": "Posting Date",
        "sku": "MATERIAL",
        "region": "market",
        "quantity": "qty",
        "revenue": "net_sales",
    }
    assert "region" not in match_columns("production", ["date", "sku", "region", "qty"])  # production has no region
    with pytest.raises(RollupSourceError, match="date column"):
        match_columns("sales", ["sku", "qty"])
    with pytest.raises(RollupSourceError, match="quantity"):
        match_columns("sales", ["date", "sku"])
    with pytest.raises(RollupSourceError, match="both mean"):
        match_columns("sales", ["date", "sku", "qty", "units"])
    with pytest.raises(RollupSourceError, match="cannot be rolled up"):
        match_columns("inventory", ["date", "sku", "qty"])


def test_one_text_transpiles_to_a_spark_path():
    plan = plan_rollup("sales", ["Posting Date", "Item No", "qty", "market"])
    assert "read_parquet(?)" in plan.sql and 't."Item No" AS sku' in plan.sql  # identifiers quoted by sqlglot
    text = spark_text(plan.sql, "/lake/it's/*.parquet")
    assert "parquet.`/lake/it's/*.parquet`" in text and "?" not in text and "read_parquet" not in text.lower()
    assert "TRUNC(CAST(t.`Posting Date` AS DATE), 'MONTH')" in text and "t.`Item No` AS sku" in text
    with pytest.raises(RollupSourceError, match="backtick"):
        spark_text(plan.sql, "/lake/`x`")


def test_the_master_and_the_session_settings(monkeypatch):
    monkeypatch.delenv(SPARK_ENV, raising=False)
    assert configured_master(None) is None  # local by default
    monkeypatch.setenv(SPARK_ENV, "spark://h:7077")
    assert configured_master(None) == "spark://h:7077" and configured_master("local[2]") == "local[2]"
    assert (local_cores("local"), local_cores("local[4]"), local_cores("spark://h:7077")) == (1, 4, None)
    conf = session_conf("local[2]")
    assert conf["spark.sql.adaptive.coalescePartitions.enabled"] == "false"  # else small inputs run on one core
    assert conf["spark.sql.shuffle.partitions"] == "6" and conf["spark.sql.session.timeZone"] == "UTC"
    monkeypatch.setenv("SOP_SPARK_CONF", "spark.executor.memory=8g; spark.sql.shuffle.partitions=64")
    conf = session_conf("spark://h:7077")
    assert conf["spark.executor.memory"] == "8g" and conf["spark.sql.shuffle.partitions"] == "64"


def test_rollup_is_exact_and_loads_through_the_importer(store, lake):
    folder, table = lake
    rolled = roll_up(DuckDBEngine(store), str(folder), "sales")
    # Money exact: the DECIMAL sum of the monthly rows is the DECIMAL sum of the transactions.
    assert pa.types.is_decimal(rolled.table.schema.field("revenue").type)
    assert pc.sum(rolled.table["revenue"]).as_py() == pc.sum(table["net_sales"]).as_py()
    assert int(pc.sum(rolled.table["quantity"]).as_py()) == pc.sum(table["qty"]).as_py()
    assert rolled.transactions == table.num_rows
    assert rolled.table.num_rows == len(SKUS) * 2 * 12

    report = rollup(store, str(folder), "sales", actor=EVERYONE)
    assert report.status == "committed", report.to_text()
    assert report.rows_stored == len(SKUS) * 2 * 12
    assert any("5,000 transaction(s)" in n for n in report.notes)
    stored = store.query(
        "SELECT sum(quantity) AS q, sum(revenue) AS r, count(*) AS n FROM actuals WHERE kind = 'sales'"
    )
    assert stored["q"][0] == pc.sum(table["qty"]).as_py()
    assert Decimal(str(round(stored["r"][0], 2))) == pc.sum(table["net_sales"]).as_py()
    # A glob of the same files is the same content: already loaded, nothing changes.
    again = rollup(store, str(folder / "*.parquet"), "sales", actor=EVERYONE)
    assert again.status == "already_loaded"
    history = upload_history(store)
    assert list(history["file_name"]) == [f"rollup of {folder}"]
    revert_upload(store, int(report.upload_id or 0), EVERYONE)
    assert store.scalar("SELECT count(*) FROM actuals") == 0


def test_family_level_maps_skus_and_refuses_unknown_ones(store, tmp_path):
    table = transactions(SKUS, ["N"], dt.date(2025, 6, 1), 3, 600, seed=2)
    write_transactions(tmp_path / "ok", table)
    report = rollup(store, str(tmp_path / "ok"), "orders", actor=EVERYONE, level="family")
    assert report.status == "committed", report.to_text()
    families = store.query("SELECT family, sum(quantity) AS q FROM actuals GROUP BY family ORDER BY family")
    assert list(families["family"]) == ["A", "B"]
    b_qty = pc.sum(pc.filter(table["qty"], pc.equal(table["material"], "B1"))).as_py()
    assert families["q"][1] == b_qty

    stray = transactions([*SKUS, "ZZ9"], ["N"], dt.date(2025, 6, 1), 3, 600, seed=3)
    write_transactions(tmp_path / "stray", stray)
    refused = rollup(store, str(tmp_path / "stray"), "orders", actor=EVERYONE, level="family")
    assert refused.status == "rejected" and "ZZ9" in refused.to_text()
    assert store.scalar("SELECT count(*) FROM uploads") == 1  # nothing more written


def test_source_problems_are_rejected_reports_and_roles_are_checked_first(store, tmp_path):
    report = rollup(store, str(tmp_path / "nothing-here.parquet"), "sales", actor=EVERYONE)
    assert report.status == "rejected" and "cannot read" in report.to_text()
    pq.write_table(pa.table({"sku": ["A1"], "qty": [1]}), tmp_path / "nodate.parquet")
    assert "date column" in rollup(store, str(tmp_path / "nodate.parquet"), "sales", actor=EVERYONE).to_text()
    with pytest.raises(PermissionError):
        rollup(store, str(tmp_path / "nodate.parquet"), "sales", actor=VIEWER)


def test_rollup_and_forecast_commands(db_path, lake, capsys):
    folder, _ = lake
    with open_store(db_path) as s, s.transaction() as cur:
        _master(cur)
    assert main(["rollup", str(folder), "--kind", "sales", "--db", db_path, "--dry-run"]) == 0
    assert "VALID (dry run)" in capsys.readouterr().out
    assert main(["rollup", str(folder), "--kind", "sales", "--db", db_path]) == 0
    assert "COMMITTED" in capsys.readouterr().out
    assert main(["forecast", "--db", db_path, "--cycle", "2026-01", "--horizon", "3", "--mode", "quick"]) == 0
    assert "Baseline stored: 6 series × 3 months on this machine" in capsys.readouterr().out
    with open_store(db_path) as s:
        assert len(stored_baseline(s, "2026-01")) == 6 * 3


class CountingRunner:
    """The local fits, counted, claiming to be distributed (so groups run on threads, as on Spark)."""

    distributed = True

    def __init__(self) -> None:
        self.calls = 0

    def cross_validation(self, *args: Any) -> pd.DataFrame:
        self.calls += 1
        return LOCAL.cross_validation(*args)

    def forecast(self, *args: Any) -> pd.DataFrame:
        self.calls += 1
        return LOCAL.forecast(*args)


def test_a_runner_set_around_run_baseline_runs_every_fit_with_the_same_result(store):
    rng = np.random.default_rng(4)
    months = pd.date_range("2023-01-01", "2025-12-01", freq="MS")
    rows = []
    for sku, base in (("A1", 100.0), ("A2", 30.0), ("B1", 5.0)):
        for i, m in enumerate(months):
            season = 1 + 0.3 * np.sin(2 * np.pi * m.month / 12)
            value = base * season * rng.normal(1, 0.1) if sku != "B1" else float(rng.poisson(0.8) * (i % 2))
            rows.append(("sales", m, sku, None, "N", round(value, 1)))
    with store.transaction() as cur:
        insert_actuals(cur, pd.DataFrame(rows, columns=["kind", "month", "sku", "family", "region", "quantity"]))
    with fit_runner(LOCAL):
        local = run_baseline(store, "2026-01", 6, actor=EVERYONE)
    counting = CountingRunner()
    with fit_runner(counting):
        routed = run_baseline(store, "2026-01", 6, actor=EVERYONE)
    assert counting.calls >= 4  # two groups (regular, intermittent): a backtest and a forecast each at least
    pd.testing.assert_frame_equal(local, routed)
