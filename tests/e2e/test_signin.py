"""Sign-in end to end: a real local OpenID Connect provider, the app under ``streamlit run``, headless Chromium.

The provider is ``oidc-provider-mock`` on a free loopback port; its authorization page offers the predefined
people as buttons (their claims: e-mail, verified, name). The app reads its ``[auth]`` secrets from a
temporary file (``STREAMLIT_SECRETS_FILES``), never from the repository's ``.streamlit/``. Without the
provider package or Chromium the tests skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import assert_no_exception, open_page, screenshot, streamlit_server, wait_idle
from tests.support.stores import ROOT

VIEWER = "vera@example.com"
ADMIN = "boss@example.com"
PEOPLE = {VIEWER: "Vera Viewer", ADMIN: "Bo Boss"}

# The provider package still imports Authlib's deprecated JOSE module; not the app's concern.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """``oidc-provider-mock`` serving on 127.0.0.1 in a thread; yields its issuer URL."""
    try:
        import oidc_provider_mock
        import werkzeug.serving
    except ImportError as exc:
        _unavailable(f"oidc-provider-mock is not installed ({exc}); pip install -r requirements-dev.txt")
    users = [
        oidc_provider_mock.User(sub=email, claims={"email": email, "email_verified": True, "name": name})
        for email, name in PEOPLE.items()
    ]
    try:
        server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(user_claims=users), threaded=True)
    except OSError as exc:
        _unavailable(f"the OpenID provider cannot start: {exc}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def signin_url(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a new empty store, sign-in pointed at the provider, ``boss@`` the first admin."""
    folder = tmp_path_factory.mktemp("signin")
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "sop-dashboard"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    env = {
        "SOP_DB_PATH": str(folder / "sop.duckdb"),
        "SOP_DEMO": "0",
        "SOP_ADMIN_EMAIL": ADMIN,
        "STREAMLIT_SECRETS_FILES": str(secrets_file),
    }
    with streamlit_server(Path(ROOT) / "app.py", env=env) as url:
        yield url


def sign_in(page, url: str, email: str) -> None:
    """From the sign-in screen through the provider's authorization page back to the app."""
    open_page(page, url)
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.wait_for_selector("h1:has-text('Authorize Client')", timeout=60_000)
    page.get_by_role("button", name=email, exact=True).click()
    page.wait_for_url(f"{url}/**", timeout=60_000)
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    wait_idle(page)


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
    sidebar.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=60_000)  # the provider's end-session page
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
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
