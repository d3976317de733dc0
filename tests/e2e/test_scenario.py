"""The scenario page in headless Chromium: moving a slider redraws the chart (in place) and the tiles."""

from __future__ import annotations

from tests.support.browser import assert_no_exception, open_page, screenshot, wait_idle
from tests.support.grid import enter_name

CHART = ".sop-live-chart"  # sop_ui.live_chart: one Plotly div, redrawn with Plotly.react
DRAWN = f"{CHART}.js-plotly-plot .main-svg"


def chart_paths(page) -> str:
    """Every line and bar shape of the scenario figure, as one string."""
    return "|".join(
        page.locator(f"{CHART} path.js-line, {CHART} g.point path").evaluate_all(
            "els => els.map(e => e.getAttribute('d'))"
        )
    )


def test_moving_the_demand_slider_changes_the_chart(app_url, page):
    open_page(page, app_url)  # the app's navigation is known after its first run
    open_page(page, f"{app_url}/scenarios")
    page.get_by_role("heading", name="Scenarios and trade-offs").wait_for(timeout=60_000)
    page.wait_for_selector(DRAWN, timeout=60_000)
    assert page.locator(CHART).count() == 1
    assert_no_exception(page)
    before = chart_paths(page)
    page.evaluate(f"() => {{ window.__chart = document.querySelector('{CHART}'); }}")
    revenue = page.locator("[data-testid='stMetric']", has_text="Revenue").inner_text()

    thumb = page.locator("[data-testid='stSlider']", has_text="Demand change").locator("input[type=range]")
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    wait_idle(page)
    page.wait_for_function(
        "([sel, old]) => [...document.querySelectorAll(sel)].map(e => e.getAttribute('d')).join('|') !== old",
        arg=[f"{CHART} path.js-line, {CHART} g.point path", before],
        timeout=30_000,
    )
    assert chart_paths(page) != before
    # Redrawn in place, not remounted: that is what keeps a slider move cheap in the browser.
    assert page.evaluate(f"() => window.__chart === document.querySelector('{CHART}')")
    assert page.locator(f"{CHART} .gtitle, {CHART} .annotation-text", has_text="Trade-off").count() == 1
    assert page.locator("[data-testid='stMetric']", has_text="Revenue").inner_text() != revenue
    assert thumb.get_attribute("aria-valuetext") == "5"
    assert_no_exception(page)
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1600, "height": min(int(height) + 40, 8000)})
    wait_idle(page)
    page.wait_for_timeout(800)
    screenshot(page, "scenario-demand-plus-5")


def test_save_and_compare_in_the_browser(app_url, page):
    open_page(page, app_url)
    open_page(page, f"{app_url}/scenarios")
    page.wait_for_selector(DRAWN, timeout=60_000)
    thumb = page.locator("[data-testid='stSlider']", has_text="Assembly").locator("input[type=range]")
    thumb.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(300)
    wait_idle(page)
    enter_name(page, "e2e")  # the sidebar's name signs the save (local mode)
    page.get_by_label("Name", exact=True).fill("e2e Assembly -5%")
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text("Saved scenario 'e2e Assembly -5%'").wait_for(timeout=30_000)
    select = page.locator("[data-testid='stMultiSelect']", has_text="Compare with the baseline")
    select.click()
    page.get_by_role("option", name="e2e Assembly -5%").click()
    page.keyboard.press("Escape")
    page.locator("[data-testid='stTable']", has_text="e2e Assembly -5%").wait_for(timeout=30_000)
    assert_no_exception(page)
