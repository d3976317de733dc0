"""The shared look of every chart: colours, line styles, fonts and layout.

* One colour per family on every chart, from :func:`family_colors` over the
  sorted family list (deterministic, independent of the filter).
* Plan dashed, actual solid, budget dotted; tolerance / target bands shaded.
* Readable on a projector: base font 15 px, legends above the plot.
* Transparent paper and plot backgrounds, so both the light and the dark
  Streamlit theme show through; grid lines are a neutral semi-transparent grey.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

FONT_SIZE = 15
TITLE_SIZE = 17
HEIGHT = 420
SMALL_MULTIPLE_ROW_HEIGHT = 230
LEGEND_SPACE = 70  # px of top margin that hold the horizontal legend
TITLE_SPACE = 36  # px above the legend for a figure title
# Okabe-Ito-like palette, colour-blind safe, distinct on light and dark backgrounds.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#8E6AC8",
    "#B8A400",
    "#7F7F7F",
    "#17BECF",
    "#A0522D",
    "#2CA02C",
)
LINE_DASH = {
    "actual": "solid",
    "plan": "dash",
    "projected": "dash",
    "budget": "dot",
    "previous": "dashdot",
    "last_year": "dot",
}
NEUTRAL = "#8c8c8c"
GRID = "rgba(128,128,128,0.25)"
BAND_ALPHA = 0.15
STATUS_COLORS = {"ok": "#2e9d57", "watch": "#e0a100", "act": "#d43f3a", None: "#9e9e9e"}
GOOD, BAD = "#2e9d57", "#d43f3a"
# Heatmap scales in mid tones, so that one dark cell text (HEAT_TEXT) reads on every cell in both themes.
HEAT_TEXT = "#1a1a1a"
# Diverging scale for deviations (red below, neutral at 0, blue above).
DIVERGING = ((0.0, "#e07b72"), (0.5, "#eeeeee"), (1.0, "#79aede"))
# Error scale (WMAPE): green (small) → yellow → orange (large).
ERROR_SCALE = ((0.0, "#8fd19e"), (0.5, "#f7e08a"), (1.0, "#f0a35e"))
# Utilisation: green (low) → amber (warning) → red (overload); zmin 0.5, zmax 1.25.
UTILISATION_SCALE = ((0.0, "#8fd19e"), (0.45, "#f7e08a"), (0.6, "#f0a35e"), (0.67, "#e06666"), (1.0, "#d04a4a"))


def family_colors(families: Iterable[str]) -> dict[str, str]:
    """One colour per family, assigned over the sorted family list (stable across pages and filters)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(set(families)))}


def rgba(hex_color: str, alpha: float) -> str:
    """``#rrggbb`` as an ``rgba(...)`` string with ``alpha``."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def style(fig: go.Figure, height: int = HEIGHT, title: str | None = None, legend: bool = True) -> go.Figure:
    """Apply the shared layout: transparent backgrounds, projector fonts, legend above the plot."""
    fig.update_layout(
        height=height,
        title_y=0.995,
        title_yanchor="top",
        title_yref="container",
        title={"text": title, "font": {"size": TITLE_SIZE}, "x": 0, "xanchor": "left"} if title else None,
        font={"size": FONT_SIZE},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 10, "r": 10, "t": (LEGEND_SPACE if legend else 30) + (TITLE_SPACE if title else 0), "b": 10},
        showlegend=legend,
        # The legend sits in the top margin, above any subplot titles (container coordinates).
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "top",
            "y": 1.0 - (TITLE_SPACE / height if title else 0),
            "x": 0,
            "xanchor": "left",
            "font": {"size": FONT_SIZE - 1},
            "title": {"text": ""},
        },
        hovermode="closest",
    )
    fig.update_xaxes(gridcolor=GRID, zeroline=False, automargin=True)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID, automargin=True)
    fig.update_annotations(font_size=FONT_SIZE)
    return fig


def empty_figure(message: str, height: int = 200) -> go.Figure:
    """A figure that only says ``message`` (for a chart without data)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, height=height, legend=False)
