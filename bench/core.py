"""Benchmark of the calculation core on a large store.

Builds a file-backed store with 10 million SKU-level sales rows (20,000 SKUs,
200 families, 3 regions, 36 months, one approved plan version per month), then
times, in the same run:

* ``plan_vs_actual(store, "sales")`` and ``demand_supply_gap(store)`` — the project;
* the floor: one hand-written DuckDB query over the raw rows that returns the
  same family × month aggregate (for the gap: the same demand/supply/opening
  figures, without the projection);
* the plain pandas way: the raw tables already in DataFrames (their fetch is
  not timed), merged and grouped with pandas.

Run: ``python bench/core.py [--rows N]``. The last line is
``ratio_vs_floor=… speedup_vs_pandas=…`` for ``plan_vs_actual``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sop_core import demand_supply_gap, open_store, plan_vs_actual
from sop_core.actuals import refresh_rollup

FAMILIES, SKUS, REGIONS, MONTHS, HORIZON = 200, 20_000, 3, 36, 18
FIRST = "2024-01-01"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median wall time in seconds over ``repeat`` runs (after one warm-up), and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def build(store, rows: int) -> float:
    """Fill ``store`` with the synthetic company; return the load time (rollup included)."""
    start = time.perf_counter()
    with store.transaction() as cur:
        cur.execute(
            """INSERT INTO families SELECT 'F' || lpad(i::VARCHAR, 3, '0'), 'mts', 'units',
                      10 + i % 50, 6 + i % 30, 15, 45, 5 FROM range(?) t(i)""",
            [FAMILIES],
        )
        cur.execute(
            """INSERT INTO products SELECT 'S' || lpad(i::VARCHAR, 5, '0'),
                      'F' || lpad((i % ?)::VARCHAR, 3, '0'), NULL FROM range(?) t(i)""",
            [FAMILIES, SKUS],
        )
        cur.execute("INSERT INTO regions SELECT 'R' || i, NULL FROM range(?) t(i)", [REGIONS])
        months = f"(SELECT (DATE '{FIRST}' + to_months(m::INTEGER))::DATE AS month, m FROM range({MONTHS}) t(m))"
        cur.execute(
            f"INSERT INTO plan_versions (cycle, status) SELECT month, 'approved' FROM {months}"
        )  # constants only
        # Each version plans 18 months: demand per family x region, production per family.
        cur.execute(
            f"""INSERT INTO demand_plan
                SELECT v.month, f.family, r.region, (v.month + to_months(h::INTEGER))::DATE,
                       round(SKUS_PER_FAMILY * 14 / 3 * 100 * (1 + 0.1 * sin(h + v.m)), 1)
                FROM {months} v, families f, regions r, range({HORIZON}) t(h)""".replace(
                "SKUS_PER_FAMILY", str(SKUS // FAMILIES)
            )
        )
        cur.execute(
            """INSERT INTO production_plan
                SELECT cycle, family, month, sum(quantity) FROM demand_plan GROUP BY ALL"""
        )
        # 10 M order lines: every SKU x month x region gets rows / (SKUS x MONTHS) lines.
        cur.execute(
            f"""INSERT INTO actuals (kind, month, sku, family, region, quantity, revenue)
                SELECT 'sales', (DATE '{FIRST}' + to_months(((i // {SKUS}) % {MONTHS})::INTEGER))::DATE,
                       'S' || lpad((i % {SKUS})::VARCHAR, 5, '0'), NULL, 'R' || ((i // ({SKUS} * {MONTHS})) % {REGIONS}),
                       1 + (hash(i) % 200), NULL
                FROM range(?) t(i)""",
            [rows],
        )
        cur.execute(
            f"""INSERT INTO actuals (kind, month, sku, family, region, quantity)
                SELECT 'inventory', (DATE '{FIRST}' + to_months({MONTHS - 1}))::DATE, sku, NULL, '', 500
                FROM products"""
        )
        refresh_rollup(cur)
    return time.perf_counter() - start


# The floor: the same plan-vs-actual aggregate straight from the raw rows, in one query.
FLOOR_PVA = """
WITH plan AS (
    SELECT d.family, d.month, arg_max(d.quantity, d.cycle) AS plan FROM (
        SELECT cycle, family, month, sum(quantity) AS quantity FROM demand_plan GROUP BY ALL) d
    WHERE d.cycle <= d.month GROUP BY ALL),
actual AS (
    SELECT p.family, a.month, sum(a.quantity) AS actual
    FROM actuals a JOIN products p ON a.sku = p.sku WHERE a.kind = 'sales' GROUP BY ALL)
SELECT plan.family, plan.month, plan, actual, actual - plan AS deviation
FROM plan LEFT JOIN actual USING (family, month) ORDER BY ALL"""

FLOOR_GAP = """
WITH latest AS (SELECT max(cycle) AS c FROM plan_versions),
demand AS (SELECT family, month, sum(quantity) AS demand FROM demand_plan, latest WHERE cycle = c GROUP BY ALL),
supply AS (SELECT family, month, quantity AS supply FROM production_plan, latest WHERE cycle = c),
opening AS (SELECT p.family, sum(a.quantity) AS inventory FROM actuals a JOIN products p USING (sku), latest
            WHERE a.kind = 'inventory' AND a.month = c - INTERVAL 1 MONTH GROUP BY ALL)
SELECT * FROM demand JOIN supply USING (family, month) LEFT JOIN opening USING (family) ORDER BY ALL"""


def pandas_pva(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The plain pandas way of the same plan vs actual aggregate."""
    plan = raw["demand_plan"].groupby(["cycle", "family", "month"], as_index=False)["quantity"].sum()
    plan = plan[plan["cycle"] <= plan["month"]].sort_values("cycle")
    plan = plan.groupby(["family", "month"], as_index=False).last()
    sales = raw["sales"].merge(raw["products"], on="sku")
    actual = sales.groupby(["family", "month"], as_index=False)["quantity"].sum()
    out = plan.merge(actual, on=["family", "month"], how="left", suffixes=("_plan", "_actual"))
    out["deviation"] = out["quantity_actual"] - out["quantity_plan"]
    return out


def pandas_gap(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The plain pandas way of the gap: aggregate, then project per family in a loop."""
    latest = raw["demand_plan"]["cycle"].max()
    demand = (
        raw["demand_plan"][raw["demand_plan"]["cycle"] == latest]
        .groupby(["family", "month"], as_index=False)["quantity"]
        .sum()
    )
    supply = raw["production_plan"][raw["production_plan"]["cycle"] == latest]
    frame = demand.merge(supply, on=["family", "month"], suffixes=("_d", "_s"))
    inv = raw["inventory"].merge(raw["products"], on="sku").groupby("family")["quantity"].sum()
    parts = []
    for family, group in frame.groupby("family"):
        position = inv.get(family, 0.0)
        ending = []
        for d, s in zip(group["quantity_d"], group["quantity_s"], strict=True):
            position = position + s - d
            ending.append(max(position, 0.0))
        parts.append(group.assign(ending=ending))
    return pd.concat(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "bench.duckdb"))
        load_s = build(store, args.rows)
        print(
            f"built store: {args.rows:,} sales rows, {SKUS:,} SKUs, {FAMILIES} families, {MONTHS} months "
            f"in {load_s:.1f} s (rollup included); peak RSS {peak_rss_mb():.0f} MiB"
        )

        project_pva, result = timed(lambda: plan_vs_actual(store, "sales"), args.repeat)
        floor_pva, floor_result = timed(lambda: store.query(FLOOR_PVA), args.repeat)
        assert len(result) == len(floor_result), (len(result), len(floor_result))
        assert np.allclose(result["actual"].fillna(-1).to_numpy(), floor_result["actual"].fillna(-1).to_numpy())
        project_gap, _ = timed(lambda: demand_supply_gap(store), args.repeat)
        floor_gap, _ = timed(lambda: store.query(FLOOR_GAP), args.repeat)
        rss_project = peak_rss_mb()

        raw = {
            "demand_plan": store.query("SELECT * FROM demand_plan"),
            "production_plan": store.query("SELECT * FROM production_plan"),
            "products": store.query("SELECT sku, family FROM products"),
            "sales": store.query("SELECT sku, month, quantity FROM actuals WHERE kind = 'sales'"),
            "inventory": store.query("SELECT sku, quantity FROM actuals WHERE kind = 'inventory'"),
        }
        pandas_pva_s, _ = timed(lambda: pandas_pva(raw), max(1, args.repeat // 2))
        pandas_gap_s, _ = timed(lambda: pandas_gap(raw), max(1, args.repeat // 2))
        store.close()

    print(f"{'measure':<22}{'project':>12}{'floor (DuckDB)':>16}{'pandas':>12}{'vs floor':>10}{'vs pandas':>11}")
    for name, p, f, pd_s in (
        ("plan_vs_actual", project_pva, floor_pva, pandas_pva_s),
        ("demand_supply_gap", project_gap, floor_gap, pandas_gap_s),
    ):
        print(f"{name:<22}{p * 1000:>10.1f}ms{f * 1000:>14.1f}ms{pd_s * 1000:>10.1f}ms{p / f:>9.2f}x{pd_s / p:>10.1f}x")
    print(f"peak RSS: {rss_project:.0f} MiB before pandas frames were loaded, {peak_rss_mb():.0f} MiB overall")
    print(f"ratio_vs_floor={project_pva / floor_pva:.3f} speedup_vs_pandas={pandas_pva_s / project_pva:.1f}")


if __name__ == "__main__":
    main()
