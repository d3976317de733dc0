"""The app shell under AppTest: first start on a missing file, and a file held by another process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sop_core import open_store
from tests.support.stores import HOLD, ROOT

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def run_app(monkeypatch, db: Path, demo: str = "1") -> AppTest:
    monkeypatch.setenv("SOP_DB_PATH", str(db))
    monkeypatch.setenv("SOP_DEMO", demo)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    return at.run()


def test_first_start_creates_the_store_with_the_demo(tmp_path, monkeypatch):
    db = tmp_path / "new" / "sop.duckdb"
    at = run_app(monkeypatch, db)
    assert not at.exception
    assert db.exists()
    st.cache_resource.clear()  # releases the app's connection
    with open_store(str(db)) as store:
        assert store.scalar("SELECT count(*) FROM families") == 8


def test_locked_store_shows_who_holds_it(tmp_path, monkeypatch):
    db = tmp_path / "sop.duckdb"
    open_store(str(db)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(root=str(ROOT), path=str(db))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        at = run_app(monkeypatch, db)
        assert not at.exception
        assert any(f"in use by process {holder.pid}" in e.value for e in at.error)
    finally:
        holder.communicate("\n", timeout=30)
