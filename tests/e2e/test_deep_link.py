"""A shared link opened as the first request of a freshly started server lands in the full app."""

from __future__ import annotations

from tests.support.browser import ROOT, assert_no_exception, open_page, streamlit_server, wait_idle


def test_deep_link_on_a_fresh_server_runs_through_the_app_shell(demo_db, browser):
    with streamlit_server(ROOT / "app.py", env={"SOP_DB_PATH": demo_db + ".copy"}) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            open_page(page, f"{url}/supply")
            nav = page.locator("[data-testid='stSidebarNav']")
            # The first run may be Streamlit's pages/ fallback; the app reruns itself through app.py.
            nav.get_by_text("Executive review").wait_for(timeout=60_000)
            page.get_by_role("heading", name="Supply review").first.wait_for(timeout=60_000)
            wait_idle(page)
            assert "Supply review" in nav.inner_text()
            assert_no_exception(page)
        finally:
            page.close()
