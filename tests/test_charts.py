"""The pure chart builders: shared look, line styles, family colours and empty inputs."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from sop_core.charts import family_colors
from sop_core.charts import review as rc
from sop_core.charts.theme import FONT_SIZE, NEUTRAL, PALETTE, rgba

MONTHS = pd.date_range("2026-01-01", periods=4, freq="MS")


def _pva(families=("A", "B")) -> pd.DataFrame:
    rows = [
        {
            "family": f,
            "month": m,
            "plan": 100.0 + i,
            "actual": 98.0 + i if i < 2 else None,
            "band_lo": 95.0,
            "band_hi": 105.0,
            "backorders": 5.0 if (f == "B" and i == 3) else 0.0,
        }
        for f in families
        for i, m in enumerate(MONTHS)
    ]
    return pd.DataFrame(rows)


def _assert_shared_look(fig: go.Figure) -> None:
    assert fig.layout.font.size >= 14 and fig.layout.font.size == FONT_SIZE
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and fig.layout.plot_bgcolor == "rgba(0,0,0,0)"


def _legend(fig: go.Figure) -> list[go.Scatter]:
    return [t for t in fig.data if t.showlegend]


# ----------------------------------------------------------------- colours
def test_family_colours_are_deterministic_and_distinct():
    names = ["Valves", "Pumps", "Filters", "Skids"]
    colors = family_colors(names)
    assert colors == family_colors(reversed(names))
    assert colors["Filters"] == PALETTE[0] and colors["Valves"] == PALETTE[3]
    assert len(set(colors.values())) == len(names)


def test_rgba():
    assert rgba("#0072B2", 0.5) == "rgba(0,114,178,0.5)"


# ----------------------------------------------------------------- small multiples
def test_small_multiples_styles_plan_actual_and_band():
    colors = family_colors(["A", "B"])
    fig = rc.small_multiples(
        _pva(),
        [rc.Line("plan", "plan"), rc.Line("actual", "actual")],
        colors,
        band=("band_lo", "band_hi", "tolerance"),
        bars=("backorders", "backorders"),
    )
    _assert_shared_look(fig)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == ["A", "B"]
    lines = [t for t in fig.data if not t.showlegend and t.type == "scatter" and t.line.width]
    plan = [t for t in lines if t.name == "plan"]
    actual = [t for t in lines if t.name == "actual"]
    assert {t.line.dash for t in plan} == {"dash"} and {t.line.dash for t in actual} == {"solid"}
    assert {t.line.color for t in actual} == {colors["A"], colors["B"]}
    bands = [t for t in fig.data if t.type == "scatter" and t.fill == "toself"]
    assert len(bands) == 2 and bands[0].fillcolor == rgba(colors["A"], 0.15)
    assert list(bands[0].y) == [105.0] * 4 + [95.0] * 4  # upper edge forward, lower edge back
    bars = [t for t in fig.data if t.type == "bar" and not t.showlegend]
    assert len(bars) == 1 and list(bars[0].y)[-1] == -5  # backorders below zero, only where there are some
    legend = _legend(fig)
    assert [t.name for t in legend] == ["plan", "actual", "tolerance", "backorders"]  # once each, not per family
    assert all(t.line.color == NEUTRAL for t in legend if t.type == "scatter" and t.mode == "lines")


def test_small_multiples_one_family_and_empty():
    fig = rc.small_multiples(_pva(("A",)), [rc.Line("actual", "actual")], family_colors(["A"]))
    assert [a.text for a in fig.layout.annotations] == ["A"]
    empty = rc.small_multiples(_pva().iloc[0:0], [rc.Line("actual", "actual")], {})
    assert empty.layout.annotations[0].text == rc.NO_DATA


# ----------------------------------------------------------------- heatmaps
def test_heatmaps_label_cells_and_mark_overloads():
    capacity = pd.DataFrame(
        {
            "resource": ["R", "R", "S", "S"],
            "month": [MONTHS[0], MONTHS[1]] * 2,
            "utilisation": [0.8, 1.2, 0.5, 0.95],
            "status": ["ok", "overload", "ok", "warning"],
        }
    )
    deviation = pd.DataFrame({"Jan": [0.1, -0.2]}, index=["A", "B"])
    fig = rc.heatmaps([rc.capacity_panel(capacity), rc.Heat(deviation, "Deviation")], stacked=True)
    _assert_shared_look(fig)
    cap, dev = fig.data
    assert cap.text[0][1] == "▲120%" and cap.text[0][0] == "80%"
    assert dev.text[0][0] == "+10%" and dev.text[1][0] == "-20%"
    assert dev.zmin == -dev.zmax  # symmetric around 0


def test_heatmaps_side_by_side_share_rows_and_skip_empty_panels():
    a = pd.DataFrame({"x": [0.1, 0.2]}, index=["A", "B"])
    fig = rc.heatmaps([rc.Heat(a, "one"), rc.Heat(pd.DataFrame(), "empty"), rc.Heat(a * 2, "two")])
    assert len(fig.data) == 2
    assert rc.heatmaps([rc.Heat(pd.DataFrame(), "none")]).layout.annotations[0].text == rc.NO_DATA


# ----------------------------------------------------------------- finance
def test_finance_overview_budget_dotted_plan_dashed():
    totals = pd.DataFrame(
        {
            "month": MONTHS,
            **{f"{r}_{m}": [1.0, 2, 3, 4] for r in ("actual", "plan", "budget") for m in ("revenue", "cost", "margin")},
        }
    )
    fig = rc.finance_overview(totals, "EUR")
    _assert_shared_look(fig)
    dashes = {t.name: t.line.dash for t in fig.data}
    assert dashes == {"budget": "dot", "plan": "dash", "actual": "solid"}
    assert len(fig.data) == 9 and len(_legend(fig)) == 3


def test_budget_bridge_runs_from_budget_to_outlook():
    year = pd.DataFrame({"family": ["A", "B"], "budget_revenue": [100.0, 50.0], "gap_to_budget": [-10.0, 4.0]})
    fig = rc.budget_bridge(year, "EUR")
    wf = fig.data[0]
    assert list(wf.x) == ["Budget", "A", "B", "Outlook"]
    assert list(wf.measure) == ["absolute", "relative", "relative", "total"]
    assert wf.y[0] == 150 and sum(wf.y[1:3]) == -6
    assert rc.budget_bridge(year.assign(budget_revenue=None), "EUR").layout.annotations[0].text.startswith("No budget")


def test_stacked_by_family_uses_family_colours():
    colors = family_colors(["A", "B"])
    frame = _pva().rename(columns={"plan": "value"})
    fig = rc.stacked_by_family(frame, "value", colors, split=MONTHS[2])
    assert {t.stackgroup for t in fig.data} == {"one"}
    assert [t.line.color for t in fig.data] == [colors["A"], colors["B"]]


def test_decision_panel():
    colors = family_colors(["A", "B"])
    stock = _pva().assign(projected=100.0)
    money = _pva().assign(outlook_revenue=1.0, budget_revenue=1.1)
    panel = rc.decision_panel(_pva(), stock, money, ["B"], colors, "EUR")
    _assert_shared_look(panel)
    assert [a.text for a in panel.layout.annotations][:3] == [
        "<b>B</b> · demand",
        "stock / backlog",
        "revenue vs budget",
    ]
    assert any(t.type == "bar" for t in panel.data)  # B has backorders
    assert rc.decision_panel(_pva(), stock, money, [], colors, "EUR").layout.annotations[0].text.startswith("No family")


@pytest.mark.parametrize(
    "builder",
    [
        lambda: rc.stacked_by_family(pd.DataFrame({"family": [], "month": [], "v": []}), "v", {}),
        lambda: rc.finance_overview(pd.DataFrame(), "EUR"),
    ],
)
def test_empty_inputs_give_a_message_not_an_error(builder):
    fig = builder()
    assert fig.layout.annotations[0].text == rc.NO_DATA
