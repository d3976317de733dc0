"""The PDF pre-read (fpdf2): A4 landscape, at most :data:`MAX_PAGES` pages, tables of figures and chart images.

Pages: cover (headline tiles and the family status grid), agenda, exceptions ranked
by money at stake (and the override layers that made the forecast worse), one page
per family that needs a decision (at most three, as on the Executive page),
capacity, finance against the budget, open decisions, assumptions and the cycle's
steps. Tables are capped in rows, and small ones move whole to the next page rather
than split, so that the pack stays within its pages.
DejaVu Sans (Debian's fonts-dejavu-core) when installed, else Helvetica with the
text reduced to Latin-1.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from ...charts.theme import STATUS_COLORS
from .content import PackContent, figure_columns
from .images import ImageSpec

MAX_PAGES = 15
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MARGIN = 12.0
PAGE_W, PAGE_H = 297.0, 210.0
CONTENT_W = PAGE_W - 2 * MARGIN
PX_PER_MM = 5.5  # chart pixels per millimetre of page: the charts' 15 px text prints at about 7.5 pt
MAX_ROWS = 12  # table rows per section before "… and N more"
AGENDA_ROWS = 18
INK, MUTED, GOOD, BAD = (33, 37, 41), (108, 117, 125), (46, 157, 87), (212, 63, 58)
HEAD_FILL, FLAG_FILL, RULE, WHITE = (233, 236, 239), (246, 206, 204), (206, 212, 218), (255, 255, 255)
LATIN1 = {
    "−": "-",
    "–": "-",
    "—": "-",
    "…": "...",
    "▲": "^",
    "·": "-",
    "→": "->",
    "€": "EUR ",
    "≥": ">=",
    "±": "+/-",
    "“": '"',
    "”": '"',
    "’": "'",
}
# Chart boxes on the page (mm): width, height.
BOXES = {
    "family": (CONTENT_W, 66.0),
    "capacity": (CONTENT_W, 70.0),
    "bridge": (CONTENT_W / 2 - 3, 80.0),
    "finance": (CONTENT_W / 2 - 3, 80.0),
}


def _box(key: str) -> tuple[float, float]:
    return BOXES[key.split(":", 1)[0]]


def image_specs(content: PackContent) -> dict[str, ImageSpec]:
    """The static export of each figure of ``content``, sized to its box on the page."""
    specs = {}
    for key, figure in content.figures.items():
        w, h = _box(key)
        specs[key] = ImageSpec(figure, round(w * PX_PER_MM), round(h * PX_PER_MM), scale=2.0)
    return specs


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class _Pack(FPDF):
    """An FPDF with the pack's running header and footer."""

    def __init__(self, content: PackContent) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        # Only the running footer's text: unbreakable blocks deep-copy this object's state.
        self.footer_left = f"{content.company} · {content.title}"
        self.footer_right = f"generated {content.generated_at:%d %b %Y %H:%M}"
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").is_file() and (FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
        if self.unicode:
            self.add_font("Pack", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Pack", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.family_name = "Pack" if self.unicode else "Helvetica"
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.set_title(content.title)
        self.set_author(content.company)
        self.set_creator("sop_core pre-read")
        self.set_creation_date(content.generated_at.astimezone())

    def t(self, text: object) -> str:
        """``text`` as the current font can print it."""
        value = str(text)
        if self.unicode:
            return value
        for char, plain in LATIN1.items():
            value = value.replace(char, plain)
        return value.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False, color: tuple[int, int, int] = INK) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.set_text_color(*color)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.font(7.5, color=MUTED)
        self.cell(CONTENT_W / 2, 5, self.t(self.footer_left), align="L")
        self.cell(CONTENT_W / 2, 5, self.t(f"{self.footer_right} · page {self.page_no()}/{{nb}}"), align="R")

    def section(self, title: str, subtitle: str | None = None) -> None:
        """A new page with its title (and a muted line under it)."""
        self.add_page()
        self.font(17, bold=True)
        self.cell(CONTENT_W, 9, self.t(title), new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.font(9, color=MUTED)
            self.multi_cell(CONTENT_W, 4.6, self.t(subtitle), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(1.5)
        self.font(11.5, bold=True)
        self.cell(CONTENT_W, 6.5, self.t(text), new_x="LMARGIN", new_y="NEXT")

    def note(self, text: str, size: float = 8.5) -> None:
        self.font(size, color=MUTED)
        self.multi_cell(CONTENT_W, 4.4, self.t(text), new_x="LMARGIN", new_y="NEXT")

    def grid(
        self,
        frame: pd.DataFrame,
        widths: list[float] | None = None,
        size: float = 8.5,
        fills: pd.DataFrame | None = None,
        empty: str = "None.",
        limit: int = MAX_ROWS,
        first_bold: bool = False,
        pad: float = 0.9,
        last_bold: bool = False,
        status: bool = False,
    ) -> None:
        """``frame`` (text cells) as a bordered table; ``fills`` colours cells (same shape, RGB or None).

        ``status``: filled cells are traffic lights, in white bold centred text as on screen.
        """
        if frame.empty:
            self.note(empty, size=9)
            return
        shown = frame.head(limit)
        self.font(size)
        self.set_draw_color(*RULE)
        numeric = figure_columns(shown)
        with self.table(
            width=sum(widths) if widths else CONTENT_W,
            col_widths=widths,
            align="LEFT",
            line_height=size * 0.5,
            padding=(pad, 1.4),
            text_align="LEFT",
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=size),
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            head = table.row()
            lights = [
                status and fills is not None and fills[c].notna().any()
                for c in (fills if fills is not None else shown).columns
            ]
            for name, right, light in zip(shown.columns, numeric, lights, strict=True):
                head.cell(self.t(name), align="CENTER" if light else "RIGHT" if right else "LEFT")
            for i, values in enumerate(shown.itertuples(index=False)):
                row = table.row()
                for j, value in enumerate(values):
                    fill = fills.iat[i, j] if fills is not None else None
                    bold = (first_bold and j == 0) or (last_bold and i == len(shown) - 1) or (lights[j] and fill)
                    style = (
                        FontFace(
                            fill_color=fill,
                            emphasis="BOLD" if bold else None,
                            color=WHITE if lights[j] and fill else None,
                        )
                        if fill or bold
                        else None
                    )
                    row.cell(
                        self.t(value), align="CENTER" if lights[j] else "RIGHT" if numeric[j] else "LEFT", style=style
                    )
        if len(frame) > limit:
            self.note(f"… and {len(frame) - limit} more (see the HTML version).")

    def block(self, frame: pd.DataFrame, heading: str | None = None, **grid: Any) -> None:
        """A heading and its table (:meth:`grid`) on one page: moved whole to a new page when it would not fit."""
        with self.unbreakable() as recorder:
            doc: Any = recorder  # replays the calls on this pdf
            if heading:
                doc.heading(heading)
            doc.grid(frame, **grid)

    def chart(self, key: str, images: dict[str, bytes], x: float | None = None, y: float | None = None) -> None:
        """The exported image of ``key`` in its box at (``x``, ``y``) (default: here)."""
        w, h = _box(key)
        x = self.l_margin if x is None else x
        y = self.get_y() if y is None else y
        self.image(BytesIO(images[key]), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
        self.set_y(y + h + 2)


def _cover(pdf: _Pack, c: PackContent) -> None:
    pdf.add_page()
    pdf.font(11, color=MUTED)
    pdf.cell(CONTENT_W, 6, pdf.t(c.company), new_x="LMARGIN", new_y="NEXT")
    pdf.font(24, bold=True)
    pdf.cell(CONTENT_W, 12, pdf.t(f"S&OP executive meeting — {c.cycle:%B %Y}"), new_x="LMARGIN", new_y="NEXT")
    pdf.font(11, color=MUTED)
    meeting = f" · executive meeting {c.process.meeting}" if c.process.meeting else ""
    pdf.cell(CONTENT_W, 6, pdf.t(f"Pre-read · plan: {c.process.status}{meeting}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    gap, tile_w, tile_h = 4.0, (CONTENT_W - 8.0) / 3, 30.0
    top = pdf.get_y()
    for i, tile in enumerate(c.tiles):
        x, y = MARGIN + (i % 3) * (tile_w + gap), top + (i // 3) * (tile_h + gap)
        pdf.set_draw_color(*RULE)
        pdf.rect(x, y, tile_w, tile_h, round_corners=True, corner_radius=2)
        pdf.set_xy(x + 3, y + 2.5)
        pdf.font(9.5, color=MUTED)
        pdf.cell(tile_w - 6, 5, pdf.t(tile.label))
        pdf.set_xy(x + 3, y + 8)
        pdf.font(19, bold=True)
        pdf.cell(tile_w - 6, 9, pdf.t(tile.value))
        if tile.delta:
            pdf.set_xy(x + 3, y + 17.5)
            pdf.font(9, color=MUTED if tile.good is None else GOOD if tile.good else BAD)
            pdf.cell(tile_w - 6, 5, pdf.t(tile.delta))
        pdf.set_xy(x + 3, y + 23)
        pdf.font(7.5, color=MUTED)
        pdf.cell(tile_w - 6, 4, pdf.t(tile.note))
    pdf.set_y(top + 2 * (tile_h + gap) + 1)
    pdf.heading("Family status")
    status = c.status.rename(columns={"family": "Family"})
    colours = {k or "–": _rgb(v) for k, v in STATUS_COLORS.items()}  # grey: no data
    fills = status.apply(
        lambda col: col.map(lambda v: colours.get(v)) if col.name != "Family" else col.map(lambda _: None)
    )
    pdf.grid(status, widths=[62.0] + [30.0] * (len(status.columns) - 1), size=8, fills=fills, limit=20, status=True)
    pdf.note(
        "ok: within tolerance · watch: the last month out or near a limit · act: out of tolerance, backorders, "
        "or a gap that lasts (see the review pages' notes).",
        size=7.5,
    )


def _agenda(pdf: _Pack, c: PackContent) -> None:
    p = c.process
    pdf.section("Agenda", "Decisions needed this cycle, open decisions that are due and assumptions that changed.")
    pdf.grid(
        p.agenda,
        widths=[7.0, 34.0, 72.0, 97.0, 40.0, 23.0],
        size=8.5,
        limit=AGENDA_ROWS,
        empty="No agenda items: nothing needs a decision.",
    )


def _exceptions(pdf: _Pack, c: PackContent) -> None:
    pdf.section(
        "Exceptions, ranked by money at stake",
        "Exceptions worth an agenda slot (tracking signal, backorders, cover, backlog, capacity, revenue gap), "
        "as on the Executive page; money at stake in " + c.currency + ".",
    )
    pdf.grid(
        c.exceptions,
        widths=[45.0, 45.0, 100.0, 50.0, 33.0],
        size=8.5,
        limit=len(c.exceptions),
        empty="No exceptions this cycle: the plan is within tolerance everywhere.",
    )
    if c.more_exceptions:
        pdf.note(c.more_exceptions)
    pdf.block(
        c.layers,
        "Override layers that made the forecast worse",
        widths=[45.0, 30.0, 30.0, 168.0],
        size=8,
        limit=4,
        empty="No override layer made a forecast worse three cycles running.",
    )


def _families(pdf: _Pack, c: PackContent, images: dict[str, bytes]) -> None:
    for page in c.families:
        kind = "Make-to-order: orders, shipments and backlog" if page.strategy == "mto" else "Make-to-stock"
        pdf.section(
            f"Decision needed: {page.family}",
            f"{kind}. Demand (actual solid, plan dashed), stock or backlog "
            "against its target band, revenue outlook against budget (dotted).",
        )
        pdf.grid(page.exceptions, widths=[45.0, 45.0, 100.0, 50.0, 33.0], size=8, limit=3)
        pdf.chart(page.figure, images)
        sheet = page.sheet.reset_index().rename(columns={"index": ""})
        fills = page.flags.reset_index(drop=True).map(lambda f: FLAG_FILL if f else None)
        fills.insert(0, "", None)
        n = len(sheet.columns) - 1
        pdf.block(
            sheet,
            widths=[44.0] + [(CONTENT_W - 44.0) / n] * n,
            size=7,
            fills=fills,
            limit=len(sheet),
            first_bold=True,
            pad=0.55,
        )


def _capacity(pdf: _Pack, c: PackContent, images: dict[str, bytes]) -> None:
    pdf.section(
        "Capacity",
        "Rough-cut utilisation = planned load hours / available hours per resource and month "
        "(▲ above 100 %); the plan under review over the next 12 months.",
    )
    pdf.chart("capacity", images)
    pdf.block(c.capacity, widths=[60.0, 40.0, 40.0, 40.0, 40.0], size=8.5)
    if not c.capacity_exceptions.empty:
        pdf.block(
            c.capacity_exceptions, "Capacity exceptions", widths=[45.0, 45.0, 100.0, 50.0, 33.0], size=8.5, limit=4
        )


def _finance(pdf: _Pack, c: PackContent, images: dict[str, bytes]) -> None:
    pdf.section(
        f"Finance against the budget {c.cycle.year}",
        "Outlook = actual where the month is closed, else plan; gap = outlook − budget. Revenue = volume × "
        "price, cost = volume × standard cost, margin = revenue − cost.",
    )
    top = pdf.get_y()
    pdf.chart("bridge", images, x=MARGIN, y=top)
    pdf.chart("finance", images, x=MARGIN + CONTENT_W / 2 + 3, y=top)
    widths = [50.0] + [(CONTENT_W - 50.0) / 6] * 6
    pdf.block(c.finance, widths=widths, size=8, limit=len(c.finance), last_bold=True)


def _decisions(pdf: _Pack, c: PackContent) -> None:
    p = c.process
    pdf.section(
        "Open decisions and assumptions",
        "Decisions of earlier meetings still open (overdue first), the "
        "assumptions the plan rests on (changed ones first) and the cycle's steps.",
    )
    pdf.block(
        p.decisions,
        "Open decisions",
        widths=[120.0, 50.0, 28.0, 25.0, 50.0],
        size=8.5,
        limit=10,
        empty="No open decisions.",
    )
    pdf.block(
        p.assumptions,
        "Assumptions",
        widths=[100.0, 50.0, 28.0, 35.0, 60.0],
        size=8.5,
        limit=10,
        empty="No assumptions recorded.",
    )
    if not p.steps.empty:
        pdf.block(p.steps, "Where the cycle stands", widths=[60.0, 60.0, 30.0, 28.0, 95.0], size=8.5)


def render_pdf(content: PackContent, images: dict[str, bytes]) -> bytes:
    """The PDF bytes of ``content`` with the exported chart ``images`` (keys as ``content.figures``)."""
    pdf = _Pack(content)
    _cover(pdf, content)
    _agenda(pdf, content)
    _exceptions(pdf, content)
    _families(pdf, content, images)
    _capacity(pdf, content, images)
    _finance(pdf, content, images)
    _decisions(pdf, content)
    if pdf.pages_count > MAX_PAGES:  # the sections are capped; this guards the caps
        raise ValueError(f"The pre-read has {pdf.pages_count} pages, more than {MAX_PAGES}.")
    return bytes(pdf.output())
