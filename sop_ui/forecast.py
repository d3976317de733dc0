"""Streamlit glue of the Demand planning page: cached loaders, the page's selectors, display tables.

Loaders take the store as ``_store`` (not hashed) and are keyed by its path and :func:`stamp` (the engine's
:func:`~sop_core.forecast.forecast_stamp`: it changes with every upload, plan, approval, override save,
confirmation and baseline run), so another user's save shows up at the next rerun; :func:`clear_caches` drops
them at once after a save of this session. The override editor is :mod:`sop_ui.forecast_editor`; the override
entry's actions (save, range form, carried cells) are :mod:`sop_ui.forecast_entry`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from sop_core import Store, plan_data, plans
from sop_core import forecast as fc
from sop_core.cycle import carried_overrides
from sop_core.facts import cycles as plan_cycles
from sop_core.facts import region_names
from sop_core.forecast.baseline import baseline_cycle
from sop_core.forecast.views import family_skus
from sop_ui.filters import STATE as SHARED_FILTERS

CACHE_TTL = 600
ALL_REGIONS = "All regions"
NO_REGION = "(no region)"
ALL_LAYERS = "All layers"
ALL_SKUS = "All SKUs (family level)"
KEEP = "dp_keep"
WIDGETS = {"cycle": "dp_cycle", "family": "dp_family", "region": "dp_region"}


def stamp(store: Store) -> str:
    """The cache key of every loader here: :func:`sop_core.forecast.forecast_stamp`."""
    return fc.forecast_stamp(store)


# ---------------------------------------------------------------- cached loaders
@dataclass(frozen=True)
class Options:
    """What the selectors offer: cycles (newest first), the family master, regions and plan versions."""

    cycles: list[dt.date]
    master: pd.DataFrame
    regions: list[str]
    versions: pd.DataFrame


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def load_options(_store: Store, path: str, stamp: str) -> Options:
    """The selectors' options; with no plan yet, the cycle after the last actual month."""
    cycles = plan_cycles(_store)
    if not cycles:
        start = baseline_cycle(_store, None)
        cycles = [] if start is None else [start]
    return Options(cycles, plan_data.families(_store), region_names(_store), plans.plan_versions(_store))


def frozen_reason(versions: pd.DataFrame, cycle: dt.date) -> str | None:
    """Why ``cycle`` cannot be edited (its plan is approved), or ``None`` for a draft."""
    row = versions[pd.to_datetime(versions["cycle"]) == pd.Timestamp(cycle)]
    if row.empty or row["status"].iloc[0] != "approved":
        return None
    by, at = row["approved_by"].iloc[0], row["approved_at"].iloc[0]
    who = f" by {by}" if isinstance(by, str) and by else ""
    when = f" on {pd.Timestamp(at):%Y-%m-%d}" if not pd.isna(at) else ""
    return (
        f"The plan of cycle {cycle:%B %Y} was approved{who}{when}: its baseline and overrides are frozen with "
        "it (they are the vintage that forecast value added is measured on). Pick the draft cycle to change "
        "the forecast."
    )


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=32)
def load_models(_store: Store, path: str, stamp: str, cycle: dt.date, family: str) -> pd.DataFrame:
    """The model table of ``family`` in ``cycle`` (one row per stored series)."""
    return fc.model_table(_store, cycle, [family])


@st.cache_data(show_spinner="Reading the forecast…", ttl=CACHE_TTL, max_entries=32)
def load_view(_store: Store, path: str, stamp: str, cycle: dt.date, family: str, region: str | None) -> pd.DataFrame:
    """The family chart's frame (``region`` None: all regions)."""
    return fc.family_view(_store, family, region, cycle)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=32)
def load_grid(
    _store: Store, path: str, stamp: str, cycle: dt.date, family: str, region: str, sku: str = ""
) -> pd.DataFrame:
    """The override grid of one family × region (``sku`` ``''``) or one of its SKUs (layer × month)."""
    return fc.override_grid(_store, family, region, cycle, sku)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=16)
def load_skus(_store: Store, path: str, stamp: str, family: str) -> list[str]:
    """The SKUs of ``family`` (the grid's SKU choice)."""
    return family_skus(_store, family)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=32)
def load_overrides(_store: Store, path: str, stamp: str, cycle: dt.date, family: str, region: str) -> pd.DataFrame:
    """The current overrides of one family × region, every SKU and the family level."""
    return fc.overrides(_store, cycle, [family], [region])


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def load_carried(_store: Store, path: str, stamp: str, cycle: dt.date) -> pd.DataFrame:
    """The overrides carried into ``cycle`` when it opened, with ``to_review``."""
    return carried_overrides(_store, cycle)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=4)
def load_codes(_store: Store, path: str, stamp: str) -> pd.DataFrame:
    """The reason codes (``reason, label``)."""
    return fc.reason_codes(_store)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=4)
def load_layers(_store: Store, path: str, stamp: str) -> pd.DataFrame:
    """The override layers in stairstep order (``layer, label, position``)."""
    return fc.forecast_layers(_store)


@st.cache_data(show_spinner="Measuring forecast value added…", ttl=CACHE_TTL, max_entries=16)
def load_fva(_store: Store, path: str, stamp: str, families: tuple[str, ...] | None, through: dt.date) -> pd.DataFrame:
    """The FVA stairstep (lags 1 and 3) of ``families`` (None: all, with ``All families``) up to ``through``."""
    return fc.fva_stairstep(_store, None if families is None else list(families), (1, 3), through)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def load_exceptions(_store: Store, path: str, stamp: str, cycle: dt.date) -> pd.DataFrame:
    """Layers that made a family's forecast worse three cycles running, up to ``cycle``."""
    return fc.layer_exceptions(_store, cycle)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=16)
def load_drilldown(
    _store: Store, path: str, stamp: str, cycle: dt.date, family: str, region: str | None
) -> pd.DataFrame:
    """The family consensus spread to SKUs."""
    return fc.sku_drilldown(_store, family, region, cycle)


LOADERS = (
    load_options,
    load_models,
    load_view,
    load_grid,
    load_skus,
    load_overrides,
    load_carried,
    load_codes,
    load_layers,
    load_fva,
    load_exceptions,
    load_drilldown,
)


def clear_caches() -> None:
    """Drop every cached frame of the page (after a save or a baseline run)."""
    for loader in LOADERS:
        loader.clear()


# ---------------------------------------------------------------- selectors
def region_options(models: pd.DataFrame, fallback: Sequence[str]) -> list[str]:
    """The regions the family's series are held in (``''`` when the actuals carry none), else ``fallback``."""
    regions = sorted(models["region"].dropna().unique().tolist()) if not models.empty else []
    return regions or list(fallback)


def region_label(region: str) -> str:
    """A region as shown in the selector (``''``: no region)."""
    return region if region else NO_REGION


def _keep(name: str) -> None:
    """on_change: remember a selector across page switches; the cycle is shared with the review pages."""
    value = st.session_state[WIDGETS[name]]
    st.session_state.setdefault(KEEP, {})[name] = value
    if name == "cycle" and SHARED_FILTERS in st.session_state:
        st.session_state[SHARED_FILTERS]["cycle"] = value


def _shared(name: str) -> object:
    shared = st.session_state.get(SHARED_FILTERS) or {}
    if name == "family":
        return (shared.get("families") or [None])[0]
    return shared.get(name)


def selector(
    name: str, label: str, options: Sequence, default: object = None, format_func: Callable[[Any], str] = str
) -> object:
    """A sidebar selectbox whose value survives page switches (first default: the shared review filters)."""
    keep = st.session_state.setdefault(KEEP, {})
    value = keep.get(name, _shared(name))
    if value not in options:
        value = default if default in options else options[0]
    st.session_state[WIDGETS[name]] = value
    return st.sidebar.selectbox(
        label, options, key=WIDGETS[name], on_change=_keep, args=(name,), format_func=format_func
    )


# ---------------------------------------------------------------- display tables
def model_display(models: pd.DataFrame, region: str | None) -> pd.DataFrame:
    """The model table of the chosen region (all when ``None``) with readable column names."""
    rows = models if region is None else models[models["region"] == region]
    return pd.DataFrame(
        {
            "SKU": rows["sku"].replace("", "(family)").to_numpy(),
            "Region": [region_label(r) for r in rows["region"]],
            "Model": rows["model"].to_numpy(),
            "Holdout MASE": rows["holdout_mase"].to_numpy(float),
            "Previous model": rows["previous_model"].to_numpy(),
            "Series class": rows["series_class"].to_numpy(),
            "History (months)": rows["history_months"].to_numpy(),
            "Mode": rows["mode"].to_numpy(),
            "Run at": pd.to_datetime(rows["run_at"]).to_numpy(),
        }
    )


def _shown(value: float, text: str) -> str:
    return "–" if pd.isna(value) else text.format(value).replace("-", "−")


def fva_table(fva: pd.DataFrame, family: str) -> pd.DataFrame:
    """One row per process step of ``family``, as text: per lag WMAPE, value added (points; a step that made
    the forecast worse starts with ``−``), bias % and the family-months measured."""
    data = fva[fva["family"] == family]
    steps = data.sort_values("step_order").drop_duplicates("step")["step"]
    table = pd.DataFrame({"Step": steps.to_numpy()})
    for lag, sub in data.groupby("lag", sort=True):
        sub = sub.set_index("step").reindex(table["Step"])
        table[f"WMAPE lag {lag}"] = [_shown(v, "{:.1%}") for v in sub["wmape"]]
        table[f"Value added lag {lag} (pts)"] = [_shown(v * 100, "{:+.1f}") for v in sub["fva"]]
        table[f"Bias % lag {lag}"] = [_shown(v, "{:+.1%}") for v in sub["bias_pct"]]
        table[f"Months lag {lag}"] = [_shown(v, "{:.0f}") for v in sub["n"]]
    return table


def outlook_table(outlook: pd.DataFrame) -> pd.DataFrame:
    """Per family, the horizon totals of the consensus outlook with readable column names (numbers kept
    as numbers, percentages in percent, for the page's column formats)."""
    totals = fc.outlook_totals(outlook)
    return pd.DataFrame(
        {
            "Family": totals["family"].to_numpy(),
            "Baseline": totals["baseline"].to_numpy(float),
            "Consensus": totals["consensus"].to_numpy(float),
            "Gap (units)": totals["gap"].to_numpy(float),
            "Gap %": totals["gap_pct"].to_numpy(float) * 100,
            "Last approved plan": totals["approved"].to_numpy(float),
            "Consensus vs last plan %": totals["vs_approved_pct"].to_numpy(float) * 100,
        }
    )


def outlook_columns() -> dict:
    """The column formats of :func:`outlook_table`."""
    units = {
        c: st.column_config.NumberColumn(c, format="%,.0f") for c in ("Baseline", "Consensus", "Last approved plan")
    }
    return {
        **units,
        "Gap (units)": st.column_config.NumberColumn(
            "Gap (units)", format="%+,.0f", help="Consensus − statistical baseline: the overrides' net change"
        ),
        "Gap %": st.column_config.NumberColumn("Gap %", format="%+.1f%%", help="Gap in % of the baseline"),
        "Consensus vs last plan %": st.column_config.NumberColumn(
            "Consensus vs last plan %",
            format="%+.1f%%",
            help="(Consensus − last approved plan) in % of that plan, over the months the plan covers",
        ),
    }


def sku_table(drill: pd.DataFrame) -> pd.DataFrame:
    """SKU × month of the consensus spread (whole units), months as ``Nov 26`` columns, with a total row."""
    if drill.empty:
        return pd.DataFrame()
    wide = drill.pivot_table(index="sku", columns="month", values="consensus", aggfunc="sum").fillna(0)
    wide.index = [s or "(family)" for s in wide.index]
    wide.loc["Total"] = wide.sum()
    wide.columns = [f"{pd.Timestamp(m):%b %y}" for m in wide.columns]
    return wide.astype("int64")
