"""Demand planning: the statistical baseline, each function's overrides, the consensus and forecast value added.

Everyone reads; saving overrides and running the baseline need the ``forecast`` permission (a viewer sees the
grid read-only, without the Save and Run baseline buttons). Every save is signed by the acting person.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd
import streamlit as st

from sop_core import FrozenPlanError, Store, StoreError
from sop_core import forecast as fc
from sop_core.charts.forecast import family_chart, fva_chart, sku_chart
from sop_core.charts.theme import BAD
from sop_core.forecast.fva import ALL_FAMILIES
from sop_core.people import Actor, can, needs_role
from sop_ui import forecast as fui
from sop_ui import forecast_editor as fed
from sop_ui import forecast_entry as fent
from sop_ui.auth import current_actor
from sop_ui.format import download_csv
from sop_ui.store import get_store

EMPTY_MESSAGE = (
    "Nothing to plan yet: the store has no product families or demand actuals. Load master data and actuals on "
    "the **Data** page, or create the demo company with `python -m sop_core demo`."
)
CHART_KEY = (
    "Solid blue: actual demand · dashed: statistical baseline with its 80 % and 95 % bands · thin lines: "
    "the baseline plus each layer's overrides, in order · **bold: consensus** · dotted grey: the last "
    "approved plan. Hover for values."
)


# ---------------------------------------------------------------- the chart and the override editor
def sku_choice(skus: list[str]) -> str:
    """The grid's level: ``''`` (the family) or one of ``skus`` (a SKU choice that is gone falls back to family)."""
    options = [fui.ALL_SKUS, *skus]
    if st.session_state.get("dp_sku") not in options:
        st.session_state["dp_sku"] = fui.ALL_SKUS
    chosen = st.selectbox(
        "SKU",
        options,
        key="dp_sku",
        help="Family level: the override applies to the family × region. A SKU: the grid shows and edits that "
        "SKU's own overrides (baseline = the SKU's).",
    )
    return "" if chosen == fui.ALL_SKUS else str(chosen)


@st.fragment
def forecast_and_overrides(
    store: Store, cycle: dt.date, family: str, region: str | None, unit: str, frozen: str | None, actor: Actor
) -> None:
    """The family chart and the override grid (read-only unless ``actor`` may save); an edit reruns only this part."""
    stamp = fui.stamp(store)
    view = fui.load_view(store, store.path, stamp, cycle, family, region)
    where = family if region is None else f"{family} · {fui.region_label(region)}"
    st.plotly_chart(
        family_chart(view, cycle, title=f"{where}: demand, baseline, layers and consensus", unit=unit),
        key="dp_chart",
        config={"displayModeBar": False},
    )
    st.caption(CHART_KEY)
    st.subheader("Overrides")
    carried = fui.load_carried(store, store.path, stamp, cycle)
    fent.carried_panel(store, cycle, family, region, carried, frozen, actor)
    if region is None:
        st.info("Overrides are entered per family and region: pick a region in the sidebar.", icon=":material/map:")
        return
    codes = fui.load_codes(store, store.path, stamp)
    layers = fui.load_layers(store, store.path, stamp)
    layer_col, sku_col, filter_col = st.columns([1, 1, 1], vertical_alignment="bottom")
    layer = layer_col.selectbox("Layer", [fui.ALL_LAYERS, *layers["label"].tolist()], key="dp_layer")
    with sku_col:
        sku = sku_choice(fui.load_skus(store, store.path, stamp, family))
    marks = fed.carried_marks(carried, family, region, sku)
    to_review = bool(marks["mark"].str.startswith(fed.TO_REVIEW).any()) if not marks.empty else False
    only_review = filter_col.toggle("Only cells to review", key="dp_review_only") if to_review else False
    may_save = can(actor, "forecast")
    key = fed.editor_key(cycle, family, region, layer, sku, only_review)
    grid = fed.pinned_grid(key, lambda: fui.load_grid(store, store.path, stamp, cycle, family, region, sku))
    shown = fed.editor_frame(grid, codes, marks)
    if layer != fui.ALL_LAYERS:
        shown = shown[grid["label"] == layer]
    if only_review:
        shown = shown[shown[fed.CARRIED].str.startswith(fed.TO_REVIEW)]
    if sku and not (grid["baseline"] > 0).any():
        st.caption(
            f"SKU {sku} has no baseline of its own in this cycle (the baseline is held per family, or the SKU has "
            "no history): enter its overrides in units."
        )
    edited = st.data_editor(
        shown,
        key=key,
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        placeholder="",
        height=min(len(shown), 12) * 35 + 38,
        column_config=fed.column_config(codes, sku),
        disabled=True if frozen or not may_save else [c for c in fed.EDITOR_COLUMNS if c not in fed.EDITABLE],
    )
    if frozen:
        st.info(frozen, icon=":material/lock:")
    if frozen or not may_save:  # the page's caption says which role saving needs
        if not sku:
            fent.sku_overrides_section(store, stamp, cycle, family, region, layers, codes, carried)
        return
    changed = fed.changed_rows(shown, edited)
    button_col, note_col = st.columns([1, 4], vertical_alignment="center")
    save = button_col.button("Save overrides", key="dp_save", type="primary", icon=":material/save:")
    cells = [cell for cell, _ in changed]
    missing = sum(needs for _, needs in changed)
    note_col.caption(
        (
            f"**{len(changed)} unsaved change(s)**: {', '.join(cells[:6])}{' …' if len(cells) > 6 else ''}"
            + (f" — {missing} without a reason yet. " if missing else ". ")
            if changed
            else "No unsaved changes. "
        )
        + "Units add to the baseline; % is a share of the baseline. Every override needs a reason; an empty value "
        f"removes it. Saving writes the consensus to the draft's demand plan, signed {actor.author}."
    )
    if save:
        fent.save_edits(store, cycle, grid, edited, family, region, codes, actor)
    if not sku:
        fent.sku_overrides_section(store, stamp, cycle, family, region, layers, codes, carried)
    fent.range_form(store, cycle, family, region, sku, grid, layers, codes, len(changed), actor)


# ---------------------------------------------------------------- the statistical baseline
def run_baseline(store: Store, cycle: dt.date, family: str, scope: str, actor: Actor) -> None:
    """Forecast every series (of the family or all) as ``actor`` with a progress bar; write the consensus; rerun."""
    bar = st.progress(0.0, text="Preparing the series…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    try:
        families = [family] if scope == "This family" else None
        frame = fc.run_baseline(store, cycle, families=families, progress=progress, actor=actor)
        rows = fc.write_consensus(store, cycle, actor=actor)
    except (FrozenPlanError, PermissionError) as exc:
        bar.empty()
        st.error(str(exc), icon=":material/lock:")
        return
    except (ValueError, StoreError) as exc:
        bar.empty()
        st.error(f"The baseline run failed: {exc}")
        return
    fui.clear_caches()
    fed.reset_editor()
    series = frame[["family", "sku", "region"]].drop_duplicates().shape[0] if not frame.empty else 0
    st.session_state[fent.MESSAGE] = (
        f"Baseline of cycle {cycle:%Y-%m} run for {series} series; the consensus is the "
        f"draft's demand plan again ({rows} rows)."
    )
    st.rerun()


def baseline_section(
    store: Store, stamp: str, cycle: dt.date, family: str, region: str | None, frozen: str | None, actor: Actor
) -> None:
    """The chosen model per series with its holdout error, and the "Run baseline" button (when ``actor`` may)."""
    st.subheader("Statistical baseline")
    models = fui.model_display(fui.load_models(store, store.path, stamp, cycle, family), region)
    if models.empty:
        st.info(
            f"No stored baseline for {family} in cycle {cycle:%B %Y} yet: run the baseline below.",
            icon=":material/query_stats:",
        )
    else:
        counts = models["Model"].value_counts()
        mase = models["Holdout MASE"].dropna()
        tiles = st.columns(4)
        tiles[0].metric(
            "Chosen model",
            str(counts.index[0]),
            f"{counts.iloc[0]} of {len(models)} series",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        tiles[1].metric(
            "Holdout MASE (median)",
            f"{mase.median():.2f}" if not mase.empty else "–",
            border=True,
            help="Error on months the fit did not see, scaled by the seasonal naive error: below 1 "
            "beats seasonal naive.",
        )
        tiles[2].metric("Series class", ", ".join(models["Series class"].value_counts().index[:2]), border=True)
        run_at = pd.Timestamp(models["Run at"].max())
        tiles[3].metric(
            "Run",
            f"{run_at:%d %b %Y}",
            f"{' / '.join(models['Mode'].unique())} mode, {run_at:%H:%M}",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        if mase.empty:
            st.caption(
                "This baseline comes from the quick mode (no model choice, so no holdout error): run the "
                "baseline for the full model choice."
            )
        with st.expander(f"Model per series ({len(models)})"):
            st.dataframe(
                models,
                hide_index=True,
                width="stretch",
                placeholder="–",
                column_config={
                    "Holdout MASE": st.column_config.NumberColumn(format="%.2f"),
                    "Run at": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                },
            )
    if frozen:
        st.caption("Run baseline is off: this cycle's plan is approved and its baseline frozen.")
        return
    if not can(actor, "forecast"):  # the page's caption says which role running needs
        return
    scope_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
    scope = scope_col.radio(
        "Forecast",
        ["This family", "All families"],
        key="dp_run_scope",
        horizontal=True,
        help="Chooses each series' model on held-out months; all families take a while.",
    )
    if button_col.button("Run baseline", key="dp_run", icon=":material/play_arrow:"):
        run_baseline(store, cycle, family, str(scope), actor)


# ---------------------------------------------------------------- forecast value added
def fva_section(store: Store, stamp: str, cycle: dt.date, family: str) -> None:
    """The FVA stairstep chart and table (lags 1 and 3) and the layers that keep making it worse."""
    st.subheader("Forecast value added")
    pooled = st.toggle("All families pooled", key="dp_fva_all")
    name = ALL_FAMILIES if pooled else family
    fva = fui.load_fva(store, store.path, stamp, None if pooled else (family,), cycle)
    st.caption(
        f"WMAPE of each step of the process on the frozen forecasts of the approved cycles up to {cycle:%B %Y} "
        "(lag k: the figure made k months ahead), family level. Value added = the previous step's WMAPE − "
        "this step's: negative means the step made the forecast worse (▲, outlined red)."
    )
    st.plotly_chart(fva_chart(fva, name), key="dp_fva_chart", config={"displayModeBar": False})
    table = fui.fva_table(fva, name)
    if not table.empty:
        gains = [c for c in table.columns if c.startswith("Value added")]
        styled = table.style.map(lambda v: f"color: {BAD}; font-weight: 700" if v.startswith("−") else "", subset=gains)
        st.dataframe(
            styled,
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.TextColumn(c, alignment="right") for c in table.columns[1:]},
        )
        download_csv(
            fva[fva["family"] == name], f"fva-{name}-{cycle:%Y-%m}", key="dp_fva_csv", label="Download FVA (CSV)"
        )
    exceptions = fui.load_exceptions(store, store.path, stamp, cycle)
    if exceptions.empty:
        st.caption("No layer made a family's forecast worse three cycles running.")
    for message in exceptions.sort_values("family", key=lambda f: f != family)["message"]:
        st.warning(message, icon=":material/trending_down:")


# ---------------------------------------------------------------- page
store = get_store()
actor = current_actor()
st.title("Demand planning")
stamp = fui.stamp(store)
options = fui.load_options(store, store.path, stamp)
st.caption(
    "Consensus demand = statistical baseline + each function's overrides (with author and reason), written "
    "to the draft's demand plan. Error = actual − forecast."
)
if options.master.empty or not options.cycles:
    st.info(EMPTY_MESSAGE, icon=":material/inbox:")
    st.page_link("pages/data.py", label="Go to the Data page", icon=":material/upload_file:")
    st.stop()
if message := st.session_state.pop(fent.MESSAGE, None):
    st.success(message, icon=":material/check_circle:")
if not can(actor, "forecast"):
    st.caption(
        needs_role(actor, "forecast", "Saving overrides, confirming carried ones and running the baseline need")
        + " The grid is read-only."
    )

st.sidebar.subheader("Family and region")
latest = options.cycles[0]
cycle = cast(
    dt.date,
    fui.selector(
        "cycle", "Plan cycle", options.cycles, format_func=lambda c: f"{c:%B %Y}" + (" (latest)" if c == latest else "")
    ),
)
family = str(fui.selector("family", "Family", options.master["family"].tolist()))
regions = fui.region_options(fui.load_models(store, store.path, stamp, cycle, family), options.regions)
chosen = fui.selector(
    "region",
    "Region",
    [fui.ALL_REGIONS, *regions],
    default=regions[0] if regions else None,
    format_func=lambda r: r if r == fui.ALL_REGIONS else fui.region_label(r),
)
region = None if chosen == fui.ALL_REGIONS else str(chosen)
frozen = fui.frozen_reason(options.versions, cycle)
unit = str(options.master.set_index("family").at[family, "unit"])

forecast_and_overrides(store, cycle, family, region, unit, frozen, actor)
baseline_section(store, stamp, cycle, family, region, frozen, actor)
fva_section(store, stamp, cycle, family)
with st.expander("SKU drill-down: the consensus spread to SKUs (whole units that add up to the family)"):
    drill = fui.load_drilldown(store, store.path, stamp, cycle, family, region)
    st.plotly_chart(sku_chart(drill, unit=unit), key="dp_sku_chart", config={"displayModeBar": False})
    if not drill.empty and (drill["sku"] == "").all():
        st.caption(
            "The stored baseline of this family is held per family (e.g. the quick mode): run the baseline "
            "to forecast per SKU and see the split."
        )
    if not drill.empty:
        st.dataframe(fui.sku_table(drill), width="stretch")
        download_csv(drill, f"sku-split-{family}-{cycle:%Y-%m}", key="dp_sku_csv", label="Download SKU split (CSV)")
