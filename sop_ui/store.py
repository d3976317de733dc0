"""The app's one cached store connection (each use takes its own cursor)."""

from __future__ import annotations

import os

import streamlit as st
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager

from sop_core import Store, StoreError, default_db_path, load_demo, open_store
from sop_core.jobs import start_runner, stop_runner


def demo_on_empty() -> bool:
    """Whether an empty store is filled with the demo company (``SOP_DEMO=0`` turns it off)."""
    return os.environ.get("SOP_DEMO", "1") != "0"


# A cleared cache entry stops its store's runner; the next page run opens the store and starts one.
@st.cache_resource(show_spinner=False, on_release=stop_runner)
def _open(path: str, with_demo: bool) -> Store:
    store = open_store(path)
    if with_demo and store.is_empty():
        with st.spinner("First start: creating the demo company…"):
            load_demo(store)
    if not config.get_option("global.appTest"):  # AppTest runs pages in the test process: nobody hands it jobs
        start_runner(store)  # commands (python -m sop_core import …) hand their jobs to this process: sop_core.jobs
    return store


def _require_app_shell() -> None:
    """Rerun through ``app.py`` when Streamlit ran a page on its own.

    With a ``pages/`` folder, Streamlit starts in its old multipage mode until
    ``st.navigation`` has run once; a deep link (``/supply``) as the first
    request of a fresh server would run the page file directly, without the
    app's page config and navigation, and keep doing so. Clearing the flag and
    rerunning makes the server run ``app.py``, which routes to the same page.
    """
    # AppTest resets the flag before every run and drives pages directly; a
    # rerun there would drop the clicks under test, so leave it alone.
    # (``config.get_option`` is what AppTest patches; ``st.get_option`` is not.)
    if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


def get_store() -> Store:
    """The app's store (``$SOP_DB_PATH`` or ``data/sop.duckdb``), filled with the demo if empty.

    On a file held by another process, shows the reason and stops the page.
    """
    _require_app_shell()
    try:
        return _open(default_db_path(), demo_on_empty())
    except StoreError as exc:
        st.error(str(exc), icon=":material/lock:")
        st.stop()
        raise  # unreachable: st.stop() raises
