"""Benchmark of the meeting pre-read: the demo company's pack as PDF and HTML, beside a same-run baseline.

The demo company (anchored at 2026-11, in memory) and, timed in interleaved rounds
(one of each per round, so that a busy moment of the shared machine hits all alike),
median over the rounds:

* the baseline: the bare static export of the pack's figures in one Chromium session
  (:func:`sop_core.cycle.preread.images.export_images`), the floor of any PDF with
  these charts;
* ``build_preread(…, "pdf")``: read the cycle, export the charts, lay out the PDF;
* ``build_preread(…, "html")``: read the cycle, write the self-contained HTML.

The target is under 30 s for the PDF. Run: ``python bench/preread.py [--rounds N]``;
the last line is ``pdf=… html=… export=… ratio=… load=…`` (seconds; ratio = pdf / export).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sop_core import load_demo, open_store
from sop_core.cycle.preread import build_content, build_preread, unavailable_reason
from sop_core.cycle.preread.images import export_images
from sop_core.cycle.preread.pdf import image_specs

CYCLE = dt.date(2026, 11, 1)
ROUNDS = 3


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    """Median seconds per variant (``export``, ``pdf``, ``html``) over interleaved rounds."""
    store = open_store(":memory:")
    load_demo(store, as_of=CYCLE)
    specs = image_specs(build_content(store, CYCLE))
    variants: dict[str, Callable[[], object]] = {
        "export": lambda: export_images(specs),
        "pdf": lambda: build_preread(store, CYCLE, "pdf"),
        "html": lambda: build_preread(store, CYCLE, "html"),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    store.close()
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    """Print the medians and the summary line; exit 1 when the PDF cannot be built here."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason is not None:
        print(f"cannot build the PDF here: {reason}")
        return 1
    result = measure(args.rounds)
    load = os.getloadavg()[0]
    for name, seconds in result.items():
        print(f"{name:>7}: {seconds:6.2f} s")
    print(
        f"pdf={result['pdf']:.2f} html={result['html']:.2f} export={result['export']:.2f} "
        f"ratio={result['pdf'] / result['export']:.2f} load={load:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
