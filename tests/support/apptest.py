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
    at = at or AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
