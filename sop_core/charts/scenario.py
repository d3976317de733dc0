"""Chart builders of the scenario page: a :class:`~sop_core.scenario.ScenarioResult` in, ``go.Figure`` out.

One figure of four panels (combined subplots: each separate Plotly figure costs
the browser about 55 ms per update, and each panel more), each panel scenario
against the baseline: the scenario solid and coloured, the baseline dashed
grey, the budget dotted. Per-family figures go in a table on the page (two
more panels cost ~40 % more browser time per slider move, measured).

Speed: the figure is redrawn on every slider move, and building it through
Plotly's validating object tree costs ~60 ms. So the layout (subplots, axes,
theme) is built and validated once per shape and cached as a dict, the traces
are plain dicts, and the figure is assembled with validation off.
``tests/test_scenario_charts.py`` checks that the same spec passes Plotly's
full validation unchanged.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sop_core.conventions import EPS
from sop_core.scenario import ScenarioResult

from .theme import LINE_DASH, NEUTRAL, UTILISATION_SCALE, style

PANEL_TITLES = (
    "Inventory and backorders, value",
    "Capacity utilisation (red: overload)",
    "Revenue and margin per month",
    "Trade-off: fill rate vs inventory",
)
ROWS = 2
ROW_HEIGHT = 330
SCENARIO_COLOR = "#0072B2"
MARGIN_COLOR = "#009E73"
SHORT_COLOR = "#D55E00"
BASE_WIDTH = 2.0
SCEN_WIDTH = 2.8
UTIL_MAX = 1.3
UTIL_COLORS = [
    [0, UTILISATION_SCALE[0][1]],
    [0.85 / UTIL_MAX, UTILISATION_SCALE[1][1]],
    [1.0 / UTIL_MAX, UTILISATION_SCALE[2][1]],
    [1.0, UTILISATION_SCALE[3][1]],
]
LABEL_MONTHS = 9  # label heatmap cells only up to this many months (narrow cells stay clean)


def _axes(row: int, col: int) -> dict[str, str]:
    """Trace axis references of the subplot at ``row``, ``col`` (2 × 2 grid)."""
    k = (row - 1) * 2 + col
    suffix = "" if k == 1 else str(k)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def _pct_text(values: np.ndarray) -> np.ndarray:
    """Utilisation as hover text: ``87%``, ``no hours`` (load on a resource that has none), ``–`` (no data)."""
    finite = np.isfinite(values)
    text = np.char.mod("%.0f%%", np.where(finite, values, 0.0) * 100)
    return np.where(finite, text, np.where(np.isinf(values), "no hours", "–"))


@lru_cache(maxsize=16)
def _skeleton(currency: str) -> dict:
    """The validated layout of the four panels, as a dict (cached per currency)."""
    fig = make_subplots(rows=ROWS, cols=2, subplot_titles=PANEL_TITLES, vertical_spacing=0.2, horizontal_spacing=0.12)
    style(fig, height=ROWS * ROW_HEIGHT)
    fig.update_yaxes(autorange="reversed", showgrid=False, row=1, col=2)
    fig.update_xaxes(showgrid=False, row=1, col=2)
    fig.update_yaxes(title_text=currency, row=1, col=1)
    fig.update_yaxes(title_text=currency, row=2, col=1)
    fig.update_yaxes(title_text="fill rate %", row=2, col=2)
    fig.update_xaxes(title_text=f"average inventory value {currency}".strip(), row=2, col=2)
    # Fixed margins: automargin makes Plotly lay the six panels out again until the margins settle,
    # which multiplies the browser's drawing time on every update.
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    # No legend and no bar labels: every text element is redrawn on each update. The page's caption
    # explains the line styles; hover gives every value.
    fig.update_xaxes(nticks=5, tickangle=0)
    for axis in ("xaxis", "xaxis2", "xaxis3"):  # the month axes
        fig.layout[axis].tickformat = "%b %y"
    fig.update_layout(margin={"t": 40, "b": 50, "l": 70, "r": 10}, showlegend=False)
    return fig.to_dict()["layout"]


def _line(x, y, name: str, color: str, row: int, col: int, baseline: bool = False, legend: bool = False) -> dict:
    """A scenario line (solid, coloured) or a baseline line (dashed, grey)."""
    label = f"{name} · baseline" if baseline else name
    return {
        "type": "scatter",
        "mode": "lines",
        "x": x,
        "y": y,
        "name": label,
        "showlegend": legend,
        "line": {
            "color": NEUTRAL if baseline else color,
            "width": BASE_WIDTH if baseline else SCEN_WIDTH,
            "dash": LINE_DASH["plan"] if baseline else "solid",
        },
        "hovertemplate": f"{label} %{{x|%b %Y}}: %{{y:,.0f}}<extra></extra>",
        **_axes(row, col),
    }


def scenario_spec(result: ScenarioResult, currency: str = "") -> dict:
    """The figure as a plain ``{"data", "layout"}`` dict (see the module note on speed)."""
    scen, base, inputs = result.scenario, result.baseline, result.inputs
    x = [m.isoformat() for m in result.months]
    traces: list[dict] = []

    # 1. Inventory value and backorder value, totals per month.
    traces += [
        _line(x, base.inventory_value.sum(axis=0), "Inventory value", SCENARIO_COLOR, 1, 1, baseline=True),
        _line(x, scen.inventory_value.sum(axis=0), "Inventory value", SCENARIO_COLOR, 1, 1, legend=True),
        _line(
            x,
            (base.backorders * base.price[:, None]).sum(axis=0),
            "Backorders (at price)",
            SHORT_COLOR,
            1,
            1,
            baseline=True,
        ),
        _line(
            x,
            (scen.backorders * scen.price[:, None]).sum(axis=0),
            "Backorders (at price)",
            SHORT_COLOR,
            1,
            1,
            legend=True,
        ),
    ]

    # 2. Utilisation heatmap: resources × months, overloads red, baseline in the hover.
    util = scen.utilisation  # inf (load, no hours) shows as the top of the scale
    heat = {
        "type": "heatmap",
        "x": x,
        "y": list(inputs.resources),
        "z": np.where(np.isnan(util), np.nan, np.minimum(util, UTIL_MAX)),
        "zmin": 0,
        "zmax": UTIL_MAX,
        "colorscale": UTIL_COLORS,
        "showscale": False,
        "xgap": 1,
        "ygap": 1,
        "customdata": np.dstack([_pct_text(util), _pct_text(base.utilisation)]),
        "hovertemplate": "%{y} %{x|%b %Y}: %{customdata[0]} (baseline %{customdata[1]})<extra></extra>",
        **_axes(1, 2),
    }
    if len(x) <= LABEL_MONTHS:
        value = np.nan_to_num(util)
        text = np.where(value >= inputs.warning[:, None] - EPS, np.char.mod("%.0f%%", value * 100), "")
        heat.update(text=text, texttemplate="%{text}", textfont={"size": 12})
    traces.append(heat)

    # 3. Revenue and margin per month, with the budget.
    traces += [
        _line(x, base.revenue.sum(axis=0), "Revenue", SCENARIO_COLOR, 2, 1, baseline=True),
        _line(x, scen.revenue.sum(axis=0), "Revenue", SCENARIO_COLOR, 2, 1, legend=True),
        _line(x, base.margin.sum(axis=0), "Margin", MARGIN_COLOR, 2, 1, baseline=True),
        _line(x, scen.margin.sum(axis=0), "Margin", MARGIN_COLOR, 2, 1, legend=True),
    ]
    if np.isfinite(scen.budget_revenue).any():
        budget = _line(x, np.nansum(scen.budget_revenue, axis=0), "Budget revenue", NEUTRAL, 2, 1, legend=True)
        budget["line"]["dash"] = LINE_DASH["budget"]
        traces.append(budget)
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": [None],
            "y": [None],
            "name": "baseline (current plan)",
            "line": {"color": NEUTRAL, "dash": LINE_DASH["plan"], "width": BASE_WIDTH},
            **_axes(1, 1),
        }
    )

    # 4. Trade-off curve, the scenario's own choice (star) and the baseline (diamond).
    curve = result.tradeoff
    if len(curve):
        current = curve[curve["current"]]
        traces += [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": curve["avg_inventory_value"].to_numpy(),
                "y": curve["fill_rate"].to_numpy() * 100,
                "name": "targets ×0 … ×3",
                "showlegend": False,
                "line": {"color": SCENARIO_COLOR, "width": 2},
                "marker": {"size": 7},
                "customdata": np.c_[curve["scale"], curve["target_days_mean"]],
                "hovertemplate": (
                    "targets ×%{customdata[0]:.2f} (mean %{customdata[1]:.0f} days)<br>"
                    "inventory %{x:,.0f}, fill rate %{y:.1f}%<extra></extra>"
                ),
                **_axes(2, 2),
            },
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": current["avg_inventory_value"].to_numpy(),
                "y": current["fill_rate"].to_numpy() * 100,
                "text": ["this scenario"],
                "textposition": "bottom right",
                "name": "this scenario",
                "showlegend": False,
                "marker": {"size": 16, "symbol": "star", "color": SHORT_COLOR},
                "hovertemplate": "this scenario: inventory %{x:,.0f}, fill rate %{y:.1f}%<extra></extra>",
                **_axes(2, 2),
            },
        ]
    traces.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": [float(base.inventory_value.sum(axis=0).mean())],
            "y": [base.fill_rate * 100],
            "text": ["baseline"],
            "textposition": "middle left",
            "name": "baseline",
            "showlegend": False,
            "marker": {"size": 13, "symbol": "diamond", "color": NEUTRAL},
            "hovertemplate": "baseline: inventory %{x:,.0f}, fill rate %{y:.1f}%<extra></extra>",
            **_axes(2, 2),
        }
    )

    return {"data": traces, "layout": copy.deepcopy(_skeleton(currency))}


def scenario_figure(result: ScenarioResult, currency: str = "") -> go.Figure:
    """The scenario page's figure: four panels, scenario against baseline (built without re-validation)."""
    return go.Figure(scenario_spec(result, currency), _validate=False)
