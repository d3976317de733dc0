"""Benchmark of the scale-out path: the actuals rollup and the statistical baseline, DuckDB/local vs Spark.

(a) Rollup: 5 million synthetic SKU-level transactions (2,000 SKUs × 3 regions × 24 months, DECIMAL
    revenue) in 8 Parquet files, summed to SKU × region × month by the one SQL text — on DuckDB (this
    process) and on Spark ``local[2]`` — checked equal row for row (exact decimals), then loaded through
    the importer once. A 0.5-million-row run of each gives the fixed cost and the cost per row.
(b) Baseline: 2,000 SKU series × 36 months (``bench/forecast.py``'s store), horizon 18, the full model
    choice: locally with statsforecast ``n_jobs=2`` and on Spark ``local[2]`` (statsforecast's Fugue
    backend), checked equal within 1e-6 relative. A 200-series Spark run gives the fixed cost.

Cost model (docs/scale-out.md): ``time(n, cores) = fixed + per_item_core_seconds × n / cores``, with
``per_item_core_seconds`` and ``fixed`` fitted from the two Spark sizes on this machine's 2 cores;
printed for a 16- and a 64-core cluster. It assumes the work spreads evenly over the cores (enough
series / files per core) and that the lake's storage keeps up; it ignores executor start and the
network, so read it as a lower bound for a real cluster.

The machine is shared (2 cores): the load average is printed before and after each part; both sides of
each comparison run in the same process, one after the other. Spark ``local[2]`` is expected to be
slower here than DuckDB or two local processes — the point is the path and its cost.

Run: ``python bench/scale.py [--rows 5000000] [--series 2000] [--skip-rollup] [--skip-forecast]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop_core import open_store
from sop_core.forecast.history import demand_history, series_arrays
from sop_core.forecast.select import LocalRunner, SeriesForecast, forecast_series
from sop_core.people import local_actor
from sop_core.scale.rollup import DuckDBEngine, Rolled, SparkEngine, roll_up, rollup
from sop_core.scale.session import spark_missing, spark_session
from sop_core.scale.spark_forecast import SparkRunner
from sop_core.scale.synthetic import transactions, write_transactions

MASTER = "local[2]"
CORES = 2
CLUSTERS = (16, 64)
HORIZON = 18
RTOL = 1e-6


def load() -> str:
    """The load average, as printed beside every figure."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def fit_line(sizes: tuple[float, float], seconds: tuple[float, float]) -> tuple[float, float]:
    """``(fixed seconds, core-seconds per item)`` of a line through two (size, seconds) runs on :data:`CORES`."""
    per_item = max((seconds[1] - seconds[0]) / (sizes[1] - sizes[0]), 0.0)
    fixed = max(seconds[1] - per_item * sizes[1], 0.0)
    return fixed, per_item * CORES


def predict(fixed: float, core_seconds: float, items: float, cores: int) -> float:
    """The cost model: ``fixed + core_seconds × items / cores``."""
    return fixed + core_seconds * items / cores


def timed_rollup(engine: Any, folder: Path) -> tuple[float, Rolled]:
    start = time.perf_counter()
    rolled = roll_up(engine, str(folder), "sales")
    return time.perf_counter() - start, rolled


# ------------------------------------------------------------------------------------------ (a) rollup
def bench_rollup(spark: Any, rows: int, tmp: Path) -> None:
    skus = [f"S{i:05d}" for i in range(2_000)]
    regions = ["Americas", "Asia", "Europe"]
    small = rows // 10
    folders = {}
    for n in (small, rows):
        folders[n] = tmp / f"lake-{n}"
        write_transactions(folders[n], transactions(skus, regions, dt.date(2024, 1, 1), 24, n, seed=7), files=8)
    store = open_store(str(tmp / "rollup.duckdb"))
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO families SELECT 'F' || lpad(i::VARCHAR, 3, '0'), 'mts', 'units', 10, 6, 10, 40, 5 FROM range(100) t(i)"
        )
        cur.executemany("INSERT INTO products VALUES (?, ?, '')", [[s, f"F{i // 20:03d}"] for i, s in enumerate(skus)])
        cur.executemany("INSERT INTO regions VALUES (?, '')", [[r] for r in regions])
        cur.execute("INSERT INTO plan_versions (cycle, status) VALUES (DATE '2026-01-01', 'draft')")
    print(f"(a) rollup of {rows:,} transactions (2,000 SKUs x 3 regions x 24 months, 8 Parquet files); load {load()}")
    duck = DuckDBEngine(store)
    remote = SparkEngine(spark, store)
    timed_rollup(remote, folders[small])  # warm-up: the first Spark SQL query compiles and starts tasks
    figures: dict[str, dict[int, float]] = {"duckdb": {}, "spark": {}}
    results: dict[str, Rolled] = {}
    for n in (small, rows):
        for name, engine in (("duckdb", duck), ("spark", remote)):
            seconds, rolled = timed_rollup(engine, folders[n])
            figures[name][n] = seconds
            results[name] = rolled
    exact = results["duckdb"].table.to_pylist() == results["spark"].table.to_pylist()
    for name in ("duckdb", "spark"):
        print(
            f"  {name:<7} {figures[name][small]:>7.2f} s for {small:,} rows   {figures[name][rows]:>7.2f} s for {rows:,} rows"
            f"   ({rows / figures[name][rows] / 1e6:.2f} M rows/s)"
        )
    print(f"  monthly rows {results['duckdb'].table.num_rows:,}; Spark equals DuckDB exactly (decimals): {exact}")
    start = time.perf_counter()
    report = rollup(store, str(folders[rows]), "sales", actor=local_actor("bench"))
    print(f"  rollup + import into the store (DuckDB): {time.perf_counter() - start:.2f} s, {report.status}")
    fixed, per_row = fit_line((small, rows), (figures["spark"][small], figures["spark"][rows]))
    print(f"  cost model (Spark): fixed {fixed:.2f} s + {per_row * 1e6:.2f} core-s per million rows")
    for target in (rows, 500_000_000):
        preds = "   ".join(f"{c} cores {predict(fixed, per_row, target, c):>8.1f} s" for c in CLUSTERS)
        print(f"    {target:>12,} rows: {preds}")
    print(f"  load average now {load()}")
    store.close()


# ---------------------------------------------------------------------------------------- (b) baseline
def bench_forecast(spark: Any, n_series: int, tmp: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_forecast", ROOT / "bench" / "forecast.py")
    assert spec is not None and spec.loader is not None
    bench_forecast_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_forecast_module)
    path = str(tmp / "forecast.duckdb")
    bench_forecast_module.build_store(path, n_series, 36)
    store = open_store(path)
    history = demand_history(store, dt.date(2026, 1, 1))
    store.close()
    series = [(key, y) for key, _, y in series_arrays(history)]
    end = pd.Timestamp(history["month"].max())
    print(f"(b) baseline of {len(series):,} series x 36 months, horizon {HORIZON}, full model choice; load {load()}")
    local = LocalRunner(n_jobs=2)
    remote = SparkRunner(spark)
    forecast_series(series[:40], end, HORIZON, runner=local)  # warm-up: imports and compiled code
    forecast_series(series[:40], end, HORIZON, runner=remote)  # warm-up: Python workers on the executors
    small = max(len(series) // 10, 20)
    seconds: dict[str, dict[int, float]] = {"local": {}, "spark": {}}
    out: dict[str, list[SeriesForecast]] = {}
    for n in (small, len(series)):
        for name, runner in (("local", local), ("spark", remote)):
            start = time.perf_counter()
            out[name] = forecast_series(series[:n], end, HORIZON, runner=runner)
            seconds[name][n] = time.perf_counter() - start
            print(f"  {name:<6} {n:>6,} series {seconds[name][n]:>8.1f} s   (load {load()})")
    worst = 0.0
    same_models = True
    for a, b in zip(out["local"], out["spark"], strict=True):
        same_models &= a.model == b.model
        for x, y in zip(a.values, b.values, strict=True):
            worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-9))))
    print(f"  same model for every series: {same_models}; worst relative difference {worst:.1e} (limit {RTOL:g})")
    fixed, per_series = fit_line((small, len(series)), (seconds["spark"][small], seconds["spark"][len(series)]))
    local_per_series = seconds["local"][len(series)] * CORES / len(series)
    print(
        f"  cost model (Spark): fixed {fixed:.1f} s + {per_series:.3f} core-s per series "
        f"(local n_jobs=2: {local_per_series:.3f} core-s per series)"
    )
    for target in (len(series), 60_000):
        preds = "   ".join(f"{c} cores {predict(fixed, per_series, target, c):>8.1f} s" for c in CLUSTERS)
        print(f"    {target:>7,} series: {preds}")
    print(f"  load average now {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--series", type=int, default=2_000)
    parser.add_argument("--skip-rollup", action="store_true")
    parser.add_argument("--skip-forecast", action="store_true")
    args = parser.parse_args()
    missing = spark_missing()
    if missing:
        sys.exit(f"bench/scale.py needs Spark: {missing}")
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    spark = spark_session(MASTER, "sop_core bench")
    print(f"Spark {spark.version} session on {MASTER} started in {time.perf_counter() - start:.1f} s; load {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_rollup:
            bench_rollup(spark, args.rows, Path(tmp))
        if not args.skip_forecast:
            bench_forecast(spark, args.series, Path(tmp))
    spark.stop()


if __name__ == "__main__":
    main()
