"""Cached loaders of the review pages (the store is passed as ``_store`` and keyed by its path)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from sop_core import Store
from sop_core.review import Review, currency, cycles, data_stamp, family_names, load_review, region_names
from sop_ui.filters import Filters

CACHE_TTL = 600
T = TypeVar("T")


@st.cache_data(show_spinner=False, ttl=CACHE_TTL)
def options(_store: Store, path: str, stamp: str) -> tuple[list[dt.date], list[str], list[str], str]:
    """Cycles (newest first), families, regions and the currency of the store at ``path``."""
    return cycles(_store), family_names(_store), region_names(_store), currency(_store)


@st.cache_data(show_spinner="Loading the review…", ttl=CACHE_TTL, max_entries=64)
def _review(
    _store: Store,
    path: str,
    stamp: str,
    cycle: dt.date | None,
    families: tuple[str, ...],
    regions: tuple[str, ...],
    horizon: int,
) -> Review:
    return load_review(_store, cycle, families, regions, horizon)


def previous_review(store: Store, stamp: str, current: Review, filters: Filters) -> Review | None:
    """The same view for the previous cycle, or ``None`` when the store has no previous cycle."""
    if current.previous_cycle is None:
        return None
    return _review(store, store.path, stamp, current.previous_cycle, filters.families, filters.regions, filters.horizon)


# ---------------------------------------------------------------- page start
EMPTY_MESSAGE = (
    "There is nothing to review yet: the store has no product families or plans. Load master data, actuals "
    "and plans on the **Data** page, or create the demo company with `python -m sop_core demo`."
)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=512)
def _memo(_build: Callable[[], T], name: str, path: str, stamp: str, filters: Filters) -> T:
    return _build()


@dataclass(frozen=True)
class View:
    """What a review page works with: the store, the filters, the review bundle, colours and currency."""

    store: Store
    filters: Filters
    review: Review
    colors: dict[str, str]
    currency: str
    stamp: str

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """``build()`` cached per ``name``, store, data stamp and filters (figures and tables of a page)."""
        return _memo(build, name, self.store.path, self.stamp, self.filters)

    def previous(self) -> Review | None:
        """The same view for the previous cycle (``None`` when there is none)."""
        return previous_review(self.store, self.stamp, self.review, self.filters)


def open_review(title: str, caption: str) -> View:
    """Start a review page: store, sidebar filters, title and the review bundle.

    Shows a friendly empty state and stops the page when there is nothing to review.
    """
    from sop_core.charts import family_colors
    from sop_ui.filters import filter_sidebar
    from sop_ui.store import get_store

    store = get_store()
    stamp = data_stamp(store)
    cycles, families, regions, currency = options(store, store.path, stamp)
    filters = filter_sidebar(cycles, families, regions)
    st.title(title)
    st.caption(caption)
    if not cycles or not families:
        st.info(EMPTY_MESSAGE, icon=":material/inbox:")
        st.page_link("pages/data.py", label="Go to the Data page", icon=":material/upload_file:")
        st.stop()
    current = _review(store, store.path, stamp, filters.cycle, filters.families, filters.regions, filters.horizon)
    if current.empty:
        st.info(
            "No plan or actuals for the chosen filters: widen the families or pick another cycle.",
            icon=":material/filter_alt_off:",
        )
        st.stop()
    return View(store, filters, current, family_colors(families), currency, stamp)
