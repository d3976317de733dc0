"""What an evaluation returns: one plan's figures (:class:`Outcome`) and a scenario beside its baseline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..conventions import EPS
from .inputs import ScenarioInputs
from .levers import Levers


@dataclass(frozen=True, eq=False)
class Outcome:
    """One evaluated plan: (F, T) arrays per family and month, (R, T) per resource and month."""

    demand: np.ndarray
    production: np.ndarray  # made: regular (capacity-cut) + overtime + subcontracting
    overtime: np.ndarray
    subcontract: np.ndarray
    inventory: np.ndarray  # ending finished-goods inventory (0 for make-to-order)
    backorders: np.ndarray  # open backorders (0 for make-to-order)
    backlog: np.ndarray  # order backlog (0 for make-to-stock)
    shipments: np.ndarray
    late: np.ndarray
    load: np.ndarray  # (R, T) required hours
    utilisation: np.ndarray  # (R, T) required / available (NaN: no data)
    price: np.ndarray  # (F,)
    revenue: np.ndarray
    cost: np.ndarray
    margin: np.ndarray
    inventory_value: np.ndarray
    working_capital: np.ndarray
    budget_revenue: np.ndarray

    @property
    def fill_rate(self) -> float:
        """Demand served on time / demand over the horizon (1 when there is no demand)."""
        total = float(self.demand.sum())
        return 1.0 - float(self.late.sum()) / total if total > 0 else 1.0

    def family_fill_rate(self) -> np.ndarray:
        """Fill rate per family."""
        d = self.demand.sum(axis=1)
        return np.where(d > 0, 1.0 - self.late.sum(axis=1) / np.where(d > 0, d, 1.0), 1.0)

    def kpis(self) -> dict[str, float]:
        """The headline figures over the horizon (money in the store's currency)."""
        util = self.utilisation
        has_budget = np.isfinite(self.budget_revenue)
        return {
            "Fill rate": self.fill_rate,
            "Revenue": float(self.revenue.sum()),
            "Cost": float(self.cost.sum()),
            "Margin": float(self.margin.sum()),
            "Avg inventory value": float(self.inventory_value.sum(axis=0).mean()),
            "End inventory value": float(self.inventory_value[:, -1].sum()),
            "Avg working capital": float(self.working_capital.sum(axis=0).mean()),
            "End backorders value": float((self.backorders[:, -1] * self.price).sum()),
            "End backlog value": float((self.backlog[:, -1] * self.price).sum()),
            "Overtime + subcontract units": float((self.overtime + self.subcontract).sum()),
            "Peak utilisation": float(np.nanmax(util)) if np.isfinite(util).any() else float("nan"),
            "Overloaded resource-months": float(np.nansum(util > 1.0 + EPS)),
            "Budget revenue": float(np.nansum(self.budget_revenue)),
            "Gap to budget": float((self.revenue[has_budget] - self.budget_revenue[has_budget]).sum()),
        }


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """A scenario next to the baseline (the current plan), with the trade-off curve."""

    inputs: ScenarioInputs
    levers: Levers
    months: tuple[dt.date, ...]
    scenario: Outcome
    baseline: Outcome
    tradeoff: pd.DataFrame  # scale, target_days_mean, fill_rate, avg_inventory_value, current

    def delta_table(self) -> pd.DataFrame:
        """``metric, baseline, scenario, delta, delta_pct`` for the headline figures."""
        base, scen = self.baseline.kpis(), self.scenario.kpis()
        rows = []
        for key in base:
            b, s = base[key], scen[key]
            rows.append((key, b, s, s - b, (s - b) / abs(b) if b else np.nan))
        return pd.DataFrame(rows, columns=["metric", "baseline", "scenario", "delta", "delta_pct"])

    def family_table(self) -> pd.DataFrame:
        """Per family: fill rate, revenue, margin, average inventory value and end shortfall, both sides."""
        b, s = self.baseline, self.scenario
        frame = pd.DataFrame(
            {
                "family": self.inputs.families,
                "strategy": np.where(self.inputs.mto, "mto", "mts"),
                "plan_strategy": self.levers.strategy_of(self.inputs.families),
                "fill_rate_baseline": b.family_fill_rate(),
                "fill_rate": s.family_fill_rate(),
                "revenue_baseline": b.revenue.sum(axis=1),
                "revenue": s.revenue.sum(axis=1),
                "margin_baseline": b.margin.sum(axis=1),
                "margin": s.margin.sum(axis=1),
                "avg_inventory_value_baseline": b.inventory_value.mean(axis=1),
                "avg_inventory_value": s.inventory_value.mean(axis=1),
                "end_shortfall_baseline": b.backorders[:, -1] + b.backlog[:, -1],
                "end_shortfall": s.backorders[:, -1] + s.backlog[:, -1],
            }
        )
        frame["revenue_delta"] = frame["revenue"] - frame["revenue_baseline"]
        frame["margin_delta"] = frame["margin"] - frame["margin_baseline"]
        return frame

    def family_months(self) -> pd.DataFrame:
        """Long form per family and month, scenario and baseline columns side by side."""
        F, T = self.scenario.demand.shape
        out = {"family": np.repeat(self.inputs.families, T), "month": np.tile(pd.to_datetime(self.months), F)}
        for name in (
            "demand",
            "production",
            "inventory",
            "backorders",
            "backlog",
            "shipments",
            "revenue",
            "margin",
            "inventory_value",
        ):
            out[name] = getattr(self.scenario, name).ravel()
            out[f"{name}_baseline"] = getattr(self.baseline, name).ravel()
        return pd.DataFrame(out)

    def capacity(self) -> pd.DataFrame:
        """Per resource and month: required load, available hours, utilisation both sides, overload flag."""
        R, T = self.scenario.load.shape
        avail = self.scenario.load / np.where(np.isfinite(self.scenario.utilisation), self.scenario.utilisation, np.nan)
        frame = pd.DataFrame(
            {
                "resource": np.repeat(self.inputs.resources, T),
                "month": np.tile(pd.to_datetime(self.months), R),
                "load_hours": self.scenario.load.ravel(),
                "available_hours": avail.ravel(),
                "utilisation": self.scenario.utilisation.ravel(),
                "utilisation_baseline": self.baseline.utilisation.ravel(),
            }
        )
        frame["overload"] = frame["utilisation"] > 1.0 + EPS
        return frame
