"""The app's one cached store connection (each use takes its own cursor)."""

from __future__ import annotations

import streamlit as st

from sop_core import Store, StoreError, default_db_path, load_demo, open_store


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Store:
    store = open_store(path)
    if store.is_empty():
        with st.spinner("First start: creating the demo company…"):
            load_demo(store)
    return store


def get_store() -> Store:
    """The app's store (``$SOP_DB_PATH`` or ``data/sop.duckdb``), created with the demo if empty.

    On a file held by another process, shows the reason and stops the page.
    """
    try:
        return _open(default_db_path())
    except StoreError as exc:
        st.error(str(exc), icon=":material/lock:")
        st.stop()
        raise  # unreachable: st.stop() raises
