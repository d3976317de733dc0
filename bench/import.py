"""Benchmark: a 1-million-row sales CSV validated and committed, beside two same-run baselines.

- floor: DuckDB's plain ``read_csv`` into a table of a file-backed database (no checks at all);
- pandas: ``pandas.read_csv`` plus the same checks, vectorised (numbers, dates, masters, duplicates,
  months after the cycle) and the monthly sum — what a straightforward pandas importer would do;
- ours: ``sop_core.importer.import_file`` (read, every check, preview, one transaction with the
  history and the replaced rows) into a file-backed store holding the demo company.

Each variant runs in its own process (so peak memory, the process's max RSS, is its own), in
rounds that alternate the variants; the median time is reported. Target: ours ≤ 2 × floor.

Usage: ``python bench/import.py [--rows 1000000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2026, 11, 1)
REGIONS = ("North America", "Europe", "Asia Pacific")


def _skus(n_rows: int, days: int) -> list[str]:
    return [f"BENCH-{i:05d}" for i in range(-(-n_rows // (days * len(REGIONS))))]


def make_store(path: str, skus: list[str]) -> None:
    """The demo company plus the benchmark's SKUs in the product master."""
    import pandas as pd

    from sop_core import load_demo, open_store

    with open_store(path) as store:
        load_demo(store, as_of=AS_OF)
        families = store.query("SELECT family FROM families ORDER BY family")["family"].tolist()
        frame = pd.DataFrame({"sku": skus, "family": [families[i % len(families)] for i in range(len(skus))],
                              "description": "bench"})
        with store.transaction() as cur:
            cur.register("_bench", frame)
            cur.execute("INSERT INTO products SELECT sku, family, description FROM _bench")
            cur.unregister("_bench")


def make_csv(path: str, n_rows: int, days: int) -> None:
    """Daily sales rows: every SKU × region × day, ``n_rows`` of them, ending in the month before the cycle."""
    import duckdb

    first = AS_OF - dt.timedelta(days=days)
    n_skus = len(_skus(n_rows, days))
    con = duckdb.connect()
    con.execute(
        f"""COPY (
            SELECT (DATE '{first}' + CAST(d AS INTEGER)) AS date, 'BENCH-' || lpad(CAST(s AS VARCHAR), 5, '0') AS sku,
                   r AS region, round(1 + (hash(d, s, r) % 5000) / 10.0, 1) AS quantity,
                   round((1 + (hash(d, s, r) % 5000) / 10.0) * 42.5, 2) AS revenue
            FROM range({days}) t1(d), range({n_skus}) t2(s), (SELECT unnest(?) AS r) t3
            ORDER BY date, sku, region LIMIT {n_rows}
        ) TO '{path}' (HEADER, DELIMITER ',')""",
        [list(REGIONS)],
    )
    con.close()


# --- variants (each runs in its own process) ---------------------------------------------------
def run_floor(csv: str, db: str) -> dict:
    import duckdb

    con = duckdb.connect(db)
    start = time.perf_counter()
    con.execute("CREATE OR REPLACE TABLE raw AS SELECT * FROM read_csv(?)", [csv])
    rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    seconds = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "rows": rows}


def run_pandas(csv: str, db: str) -> dict:
    import duckdb
    import pandas as pd

    con = duckdb.connect(db, read_only=True)
    skus = set(con.execute("SELECT sku FROM products").df()["sku"])
    regions = set(con.execute("SELECT region FROM regions").df()["region"])
    cycle = pd.Timestamp(con.execute("SELECT max(cycle) FROM plan_versions").fetchall()[0][0])
    con.close()
    start = time.perf_counter()
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    problems = 0
    qty = pd.to_numeric(frame["quantity"], errors="coerce")
    rev = pd.to_numeric(frame["revenue"].replace("", None), errors="coerce")
    date = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    problems += int(qty.isna().sum()) + int(date.isna().sum())
    problems += int((~frame["sku"].isin(skus)).sum()) + int((~frame["region"].isin(regions) & (frame["region"] != "")).sum())
    problems += int(frame.duplicated(["date", "sku", "region"]).sum())
    month = date.dt.to_period("M").dt.to_timestamp()
    problems += int((month > cycle).sum())
    out = pd.DataFrame({"month": month, "sku": frame["sku"], "region": frame["region"], "quantity": qty,
                        "revenue": rev}).groupby(["month", "sku", "region"], as_index=False).sum()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(frame), "problems": problems, "stored": len(out)}


def run_ours(csv: str, db: str) -> dict:
    from sop_core import open_store
    from sop_core.importer import import_file

    with open_store(db) as store:
        start = time.perf_counter()
        report = import_file(store, "sales", csv, user="bench")
        seconds = time.perf_counter() - start
        # Undo, so that the next round loads the same file again.
        if report.upload_id is not None and report.status == "committed":
            from sop_core.importer import revert_upload

            revert_upload(store, report.upload_id, "bench")
    return {"seconds": seconds, "rows": report.rows_read, "status": report.status, "stored": report.rows_stored,
            "problems": report.problem_count}


def run_ours_dry(csv: str, db: str) -> dict:
    from sop_core import open_store
    from sop_core.importer import import_file

    with open_store(db) as store:
        start = time.perf_counter()
        report = import_file(store, "sales", csv, dry_run=True)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": report.rows_read, "status": report.status}


VARIANTS = {"floor": run_floor, "pandas": run_pandas, "ours": run_ours, "ours_dry_run": run_ours_dry}


def child(variant: str, csv: str, db: str) -> None:
    result = VARIANTS[variant](csv, db)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="sop_bench_import_") as tmp:
        csv = str(Path(tmp) / "sales_1m.csv")
        store_db = str(Path(tmp) / "store.duckdb")
        floor_db = str(Path(tmp) / "floor.duckdb")
        t0 = time.perf_counter()
        make_csv(csv, args.rows, args.days)
        make_store(store_db, _skus(args.rows, args.days))
        size_mb = Path(csv).stat().st_size / 1e6
        print(f"setup: {args.rows:,} rows, {size_mb:.1f} MB CSV, store with the demo + "
              f"{len(_skus(args.rows, args.days)):,} SKUs ({time.perf_counter() - t0:.1f} s)")
        results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
        for _ in range(args.rounds):
            for variant in VARIANTS:
                db = floor_db if variant == "floor" else store_db
                out = subprocess.run([sys.executable, __file__, "--child", variant, csv, db], capture_output=True,
                                     text=True, check=True, cwd=ROOT)
                results[variant].append(json.loads(out.stdout.strip().splitlines()[-1]))
        floor = statistics.median(r["seconds"] for r in results["floor"])
        floor_best = min(r["seconds"] for r in results["floor"])
        print(f"{'variant':<34}{'median s':>10}{'× floor':>9}{'best s':>8}{'× best':>8}{'peak MB':>9}   detail")
        labels = {"floor": "DuckDB read_csv into a table", "pandas": "pandas read_csv + same checks",
                  "ours": "import_file: validate + commit", "ours_dry_run": "import_file: validate (dry run)"}
        for variant, runs in results.items():
            med = statistics.median(r["seconds"] for r in runs)
            best = min(r["seconds"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            detail = {k: v for k, v in runs[-1].items() if k not in ("seconds", "peak_mb")}
            print(f"{labels[variant]:<34}{med:>10.2f}{med / floor:>9.2f}{best:>8.2f}{best / floor_best:>8.2f}"
                  f"{peak:>9.0f}   {detail}")
        ours = statistics.median(r["seconds"] for r in results["ours"])
        verdict = "met" if ours <= 2 * floor else "NOT met"
        print(f"target ours ≤ 2 × floor (medians): {verdict} ({ours / floor:.2f} ×); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs — timings are noisy on a shared machine")


if __name__ == "__main__":
    main()
