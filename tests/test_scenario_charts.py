"""The scenario figure: built without validation at run time, so check here that Plotly accepts it unchanged."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from sop_core.charts.scenario import PANEL_TITLES, scenario_figure, scenario_spec
from sop_core.scenario import Levers, evaluate_scenario, synthetic_inputs


def test_the_fast_figure_equals_the_validated_one(demo_store):
    for levers in (
        Levers(),
        Levers(
            demand_pct=12,
            capacity_pct_resource={"Assembly": -30},
            strategy={"Filters": "hybrid", "Custom Skids": "chase"},
            horizon_months=6,
        ),
        Levers(capacity_pct_resource={"Paint": -100}),
    ):
        result = evaluate_scenario(demo_store, levers)
        validated = go.Figure(scenario_spec(result, "EUR"))  # raises on any invalid property
        fast = scenario_figure(result, "EUR")
        text = pio.to_json(fast, validate=False)
        assert "Infinity" not in text and "NaN" not in text  # valid JSON for the browser
        assert json.loads(pio.to_json(validated, validate=False)) == json.loads(text)


def test_six_panels_scenario_against_baseline(demo_store):
    result = evaluate_scenario(demo_store, Levers(demand_pct=5))
    spec = json.loads(pio.to_json(scenario_figure(result), validate=False))
    assert [a["text"] for a in spec["layout"]["annotations"]][:4] == list(PANEL_TITLES)
    names = [t.get("name", "") for t in spec["data"]]
    assert "Inventory value" in names and "Inventory value · baseline" in names
    assert sum(t["type"] == "heatmap" for t in spec["data"]) == 1
    assert any(t.get("name") == "this scenario" for t in spec["data"])


def test_large_inputs_build_quickly():
    result = evaluate_scenario(synthetic_inputs(200, 36), Levers(demand_pct=3))
    fig = scenario_figure(result, "EUR")
    assert len(fig.data[0].y) == 36
