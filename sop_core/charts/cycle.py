"""Chart builders of the Cycle page: the step timeline, the supply plan against capacity, the plan against budget.

Pure: frames in, ``go.Figure`` out, in the shared look (:mod:`.theme`). Step statuses have one colour each
(:data:`STEP_COLORS`, also used by the page's step table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..conventions import EPS
from .theme import BAD, FONT_SIZE, GOOD, LEGEND_SPACE, NEUTRAL, TITLE_SPACE, empty_figure, rgba, style

STEP_COLORS = {"done": GOOD, "in progress": "#2471a3", "overdue": BAD, "not started": NEUTRAL}
CAPACITY_ROW_HEIGHT = 230
DAY_MS = 86_400_000


def step_timeline(steps: pd.DataFrame, start: dt.date, today: dt.date | None = None) -> go.Figure:
    """The cycle's steps as bars on the calendar, from the previous step's due date (the first: the cycle's
    start) to the step's own, coloured by status (:data:`STEP_COLORS`); a dotted line marks ``today``.

    ``steps``: ``name, owner, due_date, status`` in order (:data:`sop_core.cycle.STEP_COLUMNS`).
    """
    if steps.empty:
        return empty_figure("The cycle has no steps")
    due = pd.to_datetime(steps["due_date"]).reset_index(drop=True)
    begin = pd.Series([pd.Timestamp(start), *due.iloc[:-1]])
    length = ((due - begin).dt.days.clip(lower=1) * DAY_MS).astype(float)
    labels = [f"{i}. {name}" for i, name in enumerate(steps["name"], start=1)]
    status = steps["status"].astype(str).tolist()
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=length,
            base=begin.dt.strftime("%Y-%m-%d"),
            orientation="h",
            marker={"color": [STEP_COLORS.get(s, NEUTRAL) for s in status], "line": {"width": 0}},
            text=[f"due {d:%d %b}" for d in due],
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "#ffffff", "size": FONT_SIZE - 1},
            customdata=np.column_stack([steps["owner"].astype(str), status, due.dt.strftime("%Y-%m-%d")]),
            hovertemplate="%{y}<br>owner %{customdata[0]}<br>%{customdata[1]}, due %{customdata[2]}<extra></extra>",
            showlegend=False,
        )
    )
    if today is not None:
        fig.add_vline(x=pd.Timestamp(today).strftime("%Y-%m-%d"), line={"color": NEUTRAL, "dash": "dot", "width": 2})
        fig.add_annotation(
            x=pd.Timestamp(today).strftime("%Y-%m-%d"),
            y=1,
            yref="paper",
            text="today",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
        )
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False, tickfont={"size": FONT_SIZE})
    fig.update_xaxes(type="date", tickformat="%d %b", tickfont={"size": FONT_SIZE - 1})
    return style(fig, height=90 + 44 * len(steps), legend=False)


def supply_vs_capacity(
    load: pd.DataFrame, capacity: pd.DataFrame, colors: Mapping[str, str], title: str | None = None
) -> go.Figure:
    """One panel per resource: the supply plan's load in hours, stacked by family, against the available hours
    (solid line) and the warning level (dotted); overloaded months are marked ▲ above the bar.

    ``load``: ``resource, family, month, load_hours``; ``capacity``: ``resource, month, load_hours,
    available_hours, utilisation, status`` (:func:`sop_core.supply.capacity_load`).
    """
    resources = sorted(set(capacity["resource"]) | set(load["resource"]))
    if not resources:
        return empty_figure("No bill of resources or capacity data")
    fig = make_subplots(
        rows=len(resources),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.32 / len(resources),
        subplot_titles=[f"<b>{r}</b>: load vs available hours" for r in resources],
    )
    shown: set[str] = set()
    for row, resource in enumerate(resources, start=1):
        part = load[load["resource"] == resource]
        for family, rows in part.groupby("family", sort=True):
            color = colors.get(str(family), NEUTRAL)
            fig.add_bar(
                x=rows["month"],
                y=rows["load_hours"],
                name=str(family),
                legendgroup=str(family),
                showlegend=family not in shown,
                marker_color=rgba(color, 0.8),
                row=row,
                col=1,
                hovertemplate="%{x|%b %Y}: %{y:,.0f} h<extra>" + str(family) + "</extra>",
            )
            shown.add(str(family))
        cap = capacity[capacity["resource"] == resource].sort_values("month")
        fig.add_scatter(
            x=cap["month"],
            y=cap["available_hours"],
            mode="lines",
            name="available hours",
            legendgroup="available",
            showlegend=row == 1,
            line={"color": NEUTRAL, "width": 3},
            line_shape="hvh",
            row=row,
            col=1,
            hovertemplate="%{x|%b %Y}: %{y:,.0f} h available<extra></extra>",
        )
        if "warning_utilisation" in cap:
            fig.add_scatter(
                x=cap["month"],
                y=cap["available_hours"] * cap["warning_utilisation"],
                mode="lines",
                name="warning level",
                legendgroup="warning",
                showlegend=row == 1,
                line_shape="hvh",
                line={"color": NEUTRAL, "dash": "dot", "width": 1.6},
                row=row,
                col=1,
                hoverinfo="skip",
            )
        over = cap[cap["utilisation"] > 1.0 + EPS]
        if not over.empty:
            fig.add_scatter(
                x=over["month"],
                y=over["load_hours"] * 1.04,
                mode="markers+text",
                name="overload",
                legendgroup="overload",
                showlegend="overload" not in shown,
                row=row,
                col=1,
                marker={"symbol": "triangle-up", "size": 13, "color": BAD},
                text=[f"{u:.0%}" for u in over["utilisation"]],
                textposition="top center",
                textfont={"color": BAD, "size": 13},
                hovertemplate="%{x|%b %Y}: overloaded, %{text} of available hours<extra></extra>",
            )
            shown.add("overload")
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_yaxes(tickformat="~s", title_text="hours", rangemode="tozero")
    fig.update_xaxes(tickformat="%b %y")
    fig = style(fig, height=150 + CAPACITY_ROW_HEIGHT * len(resources), title=title)
    # Room for a legend of two rows (one entry per family) above the first panel's title.
    return fig.update_layout(margin_t=LEGEND_SPACE + 40 + (TITLE_SPACE if title else 0))


def budget_gap(recon: pd.DataFrame, currency: str, title: str | None = None) -> go.Figure:
    """All families by month: plan revenue against the budget (top), and the revenue and margin gaps (bottom:
    bars green above, red below the budget).

    ``recon``: :data:`sop_core.cycle.RECONCILE_COLUMNS`.
    """
    if recon.empty:
        return empty_figure("No plan in this cycle's horizon")
    totals = recon.groupby("month", as_index=False)[
        ["plan_revenue", "budget_revenue", "revenue_gap", "plan_margin", "budget_margin", "margin_gap"]
    ].sum(min_count=1)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        row_heights=[0.58, 0.42],
        subplot_titles=["Revenue: plan vs budget", "Gap to budget (plan − budget)"],
    )
    money = "%{x|%b %Y}: %{y:,.0f} " + currency
    fig.add_scatter(
        x=totals["month"],
        y=totals["budget_revenue"],
        name="budget revenue",
        mode="lines",
        line={"color": NEUTRAL, "dash": "dot", "width": 2.4},
        row=1,
        col=1,
        hovertemplate=money + "<extra>budget</extra>",
    )
    fig.add_scatter(
        x=totals["month"],
        y=totals["plan_revenue"],
        name="plan revenue",
        mode="lines",
        line={"color": "#2471a3", "dash": "dash", "width": 2.4},
        row=1,
        col=1,
        hovertemplate=money + "<extra>plan</extra>",
    )
    gap = totals["revenue_gap"].fillna(0.0)
    fig.add_bar(
        x=totals["month"],
        y=gap,
        name="revenue gap",
        marker_color=np.where(gap >= 0, GOOD, BAD).tolist(),
        row=2,
        col=1,
        hovertemplate=money + "<extra>revenue gap</extra>",
    )
    fig.add_scatter(
        x=totals["month"],
        y=totals["margin_gap"],
        name="margin gap",
        mode="lines+markers",
        line={"color": NEUTRAL, "width": 1.8},
        marker={"size": 6},
        row=2,
        col=1,
        hovertemplate=money + "<extra>margin gap</extra>",
    )
    fig.update_yaxes(tickformat="~s", title_text=currency)
    fig.update_xaxes(tickformat="%b %y")
    return style(fig, height=520, title=title)
