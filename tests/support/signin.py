"""A real local OpenID Connect provider and the app signed in through it (for the sign-in browser tests).

The provider is ``oidc-provider-mock`` on a free loopback port; its authorization page offers the predefined
people as buttons (their claims: e-mail, verified, name). The app reads its ``[auth]`` secrets from a
temporary file (``STREAMLIT_SECRETS_FILES``), never from the repository's ``.streamlit/``. Without the
provider package the tests skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.browser import open_page, wait_idle


def unavailable(reason: str) -> None:
    """Skip locally, fail under ``CI=true`` (CI installs everything the tests need)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def oidc_provider(people: Mapping[str, str]) -> Iterator[str]:
    """``oidc-provider-mock`` serving ``people`` (e-mail → name) on 127.0.0.1 in a thread; yields its issuer URL."""
    try:
        import oidc_provider_mock
        import werkzeug.serving
    except ImportError as exc:
        unavailable(f"oidc-provider-mock is not installed ({exc}); pip install -r requirements-dev.txt")
    users = [
        oidc_provider_mock.User(sub=email, claims={"email": email, "email_verified": True, "name": name})
        for email, name in people.items()
    ]
    try:
        server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(user_claims=users), threaded=True)
    except OSError as exc:
        unavailable(f"the OpenID provider cannot start: {exc}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def secrets_file(folder: Path, issuer: str) -> Path:
    """An ``[auth]`` secrets file in ``folder`` pointing at ``issuer`` (fresh random secrets each time)."""
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "sop-dashboard"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    return path


def sign_in(page, url: str, email: str) -> None:
    """From the sign-in screen through the provider's authorization page back to the app."""
    open_page(page, url)
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.wait_for_selector("h1:has-text('Authorize Client')", timeout=60_000)
    page.get_by_role("button", name=email, exact=True).click()
    page.wait_for_url(f"{url}/**", timeout=60_000)
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    wait_idle(page)


def sign_out(page) -> None:
    """Sign out in the app and end the session at the provider; back on the sign-in screen."""
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=60_000)  # the provider's end-session page
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
