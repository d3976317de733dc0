"""The review pages' engine: one bundle per cycle and filters, and the KPIs, statuses, exceptions and tables over it.

* :mod:`.bundle` — :class:`Review` and :func:`load_review` (reads the store facts once, then computes);
* :mod:`.rules` — thresholds and windows (:data:`HISTORY_MONTHS`, :data:`TS_LIMIT`, …);
* :mod:`.tiles` — the headline KPI tiles (:func:`overview_kpis`);
* :mod:`.grid` — the family × KPI status grid;
* :mod:`.exceptions` — one function per exception rule and the ranking by money at stake;
* :mod:`.projection` — the supply picture (counted then projected stock, target band, inventory value);
* :mod:`.family_sheet` — the classic S&OP family sheet;
* :mod:`.tables` — table shaping for the pages.

Pure over the bundle (no Streamlit). Conventions as in the rest of ``sop_core``:
error / deviation = actual − plan; ratios are fractions; the family master's
``tolerance_pct`` is percent.
"""

from ..facts import currency, cycles, data_stamp, family_names, region_names
from .bundle import Review, load_review, open_trade_offs, read_review_facts, review_from
from .exceptions import EXCEPTION_COLUMNS, decision_families, exceptions
from .family_sheet import family_sheet
from .grid import STATUS_COLUMNS, status_grid
from .projection import inventory_value, supply_projection
from .rules import (
    ACCURACY_HISTORY,
    ACCURACY_LAGS,
    ACCURACY_MONTHS,
    EXPOSURE_MONTHS,
    HISTORY_MONTHS,
    REVENUE_GAP_ACT,
    REVENUE_GAP_RUN,
    REVENUE_GAP_WATCH,
    TS_LIMIT,
    TS_WATCH,
    WARNING_RUN,
)
from .tables import (
    accuracy_summary,
    accuracy_table,
    demand_picture,
    deviation_table,
    finance_table,
    finance_totals,
    gap_table,
    lag_column,
    region_table,
    with_tolerance_band,
    year_finance,
)
from .tiles import Kpi, forecast_accuracy_kpi, overview_kpis

__all__ = [
    "ACCURACY_HISTORY",
    "ACCURACY_LAGS",
    "ACCURACY_MONTHS",
    "EXCEPTION_COLUMNS",
    "EXPOSURE_MONTHS",
    "HISTORY_MONTHS",
    "REVENUE_GAP_ACT",
    "REVENUE_GAP_RUN",
    "REVENUE_GAP_WATCH",
    "STATUS_COLUMNS",
    "TS_LIMIT",
    "TS_WATCH",
    "WARNING_RUN",
    "Kpi",
    "Review",
    "accuracy_summary",
    "accuracy_table",
    "currency",
    "cycles",
    "data_stamp",
    "decision_families",
    "demand_picture",
    "deviation_table",
    "exceptions",
    "family_names",
    "family_sheet",
    "finance_table",
    "finance_totals",
    "forecast_accuracy_kpi",
    "gap_table",
    "inventory_value",
    "lag_column",
    "load_review",
    "open_trade_offs",
    "overview_kpis",
    "read_review_facts",
    "region_names",
    "region_table",
    "review_from",
    "status_grid",
    "supply_projection",
    "with_tolerance_band",
    "year_finance",
]
