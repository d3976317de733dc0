"""Running the app's pages under Streamlit's AppTest on a copy of a demo store (shared by the page tests)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sop_core import load_demo, open_store
from tests.support.stores import ROOT

APP = str(ROOT / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-0123456789",
    "client_id": "sop",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
"""An ``[auth]`` section for AppTest's secrets: sign-in configured (AppTest never contacts the provider)."""


def build_demo_file(folder: Path, as_of: dt.date | None = None) -> Path:
    """A demo store file in ``folder`` (``as_of`` None: built for today), to copy per test."""
    path = folder / "demo.duckdb"
    with open_store(path) as store:
        load_demo(store, as_of=as_of)
    return path


def use_copy(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy ``demo_file`` into ``tmp_path`` and point the app at the copy (``SOP_DB_PATH``)."""
    path = tmp_path / "sop.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("SOP_DB_PATH", str(path))
    return path


def open_app_page(page: str, at: AppTest | None = None) -> AppTest:
    """Run the app once (its navigation is known after the first run), switch to ``page`` and check for errors."""
    at = at if at is not None else AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def list_person(db: Path, email: str, *roles: str) -> None:
    """List ``email`` with ``roles`` in the store at ``db`` (through the engine, acting as the first admin)."""
    from sop_core.people import actor_for, add_first_admin, add_person, has_admin

    with open_store(db) as store:
        if not has_admin(store):
            add_first_admin(store, "first-admin@example.com", source="test")
        add_person(store, actor_for(store, "first-admin@example.com"), email, roles)


def signed_in_as(email: str, at: AppTest | None = None) -> AppTest:
    """An AppTest of the app with sign-in configured and ``email`` signed in (not yet run).

    List the person first (:func:`list_person`); an unlisted e-mail gets the default role (viewer).
    """
    at = at if at is not None else AppTest.from_file(APP, default_timeout=60)
    at.secrets = {"auth": AUTH}
    at.user = {"is_logged_in": True, "email": email, "email_verified": True, "name": email.split("@")[0].title()}
    return at
