"""The demo company's demand-planning history: stored baselines and the layers' overrides of recent cycles.

Past cycles' baselines come from the quick (no-fit) mode at family × region, computed once per demo build;
the draft's from the full engine at SKU × region, the level the actuals are held at. The overrides tell the
demo's stories: Sales adds about 16 % to Standard Valves every cycle (negative value added), Marketing's
promotion on Compact Pumps catches most of the surge (positive), the demand planner trims High-Pressure
Valves as demand softens (positive). Its own random stream: the demo's other figures stay as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

from ..months import add_months
from .baseline import forecast_history

FORECAST_CYCLES = 12  # past cycles with a stored baseline and overrides (plus the draft)
AUTHORS = {  # who speaks for each layer in the demo
    "sales": "Jonas Keller (Sales)",
    "marketing": "Mara Lind (Marketing)",
    "finance": "Tom Berg (Finance)",
    "demand_planner": "Ines Vogt (Demand planning)",
}
OVERRIDE_COLUMNS = [
    "cycle", "layer", "family", "region", "sku", "month", "kind", "value", "reason", "comment", "author",
    "created_at", "updated_at", "version",
]  # fmt: skip


def _layer_picks(
    rng: np.random.Generator, back: int, truth: Mapping[str, float]
) -> list[tuple[str, str, int, str, str]]:
    """The overrides each layer makes for one month of a cycle ``back`` cycles ago: (layer, family, %, reason, comment)."""
    picks = [("sales", "Standard Valves", 16 + int(rng.integers(-1, 2)), "market_trend",
              "Pipeline looks strong: two OEM projects expected to close")]  # fmt: skip
    if back <= 8 and truth["Compact Pumps"] > 0:
        picks.append(("marketing", "Compact Pumps", round(100 * 0.75 * truth["Compact Pumps"]), "promotion",
                      "Spring promotion: dealer incentives and the trade-show launch"))  # fmt: skip
    if back <= 6 and truth["High-Pressure Valves"] < 0:
        picks.append(("demand_planner", "High-Pressure Valves", round(100 * 0.6 * truth["High-Pressure Valves"]),
                      "market_trend", "Order intake softening in Europe and Asia; trimmed"))  # fmt: skip
    return [pick for pick in picks if pick[2] != 0]


def forecast_demo_history(
    seed: int,
    cycle: dt.date,
    actuals: pd.DataFrame,
    products: pd.DataFrame,
    true_demand: Mapping[tuple[str, dt.date], float],
    strategies: Mapping[str, str],
    regions: Sequence[str],
    horizon: int,
) -> tuple[dict[dt.date, tuple[pd.DataFrame, pd.DataFrame]], pd.DataFrame]:
    """Stored baselines per cycle (``{cycle: (baseline, models)}``) and the overrides frame of the demo."""
    rng = np.random.default_rng(seed + 7919)
    demand = actuals.merge(products[["sku", "family"]], on="sku", suffixes=("_", ""))
    kinds = {f: "orders" if s == "mto" else "sales" for f, s in strategies.items()}
    demand = demand[demand["kind"] == demand["family"].map(kinds)]
    history = demand.groupby(["family", "region", "month"], as_index=False)["quantity"].sum()
    history = history.rename(columns={"quantity": "y"}).assign(sku="")
    history["month"] = pd.to_datetime(history["month"])
    skus = demand.groupby(["family", "sku", "region", "month"], as_index=False)["quantity"].sum()
    skus = skus.rename(columns={"quantity": "y"}).assign(month=lambda f: pd.to_datetime(f["month"]))
    forecast = {}
    rows = []
    for back in range(FORECAST_CYCLES, -1, -1):
        version = add_months(cycle, -back)
        baseline, models = (
            forecast_history(skus, version, horizon)
            if back == 0  # the draft: full
            else forecast_history(history, version, horizon, mode="quick")
        )
        forecast[version] = (baseline, models)
        stamp = dt.datetime.combine(version, dt.time(9, 30)) + dt.timedelta(days=4)
        base = baseline.groupby(["family", "month"])["forecast"].sum()
        for k in range(6):  # the layers work on the next six months
            m = add_months(version, k)
            truth = {f: true_demand[(f, m)] / base[(f, pd.Timestamp(m))] - 1 for f in strategies}
            for layer, family, pct, reason, comment in _layer_picks(rng, back, truth):
                rows += [
                    (version, layer, family, region, "", m, "pct", float(pct), reason, comment, AUTHORS[layer],
                     stamp, stamp, 1)
                    for region in regions
                ]  # fmt: skip
    return forecast, pd.DataFrame(rows, columns=OVERRIDE_COLUMNS)


def insert_demo_overrides(cur: duckdb.DuckDBPyConnection, overrides: pd.DataFrame) -> None:
    """Insert the demo's overrides and their history rows (before the cycles are approved)."""
    cur.register("_demo_overrides", overrides)
    cols = ", ".join(overrides.columns)
    cur.execute(f"INSERT INTO forecast_overrides ({cols}) SELECT {cols} FROM _demo_overrides")  # fixed names
    cur.execute(
        "INSERT INTO forecast_override_history SELECT cycle, layer, family, region, sku, month, kind, value, "
        "reason, comment, author, updated_at, version FROM _demo_overrides"
    )
    cur.unregister("_demo_overrides")
