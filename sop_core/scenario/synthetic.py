"""Synthetic scenario inputs of any size, for benchmarks and tests (no store)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..conventions import DEFAULT_WARNING_UTILISATION
from ..months import days_in_month, working_days
from .inputs import ScenarioInputs


def synthetic_inputs(n_families: int = 200, n_months: int = 36, n_resources: int = 6, seed: int = 0) -> ScenarioInputs:
    """Random but plausible inputs of a given size (for benchmarks and tests; no store).

    Deterministic for a given ``seed``: three regions, about 20 % make-to-order
    families, resources loaded at 70–105 % by the production plan.
    """
    rng = np.random.default_rng(seed)
    months = tuple(dt.date(2027 + (k // 12), k % 12 + 1, 1) for k in range(n_months))
    F, G, R, T = n_families, 3, n_resources, n_months
    base = rng.uniform(50, 5000, F)
    demand = base[:, None, None] * rng.dirichlet(np.ones(G), F)[:, :, None] * rng.normal(1, 0.1, (F, G, T)).clip(0.5)
    production = demand.sum(axis=1) * rng.normal(1, 0.05, (F, T))
    hours = rng.uniform(0, 1, (F, R)) * (rng.random((F, R)) < 0.6) / np.sqrt(base)[:, None]
    available = (hours.T @ production) / rng.uniform(0.7, 1.05, (R, T))
    mto = rng.random(F) < 0.2
    price = rng.uniform(20, 5000, F)
    return ScenarioInputs(
        cycle=months[0],
        months=months,
        families=tuple(f"Family {i:03d}" for i in range(F)),
        regions=("North", "South", "East"),
        resources=tuple(f"Resource {r}" for r in range(R)),
        mto=mto,
        price=price,
        unit_cost=price * rng.uniform(0.5, 0.8, F),
        min_days=np.full(F, 15.0),
        max_days=np.full(F, 45.0),
        demand=demand,
        production=production,
        opening_inventory=np.where(mto, 0.0, base),
        opening_backorders=np.zeros(F),
        opening_backlog=np.where(mto, base * 0.8, 0.0),
        hours=hours,
        available=available,
        warning=np.full(R, DEFAULT_WARNING_UTILISATION),
        days=np.array([days_in_month(m) for m in months], dtype=float),
        working_days=np.array([working_days(m) for m in months], dtype=float),
        budget_revenue=demand.sum(axis=1) * price[:, None] * 1.02,
    )
