"""Benchmark: an import handed over to the running app vs the same import run directly on an unlocked store.

Two copies of the demo company: one held by a stand-in for the app (a process that opens the store and
starts the job runner, as ``sop_ui/store.py`` does), one not held by anyone. Each round imports a fresh
sales file (different numbers, so never "already loaded") into both, as ``python -m sop_core import``
in its own process, alternating the order; the median wall time of each is reported, with the difference.
Then the same without the interpreter's start: ``main()`` in this process on the unlocked store vs
``sop_core.jobs.hand_off`` from this process to the app (the hand-off's own cost: copy, pick-up, relay).

Usage: ``python bench/handoff.py [--rows 2000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = """
import sys, time
sys.path.insert(0, {root!r})
from sop_core import open_store
from sop_core.jobs import start_runner
store = open_store({path!r})
start_runner(store)
print("ready", flush=True)
sys.stdin.readline()
"""


def _files(folder: Path, db: Path, rows: int, rounds: int) -> list[Path]:
    from sop_core import open_store
    from sop_core.importer import actuals_cycle
    from sop_core.months import add_months

    with open_store(db) as store:
        skus = store.query("SELECT sku FROM products ORDER BY sku")["sku"].tolist()
        regions = store.query("SELECT region FROM regions ORDER BY region")["region"].tolist()
        month = add_months(actuals_cycle(store), -1)
    cells = list(itertools.islice(itertools.cycle(itertools.product(skus, regions, range(1, 29))), rows))
    files = []
    for r in range(rounds):
        path = folder / f"sales-{r}.csv"
        lines = ["date,sku,region,quantity"]
        lines += [
            f"{month:%Y-%m}-{day:02d},{sku},{region},{10 + r + i % 7}" for i, (sku, region, day) in enumerate(cells)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files


def _import(path: Path, db: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sop_core", "import", "sales", str(path), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    took = time.perf_counter() - start
    if done.returncode != 0 or "COMMITTED" not in done.stdout:
        raise SystemExit(f"import into {db} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return took


def _in_process(argv: list[str], held: bool) -> float:
    import contextlib
    import io

    from sop_core.__main__ import build_parser
    from sop_core.__main__ import main as run
    from sop_core.jobs import Spool, hand_off

    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):  # this process only prints here
        if held:
            code = hand_off(build_parser().parse_args(argv), argv, Spool(argv[-1]), time.monotonic() + 60)
        else:
            code = run(argv)
    took = time.perf_counter() - start
    if code != 0 or "COMMITTED" not in out.getvalue():
        raise SystemExit(f"import failed ({code}):\n{out.getvalue()}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args()

    from sop_core import load_demo, open_store
    from sop_core.jobs import Spool, runner_alive

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        direct, held = folder / "direct" / "sop.duckdb", folder / "held" / "sop.duckdb"
        for db in (direct, held):
            db.parent.mkdir()
            with open_store(db) as store:
                load_demo(store)
        files = _files(folder, direct, opts.rows, 2 * opts.rounds)
        app = subprocess.Popen(
            [sys.executable, "-c", APP.format(root=str(ROOT), path=str(held))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert app.stdout is not None and app.stdout.readline().strip() == "ready"
            assert runner_alive(Spool(held))
            times: dict[str, list[float]] = {"direct": [], "handed over": [], "main()": [], "hand_off()": []}
            for r, path in enumerate(files[: opts.rounds]):
                order = [("direct", direct), ("handed over", held)]
                for name, db in order if r % 2 == 0 else order[::-1]:
                    times[name].append(_import(path, db))
            for r, path in enumerate(files[opts.rounds :]):
                pair = [("main()", direct, False), ("hand_off()", held, True)]
                for name, db, handed in pair if r % 2 == 0 else pair[::-1]:
                    times[name].append(_in_process(["import", "sales", str(path), "--db", str(db)], handed))
        finally:
            assert app.stdin is not None
            app.stdin.close()
            app.wait(timeout=30)
    load = os.getloadavg()
    print(f"import of a {opts.rows}-row sales file, median of {opts.rounds} rounds (load average {load[0]:.2f})")
    for title, (a, b) in (
        ("as `python -m sop_core import`", ("direct", "handed over")),
        ("in this process", ("main()", "hand_off()")),
    ):
        d, h = statistics.median(times[a]), statistics.median(times[b])
        print(f"  {title}:")
        for name, value in ((a, d), (b, h)):
            print(f"    {name:<12} {value:6.2f} s   ({', '.join(f'{t:.2f}' for t in times[name])})")
        print(f"    difference   {h - d:+6.2f} s ({h / d:.2f} ×)")


if __name__ == "__main__":
    main()
