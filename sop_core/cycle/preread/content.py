"""What the meeting pre-read says: one :class:`PackContent` built from one read of the cycle.

The numbers come from the calls the review pages make, with the pages' default
view (all families and regions, a 12-month horizon): the review bundle
(:func:`sop_core.review.load_review`) of the cycle and of the cycle before, its
headline tiles, status grid, exceptions ranked by money at stake and the families
that need a decision (the Executive page), each family's sheet (the Family sheet
page), rough-cut capacity (the Supply page) and the year against the budget (the
Finance page), plus the override layers that made the forecast worse
(:func:`sop_core.forecast.layer_exceptions`) and the cycle engine's agenda, open
decisions and assumptions (:mod:`.process`). Figures are the pages' own chart
builders. Every figure in a table is formatted here, once, with the screen's
formatters (:mod:`sop_core.formatting`), so that the PDF and the HTML print the
same text as the tiles and tables on screen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from ... import review
from ...charts import family_colors
from ...charts.review import budget_bridge, capacity_panel, decision_panel, finance_overview, heatmaps
from ...export import neutralise_cell
from ...facts import currency as store_currency
from ...forecast import layer_exceptions
from ...formatting import kpi_delta, kpi_value, money, pct, units
from ...months import add_months, month_start
from ...store import Store
from .process import CycleProcess, read_process

MAX_EXCEPTIONS = 14  # rows on the exceptions page (the rest summed in one line)
SHEET_CLOSED = 3  # closed months of a family sheet in the pack …
SHEET_AHEAD = 9  # … and months of the horizon
HORIZON = 12  # the review pages' default horizon (sop_ui.filters.DEFAULT_HORIZON)
EXCEPTION_HEADERS = ["Exception", "Family / resource", "What", "When", "At stake"]
# A cell that is one formatted figure (right-aligned in the PDF and the HTML): 1,234 · €5.60 M · −12.5 % · 31.5 d · –
FIGURE = re.compile(r"[−+\-]?(?:[€$£¥]|[A-Z]{3} )?[\d.,]+(?: ?(?:%|k|M|bn|d|pts))?|–")
Step = Callable[[str], None]


def figure_columns(frame: pd.DataFrame) -> list[bool]:
    """Per column of ``frame`` (text cells): True when every cell is one formatted figure (:data:`FIGURE`)
    and at least one is not missing (``–``)."""

    def numeric(column: pd.Series) -> bool:
        text = column.map(str)
        return bool(text.map(lambda v: FIGURE.fullmatch(v) is not None).all() and (text != "–").any())

    return [numeric(frame[c]) for c in frame.columns]


@dataclass(frozen=True)
class Tile:
    """One headline figure as the screen shows it: ``value`` and ``delta`` texts; ``good`` colours the delta."""

    label: str
    value: str
    delta: str | None
    note: str
    good: bool | None


@dataclass(frozen=True)
class FamilyPage:
    """A family that needs a decision: its exceptions, a window of its family sheet and its chart."""

    family: str
    strategy: str
    exceptions: pd.DataFrame  # EXCEPTION_HEADERS, formatted
    sheet: pd.DataFrame  # rows of measures × month labels, formatted text
    flags: pd.DataFrame  # same shape, True where the screen highlights the cell
    figure: str  # key in PackContent.figures


@dataclass(frozen=True)
class PackContent:
    """Everything the pre-read prints for one cycle; tables hold formatted text (``–`` when missing)."""

    cycle: dt.date
    company: str
    currency: str
    generated_at: dt.datetime
    process: CycleProcess
    tiles: list[Tile]
    kpis: list[review.Kpi]
    ranked: pd.DataFrame  # review.exceptions, raw numbers
    exceptions: pd.DataFrame  # EXCEPTION_HEADERS, the top MAX_EXCEPTIONS
    more_exceptions: str | None  # "… and 3 more (€120 k at stake)"
    layers: pd.DataFrame  # override layers with negative value added
    status: pd.DataFrame  # family + review.STATUS_COLUMNS (ok / watch / act / –)
    families: list[FamilyPage]
    capacity: pd.DataFrame  # per resource: peak utilisation, where, months at warning / overloaded
    capacity_exceptions: pd.DataFrame
    finance: pd.DataFrame  # the Finance page's year table, formatted, with a total row
    figures: dict[str, go.Figure] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """``S&OP pre-read — November 2026``."""
        return f"S&OP pre-read — {self.cycle:%B %Y}"


def _text(value: object) -> str:
    """User-entered text as printed: a spreadsheet formula prefix is neutralised; missing is ``–``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return str(neutralise_cell(str(value)))


def _tiles(kpis: list[review.Kpi], currency: str) -> list[Tile]:
    tiles = []
    for kpi in kpis:
        delta = kpi_delta(kpi, currency)
        good = None
        if delta is not None and kpi.value is not None and kpi.previous is not None:
            good = (kpi.value > kpi.previous) == kpi.higher_is_better
        tiles.append(Tile(kpi.label, kpi_value(kpi, currency), delta, kpi.note, good))
    return tiles


def exception_rows(ranked: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Ranked exceptions as printed: the Executive page's columns, money as the Overview prints it."""
    return pd.DataFrame(
        {
            "Exception": ranked["rule"].map(_text),
            "Family / resource": ranked["subject"].map(_text),
            "What": ranked["detail"].map(str),
            "When": ranked["months"].map(str),
            "At stake": ranked["money"].map(lambda v: money(v, currency)),
        },
        columns=EXCEPTION_HEADERS,
    ).reset_index(drop=True)


def _more(ranked: pd.DataFrame, currency: str) -> str | None:
    rest = ranked.iloc[MAX_EXCEPTIONS:]
    if rest.empty:
        return None
    return f"… and {len(rest)} more ({money(float(rest['money'].sum()), currency)} at stake)"


def _layers(store: Store, cycle: dt.date) -> pd.DataFrame:
    frame = layer_exceptions(store, cycle)
    return pd.DataFrame(
        {
            "Family": frame["family"].map(_text),
            "Layer": frame["label"].map(_text),
            "Error added (units)": frame["added_error"].map(units),
            "What": frame["message"].map(str),
        },
        columns=["Family", "Layer", "Error added (units)", "What"],
    )


def _sheet(rv: review.Review, family: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The family sheet's last :data:`SHEET_CLOSED` closed months and first :data:`SHEET_AHEAD` of the horizon."""
    table, flags = review.family_sheet(rv, family)
    first = add_months(rv.cycle, -SHEET_CLOSED)
    labels = [f"{add_months(first, i):%b %y}" for i in range(SHEET_CLOSED + SHEET_AHEAD)]
    labels = [c for c in labels if c in table.columns]
    shown = table[labels].map(units)
    return shown, flags[labels]


def _capacity(rv: review.Review) -> pd.DataFrame:
    cap = rv.capacity.dropna(subset=["utilisation"])
    rows = []
    for resource, group in cap.groupby("resource", sort=True):
        peak = group.loc[group["utilisation"].idxmax()]
        rows.append(
            {
                "Resource": _text(resource),
                "Peak utilisation": pct(float(peak["utilisation"])),
                "Peak month": f"{pd.Timestamp(peak['month']):%b %Y}",
                "Months at warning": str(int((group["status"] == "warning").sum())),
                "Months overloaded": str(int((group["status"] == "overload").sum())),
            }
        )
    return pd.DataFrame(
        rows, columns=["Resource", "Peak utilisation", "Peak month", "Months at warning", "Months overloaded"]
    )


def _finance(rv: review.Review, currency: str) -> pd.DataFrame:
    """The Finance page's year table (:func:`sop_core.review.finance_table`) as text, with a total row."""
    table = review.finance_table(rv)
    money_cols = ["budget_revenue", "outlook_revenue", "gap_to_budget", "budget_margin", "outlook_margin"]
    total = table[money_cols].sum(min_count=1)
    budget = total["budget_revenue"]
    total_gap = total["gap_to_budget"] / budget if pd.notna(budget) and budget > 0 else None
    rows = [*table.to_dict("records"), {"family": "Total", **total.to_dict(), "gap_pct": total_gap}]
    names = {
        "budget_revenue": "Budget revenue",
        "outlook_revenue": "Outlook revenue",
        "gap_to_budget": "Gap to budget",
        "budget_margin": "Budget margin",
        "outlook_margin": "Outlook margin",
    }
    out = pd.DataFrame({"Family": [_text(r["family"]) for r in rows]})
    for col in money_cols[:3]:
        out[f"{names[col]} ({currency})"] = [units(r[col]) for r in rows]
    out["Gap %"] = [pct(r["gap_pct"], signed=True) for r in rows]
    for col in money_cols[3:]:
        out[f"{names[col]} ({currency})"] = [units(r[col]) for r in rows]
    return out


def _company(store: Store) -> str:
    return str(store.scalar("SELECT value FROM settings WHERE key = ?", ["company"]) or "S&OP")


def build_content(
    store: Store,
    cycle: dt.date | str,
    step: Step | None = None,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> PackContent:
    """The pre-read of ``cycle`` (a month): one read of the store, then pure shaping.

    ``step(message)`` is called as each part is ready (for progress reports); ``now`` stamps
    the pack (default: the clock) and ``today`` dates the process (overdue items, steps;
    default: the system date).
    Raises ``ValueError`` when the store has no plan for ``cycle``.
    """
    say = step or (lambda _msg: None)
    chosen = month_start(cycle)
    known = review.cycles(store)
    if chosen not in known:
        raise ValueError(f"There is no plan cycle {chosen:%Y-%m} in the store.")
    currency = store_currency(store)
    rv = review.load_review(store, chosen, horizon=HORIZON)
    previous = review.load_review(store, rv.previous_cycle, horizon=HORIZON) if rv.previous_cycle else None
    say("Read the cycle")
    kpis = review.overview_kpis(rv, previous)
    ranked = review.exceptions(rv)
    colors = family_colors(review.family_names(store))
    stock = review.supply_projection(rv)
    figures: dict[str, go.Figure] = {}
    pages = []
    for family in review.decision_families(rv, ranked):
        key = f"family:{family}"
        figures[key] = decision_panel(rv.sales, stock, rv.finance, [family], colors, currency)
        sheet, flags = _sheet(rv, family)
        strategy = str(rv.master.set_index("family").loc[family, "strategy"])
        pages.append(
            FamilyPage(
                family, strategy, exception_rows(ranked[ranked["subject"] == family], currency), sheet, flags, key
            )
        )
    figures["capacity"] = heatmaps([capacity_panel(rv.capacity)])
    figures["bridge"] = budget_bridge(review.year_finance(rv), currency)
    figures["finance"] = finance_overview(review.finance_totals(rv), currency)
    say("Computed the figures")
    cap_rules = ranked["rule"].str.startswith("Capacity")
    return PackContent(
        cycle=chosen,
        company=_company(store),
        currency=currency,
        generated_at=now or dt.datetime.now(),
        process=read_process(store, chosen, currency, today),
        tiles=_tiles(kpis, currency),
        kpis=kpis,
        ranked=ranked,
        exceptions=exception_rows(ranked.head(MAX_EXCEPTIONS), currency),
        more_exceptions=_more(ranked, currency),
        layers=_layers(store, chosen),
        status=review.status_grid(rv).fillna("–").map(_text),
        families=pages,
        capacity=_capacity(rv),
        capacity_exceptions=exception_rows(ranked[cap_rules], currency),
        finance=_finance(rv, currency),
        figures=figures,
    )
