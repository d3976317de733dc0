"""The scenario page: its lever table both ways (widgets ⇄ Levers), then AppTest: sliders, save, compare, promote."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sop_core import open_store
from sop_core.people import local_actor
from sop_core.scenario import Levers, delete_scenario, list_scenarios, save_scenario, synthetic_inputs
from sop_ui import live_chart
from sop_ui import scenario_levers as lever_table
from tests.support.apptest import open_app_page, signed_in_as
from tests.support.people import VIEWER

PAGE = "pages/scenarios.py"


@pytest.fixture()
def static_serving():
    """``server.enableStaticServing`` on, as ``.streamlit/config.toml`` sets it for the app (whatever the cwd)."""
    before = st.get_option("server.enableStaticServing")
    st.config.set_option("server.enableStaticServing", True)
    live_chart.plotly_js_url.cache_clear()
    yield
    st.config.set_option("server.enableStaticServing", before)
    live_chart.plotly_js_url.cache_clear()


# --------------------------------------------------------------------------- the lever table (no Streamlit run)
def test_neutral_widgets_are_the_current_plan():
    inputs = synthetic_inputs(4, 6, 2)
    assert lever_table.levers_from_state({}, inputs, lever_table.family_frame(inputs)) == Levers()
    state = lever_table.state_from_levers(Levers(), inputs)
    frame = state.pop(lever_table.FAMILY_FRAME_KEY)
    assert lever_table.levers_from_state(state, inputs, frame) == Levers()
    for widget in lever_table.WIDGETS:  # defaults come from the dataclass
        if widget.role == "value":
            assert widget.neutral() == getattr(Levers(), widget.field)


def test_saved_levers_round_trip_through_the_widgets():
    inputs = synthetic_inputs(4, 6, 2)
    fam, reg, res = inputs.families, inputs.regions, inputs.resources
    saved = Levers(
        demand_pct=7,
        demand_pct_family={fam[0]: 12.0},
        demand_pct_region={reg[1]: -10.0},
        price_pct_family={fam[2]: 5.0},
        capacity_pct_resource={res[0]: -25.0},
        target_days={fam[1]: 60.0},
        strategy={fam[0]: "chase", fam[3]: "hybrid"},
        overtime_limit_pct=25.0,
        overtime_premium_pct=40.0,
        subcontract_limit_pct=10.0,
        subcontract_premium_pct=60.0,
        horizon_months=4,
    )
    state = lever_table.state_from_levers(saved, inputs)
    frame = state.pop(lever_table.FAMILY_FRAME_KEY)
    assert lever_table.levers_from_state(state, inputs, frame) == saved
    assert state["scn_demand"] == 7 and state[f"scn_cap_{0}"] == -25 and state["scn_ot_limit"] == 25.0


def test_scale_and_all_families_strategy_act_on_the_family_table():
    inputs = synthetic_inputs(4, 6, 2)
    frame = lever_table.family_frame(inputs)
    frame.loc[0, "strategy"] = "chase"
    levers = lever_table.levers_from_state({"scn_target_scale": 2.0, "scn_strategy_all": "level"}, inputs, frame)
    assert levers.strategy == {inputs.families[0]: "chase", **dict.fromkeys(inputs.families[1:], "level")}
    assert levers.target_days == {f: 2 * d for f, d in zip(inputs.families, frame["target days"], strict=True)}


def open_scenarios(db_path: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the store at ``db_path``, switched to the scenario page."""
    monkeypatch.setenv("SOP_DB_PATH", db_path)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture()
def app(db_path: str, monkeypatch: pytest.MonkeyPatch, static_serving: None) -> Iterator[AppTest]:
    """The app on a fresh demo store, switched to the scenario page."""
    yield open_scenarios(db_path, monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()


def figure_spec(at: AppTest) -> dict:
    """The scenario figure's Plotly spec, as sent to the live chart (``sop_ui.live_chart``)."""
    assert not at.get("plotly_chart"), "the scenario figure should be the live chart, not st.plotly_chart"
    charts = at.get("bidi_component")
    assert len(charts) == 1
    return json.loads(json.loads(charts[0].proto.json)["figure"])


def metrics(at: AppTest) -> dict[str, str]:
    """Tile label → value."""
    return {m.label: m.value for m in at.metric}


def button(at: AppTest, label: str):
    """The (form) button with ``label``."""
    return next(b for b in at.button if b.label == label)


def sign_as(at: AppTest, name: str) -> None:
    """Local mode: the sidebar's "Your name" (it signs the session's changes) set to ``name``.

    AppTest runs a switched-to page without ``app.py``, so the sidebar box is not drawn: set its state.
    """
    at.session_state["local_name"] = name


def test_page_renders_levers_figure_and_delta_table(app):
    spec = figure_spec(app)
    panels = {a["text"] for a in spec["layout"]["annotations"]}
    assert {"Capacity utilisation (red: overload)", "Trade-off: fill rate vs inventory"} <= panels
    assert len(app.table) == 2 and "Fill rate" in app.table[0].value["Figure"].tolist()
    assert "Compact Pumps" in app.table[1].value["Family"].tolist()
    assert app.slider(key="scn_demand").value == 0
    assert metrics(app)["Fill rate"].endswith("%")


def test_a_slider_moves_the_figures(app):
    before_spec, before = figure_spec(app), metrics(app)
    app.slider(key="scn_demand").set_value(15).run()
    assert not app.exception
    after_spec, after = figure_spec(app), metrics(app)
    assert after_spec["data"] != before_spec["data"]
    assert after["Revenue"] != before["Revenue"] and after["Fill rate"] != before["Fill rate"]
    delta = app.table[0].value.set_index("Figure").loc["Revenue", "Δ"]
    assert delta.startswith("+")
    app.slider(key="scn_cap_0").set_value(-50).run()
    assert figure_spec(app)["data"] != after_spec["data"]
    app.slider(key="scn_cap_0").set_value(-100).run()  # a resource down: no hours at all
    assert not app.exception, [e.value for e in app.exception]
    assert metrics(app)["Peak utilisation"].startswith("∞")


def test_save_compare_load_and_promote(app, db_path):
    app.slider(key="scn_demand").set_value(10).run()
    app.text_input(key="scn_save_name").input("Demand +10")
    app.text_area(key="scn_save_note").input("sales push")
    sign_as(app, "ana")
    button(app, "Save scenario").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("Saved scenario" in s.value for s in app.success)

    app.multiselect(key="scn_compare").select("Demand +10").run()
    compare = next(t.value for t in app.table if "Demand +10" in t.value.columns)
    assert list(compare.columns) == ["metric", "Baseline", "Demand +10"]

    app.slider(key="scn_demand").set_value(0).run()
    button(app, "Load into the levers").click().run()
    assert app.slider(key="scn_demand").value == 10

    sign_as(app, "coo")
    app.checkbox(key="scn_promote_sure").check()
    button(app, "Promote to draft").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("Promoted" in s.value for s in app.success)
    st.cache_resource.clear()  # release the app's connection to read the file here
    with open_store(db_path) as store:
        row = store.query("SELECT name, promoted_by, promoted_at FROM scenarios").iloc[0]
        assert row["promoted_by"] == "coo" and row["promoted_at"] is not None
        assert store.scalar("SELECT count(*) FROM decisions WHERE kind = 'promote_scenario'") == 1


def test_promote_needs_confirmation(app):
    app.text_input(key="scn_save_name").input("Flat")
    sign_as(app, "ana")
    button(app, "Save scenario").click().run()
    sign_as(app, "coo")
    button(app, "Promote to draft").click().run()
    assert any("confirmation" in w.value for w in app.warning)


def test_promoting_onto_an_approved_plan_shows_the_refusal(app, db_path):
    app.text_input(key="scn_save_name").input("Up")
    sign_as(app, "ana")
    button(app, "Save scenario").click().run()
    from sop_ui.store import get_store  # the app's own cached connection (same process)

    with get_store().transaction() as cur:
        cur.execute("UPDATE plan_versions SET status = 'approved' WHERE cycle = (SELECT max(cycle) FROM plan_versions)")
    sign_as(app, "coo")
    app.checkbox(key="scn_promote_sure").check()
    button(app, "Promote to draft").click().run()
    assert any("approved" in e.value for e in app.error), [e.value for e in app.error]


def test_without_static_serving_the_figure_falls_back_to_st_plotly_chart(db_path, monkeypatch):
    before = st.get_option("server.enableStaticServing")
    st.config.set_option("server.enableStaticServing", False)
    live_chart.plotly_js_url.cache_clear()
    try:
        at = open_scenarios(db_path, monkeypatch)
        assert not at.get("bidi_component")
        (chart,) = at.get("plotly_chart")
        panels = {a["text"] for a in json.loads(chart.proto.spec)["layout"]["annotations"]}
        assert "Trade-off: fill rate vs inventory" in panels
    finally:
        st.config.set_option("server.enableStaticServing", before)
        live_chart.plotly_js_url.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()


def test_saved_names_that_a_spreadsheet_would_run_are_escaped_in_the_list(app):
    app.text_input(key="scn_save_name").input('=HYPERLINK("http://x")')
    sign_as(app, "@ana")
    button(app, "Save scenario").click().run()
    assert not app.exception, [e.value for e in app.exception]
    listed = next(d.value for d in app.dataframe if "name" in d.value.columns)
    assert listed["name"].tolist() == ['\'=HYPERLINK("http://x")']  # the grid's own CSV download is safe too
    assert listed["author"].tolist() == ["'@ana"]


# ------------------------------------------------------------------------------ who may save, delete, promote
WRITES = ("Save scenario", "Delete", "Promote to draft")


def test_a_viewer_moves_levers_but_sees_no_save_delete_or_promote(db_path, monkeypatch, static_serving):
    monkeypatch.setenv("SOP_DB_PATH", db_path)
    planner = open_scenarios(db_path, monkeypatch)  # builds the demo (local mode)
    sign_as(planner, "ana")
    planner.text_input(key="scn_save_name").input("Kept")
    button(planner, "Save scenario").click().run()
    assert [b.label for b in planner.button if b.label in WRITES] == list(WRITES)
    st.cache_data.clear()
    at = open_app_page(PAGE, signed_in_as("vera@example.com"))  # not listed: the default role, viewer
    assert not [b for b in at.button if b.label in WRITES]
    assert any("need the planner role; you are signed in as viewer" in c.value for c in at.caption)
    assert not [t for t in at.text_input if t.label in ("Your name", "Author", "Promoted by")]
    at.slider(key="scn_demand").set_value(10).run()  # moving a lever writes nothing
    button(at, "Load into the levers").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="scn_demand").value == 0  # "Kept" holds the neutral levers
    with open_store(db_path) as store:
        assert store.query("SELECT name, author FROM scenarios").values.tolist() == [["Kept", "ana"]]
        with pytest.raises(PermissionError):  # and the engine refuses what the page hides
            save_scenario(store, "Sneaky", Levers(), VIEWER)
    st.cache_data.clear()
    st.cache_resource.clear()


def test_a_deleted_scenario_cannot_be_deleted_again_from_a_stale_page(app, db_path):
    sign_as(app, "ana")
    app.text_input(key="scn_save_name").input("Gone")
    button(app, "Save scenario").click().run()
    from sop_ui.store import get_store  # the app's own connection (same process)

    store = get_store()
    delete_scenario(store, int(list_scenarios(store)["scenario_id"].iloc[0]), local_actor("bo"))
    button(app, "Delete").click().run()  # the page still lists "Gone"
    assert not app.exception, [e.value for e in app.exception]
    assert any("'Gone' was deleted by bo at" in e.value for e in app.error), [e.value for e in app.error]
