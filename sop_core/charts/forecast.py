"""Chart builders of the Demand planning page: engine frames in, ``go.Figure`` out.

* :func:`family_chart` — one family (and region): history, the statistical baseline with its
  80 % / 95 % bands, each override layer, the consensus and the last approved plan, with a
  vertical marker at the cycle month. The line style says what a line is, as on every chart
  (actual solid, baseline dashed like a plan, the approved plan dotted); the consensus is the
  one bold line. Bands are drawn from zero up (a forecast band never goes below zero).
* :func:`fva_chart` — the forecast value added stairstep: WMAPE per process step at each lag;
  a step that made the forecast worse than the step before is outlined red and marked ▲.
* :func:`sku_chart` — the SKU drill-down: the family consensus spread to SKUs, stacked.
* :func:`consensus_outlook_chart` — the Demand review's small multiples, one panel per family: the
  statistical baseline, the consensus and the last approved plan over the horizon, with the gap
  consensus − baseline as bars (roles in the family chart's colours and line styles).

Input frames are the engine's (:func:`sop_core.forecast.family_view`,
:func:`~sop_core.forecast.fva_stairstep`, :func:`~sop_core.forecast.sku_drilldown`,
:func:`~sop_core.forecast.consensus_outlook`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..conventions import EPS
from .review import MULTIPLE_COLUMNS, _grid
from .theme import BAD, BAND_ALPHA, LINE_DASH, NEUTRAL, PALETTE, SMALL_MULTIPLE_ROW_HEIGHT, empty_figure, rgba, style

FAMILY_HEIGHT = 470
FVA_HEIGHT = 400
SKU_HEIGHT = 380
NO_FORECAST = "No forecast yet for this family: run the baseline"
NO_FVA = "No frozen forecast vintages with actuals yet (FVA needs approved cycles whose months have closed)"
NO_SKU = "No SKU split: no stored baseline for this family"
NO_OUTLOOK = "No statistical baseline stored for this cycle: run it on the Demand planning page"

# One colour per role (not per family: this chart shows one family, and the roles must stand apart).
HISTORY_COLOR = PALETTE[0]  # blue
BASELINE_COLOR = PALETTE[4]  # sky blue, its bands in the same hue
CONSENSUS_COLOR = PALETTE[5]  # vermillion, bold
APPROVED_COLOR = NEUTRAL
LAYER_COLORS = (PALETTE[2], PALETTE[3], PALETTE[6], PALETTE[7], PALETTE[9], PALETTE[1])  # none near vermillion
LAG_COLORS = (PALETTE[0], PALETTE[4], PALETTE[2], PALETTE[1])
BAND_80_ALPHA = 2 * BAND_ALPHA
CONSENSUS_NAME = "Consensus"
GAP_NAME = "Gap: consensus − baseline"
GAP_ALPHA = 0.35
WORSE_NAME = "▲ worse than the step before"


def _band(x: list, lo: np.ndarray, hi: np.ndarray, alpha: float, name: str, rank: int) -> go.Scatter:
    """A shaded range as one closed polygon, floored at zero, with a legend entry."""
    lo, hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
    return go.Scatter(
        x=x + x[::-1],
        y=np.concatenate([hi, lo[::-1]]),
        fill="toself",
        mode="none",
        name=name,
        fillcolor=rgba(BASELINE_COLOR, alpha),
        hoverinfo="skip",
        legendrank=rank,
        meta="band",
    )


def _line(
    data: pd.DataFrame, name: str, color: str, dash: str, width: float, rank: int, meta: str, markers: bool = False
) -> go.Scatter:
    return go.Scatter(
        x=list(data["month"]),
        y=data["value"].to_numpy(float),
        name=name,
        meta=meta,
        legendrank=rank,
        mode="lines+markers" if markers else "lines",
        line={"color": color, "dash": dash, "width": width},
        marker={"size": 5},
        hovertemplate="%{y:,.0f}<extra>" + name + "</extra>",
    )


def family_chart(
    view: pd.DataFrame, cycle: dt.date | pd.Timestamp | None = None, title: str | None = None, unit: str = "units"
) -> go.Figure:
    """History, baseline with bands, each layer, consensus and the last approved plan of one family.

    ``view`` is :func:`sop_core.forecast.family_view`'s long frame (``month, series, kind, value,
    lo80, hi80, lo95, hi95``; kinds ``history, baseline, layer, consensus, approved``). Each trace's
    ``meta`` names its kind (``band`` for the shaded ranges); the consensus trace is named
    :data:`CONSENSUS_NAME`. ``cycle`` draws the vertical cycle marker.
    """
    if view.empty or not view["kind"].isin(["history", "baseline", "consensus"]).any():
        return empty_figure(NO_FORECAST, height=260)
    view = view.assign(month=pd.to_datetime(view["month"])).sort_values("month")
    fig = go.Figure()
    base = view[view["kind"] == "baseline"]
    if not base.empty:
        x = list(base["month"])
        for lo, hi, alpha, name, rank in (
            ("lo95", "hi95", BAND_ALPHA, "95 % band", 22),
            ("lo80", "hi80", BAND_80_ALPHA, "80 % band", 21),
        ):
            if base[[lo, hi]].notna().all().all():
                fig.add_trace(_band(x, base[lo].to_numpy(float), base[hi].to_numpy(float), alpha, name, rank))
    history = view[view["kind"] == "history"]
    if not history.empty:
        fig.add_trace(_line(history, "Actual", HISTORY_COLOR, LINE_DASH["actual"], 2.6, 10, "history"))
    if not base.empty:
        fig.add_trace(_line(base, "Baseline (statistical)", BASELINE_COLOR, LINE_DASH["plan"], 2.4, 20, "baseline"))
    layers = view[view["kind"] == "layer"]
    for i, (name, data) in enumerate(layers.groupby("series", sort=False)):
        fig.add_trace(_line(data, str(name), LAYER_COLORS[i % len(LAYER_COLORS)], "solid", 1.6, 30 + i, "layer"))
    approved = view[view["kind"] == "approved"]
    if not approved.empty:
        fig.add_trace(_line(approved, "Last approved plan", APPROVED_COLOR, LINE_DASH["budget"], 2.4, 50, "approved"))
    agreed = view[view["kind"] == "consensus"]
    if not agreed.empty:
        fig.add_trace(_line(agreed, CONSENSUS_NAME, CONSENSUS_COLOR, "solid", 4.0, 40, "consensus", markers=True))
    if cycle is not None:
        at = pd.Timestamp(cycle)
        fig.add_shape(
            type="line",
            x0=at,
            x1=at,
            y0=0,
            y1=1,
            yref="paper",
            layer="below",
            line={"color": NEUTRAL, "width": 1.5, "dash": "dot"},
        )
        fig.add_annotation(
            x=at,
            y=1,
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            showarrow=False,
            text=f" cycle {at:%b %Y}",
            font={"color": NEUTRAL},
        )
    style(fig, height=FAMILY_HEIGHT, title=title)
    fig.update_layout(hovermode="x unified", legend={"traceorder": "normal"})
    fig.update_yaxes(title_text=unit, rangemode="tozero", tickformat="~s")
    fig.update_xaxes(tickformat="%b %y", hoverformat="%b %Y")
    return fig


def _fva_text(wmape: float, fva: float) -> str:
    if np.isnan(wmape):
        return ""
    text = f"{wmape:.1%}"
    return f"▲ {text}" if not np.isnan(fva) and fva < -EPS else text


def fva_chart(
    fva: pd.DataFrame, family: str | None = None, lags: Sequence[int] | None = None, title: str | None = None
) -> go.Figure:
    """The FVA stairstep: WMAPE per process step (in order), one bar series per lag.

    ``fva`` is :func:`sop_core.forecast.fva_stairstep`'s frame; ``family`` picks one of its families
    (default: the first). A step whose ``fva`` is negative (it made the forecast worse than the step
    before) is outlined red and its label starts with ▲; a legend entry says so.
    """
    data = fva if family is None else fva[fva["family"] == family]
    if data.empty or data["wmape"].isna().all():
        return empty_figure(NO_FVA, height=220)
    if family is None:
        data = data[data["family"] == data["family"].iloc[0]]
    wanted = sorted(data["lag"].unique()) if lags is None else [lag for lag in lags if lag in set(data["lag"])]
    steps = data.sort_values("step_order").drop_duplicates("step")["step"].tolist()
    fig = go.Figure()
    any_worse = False
    for i, lag in enumerate(wanted):
        sub = data[data["lag"] == lag].set_index("step").reindex(steps)
        wmape = sub["wmape"].to_numpy(float)
        gain = sub["fva"].to_numpy(float)
        worse = ~np.isnan(gain) & (gain < -EPS)
        any_worse = any_worse or bool(worse.any())
        color = LAG_COLORS[i % len(LAG_COLORS)]
        fig.add_bar(
            x=steps,
            y=wmape,
            name=f"lag {lag}",
            marker={
                "color": color,
                "line": {"color": [BAD if w else color for w in worse], "width": [3.5 if w else 0 for w in worse]},
            },
            text=[_fva_text(w, g) for w, g in zip(wmape, gain, strict=True)],
            textposition="outside",
            textfont={"color": [BAD if w else NEUTRAL for w in worse]},
            cliponaxis=False,
            customdata=np.column_stack([gain * 100, sub["n"].to_numpy(float)]),
            hovertemplate="%{x}, lag " + str(lag) + ": WMAPE %{y:.1%}<br>value added %{customdata[0]:+.1f} pts"
            "<br>%{customdata[1]:.0f} family-months<extra></extra>",
        )
    if any_worse:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=WORSE_NAME,
            showlegend=True,
            marker={"symbol": "square-open", "size": 14, "color": BAD, "line": {"width": 3}},
        )
    style(fig, height=FVA_HEIGHT, title=title)
    top = float(np.nanmax(data["wmape"].to_numpy(float)))
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(title_text="WMAPE", tickformat=".0%", range=[0, max(top, EPS) * 1.18])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=steps)
    return fig


def sku_chart(drill: pd.DataFrame, title: str | None = None, unit: str = "units") -> go.Figure:
    """The family consensus spread to SKUs (whole units), stacked by SKU per month.

    ``drill`` is :func:`sop_core.forecast.sku_drilldown`'s frame (``sku, month, baseline, share,
    consensus``); the stacks add up to the family consensus exactly. A family held without SKUs
    (``sku`` ``''``) shows one stack named "family".
    """
    if drill.empty:
        return empty_figure(NO_SKU, height=220)
    drill = drill.assign(month=pd.to_datetime(drill["month"]))
    fig = go.Figure()
    for i, (sku, data) in enumerate(drill.groupby("sku", sort=True)):
        name = str(sku) or "family"
        fig.add_bar(
            x=list(data["month"]),
            y=data["consensus"].to_numpy(float),
            name=name,
            marker_color=PALETTE[i % len(PALETTE)],
            customdata=data["share"].to_numpy(float),
            hovertemplate="%{y:,.0f} (baseline share %{customdata:.0%})<extra>" + name + "</extra>",
        )
    style(fig, height=SKU_HEIGHT, title=title)
    fig.update_layout(barmode="stack", hovermode="x unified")
    fig.update_yaxes(title_text=unit, tickformat="~s")
    fig.update_xaxes(tickformat="%b %y", hoverformat="%b %Y")
    return fig


def consensus_outlook_chart(
    outlook: pd.DataFrame, title: str | None = None, unit: str = "units", columns: int = MULTIPLE_COLUMNS
) -> go.Figure:
    """One panel per family: baseline (dashed), consensus (bold), last approved plan (dotted), gap bars.

    ``outlook`` is :func:`sop_core.forecast.consensus_outlook`'s frame (``family, month, baseline,
    consensus, approved, gap``). The roles keep the family chart's colours and line styles; each role is
    one legend entry (a legend group over all panels) and each trace's ``meta`` names its role
    (``gap``, ``baseline``, ``approved``, ``consensus``). Each panel has its own y scale.
    """
    if outlook.empty:
        return empty_figure(NO_OUTLOOK, height=220)
    families = sorted(outlook["family"].unique())
    fig, rows, cols = _grid(families, columns)
    roles = (
        ("gap", GAP_NAME),
        ("baseline", "Baseline (statistical)"),
        ("approved", "Last approved plan"),
        ("consensus", CONSENSUS_NAME),
    )
    for i, family in enumerate(families):
        data = outlook[outlook["family"] == family].sort_values("month")
        x = list(pd.to_datetime(data["month"]))
        at = {"row": i // cols + 1, "col": i % cols + 1}
        for role, name in roles:
            y = data[role].to_numpy(float)
            if np.isnan(y).all():
                continue
            common = {
                "x": x,
                "y": y,
                "name": name,
                "meta": role,
                "legendgroup": role,
                "showlegend": i == 0,
                "hovertemplate": "%{y:,.0f}<extra>" + f"{family} – {name}</extra>",
            }
            if role == "gap":
                fig.add_bar(**common, marker_color=rgba(CONSENSUS_COLOR, GAP_ALPHA), **at)
                continue
            style_of = {
                "baseline": (BASELINE_COLOR, LINE_DASH["plan"], 2.2),
                "approved": (APPROVED_COLOR, LINE_DASH["budget"], 2.2),
                "consensus": (CONSENSUS_COLOR, "solid", 3.2),
            }[role]
            fig.add_scatter(
                **common, mode="lines", line={"color": style_of[0], "dash": style_of[1], "width": style_of[2]}, **at
            )
    style(fig, height=SMALL_MULTIPLE_ROW_HEIGHT * rows + 110, title=title)
    fig.update_layout(hovermode="x unified", barmode="overlay", legend={"traceorder": "normal"})
    fig.update_yaxes(tickformat="~s", nticks=5)
    fig.update_yaxes(title_text=unit, col=1)
    fig.update_xaxes(tickformat="%b %y", hoverformat="%b %Y", nticks=5)
    return fig


def outlook_gap_chart(totals: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Per family, how far the consensus moved over the horizon: against the statistical baseline (the
    overrides' net change) and against the last approved plan, in percent (bars, families as rows).

    ``totals`` is :func:`sop_core.forecast.outlook_totals`' frame. One light figure: the month-by-month
    picture is :func:`consensus_outlook_chart`. A missing plan leaves its bar out.
    """
    if totals.empty:
        return empty_figure(NO_OUTLOOK, height=220)
    frame = totals.sort_values("family", ascending=False)  # alphabetical from the top
    fig = go.Figure()
    for column, name, color in (
        ("vs_approved_pct", "Consensus vs last approved plan", APPROVED_COLOR),
        ("gap_pct", "Consensus vs statistical baseline", CONSENSUS_COLOR),
    ):
        values = frame[column].to_numpy(float)
        fig.add_bar(
            x=values,
            y=frame["family"].tolist(),
            orientation="h",
            name=name,
            meta=column,
            marker_color=color,
            text=[f"{v:+.1%}" if np.isfinite(v) else "" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:+.1%}<extra>" + name + "</extra>",
        )
    style(fig, height=90 + 44 * len(frame), title=title)
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    fig.update_xaxes(tickformat="+.0%", zeroline=True, zerolinecolor=NEUTRAL)
    return fig
