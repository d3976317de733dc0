"""sop_ui.live_chart: publishing Plotly.js into the app's static folder, and when it gives up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import plotly
import pytest
import streamlit as st

from sop_ui import live_chart


@pytest.fixture()
def static_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh static folder, with static serving on."""
    folder = tmp_path / "static"
    monkeypatch.setattr(live_chart, "STATIC", folder)
    before = st.get_option("server.enableStaticServing")
    st.config.set_option("server.enableStaticServing", True)
    live_chart.plotly_js_url.cache_clear()
    yield folder
    st.config.set_option("server.enableStaticServing", before)
    live_chart.plotly_js_url.cache_clear()


def test_publishes_the_installed_plotly_js_once(static_dir):
    url = live_chart.plotly_js_url()
    name = f"plotly-{plotly.__version__}.min.js"
    assert url == f"app/static/{name}"
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert (static_dir / name).read_bytes() == bundled.read_bytes()
    assert [p.name for p in static_dir.iterdir()] == [name]  # no partial file left behind
    live_chart.plotly_js_url.cache_clear()
    stamp = (static_dir / name).stat().st_mtime_ns
    assert live_chart.plotly_js_url() == url
    assert (static_dir / name).stat().st_mtime_ns == stamp  # not copied again


def test_no_url_when_the_folder_cannot_be_written(static_dir, monkeypatch):
    blocker = static_dir.parent / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(live_chart, "STATIC", blocker / "static")  # mkdir fails, even for root
    assert live_chart.plotly_js_url() is None


def test_no_url_without_static_serving(static_dir):
    st.config.set_option("server.enableStaticServing", False)
    assert live_chart.plotly_js_url() is None
    assert not static_dir.exists()
