"""Shared fixtures: a hand-built tiny store and the demo company at a fixed date."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_core import Store, load_demo, open_store
from tests.support.stores import DEMO_AS_OF, build_tiny


@pytest.fixture()
def tiny() -> Iterator[Store]:
    """A fresh in-memory tiny store per test."""
    store = open_store(":memory:")
    build_tiny(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_store() -> Iterator[Store]:
    """The demo company anchored at 2026-11 (read-only use: shared by the session)."""
    store = open_store(":memory:")
    load_demo(store, as_of=DEMO_AS_OF)
    yield store
    store.close()


@pytest.fixture()
def fresh_streamlit_caches() -> Iterator[None]:
    """Clear Streamlit's caches around an AppTest test (they persist across tests otherwise)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture()
def db_path(tmp_path: Path) -> str:
    """A path for a file-backed store in a temporary folder."""
    return str(tmp_path / "sop.duckdb")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("SOP_TEST", "1")
