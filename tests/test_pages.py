"""Every review page under AppTest: runs on the demo company and on an empty store; filters change the view."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sop_core import load_demo, open_store
from tests.support.stores import DEMO_AS_OF, ROOT

APP = str(ROOT / "app.py")

REVIEW_PAGES = [
    "pages/overview.py",
    "pages/demand.py",
    "pages/supply.py",
    "pages/finance.py",
    "pages/executive.py",
    "pages/family_sheet.py",
]


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "demo.duckdb"
    with open_store(path) as store:
        load_demo(store, as_of=DEMO_AS_OF)
    return path


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture()
def demo_app(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    path = tmp_path / "sop.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("SOP_DB_PATH", str(path))
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture()
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on a new store that stays empty (SOP_DEMO=0 switches the first-start demo off)."""
    monkeypatch.setenv("SOP_DB_PATH", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("SOP_DEMO", "0")
    return AppTest.from_file(APP, default_timeout=60)


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _panel_titles(at: AppTest) -> list[str]:
    return [a["text"] for a in _figures(at)[0]["layout"].get("annotations", [])]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


# ----------------------------------------------------------------- demo company
@pytest.mark.parametrize("page", REVIEW_PAGES)
def test_page_runs_on_the_demo_company(demo_app: AppTest, page: str):
    at = demo_app.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), "every review page shows at least one chart"
    assert at.get("download_button"), "every table can be downloaded"
    assert at.sidebar.selectbox(key="flt_cycle").value is not None


def test_overview_tiles_and_status_grid(demo_app: AppTest):
    at = demo_app.run()
    labels = [m.label for m in at.metric]
    assert labels[0] == "Forecast accuracy" and "Peak capacity utilisation" in labels
    assert any("vs last cycle" in (m.delta or "") for m in at.metric)
    assert at.dataframe, "the family status grid"
    assert "Assembly" in _texts(at)  # where to look next: the overload


def test_executive_lists_exceptions_and_decisions(demo_app: AppTest):
    at = demo_app.run()
    at.switch_page("pages/executive.py").run()
    exceptions = at.dataframe[0].value
    assert exceptions["money"].is_monotonic_decreasing
    assert "Capacity overload" in set(exceptions["rule"])
    titles = _panel_titles(at)
    assert titles and titles[0].endswith(" · demand")


# ----------------------------------------------------------------- empty store
@pytest.mark.parametrize("page", REVIEW_PAGES)
def test_page_shows_a_friendly_empty_state(empty_app: AppTest, page: str):
    at = empty_app.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "nothing to review yet" in _texts(at)
    assert not at.get("plotly_chart")


def test_master_data_without_plans_is_an_empty_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "master.duckdb"
    with open_store(path) as store, store.transaction() as cur:
        cur.execute("INSERT INTO families VALUES ('A', 'mts', 'units', 10, 6, 10, 40, 5)")
    monkeypatch.setenv("SOP_DB_PATH", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    for page in REVIEW_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert "nothing to review yet" in _texts(at)


# ----------------------------------------------------------------- filters
def test_family_filter_changes_the_charts_and_the_url(demo_app: AppTest):
    at = demo_app.run()
    at.switch_page("pages/demand.py").run()
    assert len(_panel_titles(at)) == 8
    at.sidebar.multiselect(key="flt_families").set_value(["Filters", "Controllers"]).run()
    assert not at.exception
    assert _panel_titles(at) == ["Controllers", "Filters"]
    assert at.query_params["family"] == ["Filters", "Controllers"]


def test_filters_are_kept_across_pages(demo_app: AppTest):
    at = demo_app.run()
    at.sidebar.multiselect(key="flt_families").set_value(["Industrial Pumps"]).run()
    at.sidebar.select_slider(key="flt_horizon").set_value(6).run()
    at.switch_page("pages/supply.py").run()
    assert at.sidebar.multiselect(key="flt_families").value == ["Industrial Pumps"]
    assert at.sidebar.select_slider(key="flt_horizon").value == 6
    assert _panel_titles(at) == ["Industrial Pumps"]
    capacity = _figures(at)[1]["data"][1]
    assert len(capacity["x"]) == 6  # capacity months over the chosen horizon


def test_region_and_cycle_filters_change_the_numbers(demo_app: AppTest):
    at = demo_app.run()
    at.switch_page("pages/demand.py").run()
    before = _figures(at)[0]["data"]
    at.sidebar.multiselect(key="flt_regions").set_value(["Europe"]).run()
    after = _figures(at)[0]["data"]
    assert before != after
    region_heat = [t for t in _figures(at)[1]["data"] if t.get("x") == ["Europe"]]
    assert region_heat, "the by-region panel shows only the chosen region"
    cycle = at.sidebar.selectbox(key="flt_cycle")
    assert len(cycle.options) > 1
    cycle.set_value(dt.date(2025, 11, 1)).run()
    assert not at.exception
    assert at.query_params["cycle"] in ("2025-11", ["2025-11"])
    assert _figures(at)[0]["data"] != after


def test_a_shared_link_sets_the_filters(demo_app: AppTest):
    demo_app.query_params["family"] = "Filters"
    demo_app.query_params["horizon"] = "3"
    demo_app.query_params["cycle"] = "2026-10"
    at = demo_app.run()
    assert at.sidebar.multiselect(key="flt_families").value == ["Filters"]
    assert at.sidebar.select_slider(key="flt_horizon").value == 3
    assert at.query_params["cycle"] == ["2026-10"] or at.query_params["cycle"] == "2026-10"
    assert _panel_titles(at) == ["Filters"]


@pytest.mark.parametrize(
    "query",
    [
        {"cycle": "2024-11"},  # the first cycle: no previous cycle, little history
        {"cycle": "2025-01", "horizon": "3"},
        {"family": "Custom Skids"},  # make-to-order only: no inventory, no backorders
        {"family": ["Engineered Systems", "Filters"], "region": "Asia Pacific", "horizon": "18"},
    ],
)
def test_every_page_runs_on_edge_views(demo_app: AppTest, query: dict):
    for key, value in query.items():
        demo_app.query_params[key] = value
    at = demo_app.run()
    for page in REVIEW_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])


def test_family_sheet_switches_family(demo_app: AppTest):
    at = demo_app.run()
    at.switch_page("pages/family_sheet.py").run()
    first = at.dataframe[0].value
    assert "Sales forecast" in first.index
    at.selectbox(key="fs_family").set_value("Custom Skids").run()
    assert not at.exception
    sheet = at.dataframe[0].value
    assert "Orders forecast" in sheet.index and "Backlog" in sheet.index


# ----------------------------------------------------------------- Demand review: consensus vs baseline and plan
def _chart(at: AppTest, key: str) -> dict | None:
    return next((json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key)), None)


def test_demand_review_shows_the_consensus_against_baseline_and_last_plan(demo_app: AppTest):
    at = demo_app.run()
    at.switch_page("pages/demand.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Consensus against the statistical baseline" in s.value for s in at.subheader)
    gaps = _chart(at, "dm_outlook_gaps")  # the light chart: both gaps per family
    assert gaps is not None
    assert [t.get("meta") for t in gaps["data"]] == ["vs_approved_pct", "gap_pct"]
    assert len(gaps["data"][1]["y"]) == 8
    assert _chart(at, "dm_consensus") is None  # the month-by-month panels only on request
    at.toggle(key="dm_outlook_months").set_value(True).run()
    chart = _chart(at, "dm_consensus")
    assert chart is not None
    assert {t.get("meta") for t in chart["data"]} == {"gap", "baseline", "approved", "consensus"}
    assert len(chart["layout"]["annotations"]) == 8  # one panel per family
    table = next(d.value for d in at.dataframe if "Gap (units)" in d.value.columns)
    assert len(table) == 8
    valves = table.set_index("Family").loc["Standard Valves"]
    assert valves["Gap (units)"] > 0 and valves["Consensus"] > valves["Baseline"]  # the optimistic Sales layer
    at.sidebar.multiselect(key="flt_families").set_value(["Filters", "Controllers"]).run()
    assert not at.exception
    filtered = _chart(at, "dm_consensus")
    assert filtered is not None and [a["text"] for a in filtered["layout"]["annotations"]] == ["Controllers", "Filters"]


def test_demand_review_without_a_stored_baseline_says_where_to_run_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from tests.support.stores import build_tiny

    path = tmp_path / "tiny.duckdb"
    with open_store(path) as store:
        build_tiny(store)  # plans and actuals, no statistical baseline
    monkeypatch.setenv("SOP_DB_PATH", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/demand.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No statistical baseline is stored" in i.value for i in at.info)
    assert _chart(at, "dm_outlook_gaps") is None
    assert _chart(at, "dm_pva") is not None  # the page's other sections are still there


def test_demand_review_on_an_empty_store_has_no_consensus_section(empty_app: AppTest):
    at = empty_app.run()
    at.switch_page("pages/demand.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("Consensus against" in s.value for s in at.subheader)
