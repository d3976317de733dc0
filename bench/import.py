"""Benchmark: a 1-million-row sales CSV and a 200,000-row .xlsx sheet validated and committed, beside baselines.

CSV (target: ours ≤ 2 × floor):

- floor: DuckDB's plain ``read_csv`` into a table of a file-backed database (no checks at all);
- pandas: ``pandas.read_csv`` plus the same checks, vectorised (numbers, dates, masters, duplicates,
  months after the cycle) and the monthly sum — what a straightforward pandas importer would do;
- ours: ``sop_core.importer.import_file`` (read, every check, preview, one transaction with the
  history and the replaced rows) into a file-backed store holding the demo company.

Excel (target: ours at least 5 × faster than the openpyxl read), the same kind of rows in one sheet
(dates as Excel dates, numbers as numbers), written by openpyxl:

- openpyxl: a plain ``openpyxl`` read of the sheet (read-only mode, values only, every row into a
  Python list), no checks: what reading the workbook cost the importer before python-calamine;
- ours: ``import_file`` of the .xlsx, validate + preview + commit, as for the CSV.

Each variant runs in its own process (so peak memory, the process's max RSS, is its own), in
rounds that alternate the variants; the median time is reported.

Usage: ``python bench/import.py [--rows 1000000] [--xlsx-rows 200000] [--rounds 3]``
(``--rows 0`` or ``--xlsx-rows 0`` skips that case)
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
        frame = pd.DataFrame(
            {"sku": skus, "family": [families[i % len(families)] for i in range(len(skus))], "description": "bench"}
        )
        with store.transaction() as cur:
            cur.register("_bench", frame)
            cur.execute("INSERT INTO products SELECT sku, family, description FROM _bench")
            cur.unregister("_bench")


def _rows_sql(n_rows: int, days: int) -> str:
    """A SELECT of the daily sales rows: every SKU × region × day, ``n_rows`` of them, ending in the month
    before the cycle (integers of ours only; the regions are the one parameter)."""
    first = AS_OF - dt.timedelta(days=days)
    n_skus = len(_skus(n_rows, days))
    return f"""SELECT (DATE '{first}' + CAST(d AS INTEGER)) AS date, 'BENCH-' || lpad(CAST(s AS VARCHAR), 5, '0') AS sku,
                   r AS region, round(1 + (hash(d, s, r) % 5000) / 10.0, 1) AS quantity,
                   round((1 + (hash(d, s, r) % 5000) / 10.0) * 42.5, 2) AS revenue
            FROM range({days}) t1(d), range({n_skus}) t2(s), (SELECT unnest(?) AS r) t3
            ORDER BY date, sku, region LIMIT {n_rows}"""


def make_csv(path: str, n_rows: int, days: int) -> None:
    """The daily sales rows (see :func:`_rows_sql`) as a CSV file."""
    import duckdb

    con = duckdb.connect()
    copy = f"COPY ({_rows_sql(n_rows, days)}) TO '{path}' (HEADER, DELIMITER ',')"  # a temp path and constants
    con.execute(copy, [list(REGIONS)])
    con.close()


def make_xlsx(path: str, n_rows: int, days: int) -> None:
    """The daily sales rows (see :func:`_rows_sql`) as one sheet of an .xlsx workbook, written by openpyxl."""
    import duckdb
    import openpyxl

    con = duckdb.connect()
    rows = con.execute(_rows_sql(n_rows, days), [list(REGIONS)]).fetchall()
    con.close()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("sales")
    sheet.append(["date", "sku", "region", "quantity", "revenue"])
    for row in rows:
        sheet.append(row)
    book.save(path)


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
    problems += int((~frame["sku"].isin(skus)).sum()) + int(
        (~frame["region"].isin(regions) & (frame["region"] != "")).sum()
    )
    problems += int(frame.duplicated(["date", "sku", "region"]).sum())
    month = date.dt.to_period("M").dt.to_timestamp()
    problems += int((month > cycle).sum())
    out = (
        pd.DataFrame({"month": month, "sku": frame["sku"], "region": frame["region"], "quantity": qty, "revenue": rev})
        .groupby(["month", "sku", "region"], as_index=False)
        .sum()
    )
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(frame), "problems": problems, "stored": len(out)}


def run_ours(csv: str, db: str) -> dict:
    from sop_core import open_store
    from sop_core.importer import import_file
    from sop_core.people import local_actor

    with open_store(db) as store:
        start = time.perf_counter()
        report = import_file(store, "sales", csv, actor=local_actor("bench"))
        seconds = time.perf_counter() - start
        # Undo, so that the next round loads the same file again.
        if report.upload_id is not None and report.status == "committed":
            from sop_core.importer import revert_upload

            revert_upload(store, report.upload_id, local_actor("bench"))
    return {
        "seconds": seconds,
        "rows": report.rows_read,
        "status": report.status,
        "stored": report.rows_stored,
        "problems": report.problem_count,
    }


def run_ours_dry(csv: str, db: str) -> dict:
    from sop_core import open_store
    from sop_core.importer import import_file
    from sop_core.people import local_actor

    with open_store(db) as store:
        start = time.perf_counter()
        report = import_file(store, "sales", csv, actor=local_actor("bench"), dry_run=True)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": report.rows_read, "status": report.status}


def run_openpyxl(xlsx: str, db: str) -> dict:
    import openpyxl

    start = time.perf_counter()
    book = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(rows) - 1}


VARIANTS = {"floor": run_floor, "pandas": run_pandas, "ours": run_ours, "ours_dry_run": run_ours_dry}
XLSX_VARIANTS = {"openpyxl": run_openpyxl, "ours_xlsx": run_ours}
LABELS = {
    "floor": "DuckDB read_csv into a table",
    "pandas": "pandas read_csv + same checks",
    "ours": "import_file: validate + commit",
    "ours_dry_run": "import_file: validate (dry run)",
    "openpyxl": "openpyxl read-only, rows into Python",
    "ours_xlsx": "import_file .xlsx: validate + commit",
}


def child(variant: str, path: str, db: str) -> None:
    result = {**VARIANTS, **XLSX_VARIANTS}[variant](path, db)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _rounds(variants: list[str], rounds: int, paths: dict[str, str]) -> dict[str, list[dict]]:
    """Run each variant in its own process, ``rounds`` times, alternating the variants."""
    results: dict[str, list[dict]] = {v: [] for v in variants}
    for _ in range(rounds):
        for variant in variants:
            db = paths["floor_db"] if variant == "floor" else paths["store_db"]
            source = paths["xlsx"] if variant in XLSX_VARIANTS else paths["csv"]
            out = subprocess.run(
                [sys.executable, __file__, "--child", variant, source, db],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            results[variant].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def _table(results: dict[str, list[dict]], base: str) -> None:
    """Print each variant's median and best time, and both as a multiple of ``base``'s."""
    med_base = statistics.median(r["seconds"] for r in results[base])
    best_base = min(r["seconds"] for r in results[base])
    print(f"{'variant':<40}{'median s':>10}{'× ' + base:>11}{'best s':>8}{'× best':>8}{'peak MB':>9}   detail")
    for variant, runs in results.items():
        med = statistics.median(r["seconds"] for r in runs)
        best = min(r["seconds"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        detail = {k: v for k, v in runs[-1].items() if k not in ("seconds", "peak_mb")}
        print(
            f"{LABELS[variant]:<40}{med:>10.2f}{med / med_base:>11.2f}{best:>8.2f}{best / best_base:>8.2f}"
            f"{peak:>9.0f}   {detail}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "PATH", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=4, metavar=("WHAT", "PATH", "ROWS", "DAYS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.make:
        what, path, rows, days = args.make
        if what == "store_db":
            make_store(path, _skus(int(rows), int(days)))
        else:
            (make_csv if what == "csv" else make_xlsx)(path, int(rows), int(days))
        return
    with tempfile.TemporaryDirectory(prefix="sop_bench_import_") as tmp:
        paths = {
            "csv": str(Path(tmp) / "sales_1m.csv"),
            "xlsx": str(Path(tmp) / "sales_200k.xlsx"),
            "store_db": str(Path(tmp) / "store.duckdb"),
            "floor_db": str(Path(tmp) / "floor.duckdb"),
        }
        t0 = time.perf_counter()
        most = max(args.rows, args.xlsx_rows)

        def make(what: str, rows: int) -> None:
            # In a process of its own: a process's peak RSS starts from its parent's, which must stay small.
            subprocess.run(
                [sys.executable, __file__, "--make", what, paths[what], str(rows), str(args.days)], check=True, cwd=ROOT
            )

        make("store_db", most)
        setup = [f"store with the demo + {len(_skus(most, args.days)):,} SKUs"]
        if args.rows:
            make("csv", args.rows)
            setup.append(f"{args.rows:,} rows, {Path(paths['csv']).stat().st_size / 1e6:.1f} MB CSV")
        if args.xlsx_rows:
            make("xlsx", args.xlsx_rows)
            setup.append(f"{args.xlsx_rows:,} rows, {Path(paths['xlsx']).stat().st_size / 1e6:.1f} MB .xlsx")
        print(f"setup: {'; '.join(setup)} ({time.perf_counter() - t0:.1f} s)")
        if args.rows:
            results = _rounds(list(VARIANTS), args.rounds, paths)
            print(f"\nCSV, {args.rows:,} rows")
            _table(results, "floor")
            ours = statistics.median(r["seconds"] for r in results["ours"])
            floor = statistics.median(r["seconds"] for r in results["floor"])
            verdict = "met" if ours <= 2 * floor else "NOT met"
            print(f"target ours ≤ 2 × floor (medians): {verdict} ({ours / floor:.2f} ×)")
        if args.xlsx_rows:
            results = _rounds(list(XLSX_VARIANTS), args.rounds, paths)
            print(f"\nExcel .xlsx, {args.xlsx_rows:,} rows")
            _table(results, "openpyxl")
            ours = statistics.median(r["seconds"] for r in results["ours_xlsx"])
            plain = statistics.median(r["seconds"] for r in results["openpyxl"])
            verdict = "met" if plain >= 5 * ours else "NOT met"
            print(
                f"target ours ≥ 5 × faster than the openpyxl read (medians): {verdict} "
                f"(openpyxl {plain:.2f} s / ours {ours:.2f} s = {plain / ours:.1f} ×)"
            )
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs — timings are noisy on a shared machine")


if __name__ == "__main__":
    main()
