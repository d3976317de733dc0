"""The pre-S&OP cards: budget reconciliation and the executive meeting agenda."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from sop_core import cycle as cy
from sop_core.charts.cycle import budget_gap
from sop_core.charts.theme import BAD
from sop_ui import cycle as cui
from sop_ui.format import download_csv


def reconciliation_card(recon: pd.DataFrame, chosen: dt.date, currency: str) -> None:
    """Plan revenue and margin against the budget, by family (horizon totals) and by month."""
    st.subheader("Budget reconciliation")
    st.plotly_chart(budget_gap(recon, currency), key="cy_budget", config={"displayModeBar": False})
    if recon.empty:
        return
    styled = cui.reconciliation_frame(recon, currency).style.map(
        lambda v: f"color: {BAD}; font-weight: 700" if str(v).startswith(("−", "-")) else "",
        subset=["Revenue gap", "Margin gap", "Gap %"],
    )
    st.dataframe(styled, hide_index=True, width="stretch", key="cy_recon_table")
    st.caption(
        f"Over the cycle's horizon ({pd.Timestamp(recon['month'].min()):%b %Y} – "
        f"{pd.Timestamp(recon['month'].max()):%b %Y}); months without a budget count no gap."
    )
    with st.expander("By family and month"):
        st.dataframe(recon, hide_index=True, width="stretch", key="cy_recon_detail")
        download_csv(recon, f"budget-reconciliation-{chosen:%Y-%m}", key="cy_recon_csv")


def agenda_card(items: pd.DataFrame, chosen: dt.date, currency: str) -> None:
    """The generated agenda of the executive meeting, section by section."""
    st.subheader("Executive meeting agenda")
    if items.empty:
        st.info("Nothing on the agenda: no exception above the threshold, no decision due, no assumption changed.")
        return
    for section in cy.AGENDA_SECTIONS:
        part = items[items["section"] == section]
        st.markdown(f"**{section}** ({len(part)})")
        if part.empty:
            st.caption("None.")
            continue
        st.dataframe(
            cui.agenda_frame(part, currency),
            hide_index=True,
            width="stretch",
            key=f"cy_agenda_{cy.AGENDA_SECTIONS.index(section)}",
            # the money at stake (the ranking) and the months stay in view; the long text last but one
            column_order=["topic", "subject", "money", "months", "detail", "page"],
            column_config={
                "topic": "Topic",
                "subject": "Subject",
                "months": "When",
                "detail": st.column_config.TextColumn("What", width="medium"),
                "money": st.column_config.TextColumn("At stake", alignment="right"),
                "page": st.column_config.TextColumn("Page / owner", width="medium"),
            },
        )
    download_csv(items, f"agenda-{chosen:%Y-%m}", key="cy_agenda_csv")
