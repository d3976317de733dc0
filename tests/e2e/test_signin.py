"""Sign-in end to end: a real local OpenID Connect provider, the app under ``streamlit run``, headless Chromium.

The provider and the signing in: tests/support/signin.py. Without the provider package or Chromium the tests
skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import assert_no_exception, open_page, screenshot, streamlit_server, wait_idle
from tests.support.signin import oidc_provider, secrets_file, sign_in, sign_out
from tests.support.stores import ROOT

VIEWER = "vera@example.com"
ADMIN = "boss@example.com"
PEOPLE = {VIEWER: "Vera Viewer", ADMIN: "Bo Boss"}

# The provider package still imports Authlib's deprecated JOSE module; not the app's concern.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider(PEOPLE) as issuer:
        yield issuer


@pytest.fixture(scope="module")
def signin_url(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a new empty store, sign-in pointed at the provider, ``boss@`` the first admin."""
    folder = tmp_path_factory.mktemp("signin")
    env = {
        "SOP_DB_PATH": str(folder / "sop.duckdb"),
        "SOP_DEMO": "0",
        "SOP_ADMIN_EMAIL": ADMIN,
        "STREAMLIT_SECRETS_FILES": str(secrets_file(folder, provider)),
    }
    with streamlit_server(Path(ROOT) / "app.py", env=env) as url:
        yield url


def test_a_visitor_sees_only_the_sign_in_screen(signin_url: str, page):
    open_page(page, signin_url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.locator("[data-testid='stSidebar']").count() == 0
    assert page.locator("[data-testid='stPlotlyChart'], [data-testid='stDataFrame']").count() == 0
    assert_no_exception(page)


def test_a_viewer_signs_in_sees_their_role_but_no_people_page_and_signs_out(signin_url: str, page):
    sign_in(page, signin_url, VIEWER)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Roles: viewer (default role; not listed)").wait_for(timeout=30_000)
    assert sidebar.get_by_text(PEOPLE[VIEWER]).is_visible() and sidebar.get_by_text(VIEWER).is_visible()
    assert sidebar.get_by_role("link", name="Overview").count() == 1
    assert sidebar.get_by_role("link", name="People").count() == 0
    assert_no_exception(page)
    screenshot(page, "signin-viewer")
    sign_out(page)
    assert page.locator("[data-testid='stSidebar']").count() == 0


def test_the_admin_signs_in_and_finds_the_people_page(signin_url: str, page):
    sign_in(page, signin_url, ADMIN)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Roles: admin").wait_for(timeout=30_000)
    sidebar.get_by_role("link", name="People").click()
    page.get_by_role("heading", name="People").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text(ADMIN).first.is_visible()
    assert_no_exception(page)
    screenshot(page, "signin-admin-people")
