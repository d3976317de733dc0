"""The review pages' figures: one data bundle per cycle and the KPIs, statuses and exceptions over it.

:func:`load_review` gathers, for one plan cycle and the chosen families,
regions and horizon, every frame the review pages show (reads through the
calculation core only). The other functions are pure over that bundle:

* :func:`overview_kpis` — headline KPIs, each with its value for the previous cycle;
* :func:`status_grid` — a family × KPI traffic-light grid (``ok`` / ``watch`` / ``act``);
* :func:`exceptions` — the exceptions worth an agenda slot, ranked by money at stake;
* :func:`supply_projection`, :func:`family_sheet` — the supply picture and the classic family sheet.

Conventions (as in the rest of ``sop_core``): error / deviation = actual − plan;
ratios are fractions; the family master's ``tolerance_pct`` is percent. The
window shown is the :data:`HISTORY_MONTHS` closed months before the cycle plus
``horizon`` months from the cycle on. Finance and the demand/supply projection
are per family over all regions (the plan of production and inventory is kept
per family); the region filter applies to demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import calc, plan_data
from .accuracy import forecast_pairs
from .deviation import plan_vs_actual
from .finance import finance
from .months import add_months, days_in_month, month_range
from .plans import plan_versions
from .store import Store
from .supply import capacity_load, demand_supply_gap

HISTORY_MONTHS = 12  # closed months shown before the cycle
ACCURACY_MONTHS = 3  # closed months behind the headline forecast accuracy
ACCURACY_LAGS = (0, 1, 2, 3, 6)  # lags of the accuracy heatmap
ACCURACY_HISTORY = 12  # closed months behind the accuracy by lag
TS_LIMIT = 4.0  # |tracking signal| beyond this flags a biased forecast
TS_WATCH = 3.0
EXPOSURE_MONTHS = 3  # a biased forecast puts this many months of bias at stake
REVENUE_GAP_ACT = 0.05  # revenue gap to budget (fraction) that is an exception …
REVENUE_GAP_WATCH = 0.02
REVENUE_GAP_RUN = 3  # … for this many consecutive months
WARNING_RUN = 3  # months in a row at or above a resource's warning threshold
STATUS_COLUMNS = ["Demand", "Forecast bias", "Production", "Stock", "Revenue"]
EXCEPTION_COLUMNS = ["rule", "subject", "detail", "months", "money", "page"]


@dataclass(frozen=True)
class Review:
    """Everything the review pages show for one cycle, families, regions and horizon."""

    cycle: dt.date
    horizon: int
    master: pd.DataFrame  # family master of the chosen families
    sales: pd.DataFrame  # plan_vs_actual('sales') in the window
    production: pd.DataFrame
    stock: pd.DataFrame  # plan_vs_actual('inventory'): inventory (mts) or backlog (mto)
    counts: pd.DataFrame  # family, month, actual: month-end inventory (mts) or backlog (mto) counts
    gap: pd.DataFrame  # demand_supply_gap over the horizon
    capacity: pd.DataFrame  # capacity_load over the horizon + revenue_per_hour, warning_utilisation
    finance: pd.DataFrame  # finance() over the cycle's year and the window
    accuracy: pd.DataFrame  # family, lag, n, wmape, bias, bias_pct, tracking_signal
    pairs: pd.DataFrame  # lag-1 forecast pairs (family, month, actual, forecast)
    outlook: pd.DataFrame  # family, month, plan, previous_plan, last_year
    regions: pd.DataFrame  # family, region, plan, actual, deviation_pct (last closed months)
    previous_cycle: dt.date | None = None
    months: list[dt.date] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when there is nothing to review (no family or no plan)."""
        return self.master.empty or (self.sales.empty and self.gap.empty)

    @property
    def prices(self) -> pd.Series:
        """Price per unit by family."""
        return self.master.set_index("family")["price"]


# ================================================================ loading
def cycles(store: Store) -> list[dt.date]:
    """Plan cycles, newest first."""
    return [pd.Timestamp(c).date() for c in plan_versions(store)["cycle"]]


def family_names(store: Store) -> list[str]:
    """All family names, sorted."""
    return plan_data.families(store)["family"].tolist()


def region_names(store: Store) -> list[str]:
    """All region names, sorted."""
    return store.query("SELECT region FROM regions ORDER BY region")["region"].tolist()


def _as_datetime(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(month=pd.to_datetime(frame["month"]))


def _window(frame: pd.DataFrame, start: dt.date, end: dt.date, column: str = "month") -> pd.DataFrame:
    months = pd.to_datetime(frame[column])
    return frame[(months >= pd.Timestamp(start)) & (months <= pd.Timestamp(end))].reset_index(drop=True)


def load_review(
    store: Store,
    cycle: dt.date | None,
    families: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    horizon: int = 12,
) -> Review:
    """Gather the review bundle of ``cycle`` (``None``: the latest) for the chosen filters.

    ``families``/``regions`` ``None`` or empty mean all. The previous cycle is the
    version one month before ``cycle`` when the store has it.
    """
    families = list(families) if families else None
    regions = list(regions) if regions else None
    known = cycles(store)
    cycle = cycle or (known[0] if known else None)
    master = plan_data.families(store, families)
    if cycle is None:
        cycle = dt.date.today().replace(day=1)
    start, end = add_months(cycle, -HISTORY_MONTHS), add_months(cycle, horizon - 1)
    previous = add_months(cycle, -1)
    sales = plan_vs_actual(store, "sales", cycle, families, regions)
    production = plan_vs_actual(store, "production", cycle, families)
    stock = plan_vs_actual(store, "inventory", cycle, families)
    gap = demand_supply_gap(store, cycle, families)
    capacity = capacity_load(store, cycle, families)
    money = finance(store, cycle, families)
    year_start = dt.date(cycle.year, 1, 1)
    fin_start = min(start, year_start)
    fin_end = max(end, dt.date(cycle.year, 12, 1))
    return Review(
        cycle=cycle,
        horizon=horizon,
        master=master,
        sales=_window(sales, start, end),
        production=_window(production, start, end),
        stock=_window(stock, start, end),
        counts=_window(_as_datetime(plan_data.stock_actuals(store, families)), start, add_months(cycle, -1)),
        gap=_window(gap, cycle, end),
        capacity=_with_revenue_per_hour(store, _window(capacity, cycle, end), cycle, families, master),
        finance=_window(money, fin_start, fin_end),
        accuracy=_accuracy_by_lag(store, cycle, families, regions),
        pairs=_window(forecast_pairs(store, 1, families, regions), add_months(cycle, -ACCURACY_HISTORY),
                      previous),
        outlook=_outlook(store, cycle, previous if previous in known else None, families, regions, end),
        regions=_region_deviation(store, cycle, families, regions),
        previous_cycle=previous if previous in known else None,
        months=month_range(start, HISTORY_MONTHS + horizon),
    )


def _accuracy_by_lag(store: Store, cycle: dt.date, families: list[str] | None,
                     regions: list[str] | None) -> pd.DataFrame:
    """Accuracy per family and lag over the :data:`ACCURACY_HISTORY` closed months before ``cycle``."""
    rows = []
    for lag in ACCURACY_LAGS:
        pairs = _window(forecast_pairs(store, lag, families, regions),
                        add_months(cycle, -ACCURACY_HISTORY), add_months(cycle, -1))
        for family, group in pairs.groupby("family", sort=True):
            rows.append({"family": family, "lag": lag, **calc.accuracy_metrics(group["actual"], group["forecast"])})
    return pd.DataFrame(rows, columns=["family", "lag", "n", "mad", "mape", "wmape", "bias", "bias_pct",
                                       "tracking_signal", "mape_excluded"])


def _outlook(store: Store, cycle: dt.date, previous: dt.date | None, families: list[str] | None,
             regions: list[str] | None, end: dt.date) -> pd.DataFrame:
    """Demand plan of ``cycle`` beside the previous cycle's plan and the actuals 12 months earlier."""
    plan = plan_data.version_plan(store, "demand", cycle, families, regions)
    frame = plan
    if previous is not None:
        prev = plan_data.version_plan(store, "demand", previous, families, regions)
        frame = frame.merge(prev.rename(columns={"plan": "previous_plan"}), on=["family", "month"], how="left")
    else:
        frame = frame.assign(previous_plan=np.nan)
    last = plan_data.demand_actuals(store, families, regions)
    last["month"] = [add_months(pd.Timestamp(m).date(), 12) for m in last["month"]]
    frame["month"] = [pd.Timestamp(m).date() for m in frame["month"]]
    frame = frame.merge(last.rename(columns={"actual": "last_year"}), on=["family", "month"], how="left")
    frame["month"] = pd.to_datetime(frame["month"])
    return _window(frame, cycle, end)[["family", "month", "plan", "previous_plan", "last_year"]]


def _region_deviation(store: Store, cycle: dt.date, families: list[str] | None,
                      regions: list[str] | None) -> pd.DataFrame:
    """Demand plan vs actual per family and region over the last :data:`ACCURACY_MONTHS` closed months."""
    parts = []
    for region in regions or region_names(store):
        pva = _window(plan_vs_actual(store, "sales", cycle, families, [region]),
                      add_months(cycle, -ACCURACY_MONTHS), add_months(cycle, -1))
        total = pva.dropna(subset=["actual"]).groupby("family", as_index=False)[["plan", "actual"]].sum()
        parts.append(total.assign(region=region))
    if not parts:
        return pd.DataFrame(columns=["family", "region", "plan", "actual", "deviation_pct"])
    frame = pd.concat(parts, ignore_index=True)
    frame["deviation_pct"] = np.where(frame["plan"] != 0, (frame["actual"] - frame["plan"]) / frame["plan"], np.nan)
    return frame[["family", "region", "plan", "actual", "deviation_pct"]]


def _with_revenue_per_hour(store: Store, load: pd.DataFrame, cycle: dt.date, families: list[str] | None,
                           master: pd.DataFrame) -> pd.DataFrame:
    """Add ``revenue_per_hour``: the planned revenue one load hour of the resource carries that month."""
    production = plan_data.version_plan(store, "production", cycle, families)
    bill = store.query("SELECT family, resource, hours_per_unit FROM bill_of_resources")
    joined = production.merge(bill, on="family").merge(master[["family", "price"]], on="family")
    joined["hours"] = joined["plan"] * joined["hours_per_unit"]
    joined["revenue"] = joined["plan"] * joined["price"]
    per = joined.groupby(["resource", "month"], as_index=False)[["hours", "revenue"]].sum()
    per["revenue_per_hour"] = np.where(per["hours"] > 0, per["revenue"] / per["hours"].where(per["hours"] > 0, 1), 0)
    per["month"] = pd.to_datetime(per["month"])
    warn = store.query("SELECT resource, warning_utilisation FROM resources")
    return (load.merge(per[["resource", "month", "revenue_per_hour"]], on=["resource", "month"], how="left")
            .merge(warn, on="resource", how="left").fillna({"warning_utilisation": 0.9}))


# ================================================================ KPIs
@dataclass(frozen=True)
class Kpi:
    """One headline figure: ``value`` this cycle, ``previous`` last cycle (``None`` when unknown).

    ``unit`` is ``pct`` (a fraction), ``money``, ``days`` or ``ratio``; ``higher_is_better``
    says which way the change is good; ``note`` is a short context line.
    """

    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str
    higher_is_better: bool
    note: str = ""


def _closed(frame: pd.DataFrame, cycle: dt.date, months: int) -> pd.DataFrame:
    return _window(frame, add_months(cycle, -months), add_months(cycle, -1))


def forecast_accuracy_kpi(review: Review) -> float | None:
    """1 − WMAPE of the lag-1 forecast over the last :data:`ACCURACY_MONTHS` closed months (floored at 0)."""
    pairs = _closed(review.pairs, review.cycle, ACCURACY_MONTHS)
    wmape = calc.accuracy_metrics(pairs["actual"], pairs["forecast"])["wmape"] if len(pairs) else np.nan
    return None if np.isnan(wmape) else max(0.0, 1.0 - wmape)


def year_finance(review: Review) -> pd.DataFrame:
    """Per family: budget, outlook and gap (money) over the calendar year of the cycle."""
    money = review.finance
    year = money[pd.to_datetime(money["month"]).dt.year == review.cycle.year]
    out = year.groupby("family", as_index=False)[["budget_revenue", "outlook_revenue", "plan_revenue",
                                                  "actual_revenue", "budget_margin", "outlook_margin"]].sum(min_count=1)
    out["gap_to_budget"] = out["outlook_revenue"] - out["budget_revenue"]
    out["gap_pct"] = np.where(out["budget_revenue"] > 0, out["gap_to_budget"] / out["budget_revenue"], np.nan)
    return out


def _days_of_supply(review: Review) -> tuple[float | None, float, float, int]:
    """Value-weighted make-to-stock cover at the end of the cycle's first month, target range, families out."""
    first = review.gap[(review.gap["strategy"] == "mts") & (pd.to_datetime(review.gap["month"]) == pd.Timestamp(review.cycle))]
    first = first.merge(review.master[["family", "unit_cost"]], on="family")
    weight = first["ending_inventory"] * first["unit_cost"]
    cover = first["days_of_supply"].replace(np.inf, np.nan)
    if weight.sum() <= 0 or cover.isna().all():
        return None, np.nan, np.nan, 0
    ok = cover.notna()
    w = weight[ok]
    value = float((cover[ok] * w).sum() / w.sum())
    lo, hi = float((first["min_days"][ok] * w).sum() / w.sum()), float((first["max_days"][ok] * w).sum() / w.sum())
    outside = int(((cover < first["min_days"]) | (cover > first["max_days"])).sum())
    return value, lo, hi, outside


def _backorder_value(review: Review) -> float | None:
    gap = review.gap[review.gap["strategy"] == "mts"]
    if gap.empty:
        return None
    peak = gap.groupby("family")["backorders"].max()
    return float((peak * review.prices.reindex(peak.index)).sum())


def _backlog_value(review: Review) -> float | None:
    gap = review.gap[review.gap["strategy"] == "mto"]
    if gap.empty:
        return None
    first = gap[pd.to_datetime(gap["month"]) == pd.Timestamp(review.cycle)].set_index("family")["backlog"]
    return float((first * review.prices.reindex(first.index)).sum())


def _peak_utilisation(review: Review) -> tuple[float | None, str]:
    cap = review.capacity.dropna(subset=["utilisation"])
    if cap.empty:
        return None, ""
    row = cap.loc[cap["utilisation"].idxmax()]
    return float(row["utilisation"]), f"{row['resource']}, {pd.Timestamp(row['month']):%b %Y}"


def overview_kpis(review: Review, previous: Review | None) -> list[Kpi]:
    """The overview's headline KPIs with their value in the previous cycle.

    * Forecast accuracy: 1 − WMAPE, lag 1, last :data:`ACCURACY_MONTHS` closed months.
    * Revenue vs budget: outlook (actual where closed, else plan) − budget over the cycle's calendar year.
    * Days of supply: make-to-stock cover at the end of the cycle's first month, weighted by inventory value.
    * Backorders: the peak projected backorders of each make-to-stock family at price, summed.
    * Backlog: make-to-order backlog at the end of the cycle's first month at price.
    * Peak utilisation: the highest rough-cut utilisation of any resource over the horizon.
    """
    def per(fn):  # noqa: ANN001, ANN202 - small local helper
        return fn(review), (fn(previous) if previous is not None and not previous.empty else None)

    acc, acc_prev = per(forecast_accuracy_kpi)
    fin = year_finance(review)
    fin_prev = year_finance(previous) if previous is not None else None
    gap_now = float(fin["gap_to_budget"].sum()) if fin["budget_revenue"].notna().any() else None
    gap_prev = float(fin_prev["gap_to_budget"].sum()) if fin_prev is not None and fin_prev["budget_revenue"].notna().any() else None
    budget = float(fin["budget_revenue"].sum())
    dos, lo, hi, outside = _days_of_supply(review)
    dos_prev = _days_of_supply(previous)[0] if previous is not None else None
    bo, bo_prev = per(_backorder_value)
    bl, bl_prev = per(_backlog_value)
    util, where = _peak_utilisation(review)
    util_prev = _peak_utilisation(previous)[0] if previous is not None else None
    return [
        Kpi("accuracy", "Forecast accuracy", acc, acc_prev, "pct", True,
            f"1 − WMAPE, lag 1, last {ACCURACY_MONTHS} closed months"),
        Kpi("revenue_gap", f"Revenue vs budget {review.cycle.year}", gap_now, gap_prev, "money", True,
            f"{gap_now / budget:+.1%} of budget" if gap_now is not None and budget else "no budget"),
        Kpi("days_of_supply", "Days of supply", dos, dos_prev, "days", True,
            f"target {lo:.0f}–{hi:.0f} d; {outside} families outside" if dos is not None else "no inventory"),
        Kpi("backorders", "Backorders at stake", bo, bo_prev, "money", False, "peak projected backorders at price"),
        Kpi("backlog", "Make-to-order backlog", bl, bl_prev, "money", False, "end of the cycle's first month, at price"),
        Kpi("utilisation", "Peak capacity utilisation", util, util_prev, "pct", False, where),
    ]


# ================================================================ status grid
def _deviation_status(pva: pd.DataFrame, cycle: dt.date, tolerance: pd.Series) -> dict[str, str | None]:
    """``act`` when the last closed months' cumulative deviation is out of tolerance, ``watch`` when the last month is."""
    closed = _closed(pva, cycle, ACCURACY_MONTHS).dropna(subset=["actual"])
    out: dict[str, str | None] = {}
    for family, group in closed.groupby("family"):
        tol = float(tolerance.get(family, 0)) / 100
        plan = group["plan"].sum()
        cum = (group["actual"].sum() - plan) / plan if plan else np.nan
        last = group.sort_values("month")["status"].iloc[-1]
        out[family] = "act" if abs(cum) > tol + 1e-9 else ("watch" if last not in ("ok", None) else "ok")
    return out


def status_grid(review: Review) -> pd.DataFrame:
    """Family × KPI traffic lights (``ok``/``watch``/``act``; ``None`` when there is no data).

    * Demand / Production: ``act`` when the deviation summed over the last
      :data:`ACCURACY_MONTHS` closed months is outside the family's tolerance,
      ``watch`` when only the last month is.
    * Forecast bias: lag-1 tracking signal over :data:`ACCURACY_HISTORY` months,
      ``act`` beyond ±:data:`TS_LIMIT`, ``watch`` beyond ±:data:`TS_WATCH`.
    * Stock: ``act`` on any projected backorder (make-to-stock) or a backlog above
      the target cover for :data:`REVENUE_GAP_RUN` months (make-to-order), ``watch``
      when the cover leaves its target range in any month of the horizon.
    * Revenue: the year's gap to budget below −:data:`REVENUE_GAP_ACT` is ``act``,
      below −:data:`REVENUE_GAP_WATCH` ``watch``.
    """
    tol = review.master.set_index("family")["tolerance_pct"]
    demand = _deviation_status(review.sales, review.cycle, tol)
    production = _deviation_status(review.production, review.cycle, tol)
    ts = review.accuracy[review.accuracy["lag"] == 1].set_index("family")["tracking_signal"]
    fin = year_finance(review).set_index("family")["gap_pct"]
    rows = []
    for family in review.master["family"]:
        gap = review.gap[review.gap["family"] == family]
        if gap.empty:
            stock = None
        elif (gap["status"] == "backorder").any() or (
                (gap["strategy"] == "mto").all() and _longest_run(gap["status"].eq("above").to_numpy()) >= REVENUE_GAP_RUN):
            stock = "act"
        else:
            stock = "watch" if (gap["status"] != "ok").any() else "ok"
        t = ts.get(family, np.nan)
        g = fin.get(family, np.nan)
        rows.append({
            "family": family,
            "Demand": demand.get(family),
            "Forecast bias": None if pd.isna(t) else ("act" if abs(t) > TS_LIMIT else "watch" if abs(t) > TS_WATCH else "ok"),
            "Production": production.get(family),
            "Stock": stock,
            "Revenue": None if pd.isna(g) else ("act" if g < -REVENUE_GAP_ACT else "watch" if g < -REVENUE_GAP_WATCH else "ok"),
        })
    return pd.DataFrame(rows, columns=["family", *STATUS_COLUMNS])


def _longest_run(flags: np.ndarray) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _runs(flags: np.ndarray, minimum: int) -> list[list[int]]:
    """Index lists of the runs of consecutive ``True`` flags at least ``minimum`` long."""
    runs, current = [], []
    for i, flag in enumerate(flags):
        if flag:
            current.append(i)
        else:
            if len(current) >= minimum:
                runs.append(current)
            current = []
    if len(current) >= minimum:
        runs.append(current)
    return runs


def _span(months: Sequence) -> str:
    first, last = pd.Timestamp(min(months)), pd.Timestamp(max(months))
    return f"{first:%b %Y}" if first == last else f"{first:%b %Y} – {last:%b %Y}"


# ================================================================ exceptions
def exceptions(review: Review) -> pd.DataFrame:
    """Exceptions worth an agenda slot (S&OP reference), ranked by money at stake.

    Rules and the money each puts at stake:

    * **Biased forecast** — lag-1 tracking signal beyond ±:data:`TS_LIMIT`:
      |mean error| × :data:`EXPOSURE_MONTHS` months × price.
    * **Backorders** (make-to-stock) — peak projected backorders × price.
    * **Days of supply out of range** (make-to-stock) — the worst month's units
      below the minimum cover at price, or above the maximum at unit cost.
    * **Growing backlog** (make-to-order) — backlog rising in each of the last
      :data:`ACCURACY_MONTHS` closed months, or projected above its target cover:
      the growth (or the excess) × price.
    * **Capacity** — a resource above 100 % (any month), or at/above its warning
      threshold for :data:`WARNING_RUN` months in a row: the hours above the limit ×
      the planned revenue per load hour of that resource and month.
    * **Revenue gap** — outlook more than :data:`REVENUE_GAP_ACT` below budget for
      :data:`REVENUE_GAP_RUN` consecutive months or more: the summed gap.

    Columns :data:`EXCEPTION_COLUMNS`; ``page`` names the review page to open.
    """
    rows: list[dict] = []
    prices = review.prices
    costs = review.master.set_index("family")["unit_cost"]
    lag1 = review.accuracy[review.accuracy["lag"] == 1]
    for rec in lag1.itertuples():
        if abs(rec.tracking_signal) > TS_LIMIT:
            side = "under-forecast" if rec.tracking_signal > 0 else "over-forecast"
            rows.append(dict(rule="Biased forecast", subject=rec.family,
                             detail=f"tracking signal {rec.tracking_signal:+.1f} ({side}, bias {rec.bias_pct:+.1%})",
                             months=f"last {ACCURACY_HISTORY} months",
                             money=abs(rec.bias) * EXPOSURE_MONTHS * prices.get(rec.family, 0), page="Demand review"))
    band = supply_projection(review)
    future = band[pd.to_datetime(band["month"]) >= pd.Timestamp(review.cycle)]
    for family, group in future.groupby("family", sort=True):
        group = group.sort_values("month")
        mto = (group["strategy"] == "mto").all()
        if not mto and (group["backorders"] > 0).any():
            peak = group.loc[group["backorders"].idxmax()]
            rows.append(dict(rule="Backorders", subject=family,
                             detail=f"up to {peak['backorders']:,.0f} units on backorder",
                             months=_span(group.loc[group["backorders"] > 0, "month"]),
                             money=peak["backorders"] * prices.get(family, 0), page="Supply review"))
            continue
        short = (group["band_lo"] - group["projected"]).clip(lower=0)
        excess = (group["projected"] - group["band_hi"]).clip(lower=0)
        if mto and excess.max() > 0:
            rows.append(dict(rule="Backlog above target", subject=family,
                             detail=f"backlog up to {excess.max():,.0f} units above target cover",
                             months=_span(group.loc[excess > 0, "month"]),
                             money=excess.max() * prices.get(family, 0), page="Supply review"))
        elif not mto and short.max() > 0:
            rows.append(dict(rule="Days of supply below target", subject=family,
                             detail=f"up to {short.max():,.0f} units short of minimum cover",
                             months=_span(group.loc[short > 0, "month"]),
                             money=short.max() * prices.get(family, 0), page="Supply review"))
        elif not mto and excess.max() > 0:
            rows.append(dict(rule="Days of supply above target", subject=family,
                             detail=f"up to {excess.max():,.0f} units above maximum cover",
                             months=_span(group.loc[excess > 0, "month"]),
                             money=excess.max() * costs.get(family, 0), page="Supply review"))
    closed_backlog = _closed(review.counts, review.cycle, ACCURACY_MONTHS + 1).dropna(subset=["actual"])
    for family, group in closed_backlog.groupby("family"):
        if family not in review.master.loc[review.master["strategy"] == "mto", "family"].values:
            continue
        values = group.sort_values("month")["actual"].to_numpy()
        if len(values) > ACCURACY_MONTHS and np.all(np.diff(values) > 0):
            rows.append(dict(rule="Growing backlog", subject=family,
                             detail=f"backlog up {values[-1] - values[0]:,.0f} units in {ACCURACY_MONTHS} months",
                             months=_span(group["month"].iloc[1:]),
                             money=(values[-1] - values[0]) * prices.get(family, 0), page="Supply review"))
    for resource, group in review.capacity.groupby("resource", sort=True):
        group = group.sort_values("month").reset_index(drop=True)
        over = (group["status"] == "overload").to_numpy()
        if over.any():
            rule, picked, limit = "Capacity overload", list(np.flatnonzero(over)), group["available_hours"]
        else:
            rule, limit = "Capacity at warning level", group["available_hours"] * group["warning_utilisation"]
            picked = [i for run in _runs((group["status"] == "warning").to_numpy(), WARNING_RUN)
                      for i in run]
        if not picked:
            continue
        sel = group.iloc[picked]
        excess = (sel["load_hours"] - limit.iloc[picked]).clip(lower=0)
        rows.append(dict(rule=rule, subject=resource,
                         detail=f"peak {sel['utilisation'].max():.0%} of available hours ({excess.sum():,.0f} h over)",
                         months=_span(sel["month"]), money=float((excess * sel["revenue_per_hour"].fillna(0)).sum()),
                         page="Supply review"))
    money = review.finance[pd.to_datetime(review.finance["month"]) >= pd.Timestamp(add_months(review.cycle, -HISTORY_MONTHS))]
    for family, group in money.groupby("family", sort=True):
        group = group.dropna(subset=["budget_revenue"]).sort_values("month")
        pct = (group["gap_to_budget"] / group["budget_revenue"].where(group["budget_revenue"] > 0)).to_numpy()
        for run in _runs(np.nan_to_num(pct, nan=0.0) < -REVENUE_GAP_ACT, REVENUE_GAP_RUN):
            sel = group.iloc[run]
            rows.append(dict(rule="Revenue below budget", subject=family,
                             detail=f"{sel['gap_to_budget'].sum() / sel['budget_revenue'].sum():+.1%} vs budget "
                                    f"for {len(run)} months", months=_span(sel["month"]),
                             money=float(-sel["gap_to_budget"].sum()), page="Finance review"))
    frame = pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)
    frame["money"] = frame["money"].astype(float).round(0)  # whole currency units
    return frame.sort_values("money", ascending=False, ignore_index=True)


def decision_families(review: Review, ranked: pd.DataFrame, limit: int = 3) -> list[str]:
    """The families that need a decision: those with the most money at stake in ``ranked`` exceptions."""
    fams = set(review.master["family"])
    money = ranked[ranked["subject"].isin(fams)].groupby("subject")["money"].sum().sort_values(ascending=False)
    return money.index[:limit].tolist()


# ================================================================ supply picture
def supply_projection(review: Review) -> pd.DataFrame:
    """Per family and month: actual stock (closed months), projected stock (horizon), backorders and the target band.

    Stock is on-hand inventory for make-to-stock and backlog for make-to-order.
    The target band in units is the family's min/max days of cover times the
    following month's daily demand plan (an approximation of the forward cover
    used for :func:`sop_core.calc.days_of_supply`; exact when demand is flat).
    """
    cols = ["family", "strategy", "month", "actual", "projected", "backorders", "band_lo", "band_hi",
            "days_of_supply", "min_days", "max_days"]
    if review.master.empty:
        return pd.DataFrame(columns=cols)
    strat = review.master.set_index("family")
    past = review.counts[["family", "month", "actual"]]
    gap = review.gap.assign(projected=np.where(review.gap["strategy"] == "mto", review.gap["backlog"],
                                               review.gap["ending_inventory"]))
    future = gap[["family", "month", "projected", "backorders", "days_of_supply", "demand"]]
    past_demand = review.sales[pd.to_datetime(review.sales["month"]) < pd.Timestamp(review.cycle)][["family", "month", "plan"]]
    frame = past.merge(future, on=["family", "month"], how="outer")
    demand = pd.concat([past_demand.rename(columns={"plan": "d"}), future[["family", "month", "demand"]].rename(columns={"demand": "d"})])
    frame = frame.merge(demand.drop_duplicates(["family", "month"]), on=["family", "month"], how="left")
    frame = frame[frame["family"].isin(strat.index)].sort_values(["family", "month"], ignore_index=True)
    frame["strategy"] = frame["family"].map(strat["strategy"])
    frame["min_days"] = frame["family"].map(strat["min_days_of_supply"])
    frame["max_days"] = frame["family"].map(strat["max_days_of_supply"])
    days_next = np.array([days_in_month(add_months(pd.Timestamp(m).date(), 1)) for m in frame["month"]], dtype=float)
    daily_next = frame.groupby("family")["d"].shift(-1).fillna(frame["d"]) / days_next
    frame["band_lo"] = frame["min_days"] * daily_next
    frame["band_hi"] = frame["max_days"] * daily_next
    frame["backorders"] = frame["backorders"].fillna(0.0)
    # The projection starts from the last count, so that the two lines join.
    last = pd.to_datetime(frame["month"]) == pd.Timestamp(add_months(review.cycle, -1))
    frame.loc[last, "projected"] = frame.loc[last, "actual"]
    return frame[cols]


# ================================================================ family sheet
def family_sheet(review: Review, family: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The classic S&OP spreadsheet of one family: rows of measures, one column per month.

    Make-to-stock rows: sales forecast / actual / diff / cumulative diff,
    production plan / actual / diff / cumulative diff, inventory plan, inventory
    (actual count for closed months, projection for the horizon), backorders, days
    of supply and the target. Make-to-order: orders instead of sales, shipments
    instead of production, backlog instead of inventory, backlog cover in days. The
    stock row (``Inventory`` / ``Backlog``) is the month-end count for closed months
    and the projection from the last count for the horizon.
    ``diff = actual − plan``; the cumulative diff starts with the first month shown.
    Returns ``(table, flags)``: ``flags`` has the same shape and is True where a
    cell is out of tolerance (diff), out of the target range (days) or a backorder.
    """
    row = review.master.set_index("family").loc[family]
    mto = row["strategy"] == "mto"
    months = pd.to_datetime(pd.Series(review.months))
    labels = [m.strftime("%b %y") for m in months]
    names = ("Orders", "Shipments", "Backlog") if mto else ("Sales", "Production", "Inventory")
    table: dict[str, pd.Series] = {}
    flags: dict[str, pd.Series] = {}

    def block(name: str, pva: pd.DataFrame, plan_label: str) -> None:
        fam = pva[pva["family"] == family].set_index("month").reindex(months)
        dev = fam["actual"] - fam["plan"]
        out = fam["status"].isin(["above", "below"]).to_numpy()
        table[f"{name} {plan_label}"] = fam["plan"]
        table[f"{name} actual"] = fam["actual"]
        table[f"{name} diff"] = dev
        table[f"{name} cum diff"] = dev.cumsum().where(dev.notna())
        flags[f"{name} diff"] = pd.Series(out, index=months)
        flags[f"{name} cum diff"] = pd.Series(False, index=months)

    block(names[0], review.sales, "forecast")
    block(names[1], review.production, "plan")
    supply = supply_projection(review)
    fam_supply = supply[supply["family"] == family].set_index("month").reindex(months)
    stock_plan = review.stock[review.stock["family"] == family].set_index("month").reindex(months)["plan"]
    table[f"{names[2]} plan"] = stock_plan
    table[names[2]] = fam_supply["actual"].fillna(fam_supply["projected"])
    if not mto:
        table["Backorders"] = fam_supply["backorders"].where(fam_supply.index >= pd.Timestamp(review.cycle))
        flags["Backorders"] = (fam_supply["backorders"] > 0)
    cover = fam_supply["days_of_supply"]
    if cover.isna().any():  # closed months: cover of the counted stock against the plan of the following months
        sales_plan = table[f"{names[0]} forecast"].fillna(0).to_numpy(float)
        stock = table[names[2]].to_numpy(float)
        days = np.array([days_in_month(m.date()) for m in months], dtype=float)
        basis = table[f"{names[1]} plan"].fillna(0).to_numpy(float) if mto else sales_plan
        past = calc.days_of_supply(np.nan_to_num(stock, nan=np.nan), np.clip(basis, 0, None), days)
        cover = cover.fillna(pd.Series(past, index=months))
    label = "Backlog cover (days)" if mto else "Days of supply"
    table[label] = cover
    flags[label] = (cover < row["min_days_of_supply"]) | (cover > row["max_days_of_supply"])
    table["Target days (min)"] = pd.Series(float(row["min_days_of_supply"]), index=months)
    table["Target days (max)"] = pd.Series(float(row["max_days_of_supply"]), index=months)
    sheet = pd.DataFrame(table).T.astype(float)
    sheet.columns = labels
    flag_frame = pd.DataFrame({k: flags.get(k, pd.Series(False, index=months)) for k in table}).T.fillna(False).astype(bool)
    flag_frame.columns = labels
    return sheet, flag_frame


# ================================================================ page frames
def with_tolerance_band(pva: pd.DataFrame, master: pd.DataFrame) -> pd.DataFrame:
    """``pva`` plus ``band_lo``/``band_hi``: the plan ± the family's tolerance (percent in the master)."""
    tol = pva["family"].map(master.set_index("family")["tolerance_pct"]).fillna(0) / 100
    return pva.assign(band_lo=pva["plan"] * (1 - tol), band_hi=pva["plan"] * (1 + tol))


def deviation_table(pva: pd.DataFrame, cumulative: bool = False) -> pd.DataFrame:
    """Family × month deviation in % of plan, closed months only.

    With ``cumulative`` a last column ``cum.`` holds Σ(actual − plan) / Σ plan over the months shown.
    """
    closed = pva.dropna(subset=["actual"])
    table = closed.pivot_table(index="family", columns="month", values="deviation_pct", aggfunc="first")
    if cumulative and not closed.empty:
        sums = closed.groupby("family")[["deviation", "plan"]].sum()
        table["cum."] = sums["deviation"] / sums["plan"].where(sums["plan"] != 0)
    return table


def accuracy_table(review: Review, metric: str = "wmape") -> pd.DataFrame:
    """Family × lag (``lag 0`` …) of an accuracy metric."""
    table = review.accuracy.pivot_table(index="family", columns="lag", values=metric, aggfunc="first")
    table.columns = [f"lag {c}" for c in table.columns]
    return table


def lag_column(review: Review, metric: str, label: str, lag: int = 1) -> pd.DataFrame:
    """Family × one column (``label``): an accuracy metric at ``lag``."""
    acc = review.accuracy[review.accuracy["lag"] == lag]
    return acc.set_index("family")[[metric]].rename(columns={metric: label})


def accuracy_summary(review: Review, lag: int = 1) -> pd.DataFrame:
    """Per family at ``lag``: months, WMAPE, accuracy (1 − WMAPE, floored), bias %, tracking signal, flag."""
    acc = review.accuracy[review.accuracy["lag"] == lag]
    return pd.DataFrame({
        "family": acc["family"], "months": acc["n"], "wmape": acc["wmape"],
        "accuracy": (1 - acc["wmape"]).clip(lower=0), "bias_pct": acc["bias_pct"],
        "tracking_signal": acc["tracking_signal"], "biased": acc["tracking_signal"].abs() > TS_LIMIT,
    }).reset_index(drop=True)


def region_table(review: Review) -> pd.DataFrame:
    """Family × region demand deviation in % of plan over the last closed months."""
    return review.regions.pivot_table(index="family", columns="region", values="deviation_pct", aggfunc="first")


def gap_table(review: Review) -> pd.DataFrame:
    """Family × month demand/supply gap (supply − demand) in % of demand."""
    gap = review.gap.assign(gap_pct=review.gap["gap"] / review.gap["demand"].where(review.gap["demand"] != 0))
    return gap.pivot_table(index="family", columns="month", values="gap_pct", aggfunc="first")


def finance_totals(review: Review) -> pd.DataFrame:
    """Per month, summed over the chosen families: actual, plan and budget revenue, cost and margin."""
    cols = [f"{r}_{m}" for r in ("actual", "plan", "budget") for m in ("revenue", "cost", "margin")]
    window = _window(review.finance, review.months[0], review.months[-1]) if review.months else review.finance
    return window.groupby("month", as_index=False)[cols].sum(min_count=1)


def inventory_value(review: Review) -> pd.DataFrame:
    """``family, month, value``: make-to-stock inventory at standard cost, counted then projected."""
    proj = supply_projection(review)
    proj = proj[proj["strategy"] == "mts"]
    if proj.empty:  # only make-to-order families chosen: no finished inventory
        return pd.DataFrame({"family": pd.Series(dtype=str), "month": pd.Series(dtype="datetime64[ns]"),
                             "value": pd.Series(dtype=float)})
    cost = proj["family"].map(review.master.set_index("family")["unit_cost"])
    return proj.assign(value=proj["actual"].fillna(proj["projected"]) * cost)[["family", "month", "value"]]


def finance_table(review: Review) -> pd.DataFrame:
    """Per family over the cycle's year: budget, outlook, gap (money and %) and margins."""
    money = ["budget_revenue", "outlook_revenue", "gap_to_budget", "budget_margin", "outlook_margin"]
    table = year_finance(review)[["family", "budget_revenue", "outlook_revenue", "gap_to_budget", "gap_pct",
                                  "budget_margin", "outlook_margin"]]
    return table.assign(**{c: table[c].round(0) for c in money})


def open_trade_offs(store: Store, cycle: dt.date) -> pd.DataFrame:
    """Scenarios saved for ``cycle`` and not promoted yet: the trade-offs open this cycle."""
    return store.query(
        "SELECT name, author, note, created_at FROM scenarios WHERE cycle = ? AND promoted_at IS NULL "
        "ORDER BY created_at DESC", [cycle])


def currency(store: Store) -> str:
    """The store's currency code (``EUR`` when not set)."""
    return str(store.scalar("SELECT value FROM settings WHERE key = 'currency'") or "EUR")


def data_stamp(store: Store) -> str:
    """A cheap fingerprint of the store's contents that changes with every upload, plan or decision."""
    row = store.query(
        "SELECT (SELECT count(*) FROM uploads) AS u, (SELECT count(*) FROM decisions) AS d, "
        "(SELECT count(*) FROM plan_versions) AS p, (SELECT count(*) FROM families) AS f, "
        "(SELECT count(*) FROM actuals) AS a, (SELECT count(*) FROM scenarios) AS s")
    return "-".join(str(v) for v in row.iloc[0].tolist())


def demand_picture(review: Review) -> pd.DataFrame:
    """Demand actual vs plan of record with the tolerance band, and for the horizon the previous
    cycle's plan and last year's actuals (``previous_plan``, ``last_year``)."""
    band = with_tolerance_band(review.sales, review.master)
    return band.merge(review.outlook[["family", "month", "previous_plan", "last_year"]], on=["family", "month"],
                      how="left")
