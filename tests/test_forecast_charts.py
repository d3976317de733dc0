"""The Demand planning page's chart builders: traces, styles, bands, flags and empty inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from sop_core import Store
from sop_core import forecast as fc
from sop_core.charts import forecast as charts
from sop_core.charts.theme import BAD, FONT_SIZE, LINE_DASH

HISTORY = pd.date_range("2026-01-01", periods=6, freq="MS")
HORIZON = pd.date_range("2026-07-01", periods=4, freq="MS")


def _view(with_layers: bool = True) -> pd.DataFrame:
    rows = [{"month": m, "series": "actual", "kind": "history", "value": 100.0 + i} for i, m in enumerate(HISTORY)]
    for i, m in enumerate(HORIZON):
        base = 20.0 + i
        rows.append(
            {
                "month": m,
                "series": "baseline",
                "kind": "baseline",
                "value": base,
                "lo80": base - 25,
                "hi80": base + 10,
                "lo95": base - 40,
                "hi95": base + 20,
            }
        )  # lo < 0
        if with_layers:
            rows.append({"month": m, "series": "+ Sales", "kind": "layer", "value": base + 5})
            rows.append({"month": m, "series": "+ Marketing", "kind": "layer", "value": base + 8})
        rows.append({"month": m, "series": "consensus", "kind": "consensus", "value": base + (8 if with_layers else 0)})
        rows.append({"month": m, "series": "approved plan", "kind": "approved", "value": base - 2})
    return pd.DataFrame(rows).reindex(columns=fc.VIEW_COLUMNS)


def _by_name(fig: go.Figure) -> dict[str, go.Scatter]:
    return {t.name: t for t in fig.data}


def _assert_shared_look(fig: go.Figure) -> None:
    assert fig.layout.font.size == FONT_SIZE
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yref == "container"  # above the plot


# ----------------------------------------------------------------- family chart
def test_family_chart_draws_every_line_in_its_style():
    fig = charts.family_chart(_view(), HORIZON[0].date())
    traces = _by_name(fig)
    assert {
        "Actual",
        "Baseline (statistical)",
        "80 % band",
        "95 % band",
        "+ Sales",
        "+ Marketing",
        charts.CONSENSUS_NAME,
        "Last approved plan",
    } == set(traces)
    assert traces["Actual"].line.dash == LINE_DASH["actual"]
    assert traces["Baseline (statistical)"].line.dash == LINE_DASH["plan"]
    assert traces["Last approved plan"].line.dash == "dot"
    widths = {name: t.line.width for name, t in traces.items() if t.meta != "band"}
    assert max(widths, key=lambda n: widths[n]) == charts.CONSENSUS_NAME  # the one bold line
    assert traces[charts.CONSENSUS_NAME].meta == "consensus"
    assert list(traces[charts.CONSENSUS_NAME].y) == [28.0, 29.0, 30.0, 31.0]
    assert len({traces["+ Sales"].line.color, traces["+ Marketing"].line.color}) == 2
    _assert_shared_look(fig)


def test_family_chart_bands_are_never_negative_and_nest():
    traces = _by_name(charts.family_chart(_view(), None))
    for name in ("80 % band", "95 % band"):
        y = np.asarray(traces[name].y, dtype=float)
        assert (y >= 0).all(), name
        assert traces[name].fill == "toself" and traces[name].hoverinfo == "skip"
    y80, y95 = np.asarray(traces["80 % band"].y), np.asarray(traces["95 % band"].y)
    assert y95[:4].min() >= y80[:4].min() and (y95[:4] >= y80[:4]).all()  # upper edge: 95 % outside 80 %
    # drawn first: the bands lie under the lines
    assert [t.meta for t in charts.family_chart(_view(), None).data][:2] == ["band", "band"]


def test_family_chart_marks_the_cycle_month():
    fig = charts.family_chart(_view(), HORIZON[0].date())
    marker = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(marker) == 1 and pd.Timestamp(marker[0].x0) == HORIZON[0] and marker[0].yref == "paper"
    assert any("cycle Jul 2026" in a.text for a in fig.layout.annotations)
    assert not charts.family_chart(_view(), None).layout.shapes


def test_family_chart_without_layers_and_without_data():
    traces = _by_name(charts.family_chart(_view(with_layers=False), None))
    assert not [n for n in traces if n.startswith("+ ")]
    empty = charts.family_chart(pd.DataFrame(columns=fc.VIEW_COLUMNS), None)
    assert not empty.data and empty.layout.annotations[0].text == charts.NO_FORECAST


def test_family_chart_of_the_demo_company(demo_store: Store):
    view = fc.family_view(demo_store, "Compact Pumps")
    fig = charts.family_chart(view, pd.Timestamp("2026-11-01"))
    traces = _by_name(fig)
    assert {"Actual", "Baseline (statistical)", charts.CONSENSUS_NAME, "Last approved plan", "+ Marketing"} <= set(
        traces
    )
    for name in ("80 % band", "95 % band"):
        assert (np.asarray(traces[name].y, dtype=float) >= 0).all()
    assert len(traces[charts.CONSENSUS_NAME].y) == 18


# ----------------------------------------------------------------- FVA stairstep
STEPS = ["seasonal naive", "statistical", "+ Sales", "consensus", "approved plan"]


def _fva(worse_step: str | None = "+ Sales") -> pd.DataFrame:
    rows = []
    for lag in (1, 3):
        previous = float("nan")
        for order, step in enumerate(STEPS):
            wmape = 0.30 - 0.04 * order + (0.08 if step == worse_step else 0.0) + 0.01 * lag
            rows.append(
                {
                    "family": "A",
                    "lag": lag,
                    "step_order": order,
                    "step": step,
                    "n": 10,
                    "wmape": wmape,
                    "bias": 1.0,
                    "bias_pct": 0.01,
                    "fva": previous - wmape,
                }
            )
            previous = wmape
    return pd.DataFrame(rows, columns=fc.FVA_COLUMNS)


def test_fva_chart_has_one_bar_series_per_lag_in_step_order():
    fig = charts.fva_chart(_fva(None), "A")
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["lag 1", "lag 3"]
    assert list(bars[0].x) == STEPS and list(fig.layout.xaxis.categoryarray) == STEPS
    assert bars[0].y[0] == pytest.approx(0.31)
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.yaxis.range[0] == 0
    assert charts.WORSE_NAME not in [t.name for t in fig.data]  # nothing to flag
    assert not any(str(t).startswith("▲") for b in bars for t in b.text)
    _assert_shared_look(fig)


def test_fva_chart_flags_a_step_that_made_the_forecast_worse():
    fig = charts.fva_chart(_fva("+ Sales"), "A")
    bars = [t for t in fig.data if t.type == "bar"]
    i = STEPS.index("+ Sales")
    for bar in bars:
        assert bar.marker.line.color[i] == BAD and bar.marker.line.width[i] > 0
        assert bar.text[i].startswith("▲")
        others = [j for j in range(len(STEPS)) if j != i]
        assert all(bar.marker.line.width[j] == 0 for j in others)
    assert charts.WORSE_NAME in [t.name for t in fig.data]  # the legend says what red means


def test_fva_chart_without_vintages():
    empty = charts.fva_chart(pd.DataFrame(columns=fc.FVA_COLUMNS), "A")
    assert not empty.data and empty.layout.annotations[0].text == charts.NO_FVA
    assert not charts.fva_chart(_fva(), "other family").data


def test_fva_chart_of_the_demo_company(demo_store: Store):
    fva = fc.fva_stairstep(demo_store, ["Standard Valves"])
    fig = charts.fva_chart(fva, "Standard Valves")
    assert [t.name for t in fig.data if t.type == "bar"] == ["lag 1", "lag 3"]
    assert charts.WORSE_NAME in [t.name for t in fig.data]  # the demo's optimistic Sales layer


# ----------------------------------------------------------------- SKU drill-down
def test_sku_chart_stacks_whole_units_that_add_up_to_the_family(demo_store: Store):
    drill = fc.sku_drilldown(demo_store, "Compact Pumps")
    fig = charts.sku_chart(drill)
    assert fig.layout.barmode == "stack"
    assert {t.name for t in fig.data} == {s or "family" for s in drill["sku"].unique()}
    stacked = sum(np.asarray(t.y, dtype=float) for t in fig.data)
    totals = drill.groupby("month")["consensus"].sum().to_numpy(float)
    assert np.allclose(stacked, totals) and np.allclose(stacked, np.round(stacked))
    _assert_shared_look(fig)


def test_sku_chart_names_and_empty():
    drill = pd.DataFrame(
        {"sku": ["", ""], "month": HORIZON[:2], "baseline": [5.0, 6.0], "share": [1.0, 1.0], "consensus": [5, 6]}
    )
    assert [t.name for t in charts.sku_chart(drill).data] == ["family"]
    empty = charts.sku_chart(pd.DataFrame(columns=["sku", "month", "baseline", "share", "consensus"]))
    assert not empty.data and empty.layout.annotations[0].text == charts.NO_SKU


# ----------------------------------------------------------------- consensus outlook (Demand review)
def _outlook() -> pd.DataFrame:
    rows = []
    for family, level in (("B", 50.0), ("A", 100.0)):
        for i, m in enumerate(HORIZON):
            base = level + i
            rows.append(
                {
                    "family": family,
                    "month": m,
                    "baseline": base,
                    "consensus": base + 10,
                    "approved": base - 5 if i < 3 else float("nan"),
                    "gap": 10.0,
                }
            )
    return pd.DataFrame(rows, columns=fc.OUTLOOK_COLUMNS)


def test_consensus_outlook_chart_has_one_panel_per_family_with_every_role():
    fig = charts.consensus_outlook_chart(_outlook())
    assert [a.text for a in fig.layout.annotations] == ["A", "B"]  # panels in family order
    roles = [t.meta for t in fig.data]
    assert roles == ["gap", "baseline", "approved", "consensus"] * 2
    by_role = {t.meta: t for t in fig.data if t.xaxis == "x"}  # family A's panel
    assert by_role["gap"].type == "bar" and list(by_role["gap"].y) == [10.0] * 4
    assert by_role["baseline"].line.dash == LINE_DASH["plan"] and by_role["approved"].line.dash == "dot"
    assert by_role["consensus"].line.width > by_role["baseline"].line.width  # the bold line
    assert by_role["consensus"].line.color == charts.CONSENSUS_COLOR
    assert [t.name for t in fig.data if t.showlegend] == [
        charts.GAP_NAME,
        "Baseline (statistical)",
        "Last approved plan",
        charts.CONSENSUS_NAME,
    ]
    _assert_shared_look(fig)


def test_consensus_outlook_chart_without_a_plan_or_a_baseline():
    no_plan = _outlook().assign(approved=float("nan"))
    assert "approved" not in [t.meta for t in charts.consensus_outlook_chart(no_plan).data]
    empty = charts.consensus_outlook_chart(pd.DataFrame(columns=fc.OUTLOOK_COLUMNS))
    assert not empty.data and empty.layout.annotations[0].text == charts.NO_OUTLOOK


def test_consensus_outlook_chart_of_the_demo_company(demo_store: Store):
    outlook = fc.consensus_outlook(demo_store, horizon=12)
    fig = charts.consensus_outlook_chart(outlook)
    assert len(fig.layout.annotations) == 8
    sales = outlook[outlook["family"] == "Standard Valves"]
    assert (sales["gap"].iloc[:6] > 0).all(), "the demo's optimistic Sales layer lifts its next six months"


def test_outlook_gap_chart_shows_both_gaps_per_family_in_percent():
    totals = fc.outlook_totals(_outlook())
    fig = charts.outlook_gap_chart(totals)
    assert [t.meta for t in fig.data] == ["vs_approved_pct", "gap_pct"]
    by_meta = {t.meta: t for t in fig.data}
    assert list(by_meta["gap_pct"].y) == ["B", "A"]  # alphabetical from the top
    expected = totals.set_index("family").loc[["B", "A"], "gap_pct"].to_numpy(float)
    assert np.allclose(np.asarray(by_meta["gap_pct"].x, dtype=float), expected)
    assert all(text.endswith("%") for text in by_meta["gap_pct"].text)
    empty = charts.outlook_gap_chart(fc.outlook_totals(pd.DataFrame(columns=fc.OUTLOOK_COLUMNS)))
    assert not empty.data and empty.layout.annotations[0].text == charts.NO_OUTLOOK
