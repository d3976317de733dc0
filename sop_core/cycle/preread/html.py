"""The HTML pre-read: one self-contained file with interactive charts that works offline.

Plotly.js is inlined once (:func:`plotly.offline.get_plotlyjs`) and each figure is a
``div`` drawn by it: no script, style sheet or image is fetched from the network.
Every text is HTML-escaped, and user-entered text is also formula-neutralised
(:func:`sop_core.export.neutralise_cell`) when the content is built, so a table
pasted into a spreadsheet cannot run a formula. The sections and tables are the
PDF's (:mod:`.pdf`), from the same :class:`~.content.PackContent`.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from ...charts.theme import STATUS_COLORS
from .content import PackContent, figure_columns

CSS = """
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;margin:0;
 background:#fff;font-size:15px;line-height:1.4}
main{max-width:1280px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:30px;margin:4px 0}h2{font-size:23px;margin:40px 0 4px;padding-top:12px;border-top:2px solid #dee2e6}
h3{font-size:17px;margin:20px 0 6px}.muted{color:#6c757d}.small{font-size:13px}
nav a{margin-right:14px;color:#0b5ed7;text-decoration:none}
.tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:12px;margin:16px 0}
.tile{border:1px solid #ced4da;border-radius:8px;padding:10px 14px}
.tile .label{color:#6c757d;font-size:14px}.tile .value{font-size:28px;font-weight:700}
.tile .good{color:#2e9d57}.tile .bad{color:#d43f3a}.tile .note{color:#6c757d;font-size:12px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:14px}
th{background:#e9ecef;text-align:left;padding:4px 8px}td{padding:4px 8px;border-bottom:1px solid #dee2e6}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.flag{background:rgba(212,63,58,.30);font-weight:700}
td.status{color:#fff;font-weight:600;text-align:center}
.chart{margin:8px 0}
@media print{h2{break-before:page}.chart{break-inside:avoid}}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def table_html(
    frame: pd.DataFrame,
    flags: pd.DataFrame | None = None,
    status: bool = False,
    index: bool = False,
    empty: str = "None.",
) -> str:
    """``frame`` (text cells) as an HTML table; ``flags`` marks cells, ``status`` colours ok/watch/act cells."""
    if frame.empty:
        return f'<p class="muted">{_e(empty)}</p>'
    numeric = figure_columns(frame)
    head = "".join(
        f'<th class="{"num" if n else ""}">{_e(c)}</th>' for c, n in zip(frame.columns, numeric, strict=True)
    )
    rows = []
    for i, values in enumerate(frame.itertuples(index=False)):
        cells = [f"<th>{_e(frame.index[i])}</th>"] if index else []
        for j, value in enumerate(values):
            css = ["num"] if numeric[j] else []
            style = ""
            if flags is not None and bool(flags.iat[i, j]):
                css.append("flag")
            if status and value in STATUS_COLORS and value is not None:
                css.append("status")
                style = f' style="background:{STATUS_COLORS[value]}"'
            cells.append(f'<td class="{" ".join(css)}"{style}>{_e(value)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    corner = "<th></th>" if index else ""
    return f"<table><thead><tr>{corner}{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure(content: PackContent, key: str) -> str:
    fig = content.figures[key]
    div_id = "fig-" + "".join(ch if ch.isalnum() else "-" for ch in key)
    body = pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False, "responsive": True}
    )
    return f'<div class="chart">{body}</div>'


def _tiles(content: PackContent) -> str:
    parts = []
    for tile in content.tiles:
        delta = ""
        if tile.delta:
            css = "" if tile.good is None else ("good" if tile.good else "bad")
            delta = f'<div class="{css}">{_e(tile.delta)}</div>'
        parts.append(
            f'<div class="tile"><div class="label">{_e(tile.label)}</div>'
            f'<div class="value">{_e(tile.value)}</div>{delta}<div class="note">{_e(tile.note)}</div></div>'
        )
    return '<div class="tiles">' + "".join(parts) + "</div>"


def _sections(c: PackContent) -> list[tuple[str, str, str]]:
    """``(anchor, title, body html)`` per section, in the PDF's order."""
    p = c.process
    out = []
    status = c.status.rename(columns={"family": "Family"})
    meeting = f" · executive meeting {_e(p.meeting)}" if p.meeting else ""
    out.append(
        (
            "cover",
            "Headline figures",
            f'<p class="muted">Plan: {_e(p.status)}{meeting}</p>{_tiles(c)}<h3>Family status</h3>'
            + table_html(status, status=True),
        )
    )
    out.append(("agenda", "Agenda", table_html(p.agenda, empty="No agenda items: nothing needs a decision.")))
    more = f'<p class="muted">{_e(c.more_exceptions)}</p>' if c.more_exceptions else ""
    out.append(
        (
            "exceptions",
            "Exceptions, ranked by money at stake",
            table_html(c.exceptions, empty="No exceptions this cycle: the plan is within tolerance everywhere.")
            + more
            + "<h3>Override layers that made the forecast worse</h3>"
            + table_html(c.layers, empty="No override layer made a forecast worse three cycles running."),
        )
    )
    for page in c.families:
        kind = "Make-to-order: orders, shipments and backlog." if page.strategy == "mto" else "Make-to-stock."
        out.append(
            (
                f"family-{len(out)}",
                f"Decision needed: {page.family}",
                f'<p class="muted">{kind}</p>'
                + table_html(page.exceptions)
                + _figure(c, page.figure)
                + table_html(page.sheet, flags=page.flags, index=True),
            )
        )
    cap = _figure(c, "capacity") + table_html(c.capacity)
    if not c.capacity_exceptions.empty:
        cap += "<h3>Capacity exceptions</h3>" + table_html(c.capacity_exceptions)
    out.append(("capacity", "Capacity", cap))
    out.append(
        (
            "finance",
            f"Finance against the budget {c.cycle.year}",
            _figure(c, "bridge") + _figure(c, "finance") + table_html(c.finance),
        )
    )
    out.append(
        (
            "decisions",
            "Open decisions and assumptions",
            "<h3>Open decisions</h3>"
            + table_html(p.decisions, empty="No open decisions.")
            + "<h3>Assumptions</h3>"
            + table_html(p.assumptions, empty="No assumptions recorded.")
            + ("<h3>Where the cycle stands</h3>" + table_html(p.steps) if not p.steps.empty else ""),
        )
    )
    return out


def render_html(content: PackContent) -> bytes:
    """The self-contained HTML pre-read of ``content`` (UTF-8 bytes)."""
    c = content
    sections = _sections(c)
    nav = "".join(f'<a href="#{a}">{_e(t)}</a>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{_e(t)}</h2>{html}</section>' for a, t, html in sections)
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(c.company)} · {_e(c.title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style>'
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body><main>'
        f'<p class="muted">{_e(c.company)}</p><h1>{_e(f"S&OP executive meeting — {c.cycle:%B %Y}")}</h1>'
        f'<p class="muted small">Pre-read generated {c.generated_at:%d %b %Y %H:%M}</p><nav>{nav}</nav>{body}'
        "</main></body></html>"
    )
    return page.encode("utf-8")
