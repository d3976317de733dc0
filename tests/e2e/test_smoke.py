"""The app starts under ``streamlit run`` on the demo company and shows a chart."""

from __future__ import annotations

from tests.support.browser import assert_no_exception, open_page, screenshot


def test_overview_renders_a_chart(app_url, page):
    open_page(page, app_url)
    page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=60_000)
    assert_no_exception(page)
    screenshot(page, "smoke-overview")
