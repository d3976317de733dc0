"""The what-if levers of a scenario (:class:`Levers`), their validation and their JSON form."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Literal

import numpy as np

from ..conventions import EPS

Strategy = Literal["plan", "level", "chase", "hybrid"]
STRATEGIES: tuple[str, ...] = ("plan", "level", "chase", "hybrid")
DEFAULT_STRATEGY: Strategy = "plan"  # a family with no strategy lever keeps the current production plan
NO_CHANGE_PCT = 0.0  # a name missing from a percentage mapping is not changed
LEVER_LABELS = {
    "demand_pct": "demand %",
    "demand_pct_family": "demand % by family",
    "demand_pct_region": "demand % by region",
    "price_pct_family": "price % by family",
    "capacity_pct_resource": "capacity % by resource",
    "target_days": "target days",
    "strategy": "strategy",
    "overtime_limit_pct": "overtime limit %",
    "overtime_premium_pct": "overtime premium %",
    "subcontract_limit_pct": "subcontracting limit %",
    "subcontract_premium_pct": "subcontracting premium %",
    "horizon_months": "horizon (months)",
    "receivable_days": "receivable days",
}
PCT_MAPPINGS = ("demand_pct_family", "demand_pct_region", "price_pct_family", "capacity_pct_resource")


@dataclass(frozen=True)
class Levers:
    """The what-if levers of a scenario; the default (all zero / ``plan``) is the current plan.

    Percentages are in percent (``10`` = +10 %); mappings are keyed by family,
    region or resource name and missing keys mean "no change". These defaults
    are the one home of every lever's neutral value (the page's widgets read them).
    """

    demand_pct: float = 0.0
    demand_pct_family: Mapping[str, float] = field(default_factory=dict)
    demand_pct_region: Mapping[str, float] = field(default_factory=dict)
    price_pct_family: Mapping[str, float] = field(default_factory=dict)
    capacity_pct_resource: Mapping[str, float] = field(default_factory=dict)
    target_days: Mapping[str, float] = field(default_factory=dict)
    strategy: Mapping[str, Strategy] = field(default_factory=dict)
    overtime_limit_pct: float = 15.0
    overtime_premium_pct: float = 30.0
    subcontract_limit_pct: float = 20.0
    subcontract_premium_pct: float = 45.0
    horizon_months: int | None = None
    receivable_days: float = 30.0

    def __post_init__(self) -> None:
        for name, value in self.strategy.items():
            if value not in STRATEGIES:
                raise ValueError(f"Unknown strategy {value!r} for {name}; use one of {STRATEGIES}")
        for key in PCT_MAPPINGS:
            floor = -100.0 if key == "capacity_pct_resource" else -100.0 + EPS  # a resource may be shut
            for name, value in getattr(self, key).items():
                if not np.isfinite(value) or value < floor:
                    raise ValueError(f"{key}[{name!r}] must be a finite percentage (at least {floor:.0f})")
        if self.demand_pct <= -100:
            raise ValueError("demand_pct must be above -100")
        if any(v < 0 for v in self.target_days.values()):
            raise ValueError("target_days must not be negative")
        if self.horizon_months is not None and self.horizon_months < 1:
            raise ValueError("horizon_months must be at least 1")

    def to_json(self) -> str:
        """The levers as JSON (for the ``scenarios`` table)."""
        data = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in asdict(self).items()}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | Mapping) -> Levers:
        """Levers from :meth:`to_json` output; unknown keys (from newer code) are ignored."""
        data = json.loads(text) if isinstance(text, str) else dict(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def changes(self) -> list[str]:
        """A short human description of every lever moved away from the current plan."""
        out = []
        default = Levers()
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name) and value not in ({}, None):
                shown = (
                    ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in value.items())
                    if isinstance(value, Mapping)
                    else f"{value:g}"
                )
                out.append(f"{LEVER_LABELS.get(f.name, f.name)}: {shown}")
        return out

    @property
    def moves_demand(self) -> bool:
        """Whether any demand lever (overall, per family or per region) is moved."""
        return bool(self.demand_pct or any(self.demand_pct_family.values()) or any(self.demand_pct_region.values()))

    def strategy_of(self, families: Sequence[str]) -> np.ndarray:
        """The production strategy of each family (:data:`DEFAULT_STRATEGY` when not set), as a string array."""
        return np.array([self.strategy.get(f, DEFAULT_STRATEGY) for f in families])


def pct_factors(mapping: Mapping[str, float], names: Sequence[str]) -> np.ndarray:
    """``1 + pct/100`` per name, in the order of ``names`` (1 where ``mapping`` has no entry)."""
    return np.array([1.0 + float(mapping.get(n, NO_CHANGE_PCT)) / 100.0 for n in names])
