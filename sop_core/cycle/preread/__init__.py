"""The meeting pre-read: the pack sent before the executive S&OP meeting, as PDF and self-contained HTML.

* :mod:`.content` — :class:`PackContent`, built from one read of the cycle (the review pages' calls);
* :mod:`.process` — the cycle's status, steps, agenda, open decisions and assumptions (the cycle engine);
* :mod:`.images` — static chart export (kaleido + the machine's Chromium, one browser session);
* :mod:`.pdf` — the PDF (fpdf2), A4 landscape, at most :data:`MAX_PAGES` pages;
* :mod:`.html` — the self-contained HTML with interactive charts (Plotly.js inlined once);
* :mod:`.build` — :func:`build_preread` (bytes or a file; progress; timing).

See docs/preread.md.
"""

from .build import FORMATS, MIME, build_preread, format_of, render
from .content import PackContent, Tile, build_content
from .images import PrereadUnavailable, chromium_path, unavailable_reason
from .pdf import MAX_PAGES

__all__ = [
    "FORMATS",
    "MAX_PAGES",
    "MIME",
    "PackContent",
    "PrereadUnavailable",
    "Tile",
    "build_content",
    "build_preread",
    "chromium_path",
    "format_of",
    "render",
    "unavailable_reason",
]
