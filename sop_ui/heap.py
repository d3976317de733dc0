"""Keep Streamlit's after-run garbage collection cheap.

Streamlit runs a full ``gc.collect(2)`` after every script run (``runner.postScriptGC``)
so that garbage does not pile up between runs. With pandas, Plotly, DuckDB and the
engine loaded, that walk over ~125,000 long-lived objects (modules, classes, Plotly's
validators) takes ~40 ms, paid on every slider move before the browser hears that the
run is over. :func:`freeze_once` moves the objects alive after the first run into the
permanent generation (``gc.freeze``): they live as long as the process anyway, and the
after-run collection then only walks what later runs create (~0 ms, measured).
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_once() -> None:
    """Freeze the heap the first time it is called in this process (a no-op after that)."""
    global _frozen
    if not _frozen:
        gc.collect()  # drop the first run's garbage first: what is frozen is never collected
        gc.freeze()
        _frozen = True
