"""UI benchmark: click → last change on screen for every review page and a filter change.

In headless Chromium (Debian's, via Playwright) against ``streamlit run``, on the
demo company, beside two same-run references from ``bench/ui_pages/``:

* the floor: the rerun of an empty Streamlit page (a button click);
* the reference switch: a switch between two pages of 4 ``go.Scatter`` charts ×
  8 lines × 36 months plus an 8 × 36 table.

Each figure is the median over ``--rounds`` interleaved rounds (references and
project in turn, so that both see the same load on a shared machine; each round
clicks once to warm the caches, then measures). Filter changes: the horizon slider moved one step (every chart
changes), and the families filter narrowed to one family and widened back. Targets: median page switch ≤ the reference switch, slowest ≤
1.5× it; a filter update ≤ 0.7× it. Run: ``python bench/ui.py [--rounds N]``;
the last line is the summary.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import (
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    chromium_path,
    streamlit_server,
    time_interaction,
    wait_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

PAGES = ["Overview", "Demand review", "Supply review", "Finance review", "Executive review", "Family sheet"]
FILTER_PAGES = ["Overview", "Demand review", "Supply review"]
VIEWPORT: ViewportSize = {"width": 1600, "height": 1000}


def click_link(page, name: str):
    """An action that clicks the sidebar navigation link ``name``."""
    return lambda: page.locator("[data-testid='stSidebarNav'] a", has_text=name).first.click()


def nudge_horizon(page, key: str):
    """An action that moves the horizon slider one step with the keyboard."""
    return lambda: page.keyboard.press(key)


def switches(page, names: list[str], rounds: int, warm: bool = True) -> dict[str, list[float]]:
    """Milliseconds per click on each of ``names`` in turn, ``rounds`` times (after a warm-up round if ``warm``)."""
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds + int(warm)):
        for name in names:
            ms = time_interaction(page, click_link(page, name))
            if r or not warm:
                times[name].append(ms)
    return times


def settle_on(page, name: str) -> None:
    """Go to page ``name`` and let it finish drawing before anything is timed."""
    click_link(page, name)()
    wait_idle(page)
    page.wait_for_timeout(500)


def filter_changes(page, name: str, rounds: int) -> list[float]:
    """Milliseconds for moving the horizon filter one step on page ``name`` (alternating left/right)."""
    settle_on(page, name)
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input[type='range']").first
    times = []
    for r in range(rounds + 1):
        thumb.focus()
        ms = time_interaction(page, nudge_horizon(page, "ArrowLeft" if r % 2 == 0 else "ArrowRight"))
        if r:
            times.append(ms)
    return times


def family_changes(page, name: str, family: str, rounds: int) -> list[float]:
    """Milliseconds for narrowing the families filter to ``family`` (Enter) and widening it back (Backspace)."""
    settle_on(page, name)
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
    times = []
    for r in range(rounds + 1):
        box.click()
        box.fill(family)
        page.wait_for_timeout(200)
        narrow = time_interaction(page, lambda: page.keyboard.press("Enter"))
        page.keyboard.press("Escape")
        box.focus()
        widen = time_interaction(page, lambda: page.keyboard.press("Backspace"))
        if r:
            times += [narrow, widen]
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="measured clicks per figure (default 5)")
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        print(CHROMIUM_MISSING)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "sop.duckdb")
        subprocess.run(
            [sys.executable, "-m", "sop_core", "demo", "--db", db], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        with (
            sync_playwright() as pw,
            streamlit_server(ROOT / "bench" / "ui_pages" / "app.py") as ref_url,
            streamlit_server(ROOT / "app.py", env={"SOP_DB_PATH": db}) as app_url,
        ):
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            ref_page, app_page = browser.new_page(viewport=VIEWPORT), browser.new_page(viewport=VIEWPORT)
            for page, url in ((ref_page, ref_url), (app_page, app_url)):
                page.goto(url)
                wait_idle(page)
            # Interleaved rounds, so that the references and the project see the same machine load.
            floor_times: list[float] = []
            ref: dict[str, list[float]] = {"Reference A": [], "Reference B": []}
            project: dict[str, list[float]] = {name: [] for name in PAGES}
            filters: dict[str, list[float]] = {}
            for r in range(args.rounds):
                click_link(ref_page, "Empty")()
                ref_page.get_by_role("button", name="Rerun").wait_for()
                wait_idle(ref_page)
                ms = time_interaction(ref_page, lambda: ref_page.get_by_role("button", name="Rerun").click())
                floor_times.append(ms)
                for name, times in switches(ref_page, list(ref), 1, warm=r == 0).items():
                    ref[name] += times
                for name, times in switches(app_page, PAGES, 1, warm=r == 0).items():
                    project[name] += times
                for name in FILTER_PAGES:
                    filters.setdefault(f"horizon on {name}", []).extend(filter_changes(app_page, name, 1))
                    filters.setdefault(f"family on {name}", []).extend(family_changes(app_page, name, "Filters", 1))
            browser.close()
    floor = statistics.median(floor_times)
    reference = statistics.median(ref["Reference A"] + ref["Reference B"])
    print(f"floor (empty page rerun)        {floor:8.0f} ms")
    print(f"reference switch (4×8×36 + tbl) {reference:8.0f} ms  ({reference / floor:.1f}× floor)")

    medians = {name: statistics.median(v) for name, v in project.items()}
    for name, ms in medians.items():
        print(f"switch to {name:22s}{ms:8.0f} ms  ({ms / reference:.2f}× reference)")
    filter_medians = {name: statistics.median(v) for name, v in filters.items()}
    for name, ms in filter_medians.items():
        print(f"filter: {name:24s}{ms:8.0f} ms  ({ms / reference:.2f}× reference)")
    median_switch = statistics.median(medians.values())
    slowest = max(medians, key=medians.__getitem__)
    worst_filter = max(filter_medians.values())
    median_filter = statistics.median(filter_medians.values())
    print(
        f"median_switch_vs_ref={median_switch / reference:.2f} (target ≤ 1.0) "
        f"slowest_switch_vs_ref={medians[slowest] / reference:.2f} [{slowest}] (target ≤ 1.5) "
        f"filter_vs_ref={median_filter / reference:.2f} median, {worst_filter / reference:.2f} worst (target ≤ 0.7) "
        f"floor_ms={floor:.0f} reference_ms={reference:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
