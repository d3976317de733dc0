"""The meeting pre-read on the Cycle page: one click builds the pack (PDF or HTML) and downloads it.

Each download button's data is a callable (Streamlit's deferred download): the pack is
built from the store when the button is clicked, in a worker thread, while the button
shows a spinner; an error (e.g. Chromium failing) is shown under the button. The PDF
needs Chromium for its charts: without one its button is disabled and says why,
and the HTML still works.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from sop_core import Store
from sop_core.cycle.preread import MIME, build_preread, unavailable_reason
from sop_core.cycle.preread.build import Format

HTML_NOTE = "Self-contained: interactive charts that work offline; opens in any browser."
PDF_NOTE = "A4 landscape, at most 15 pages, for printing and e-mail."


def _builder(store: Store, cycle: dt.date, fmt: Format, today: dt.date | None) -> Callable[[], bytes]:
    """The deferred build of the pack (runs on click, in Streamlit's download thread)."""
    return lambda: build_preread(store, cycle, fmt, today=today)


def file_name(cycle: dt.date, fmt: Format) -> str:
    """``sop-preread-2026-11.pdf``."""
    return f"sop-preread-{cycle:%Y-%m}.{fmt}"


def preread_section(store: Store, cycle: dt.date, today: dt.date | None = None) -> None:
    """Two download buttons (PDF, HTML) that build the pre-read of ``cycle`` on click.

    The pack is built from the store as it is at the click (the cycle's figures,
    agenda, decisions and assumptions; ``today`` dates overdue items, default the
    system date); see docs/preread.md.
    """
    st.subheader("Meeting pre-read")
    st.caption(
        f"The pack for the executive meeting of {cycle:%B %Y}: headline figures, agenda, exceptions, the "
        "families that need a decision, capacity, finance against the budget, open decisions and assumptions. "
        "Built when you click (a few seconds)."
    )
    reason = unavailable_reason()
    pdf_col, html_col = st.columns(2)
    with pdf_col:
        st.download_button(
            "Download the PDF",
            _builder(store, cycle, "pdf", today) if reason is None else b"",
            file_name=file_name(cycle, "pdf"),
            mime=MIME["pdf"],
            key=f"preread_pdf_{cycle:%Y-%m}",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            disabled=reason is not None,
            help=reason or PDF_NOTE,
            width="stretch",
        )
        if reason is not None:
            st.warning(reason, icon=":material/warning:")
    with html_col:
        st.download_button(
            "Download the HTML",
            _builder(store, cycle, "html", today),
            file_name=file_name(cycle, "html"),
            mime=MIME["html"],
            key=f"preread_html_{cycle:%Y-%m}",
            icon=":material/html:",
            on_click="ignore",
            help=HTML_NOTE,
            width="stretch",
        )
