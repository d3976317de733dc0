"""Labelled heatmaps (error by lag, capacity utilisation, status grids): tables in, ``go.Figure`` out.

Several panels share one figure (side by side on the same rows, or stacked), because each Plotly figure
costs the browser about 55 ms to draw. Cells carry their formatted value; a ▲ marks a flagged cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .theme import DIVERGING, ERROR_SCALE, HEAT_TEXT, UTILISATION_SCALE, empty_figure, style

HEATMAP_ROW_HEIGHT = 34
HEATMAP_MIN_HEIGHT = 240
NO_DATA = "No data for the chosen filters"


@dataclass(frozen=True)
class Heat:
    """One heatmap panel: ``table`` (rows × columns) and how to colour and label it."""

    table: pd.DataFrame
    title: str
    text_format: str = "{:+.0%}"
    colorscale: tuple | str = DIVERGING
    zmid: float | None = 0.0
    zmin: float | None = None
    zmax: float | None = None
    marks: pd.DataFrame | None = None  # same shape, bool: a ▲ before the cell text


def error_panel(table: pd.DataFrame, title: str, zmax: float = 0.3) -> Heat:
    """A panel of error ratios (WMAPE): green small → orange large, ``zmax`` and above fully orange."""
    return Heat(table, title, text_format="{:.0%}", colorscale=ERROR_SCALE, zmid=None, zmin=0.0, zmax=zmax)


def _heat_trace(panel: Heat) -> go.Heatmap:
    table = panel.table
    z = table.to_numpy(dtype=float)
    text = np.vectorize(lambda v: "" if np.isnan(v) else panel.text_format.format(v), otypes=[object])(z)
    if panel.marks is not None:
        flagged = panel.marks.reindex(index=table.index, columns=table.columns).fillna(False).to_numpy(dtype=bool)
        text = np.where(flagged, "▲" + text.astype(str), text)
    x = [c.strftime("%b %y") if isinstance(c, pd.Timestamp) else str(c) for c in table.columns]
    zmin: float | None
    zmax: float | None
    if panel.zmid is not None and panel.zmin is None:  # symmetric scale, robust to one outlier
        bound = float(np.nanpercentile(np.abs(z), 95)) if np.isfinite(z).any() else 1.0
        zmin, zmax = -max(bound, 0.01), max(bound, 0.01)
    else:
        zmin, zmax = panel.zmin, panel.zmax
    hover = panel.text_format.replace("{:", "%{z:").replace("}", "}")
    return go.Heatmap(
        z=z,
        x=x,
        y=[str(i) for i in table.index],
        text=text,
        texttemplate="%{text}",
        colorscale=panel.colorscale if isinstance(panel.colorscale, str) else [list(c) for c in panel.colorscale],
        zmin=zmin,
        zmax=zmax,
        xgap=2,
        ygap=2,
        showscale=False,
        textfont={"color": HEAT_TEXT},
        hovertemplate="%{y} · %{x}: " + hover + "<extra></extra>",
    )


def heatmaps(panels: Sequence[Heat], stacked: bool = False, title: str | None = None) -> go.Figure:
    """Several labelled heatmaps in one figure: side by side (sharing rows) or ``stacked``."""
    panels = [p for p in panels if not p.table.empty and not p.table.isna().all().all()]
    if not panels:
        return empty_figure(NO_DATA)
    n = len(panels)
    if stacked:
        heights = [max(len(p.table.index), 2) for p in panels]
        fig = make_subplots(
            rows=n,
            cols=1,
            subplot_titles=[p.title for p in panels],
            row_heights=heights,
            vertical_spacing=0.12 / max(n - 1, 1) + 0.04,
        )
        for i, panel in enumerate(panels, start=1):
            fig.add_trace(_heat_trace(panel), row=i, col=1)
        height = HEATMAP_ROW_HEIGHT * sum(heights) + 90 * n + 40
    else:
        widths = [max(len(p.table.columns), 2) for p in panels]
        fig = make_subplots(
            rows=1,
            cols=n,
            subplot_titles=[p.title for p in panels],
            column_widths=widths,
            shared_yaxes=True,
            horizontal_spacing=0.03,
        )
        rows = list(dict.fromkeys(i for p in panels for i in map(str, p.table.index)))
        for i, panel in enumerate(panels, start=1):
            fig.add_trace(_heat_trace(panel), row=1, col=i)
        fig.update_yaxes(categoryorder="array", categoryarray=rows[::-1])
        height = max(HEATMAP_MIN_HEIGHT, HEATMAP_ROW_HEIGHT * len(rows) + 150)
    fig.update_yaxes(showgrid=False, type="category")
    fig.update_xaxes(showgrid=False, type="category", tickangle=-45)
    if not stacked:
        fig.update_yaxes(autorange=True)
    else:
        fig.update_yaxes(autorange="reversed")
    return style(fig, height=height, title=title, legend=False)


def heatmap(table: pd.DataFrame, title: str | None = None, **panel: object) -> go.Figure:
    """A single labelled heatmap of ``table`` (see :class:`Heat` for the options)."""
    return heatmaps([Heat(table, "", **panel)], title=title)  # type: ignore[arg-type]  # Heat's options, passed through


def capacity_panel(capacity: pd.DataFrame, title: str = "Capacity utilisation (▲ overload)") -> Heat:
    """Resource × month utilisation; overloads (> 100 %) marked ▲, colour green → amber → red."""
    util = capacity.pivot_table(index="resource", columns="month", values="utilisation", aggfunc="first")
    over = capacity.assign(o=capacity["status"].eq("overload")).pivot_table(
        index="resource", columns="month", values="o", aggfunc="first"
    )
    return Heat(
        util,
        title,
        text_format="{:.0%}",
        colorscale=UTILISATION_SCALE,
        zmid=None,
        zmin=0.5,
        zmax=1.25,
        marks=over.astype(bool) if not over.empty else None,
    )
