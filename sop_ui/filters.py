"""The shared review filters: plan cycle, families, regions and horizon.

Rendered in the sidebar by every review page with the same widget keys. The
chosen values live in ``st.session_state[STATE]`` (so they survive page
switches, which drop the widgets of the page left) and are mirrored into the
URL query string (``?cycle=2026-11&family=A&family=B&region=Europe&horizon=12``)
so that a view can be shared as a link; a link's values are read on the first
run of a session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sop_core.conventions import PLAN_HORIZON_MONTHS

STATE = "sop_filters"
KEYS = {"cycle": "flt_cycle", "families": "flt_families", "regions": "flt_regions", "horizon": "flt_horizon"}
HORIZONS = (3, 6, 12, PLAN_HORIZON_MONTHS)  # up to a version's whole horizon
DEFAULT_HORIZON = 12


@dataclass(frozen=True)
class Filters:
    """The chosen view; empty ``families``/``regions`` mean all."""

    cycle: dt.date | None
    families: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    horizon: int = DEFAULT_HORIZON


def _parse_cycle(text: str | None, cycles: list[dt.date]) -> dt.date | None:
    try:
        value = pd.Timestamp(text).date().replace(day=1) if text else None
    except ValueError:
        value = None
    return value if value in cycles else (cycles[0] if cycles else None)


def _from_query(cycles: list[dt.date], families: list[str], regions: list[str]) -> dict:
    """The filter values carried by the URL, validated against the store's options."""
    qp = st.query_params
    try:
        horizon = int(qp.get("horizon", DEFAULT_HORIZON))
    except ValueError:
        horizon = DEFAULT_HORIZON
    return {
        "cycle": _parse_cycle(qp.get("cycle"), cycles),
        "families": [f for f in qp.get_all("family") if f in families],
        "regions": [r for r in qp.get_all("region") if r in regions],
        "horizon": horizon if horizon in HORIZONS else DEFAULT_HORIZON,
    }


def _keep(name: str) -> None:
    """on_change: copy a widget's value into the persistent filter state."""
    st.session_state[STATE][name] = st.session_state[KEYS[name]]


def _to_query(values: dict) -> None:
    wanted = {
        "cycle": f"{values['cycle']:%Y-%m}" if values["cycle"] else None,
        "family": values["families"],
        "region": values["regions"],
        "horizon": str(values["horizon"]),
    }
    wanted = {k: v for k, v in wanted.items() if v}
    current = {
        k: (st.query_params.get_all(k) if k in ("family", "region") else st.query_params.get(k))
        for k in st.query_params
    }
    if current != wanted:
        st.query_params.from_dict(wanted)


def filter_sidebar(cycles: list[dt.date], families: list[str], regions: list[str]) -> Filters:
    """Render the shared filters in the sidebar and return the chosen view."""
    if STATE not in st.session_state:
        st.session_state[STATE] = _from_query(cycles, families, regions)
    values = st.session_state[STATE]
    if values["cycle"] not in cycles:  # the store changed (e.g. a new cycle was loaded)
        values["cycle"] = cycles[0] if cycles else None
    values["families"] = [f for f in values["families"] if f in families]
    values["regions"] = [r for r in values["regions"] if r in regions]
    for name, key in KEYS.items():
        st.session_state[key] = values[name]
    with st.sidebar:
        st.subheader("Filters")
        st.selectbox(
            "Plan cycle",
            cycles,
            key=KEYS["cycle"],
            on_change=_keep,
            args=("cycle",),
            format_func=lambda c: f"{c:%B %Y}" + (" (latest)" if cycles and c == cycles[0] else ""),
        )
        st.multiselect(
            "Families", families, key=KEYS["families"], on_change=_keep, args=("families",), placeholder="All families"
        )
        st.multiselect(
            "Regions",
            regions,
            key=KEYS["regions"],
            on_change=_keep,
            args=("regions",),
            placeholder="All regions",
            help="Applies to demand; supply and finance are planned per family.",
        )
        st.select_slider("Horizon (months)", HORIZONS, key=KEYS["horizon"], on_change=_keep, args=("horizon",))
    _to_query(values)
    return Filters(values["cycle"], tuple(values["families"]), tuple(values["regions"]), int(values["horizon"]))
