"""Build the pre-read of a cycle as PDF or HTML bytes (optionally written to a file), with progress and timing."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Literal

from ...forecast.codes import Progress
from ...store import Store
from .content import PackContent, build_content
from .html import render_html
from .images import PrereadUnavailable, export_images, unavailable_reason
from .pdf import image_specs, render_pdf

Format = Literal["pdf", "html"]
FORMATS: tuple[Format, ...] = ("pdf", "html")
MIME = {"pdf": "application/pdf", "html": "text/html"}


def format_of(path: str | Path) -> Format:
    """The pre-read format a file name asks for (``.pdf`` / ``.html`` / ``.htm``); ``ValueError`` otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm"):
        return "html"
    raise ValueError(f"{path}: the pre-read is written as .pdf or .html")


def render(
    content: PackContent, fmt: Format, progress: Progress | None = None, timings: dict[str, float] | None = None
) -> bytes:
    """The pre-read of already built ``content`` as ``fmt`` bytes (the PDF exports its charts first)."""
    report = progress or (lambda _f, _m: None)
    clock = time.perf_counter()
    if fmt == "html":
        report(0.6, "Writing the HTML")
        data = render_html(content)
    elif fmt == "pdf":
        specs = image_specs(content)
        report(0.35, f"Exporting {len(specs)} charts with Chromium")
        images = export_images(
            specs, lambda n, _name: report(0.35 + 0.5 * n / max(len(specs), 1), f"Exported chart {n} of {len(specs)}")
        )
        if timings is not None:
            timings["charts"] = time.perf_counter() - clock
        clock = time.perf_counter()
        report(0.9, "Laying out the PDF")
        data = render_pdf(content, images)
    else:
        raise ValueError(f"unknown pre-read format {fmt!r} (one of {', '.join(FORMATS)})")
    if timings is not None:
        timings["layout"] = time.perf_counter() - clock
    return data


def build_preread(
    store: Store,
    cycle: dt.date | str,
    fmt: Format,
    path: str | Path | None = None,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The meeting pre-read of ``cycle`` as ``fmt`` (``pdf`` or ``html``) bytes; also written to ``path`` if given.

    ``progress(fraction, message)`` reports the steps; ``timings`` (when given) receives
    seconds per step (``content``, ``charts`` for the PDF, ``layout``, ``total``); ``today``
    dates the cycle's process (overdue items; default: the system date).
    Raises ``ValueError`` for an unknown cycle or format and
    :class:`~sop_core.cycle.preread.images.PrereadUnavailable` when the PDF's charts
    cannot be exported (no Chromium); the HTML needs no browser.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown pre-read format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt == "pdf" and (reason := unavailable_reason()) is not None:
        raise PrereadUnavailable(reason)  # before any work: the PDF's charts need Chromium
    report = progress or (lambda _f, _m: None)
    start = time.perf_counter()
    report(0.0, "Reading the cycle")
    steps = iter((0.15, 0.3))
    content = build_content(store, cycle, step=lambda msg: report(next(steps, 0.3), msg), today=today)
    if timings is not None:
        timings["content"] = time.perf_counter() - start
    data = render(content, fmt, report, timings)
    if path is not None:
        Path(path).write_bytes(data)
    if timings is not None:
        timings["total"] = time.perf_counter() - start
    report(1.0, "Done")
    return data
