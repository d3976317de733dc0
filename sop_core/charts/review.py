"""Chart builders of the review pages: long-form frames in, ``go.Figure`` out.

Few figures with many small panels (combined subplots) rather than many
figures: each Plotly figure costs the browser about 55 ms to draw. One colour
per family (:func:`~sop_core.charts.theme.family_colors`); the line style says
what a line is (actual solid, plan dashed, budget dotted); the legend shows the
styles once, in a neutral colour, and the panel titles name the families.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# The heatmap builders moved to .heatmaps; re-exported here, where the pages have always found them.
from .heatmaps import NO_DATA
from .heatmaps import Heat as Heat
from .heatmaps import capacity_panel as capacity_panel
from .heatmaps import error_panel as error_panel
from .heatmaps import heatmap as heatmap
from .heatmaps import heatmaps as heatmaps
from .theme import (
    BAD,
    BAND_ALPHA,
    GOOD,
    LINE_DASH,
    NEUTRAL,
    SMALL_MULTIPLE_ROW_HEIGHT,
    empty_figure,
    rgba,
    style,
)

MULTIPLE_COLUMNS = 4
LINE_WIDTH = {"actual": 2.6, "plan": 2.2, "budget": 2.2, "previous": 1.6, "last_year": 1.6, "projected": 2.2}
ROLE_LABEL = {
    "actual": "actual",
    "plan": "plan",
    "budget": "budget",
    "previous": "previous cycle's plan",
    "last_year": "last year's actual",
    "projected": "projected",
}


@dataclass(frozen=True)
class Line:
    """One series of a small-multiples chart: the frame ``column`` drawn in the style of ``role``."""

    column: str
    role: str  # actual | plan | budget | previous | last_year | projected
    label: str | None = None
    opacity: float = 1.0


def _legend_entry(fig: go.Figure, name: str, dash: str = "solid", color: str = NEUTRAL, kind: str = "line") -> None:
    """A legend-only trace in a neutral colour (the panels carry the family colours)."""
    if kind == "band":
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=name,
            showlegend=True,
            marker={"symbol": "square", "size": 14, "color": rgba("#808080", 0.35)},
        )
    elif kind == "bar":
        fig.add_bar(x=[None], y=[None], name=name, showlegend=True, marker_color=color)
    else:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=name,
            showlegend=True,
            line={"dash": dash, "color": color, "width": 2.4},
        )


def _band_trace(month: pd.Series, lo: pd.Series, hi: pd.Series, color: str, name: str) -> go.Scatter:
    """A shaded range as one closed polygon (cheaper to draw than two traces filled ``tonexty``)."""
    ok = lo.notna() & hi.notna()
    x, lo, hi = list(month[ok]), list(lo[ok]), list(hi[ok])
    return go.Scatter(
        x=x + x[::-1],
        y=hi + lo[::-1],
        fill="toself",
        mode="none",
        fillcolor=rgba(color, BAND_ALPHA),
        hoverinfo="skip",
        showlegend=False,
        name=name,
    )


def _grid(families: Sequence[str], columns: int, **subplots: object) -> tuple[go.Figure, int, int]:
    cols = min(columns, len(families))
    rows = math.ceil(len(families) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        subplot_titles=list(families),
        vertical_spacing=0.5 / rows / 1.6 if rows > 1 else 0.1,
        horizontal_spacing=0.045,
        **subplots,
    )
    return fig, rows, cols


def small_multiples(
    frame: pd.DataFrame,
    lines: Sequence[Line],
    colors: Mapping[str, str],
    band: tuple[str, str, str] | None = None,
    bars: tuple[str, str] | None = None,
    y_title: str = "units",
    title: str | None = None,
    columns: int = MULTIPLE_COLUMNS,
) -> go.Figure:
    """One panel per family (``frame``: ``family, month`` + the value columns), shared x axis.

    ``band=(lo, hi, label)`` shades a range (tolerance or target band) in the
    family's colour; ``bars=(column, label)`` draws that column as red bars below
    zero (backorders). Each panel has its own y scale: families differ in units.
    """
    if frame.empty:
        return empty_figure(NO_DATA)
    families = sorted(frame["family"].unique())
    fig, rows, cols = _grid(families, columns)
    traces, at_rows, at_cols = [], [], []
    for i, family in enumerate(families):
        data = frame[frame["family"] == family].sort_values("month")
        color = colors.get(family, NEUTRAL)
        panel: list = []
        if band is not None:
            panel.append(_band_trace(data["month"], data[band[0]], data[band[1]], color, band[2]))
        if bars is not None and data[bars[0]].fillna(0).gt(0).any():
            panel.append(
                go.Bar(
                    x=data["month"],
                    y=-data[bars[0]].fillna(0),
                    marker_color=BAD,
                    showlegend=False,
                    name=bars[1],
                    customdata=data[bars[0]],
                    hovertemplate=f"{bars[1]}: %{{customdata:,.0f}}<extra>{family}</extra>",
                )
            )
        for line in lines:
            if line.column not in data or data[line.column].isna().all():
                continue
            label = line.label or ROLE_LABEL[line.role]
            panel.append(
                go.Scatter(
                    x=data["month"],
                    y=data[line.column],
                    mode="lines",
                    showlegend=False,
                    opacity=line.opacity,
                    name=label,
                    line={"color": color, "dash": LINE_DASH.get(line.role, "solid"), "width": LINE_WIDTH[line.role]},
                    hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>" + f"{family} – {label}</extra>",
                )
            )
        traces += panel
        at_rows += [i // cols + 1] * len(panel)
        at_cols += [i % cols + 1] * len(panel)
    fig.add_traces(traces, rows=at_rows, cols=at_cols)
    for line in lines:
        _legend_entry(fig, line.label or ROLE_LABEL[line.role], LINE_DASH.get(line.role, "solid"))
    if band is not None:
        _legend_entry(fig, band[2], kind="band")
    if bars is not None:
        _legend_entry(fig, bars[1], color=BAD, kind="bar")
    fig.update_yaxes(rangemode="tozero", tickformat="~s", nticks=5)
    fig.update_xaxes(tickformat="%b %y", nticks=5)
    fig.update_yaxes(title_text=y_title, col=1)
    style(fig, height=SMALL_MULTIPLE_ROW_HEIGHT * rows + 110, title=title)
    fig.update_layout(barmode="overlay")
    return fig


def finance_overview(totals: pd.DataFrame, currency: str, title: str | None = None) -> go.Figure:
    """Revenue, cost and margin per month (``totals``: ``month`` + ``{actual,plan,budget}_{revenue,cost,margin}``)."""
    if totals.empty:
        return empty_figure(NO_DATA)
    measures = ("revenue", "cost", "margin")
    fig = make_subplots(rows=1, cols=3, subplot_titles=[m.capitalize() for m in measures], horizontal_spacing=0.06)
    for c, measure in enumerate(measures, start=1):
        for role, color in (("budget", NEUTRAL), ("plan", "#2471a3"), ("actual", "#2471a3")):
            fig.add_scatter(
                x=totals["month"],
                y=totals[f"{role}_{measure}"],
                mode="lines",
                name=role,
                legendgroup=role,
                showlegend=c == 1,
                line={"dash": LINE_DASH[role], "color": color, "width": LINE_WIDTH[role]},
                hovertemplate="%{x|%b %Y}: %{y:,.0f} " + currency + f"<extra>{measure} {role}</extra>",
                row=1,
                col=c,
            )
    fig.update_yaxes(tickformat="~s")
    fig.update_yaxes(title_text=currency, col=1)
    fig.update_xaxes(tickformat="%b %y", nticks=6)
    return style(fig, height=400, title=title)


def budget_bridge(year: pd.DataFrame, currency: str, title: str | None = None) -> go.Figure:
    """Waterfall from the year's budget through each family's gap to the outlook (``family, budget_revenue, gap_to_budget``)."""
    data = year.dropna(subset=["budget_revenue"]).sort_values("gap_to_budget")
    if data.empty:
        return empty_figure("No budget for this year")
    budget = float(data["budget_revenue"].sum())
    x = ["Budget", *data["family"], "Outlook"]
    y = [budget, *data["gap_to_budget"], 0.0]
    fig = go.Figure(
        go.Waterfall(
            x=x,
            y=y,
            measure=["absolute", *["relative"] * len(data), "total"],
            increasing={"marker": {"color": GOOD}},
            decreasing={"marker": {"color": BAD}},
            totals={"marker": {"color": "#2471a3"}},
            connector={"line": {"color": NEUTRAL, "width": 1}},
            text=[
                f"{v / 1e6:,.1f} M" if i in (0, len(y) - 1) else f"{v / 1e6:+,.2f} M"
                for i, v in enumerate([budget, *data["gap_to_budget"], budget + data["gap_to_budget"].sum()])
            ],
            textposition="outside",
            hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra></extra>",
        )
    )
    low = budget + min(0.0, float(data["gap_to_budget"].clip(upper=0).sum()))
    high = budget + float(data["gap_to_budget"].clip(lower=0).sum())
    pad = max(high - low, abs(budget) * 0.01) * 0.35
    fig.update_yaxes(range=[low - pad, high + pad], tickformat="~s", title_text=currency)
    fig.update_xaxes(tickangle=-30)
    return style(fig, height=440, title=title, legend=False)


def stacked_by_family(
    frame: pd.DataFrame,
    value: str,
    colors: Mapping[str, str],
    title: str | None = None,
    y_title: str = "",
    split: pd.Timestamp | None = None,
) -> go.Figure:
    """Stacked areas of ``value`` per family over months; a vertical line at ``split`` (actual | projection)."""
    data = frame.dropna(subset=[value])
    if data.empty:
        return empty_figure(NO_DATA)
    fig = go.Figure()
    for family, rows in data.groupby("family", sort=True):
        color = colors.get(family, NEUTRAL)
        fig.add_scatter(
            x=rows["month"],
            y=rows[value],
            name=family,
            stackgroup="one",
            mode="lines",
            line={"color": color, "width": 1},
            fillcolor=rgba(color, 0.55),
            hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>" + family + "</extra>",
        )
    if split is not None:
        fig.add_vline(x=split, line={"color": NEUTRAL, "dash": "dot", "width": 1.5})
        fig.add_annotation(
            x=split, y=1, yref="paper", text="projection →", showarrow=False, xanchor="left", yanchor="bottom"
        )
    fig.update_yaxes(tickformat="~s", title_text=y_title)
    fig.update_xaxes(tickformat="%b %y")
    return style(fig, title=title)


def decision_panel(
    demand: pd.DataFrame,
    stock: pd.DataFrame,
    money: pd.DataFrame,
    families: Sequence[str],
    colors: Mapping[str, str],
    currency: str,
) -> go.Figure:
    """One row per family needing a decision: demand (actual vs plan), stock vs target band, revenue vs budget.

    ``demand``: ``family, month, actual, plan``; ``stock``: ``family, month, actual, projected, band_lo,
    band_hi, backorders``; ``money``: ``family, month, outlook_revenue, budget_revenue``.
    """
    if not families:
        return empty_figure("No family needs a decision this cycle")
    titles = []
    for family in families:
        titles += [f"<b>{family}</b> · demand", "stock / backlog", "revenue vs budget"]
    fig = make_subplots(
        rows=len(families),
        cols=3,
        subplot_titles=titles,
        horizontal_spacing=0.06,
        vertical_spacing=0.35 / len(families),
    )
    traces, at_rows, at_cols = [], [], []

    def line(frame: pd.DataFrame, column: str, color: str, role: str, row: int, col: int, name: str) -> None:
        traces.append(
            go.Scatter(
                x=frame["month"],
                y=frame[column],
                mode="lines",
                name=name,
                showlegend=False,
                line={"color": color, "dash": LINE_DASH[role], "width": LINE_WIDTH[role] + 0.2},
                hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>" + name + "</extra>",
            )
        )
        at_rows.append(row)
        at_cols.append(col)

    for r, family in enumerate(families, start=1):
        color = colors.get(family, NEUTRAL)
        d = demand[demand["family"] == family].sort_values("month")
        s = stock[stock["family"] == family].sort_values("month")
        m = money[money["family"] == family].sort_values("month")
        line(d, "plan", color, "plan", r, 1, "plan")
        line(d, "actual", color, "actual", r, 1, "actual")
        traces.append(_band_trace(s["month"], s["band_lo"], s["band_hi"], color, "target band"))
        at_rows.append(r)
        at_cols.append(2)
        line(s, "actual", color, "actual", r, 2, "actual")
        line(s, "projected", color, "plan", r, 2, "projected")
        if s["backorders"].gt(0).any():
            traces.append(
                go.Bar(x=s["month"], y=-s["backorders"], marker_color=BAD, name="backorders", showlegend=False)
            )
            at_rows.append(r)
            at_cols.append(2)
        line(m, "budget_revenue", NEUTRAL, "budget", r, 3, f"budget ({currency})")
        line(m, "outlook_revenue", color, "actual", r, 3, f"outlook ({currency})")
    fig.add_traces(traces, rows=at_rows, cols=at_cols)
    for name, dash in (("actual / outlook", "solid"), ("plan / projected", "dash"), ("budget", "dot")):
        _legend_entry(fig, name, dash)
    _legend_entry(fig, "target band", kind="band")
    fig.update_yaxes(tickformat="~s", rangemode="tozero", nticks=5)
    fig.update_xaxes(tickformat="%b %y", nticks=5)
    return style(fig, height=300 * len(families) + 100)
