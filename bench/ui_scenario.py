"""Benchmark of the scenario page: slider move to the last change on screen, in headless Chromium.

In the same run, on the demo company, with Debian's Chromium driven by Playwright:

* the scenario page (``pages/scenarios.py`` under ``app.py``): the demand slider;
* the floor: an empty Streamlit page with one slider (``bench/ui_pages_scenario/floor.py``);
* the naive page: 4 ``plotly.express`` line charts of 20 families × 36 months, no
  fragment, no caching (``bench/ui_pages_scenario/naive.py``).

Each figure is the median over ``--moves`` slider moves (after warm-up moves) of the
time from the key press to the last DOM change once the rerun has settled
(:func:`tests.support.browser.time_interaction`); the three pages run side by side and are
moved in turn, so a busy moment of the shared machine hits all three alike. First it prints
``bench/scenario.py``'s figures: ``evaluate_scenario`` alone on synthetic inputs of 200 families ×
36 months (with and without the trade-off curve) beside that benchmark's same-run floor. The last
line gives the ratios against the targets (≤ 4× the floor, ≥ 2.5× faster than the naive page) and the
load average.

Run: ``python bench/ui_scenario.py [--moves N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scenario import measure, report
from tests.support.browser import (
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    chromium_path,
    streamlit_server,
    time_interaction,
    wait_idle,
)

PAGES = ROOT / "bench" / "ui_pages_scenario"
WARMUP = 3
# st.plotly_chart figures, and the scenario page's live chart (sop_ui/live_chart.py).
CHART = "[data-testid='stPlotlyChart'] .main-svg, .sop-live-chart .main-svg"


def open_target(browser, url: str, path: str, charts: int):
    """A new browser page on ``url/path``, its charts drawn; returns ``(context, page)``."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")  # the app's navigation is known after a first run
    wait_idle(page)
    if path:
        page.goto(f"{url}/{path}", wait_until="domcontentloaded")
        wait_idle(page)
    if charts:
        page.wait_for_function(f'document.querySelectorAll("{CHART}").length >= {charts}', timeout=60_000)
    page.wait_for_timeout(500)
    return context, page


def move(page, slider_index: int, k: int) -> float:
    """Milliseconds from one key press on the slider (right on even ``k``, left on odd) to the last change."""
    thumb = page.locator("[data-testid='stSlider']").nth(slider_index).locator("input[type=range]")
    thumb.focus()
    key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
    return time_interaction(page, lambda: page.keyboard.press(key))


def measure_all(browser, targets: dict[str, tuple[str, str, int, int]], moves: int) -> dict[str, list[float]]:
    """Time ``moves`` slider moves on every target, interleaved (one move each per round).

    Interleaving spreads the load of a shared machine evenly over the pages, so the
    ratios compare like with like. ``targets``: name → (url, path, slider index, charts).
    """
    opened = {name: open_target(browser, url, path, charts) for name, (url, path, _, charts) in targets.items()}
    times: dict[str, list[float]] = {name: [] for name in targets}
    try:
        for k in range(WARMUP + moves):
            for name, (_, _, slider_index, _) in targets.items():
                elapsed = move(opened[name][1], slider_index, k)
                if k >= WARMUP:
                    times[name].append(elapsed)
    finally:
        for context, _ in opened.values():
            context.close()
    return times


def main() -> int:
    """Run the benchmark and print the figures; the last line has the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=21, help="timed slider moves per page (default %(default)s)")
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        print(CHROMIUM_MISSING, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    engine = measure()
    print("\n".join(report(engine)))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "sop.duckdb")
        subprocess.run(
            [sys.executable, "-m", "sop_core", "demo", "--db", db], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        with (
            sync_playwright() as pw,
            streamlit_server(PAGES / "floor.py") as floor_url,
            streamlit_server(PAGES / "naive.py") as naive_url,
            streamlit_server(ROOT / "app.py", env={"SOP_DB_PATH": db}) as app_url,
        ):
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                results = measure_all(
                    browser,
                    {
                        "floor (empty page, one slider)": (floor_url, "", 0, 0),
                        "naive (4 px.line, 20 x 36, no fragment/cache)": (naive_url, "", 0, 4),
                        "scenario page (demand slider)": (app_url, "scenarios", 1, 1),
                    },
                    args.moves,
                )
            finally:
                browser.close()
    medians = {}
    for name, times in results.items():
        medians[name] = statistics.median(times)
        print(
            f"{name:48s} median {medians[name]:7.0f} ms  (min {min(times):.0f}, max {max(times):.0f}, n={len(times)})"
        )
    floor, naive, scenario = medians.values()
    print(
        f"scenario/floor={scenario / floor:.2f}x (target <= 4) naive/scenario={naive / scenario:.2f}x "
        f"(target >= 2.5) evaluate_200x36={engine['evaluate']:.1f}ms load_average={os.getloadavg()[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
