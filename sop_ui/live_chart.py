"""A Plotly chart that stays mounted and is redrawn in place with ``Plotly.react``.

Why: ``st.plotly_chart`` derives its element id from the figure spec, so every slider
move mounts a new chart and Plotly draws it from scratch inside Streamlit's chart
wrapper (about 100 ms of browser time for the scenario figure on a 2-core machine,
measured). This small ``st.components.v2`` component keeps one chart div per key and
hands each new spec to ``Plotly.react`` (about 35 ms for the same figure).

Plotly.js is the copy that ships with the installed ``plotly`` package (the version the
Python side writes specs for). It is published once into the app's ``static/`` folder,
which Streamlit serves at ``app/static/`` (``server.enableStaticServing`` in
``.streamlit/config.toml``). If that folder cannot be written, or static serving is off,
:func:`live_chart` falls back to ``st.plotly_chart``: same figure, slower updates.

The chart follows the Streamlit theme: text colour and font come from the theme's CSS
variables at each draw, backgrounds stay transparent (as in :mod:`sop_core.charts.theme`).
The app fixes its theme in ``.streamlit/config.toml`` (viewers get no theme switch), so a
draw always sees the theme in force.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import zlib
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"

# Runs in the page (not an iframe). Streamlit calls the default export on every update of
# the element with the new ``data``; the div, and Plotly's state in it, persist in between.
JS = """
function loadPlotly(src) {
  if (!window.__sopPlotly) {
    window.__sopPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { window.__sopPlotly = undefined; reject(new Error("cannot load " + src)); };
      document.head.appendChild(script);
    });
  }
  return window.__sopPlotly;
}

function themeFont(div) {
  const css = getComputedStyle(div);
  const font = {};
  const color = css.getPropertyValue("--st-text-color").trim();
  const family = css.getPropertyValue("--st-font").trim();
  if (color) font.color = color;
  if (family) font.family = family;
  return font;
}

export default async function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector("div.sop-live-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "sop-live-chart";
    parentElement.appendChild(div);
  }
  const Plotly = await loadPlotly(data.src);
  const figure = JSON.parse(data.figure);
  div.dataset.revision = data.revision;
  const font = themeFont(div);
  figure.layout.font = Object.assign({}, figure.layout.font, font);
  await Plotly.react(div, figure.data, figure.layout, Object.assign({responsive: true}, data.config));
  div.dataset.drawn = data.revision;
}
"""

# Not style-isolated: Plotly.js styles its charts with rules it adds to the document head.
_component = st.components.v2.component("sop_live_chart", js=JS, isolate_styles=False)


@functools.cache
def plotly_js_url() -> str | None:
    """The URL (relative to the page) of the published Plotly.js, or ``None`` when it cannot be served."""
    if not st.get_option("server.enableStaticServing"):
        return None
    name = f"plotly-{plotly.__version__}.min.js"
    target = STATIC / name
    if not target.exists():
        source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        try:
            STATIC.mkdir(exist_ok=True)
            # Copy then rename: a browser never sees a half-written file, two servers never collide.
            with tempfile.NamedTemporaryFile(dir=STATIC, delete=False, suffix=".part") as tmp, source.open("rb") as src:
                shutil.copyfileobj(src, tmp)
            os.replace(tmp.name, target)
        except OSError:
            return None
    return f"app/static/{name}"


def live_chart(spec: dict, key: str, height: int, config: dict | None = None) -> None:
    """Draw the figure ``spec`` (a ``{"data", "layout"}`` dict) under ``key``, redrawn in place on reruns."""
    src = plotly_js_url()
    if src is None:
        st.plotly_chart(go.Figure(spec, _validate=False), key=key, config=config)
        return
    figure = pio.to_json(spec, validate=False)
    # The revision lets a browser test tell which spec is on screen.
    revision = f"{zlib.crc32(figure.encode()):08x}"
    _component(
        key=key, height=height, data={"figure": figure, "src": src, "config": config or {}, "revision": revision}
    )
