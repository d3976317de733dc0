"""The Demand planning page's override editor: the grid as the editor shows it, and the edits back as the engine's.

The editor shows the engine's :func:`~sop_core.forecast.override_grid` (family level, or one SKU) with readable
columns and a *Carried* marker for the cells the cycle's opening carried from the previous cycle;
:func:`edits_from_editor` turns the edited rows back into the engine's edit frame, so all checks (reason
required, conflicts, frozen cycle) stay in :func:`~sop_core.forecast.save_overrides`. Pure helpers except
for the session-state ones (:func:`editor_key`, :func:`pinned_grid`, :func:`reset_editor`, :func:`reload_grid`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from sop_core.conventions import EPS
from sop_ui.forecast import clear_caches

GENERATION = "dp_grid_generation"
SNAPSHOT = "dp_grid_seen"
KIND_SHOWN = {"units": "units", "pct": "%"}
KIND_STORED = {shown: kind for kind, shown in KIND_SHOWN.items()}
EDITABLE = ["Kind", "Value", "Reason", "Comment"]
CARRIED = "Carried"
EDITOR_COLUMNS = ["Layer", "Month", "Baseline", *EDITABLE, "Change (units)", "Last change", CARRIED]
TO_REVIEW = "⚑ To review"


def editor_key(cycle: dt.date, family: str, region: str, layer: str, sku: str = "", only_review: bool = False) -> str:
    """The editor's widget key: new for each view and after each save (so stale edits never carry over)."""
    generation = st.session_state.get(GENERATION, 0)
    view = f"{layer}_{sku}{'_review' if only_review else ''}"
    return f"dp_grid_{generation}_{cycle:%Y-%m}_{family}_{region}_{view}"


def pinned_grid(key: str, load: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The grid the editor under ``key`` shows: read afresh while it holds no edits, then pinned.

    The versions a save sends must be those of the cells the user saw when editing; re-reading
    the grid under pending edits would take in another user's save and silently overwrite it.
    """
    state = st.session_state.get(key)
    edits = isinstance(state, dict) and any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))
    pinned = st.session_state.get(SNAPSHOT)
    if not edits or pinned is None or pinned[0] != key:
        pinned = (key, load())
        st.session_state[SNAPSHOT] = pinned
    return pinned[1]


def reset_editor() -> None:
    """Start the override editor afresh (after a save, or to reload after a conflict)."""
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def reload_grid() -> None:
    """A button callback: re-read the grid from the store (after a conflict), dropping the edits on screen."""
    clear_caches()
    reset_editor()


def _last_change(author: object, when: object) -> str:
    if author is None or (isinstance(author, float) and np.isnan(author)) or pd.isna(when):
        return ""
    return f"{author}, {pd.Timestamp(when):%Y-%m-%d %H:%M}"


def carried_marks(carried: pd.DataFrame, family: str, region: str | None, sku: str | None) -> pd.DataFrame:
    """The carried cells of ``family`` × ``region`` (None: all regions) at ``sku`` (``''``: family level, None:
    any), with ``mark``: "⚑ To review (from Oct 2026)" until re-saved or confirmed, then "Reviewed (from …)"."""
    rows = carried[carried["family"] == family]
    if region is not None:
        rows = rows[rows["region"] == region]
    if sku is not None:
        rows = rows[rows["sku"] == sku]
    marks = [
        f"{TO_REVIEW} (from {pd.Timestamp(src):%b %Y})" if bool(todo) else f"Reviewed (from {pd.Timestamp(src):%b %Y})"
        for src, todo in zip(rows["from_cycle"], rows["to_review"], strict=True)
    ]
    return rows.assign(month=pd.to_datetime(rows["month"]), mark=marks)


def editor_frame(grid: pd.DataFrame, codes: pd.DataFrame, marks: pd.DataFrame | None = None) -> pd.DataFrame:
    """The override grid as the editor shows it (same index as ``grid``), columns :data:`EDITOR_COLUMNS`.

    ``marks`` (:func:`carried_marks` of the grid's family × region × SKU) fills the *Carried* column.
    """
    labels = dict(zip(codes["reason"], codes["label"], strict=True))
    carried: dict[tuple[str, pd.Timestamp], str] = {}
    if marks is not None and not marks.empty:
        carried = dict(zip(zip(marks["layer"], marks["month"], strict=True), marks["mark"], strict=True))
    months = [pd.Timestamp(m) for m in grid["month"]]
    return pd.DataFrame(
        {
            "Layer": grid["label"].astype(str).to_numpy(),
            "Month": [f"{m:%b %Y}" for m in months],
            "Baseline": np.round(grid["baseline"].to_numpy(float)),
            "Kind": [KIND_SHOWN.get(str(k), "units") for k in grid["kind"]],
            "Value": grid["value"].to_numpy(float),
            "Reason": pd.Series(
                [labels.get(r, r) if isinstance(r, str) and r else None for r in grid["reason"]], dtype=object
            ).to_numpy(),
            "Comment": grid["comment"].fillna("").astype(str).to_numpy(),
            "Change (units)": ["" if pd.isna(d) else f"{d:+,.0f}" for d in grid["delta"]],
            "Last change": [_last_change(a, w) for a, w in zip(grid["author"], grid["updated_at"], strict=True)],
            CARRIED: [carried.get((str(layer), m), "") for layer, m in zip(grid["layer"], months, strict=True)],
        },
        index=grid.index,
    )


def column_config(codes: pd.DataFrame, sku: str = "") -> dict:
    """The editor's columns: kind, value, reason (a reason code) and comment are editable."""
    return {
        "Layer": st.column_config.TextColumn("Layer", width="small"),
        "Month": st.column_config.TextColumn("Month", width="small"),
        "Baseline": st.column_config.NumberColumn(
            f"Baseline ({sku})" if sku else "Baseline",
            format="localized",
            help=f"The statistical baseline of SKU {sku}" if sku else "The statistical baseline",
        ),
        "Kind": st.column_config.SelectboxColumn(
            "Kind",
            options=list(KIND_SHOWN.values()),
            required=True,
            help="units: add this many units; %: add this % of the baseline",
        ),
        "Value": st.column_config.NumberColumn("Value", help="The override; empty removes it"),
        "Reason": st.column_config.SelectboxColumn(
            "Reason", options=codes["label"].tolist(), help="Required for every override"
        ),
        "Comment": st.column_config.TextColumn("Comment", width="medium"),
        "Change (units)": st.column_config.TextColumn(
            "Change", width="small", alignment="right", help="The override in units"
        ),
        "Last change": st.column_config.TextColumn("Last change", width="medium"),
        CARRIED: st.column_config.TextColumn(
            CARRIED,
            width="medium",
            help="Carried from the previous cycle when this cycle opened: to review until saved again or confirmed",
        ),
    }


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()


def edits_from_editor(
    grid: pd.DataFrame, edited: pd.DataFrame, family: str, region: str, codes: pd.DataFrame
) -> pd.DataFrame:
    """The edited rows as :func:`~sop_core.forecast.save_overrides` takes them (unchanged rows included;
    the engine skips them). Layer, SKU, month and the version the editor saw come from ``grid`` by index."""
    to_code = dict(zip(codes["label"], codes["reason"], strict=True))
    base = grid.loc[edited.index]
    reasons = [_text(r) for r in edited["Reason"]]
    return pd.DataFrame(
        {
            "layer": base["layer"].to_numpy(),
            "family": family,
            "region": region,
            "sku": base["sku"].to_numpy() if "sku" in base.columns else "",
            "month": base["month"].to_numpy(),
            "kind": [KIND_STORED.get(_text(k), "units") for k in edited["Kind"]],
            "value": pd.to_numeric(edited["Value"], errors="coerce").to_numpy(float),
            "reason": [to_code.get(r, r) or None for r in reasons],
            "comment": [_text(c) for c in edited["Comment"]],
            "version": base["version"].to_numpy(),
        }
    )


def changed_rows(shown: pd.DataFrame, edited: pd.DataFrame) -> list[tuple[str, bool]]:
    """``(Layer · Month, has no reason yet)`` of each row whose editable cells differ from what was shown.

    For the page's "unsaved changes" line only: the save itself checks reasons in the engine.
    """
    out = []
    for index in edited.index:
        before, after = shown.loc[index], edited.loc[index]
        values = pd.to_numeric(pd.Series([before["Value"], after["Value"]]), errors="coerce").to_numpy(float)
        if np.isnan(values).all():  # no override before or after: nothing to save
            continue
        same_value = bool(np.isclose(values[0], values[1], rtol=0, atol=EPS))
        same_text = all(_text(before[c]) == _text(after[c]) for c in ("Kind", "Reason", "Comment"))
        if not (same_value and same_text):
            out.append((f"{after['Layer']} · {after['Month']}", not np.isnan(values[1]) and not _text(after["Reason"])))
    return out


def sku_override_table(
    overrides: pd.DataFrame, layers: pd.DataFrame, codes: pd.DataFrame, marks: pd.DataFrame
) -> pd.DataFrame:
    """The SKU-level overrides among ``overrides`` (one family × region), as the page lists them at family level:
    SKU, layer, month, the change in units, kind and value, reason, comment, last change and the carried mark."""
    rows = overrides[overrides["sku"] != ""]
    layer_label = dict(zip(layers["layer"], layers["label"], strict=True))
    reason_label = dict(zip(codes["reason"], codes["label"], strict=True))
    carried = {
        (str(s), str(layer), m): mark
        for s, layer, m, mark in zip(marks["sku"], marks["layer"], marks["month"], marks["mark"], strict=True)
    }
    months = [pd.Timestamp(m) for m in rows["month"]]
    return pd.DataFrame(
        {
            "SKU": rows["sku"].astype(str).to_numpy(),
            "Layer": [layer_label.get(x, x) for x in rows["layer"]],
            "Month": [f"{m:%b %Y}" for m in months],
            "Change (units)": [f"{d:+,.0f}" for d in rows["delta"].to_numpy(float)],
            "Override": [
                f"{v:+,g} %" if k == "pct" else f"{v:+,g} units"
                for k, v in zip(rows["kind"], rows["value"].to_numpy(float), strict=True)
            ],
            "Reason": [reason_label.get(r, r) for r in rows["reason"]],
            "Comment": rows["comment"].fillna("").astype(str).to_numpy(),
            "Last change": [_last_change(a, w) for a, w in zip(rows["author"], rows["updated_at"], strict=True)],
            CARRIED: [
                carried.get((str(s), str(layer), m), "")
                for s, layer, m in zip(rows["sku"], rows["layer"], months, strict=True)
            ],
        }
    )
