"""Static chart images for the PDF pre-read: Plotly's export through kaleido and the machine's Chromium.

kaleido (≥ 1.0) renders figures in a headless Chromium driven by choreographer. It
never downloads a browser here: the Chromium is ``$SOP_CHROMIUM`` when set (and only
that one, so a test can point it at a missing file), else Debian's ``/usr/bin/chromium``,
else the first ``chromium``/``chromium-browser``/``google-chrome`` on the ``PATH``.
All figures of a pack are exported in ONE browser session (starting Chromium costs
about 2 s; one ``to_image`` per figure would start it each time). MathJax is off
(no network) and plotly.js comes from the installed plotly package.

Without a Chromium (or kaleido) :func:`unavailable_reason` says why and
:func:`export_images` raises :class:`PrereadUnavailable` with that reason; the HTML
pre-read does not need images and still builds.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import plotly.graph_objects as go

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ENV = "SOP_CHROMIUM"
EXPORT_TIMEOUT_S = 90.0  # per figure
TABS = 1  # one tab: the machine's cores are shared; a second tab saved < 10 % here
T = TypeVar("T")


class PrereadUnavailable(RuntimeError):
    """The PDF pre-read cannot be built here; ``reason`` says why (e.g. no Chromium)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageSpec:
    """One figure to export: pixel ``width`` × ``height`` (the figure's layout size is overridden) and ``scale``."""

    figure: go.Figure
    width: int
    height: int
    scale: float = 2.0


def chromium_path() -> str | None:
    """The Chromium executable the export uses, or ``None`` when there is none.

    ``$SOP_CHROMIUM`` when set (a missing file there means "none": no silent fallback),
    else ``/usr/bin/chromium``, else the first Chromium-like browser on the ``PATH``.
    """
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        return chosen if _executable(chosen) else None
    if _executable(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found and _executable(found):
            return found
    return None


def _executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def unavailable_reason() -> str | None:
    """Why the PDF cannot be built on this machine, or ``None`` when it can (cheap: no browser is started)."""
    try:
        import kaleido  # noqa: F401 - only asks whether it is installed
    except ImportError:
        return "The PDF needs the kaleido package (pip install 'kaleido>=1.0'); the HTML version works without it."
    if chromium_path() is None:
        chosen = os.environ.get(CHROMIUM_ENV)
        where = (
            f"${CHROMIUM_ENV} points at {chosen}, which is not an executable file"
            if chosen
            else f"no Chromium at {DEBIAN_CHROMIUM} or on the PATH"
        )
        return (
            f"The PDF needs Chromium for its charts: {where}. Install Debian's chromium "
            f"(apt-get install chromium) or set ${CHROMIUM_ENV}; the HTML version works without it."
        )
    return None


def _run_in_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a fresh event loop in its own thread (safe under Streamlit or a running loop)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="preread-export", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


async def _export(
    specs: Mapping[str, ImageSpec], browser: str, done: Callable[[int, str], None] | None
) -> dict[str, bytes]:
    from kaleido import Kaleido

    out: dict[str, bytes] = {}
    async with Kaleido(path=browser, n=TABS, mathjax=False, timeout=EXPORT_TIMEOUT_S) as k:
        for name, spec in specs.items():
            out[name] = await k.calc_fig(
                spec.figure, opts={"format": "png", "width": spec.width, "height": spec.height, "scale": spec.scale}
            )
            if done is not None:
                done(len(out), name)
    return out


def export_images(specs: Mapping[str, ImageSpec], done: Callable[[int, str], None] | None = None) -> dict[str, bytes]:
    """PNG bytes of every figure in ``specs`` (same keys), exported in one Chromium session.

    ``done(count, name)`` is called after each figure. Raises :class:`PrereadUnavailable`
    when there is no Chromium or kaleido, or when the browser fails to export.
    """
    reason = unavailable_reason()
    if reason is not None:
        raise PrereadUnavailable(reason)
    if not specs:
        return {}
    browser = chromium_path()
    assert browser is not None  # checked by unavailable_reason()
    try:
        return _run_in_thread(lambda: _export(specs, browser, done))
    except PrereadUnavailable:
        raise
    except Exception as exc:  # choreographer/kaleido errors: browser crashed, timed out, not startable
        raise PrereadUnavailable(
            f"The chart export with Chromium ({browser}) failed: {type(exc).__name__}: {exc}"
        ) from exc
