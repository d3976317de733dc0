"""The review pages in headless Chromium on the demo company: charts drawn, no exception, filters work."""

from __future__ import annotations

import contextlib
import shutil

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser import ROOT, assert_no_exception, open_page, screenshot, streamlit_server, wait_idle

# url path, title, number of Plotly charts on the page
PAGES = [
    ("", "S&OP overview", 1),
    ("demand", "Demand review", 3),  # demand charts, regions, consensus vs baseline and last plan
    ("supply", "Supply review", 2),
    ("finance", "Finance review", 3),
    ("executive", "Executive S&OP review", 1),
    ("family_sheet", "Family sheet", 1),
]
# Charts that have drawn their SVG, counted per chart: one Plotly chart holds several ``.main-svg`` layers.
DRAWN = (
    "n => [...document.querySelectorAll(\"[data-testid='stPlotlyChart']\")]"
    ".filter(c => c.querySelector('.js-plotly-plot .main-svg')).length >= n"
)


def wait_charts(page, count: int) -> None:
    """Wait until ``count`` Plotly charts have drawn their SVG."""
    page.wait_for_function(DRAWN, arg=count, timeout=60_000)


def full_screenshot(page, name: str) -> None:
    """Grow the viewport to the app's scroll height (Streamlit scrolls inside its own container), then shoot."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": 1600, "height": min(int(height) + 40, 12_000)})
    wait_idle(page)
    page.wait_for_timeout(800)  # charts re-layout to the new size
    screenshot(page, name)


def panel_titles(page, key: str, expected: list[str] | None = None) -> list[str]:
    """The subplot titles (family names) of the chart keyed ``key``, once drawn; with ``expected``, once they
    equal it or after a minute (the caller's assert then shows what was drawn instead).

    By key, not "the first chart": charts mount lazily and a later one can be first in the page for a moment;
    and a redraw after a filter holds the old and new titles for a moment.
    """
    titles = f".st-key-{key} .js-plotly-plot g.annotation text"
    page.locator(f".st-key-{key} .js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    if expected is not None:
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "([sel, want]) => JSON.stringify([...document.querySelectorAll(sel)].map(e => e.textContent))"
                " === JSON.stringify(want)",
                arg=[titles, expected],
                timeout=60_000,
            )
    return page.locator(titles).evaluate_all("els => els.map(e => e.textContent)")


@pytest.mark.parametrize(("path", "title", "charts"), PAGES, ids=[p[1] for p in PAGES])
def test_page_renders(app_url, page, path, title, charts):
    open_page(page, f"{app_url}/{path}")
    page.get_by_role("heading", name=title).wait_for(timeout=60_000)
    wait_charts(page, charts)
    assert page.locator("[data-testid='stPlotlyChart']").count() == charts
    assert_no_exception(page)
    full_screenshot(page, f"review-{path or 'overview'}")


def test_family_filter_updates_charts_and_url(app_url, page):
    open_page(page, f"{app_url}/demand")
    wait_charts(page, 3)
    wait_idle(page)
    assert "Compact Pumps" in panel_titles(page, "dm_pva") and "Filters" in panel_titles(page, "dm_pva")
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    box.click()
    page.keyboard.type("Compact Pumps")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page)
    assert panel_titles(page, "dm_pva", ["Compact Pumps"]) == ["Compact Pumps"]
    assert "family=Compact+Pumps" in page.url or "family=Compact%20Pumps" in page.url
    assert_no_exception(page)
    full_screenshot(page, "review-demand-filtered")
    # the filter is kept when moving to another page
    page.locator("[data-testid='stSidebarNav'] a", has_text="Supply review").first.click()
    page.get_by_role("heading", name="Supply review").wait_for(timeout=60_000)
    wait_idle(page)
    wait_charts(page, 2)
    assert panel_titles(page, "sp_stock", ["Compact Pumps"]) == ["Compact Pumps"]
    assert "family=Compact" in page.url


def test_shared_link_restores_the_view(app_url, page):
    open_page(page, f"{app_url}/supply?family=Filters&horizon=6")
    wait_charts(page, 2)
    assert panel_titles(page, "sp_stock", ["Filters"]) == ["Filters"]
    assert "horizon=6" in page.url
    assert_no_exception(page)


def test_dark_theme_renders(demo_db, page, tmp_path):
    """The executive page under the dark theme (charts have transparent backgrounds).

    A second server needs its own copy of the store: the first one holds the file's lock.
    """
    db = tmp_path / "dark.duckdb"
    shutil.copy(demo_db, db)
    with streamlit_server(ROOT / "app.py", env={"SOP_DB_PATH": str(db), "STREAMLIT_THEME_BASE": "dark"}) as url:
        open_page(page, f"{url}/executive")
        wait_charts(page, 1)
        assert_no_exception(page)
        full_screenshot(page, "review-executive-dark")
