"""Each family's supply policy: its production strategy and its inventory (or backlog) target, as data.

A policy row (table ``supply_policies``) names the strategy the supply plan of a family is generated with —
``level``, ``chase`` or ``hybrid``, the kernels the scenarios use — and optionally its target in days of cover
(make-to-stock: days of demand held as ending inventory; make-to-order: days of orders held as backlog).
A family without a row chases (:data:`DEFAULT_SUPPLY_STRATEGY`, the demo company's practice: production
follows demand to the target cover), and a missing target is the middle of the family's min/max days range
(the scenarios' default, :attr:`ScenarioInputs.default_target_days`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from ..people import Actor, require
from ..store import Store
from .errors import CycleError

SUPPLY_STRATEGIES: tuple[str, ...] = ("level", "chase", "hybrid")
DEFAULT_SUPPLY_STRATEGY = "chase"
POLICY_COLUMNS = [
    "family",
    "kind",
    "strategy",
    "target_days",
    "default_target_days",
    "min_days",
    "max_days",
    "source",
    "updated_by",
    "updated_at",
]


def supply_policies(store: Store) -> pd.DataFrame:
    """Every family's policy as the supply plan uses it: :data:`POLICY_COLUMNS`, one row per family.

    ``kind`` is the master's ``mts``/``mto``; ``strategy`` and ``target_days`` are the effective values (the
    stored ones, else the defaults); ``source`` is ``set`` for a stored policy, ``default`` otherwise.
    """
    frame = store.query(
        """SELECT f.family, f.strategy AS kind, coalesce(p.strategy, ?) AS strategy,
                  coalesce(p.target_days, (f.min_days_of_supply + f.max_days_of_supply) / 2) AS target_days,
                  (f.min_days_of_supply + f.max_days_of_supply) / 2 AS default_target_days,
                  f.min_days_of_supply AS min_days, f.max_days_of_supply AS max_days,
                  CASE WHEN p.family IS NULL THEN 'default' ELSE 'set' END AS source,
                  p.updated_by, p.updated_at
           FROM families f LEFT JOIN supply_policies p USING (family) ORDER BY f.family""",
        [DEFAULT_SUPPLY_STRATEGY],
    )
    return frame[POLICY_COLUMNS]


def check_strategy(family: str, strategy: object) -> str:
    """``strategy`` as text when it is one of :data:`SUPPLY_STRATEGIES`; ``ValueError`` naming the family otherwise."""
    text = str(strategy or "").strip().lower()
    if text not in SUPPLY_STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r} for {family}; use one of {', '.join(SUPPLY_STRATEGIES)}.")
    return text


def check_target_days(family: str, days: object) -> float | None:
    """A target in days (``None``: the default), finite and not negative; ``ValueError`` otherwise."""
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return None
    value = float(days)  # type: ignore[arg-type]  # checked: None returned above, float() raises on the rest
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"The target of {family} must be a number of days, at least 0 (got {days!r}).")
    return value


def set_supply_policies(
    store: Store,
    strategies: Mapping[str, str],
    *,
    actor: Actor,
    target_days: Mapping[str, float | None] | None = None,
) -> int:
    """Store the strategy (and optionally the target days; ``None``: the default) of families; one transaction.

    Families missing from ``target_days`` keep their stored target. Refused (:class:`CycleError`) for an
    unknown family; ``ValueError`` for an unknown strategy or a negative target; ``PermissionError`` without the
    ``supply_plan`` role (nothing written). Recorded as ``actor.author``. Returns the families set.
    """
    require(actor, "supply_plan")
    targets = dict(target_days or {})
    rows = [
        (f, check_strategy(f, s), f in targets, check_target_days(f, targets.get(f))) for f, s in strategies.items()
    ]
    with store.transaction() as cur:
        known = {r[0] for r in cur.execute("SELECT family FROM families").fetchall()}
        unknown = sorted({f for f, *_ in rows} - known)
        if unknown:
            raise CycleError(f"Unknown family: {', '.join(unknown)}.")
        for family, strategy, has_target, days in rows:
            cur.execute(
                """INSERT INTO supply_policies (family, strategy, target_days, updated_by, updated_at)
                   VALUES (?, ?, ?, ?, current_timestamp)
                   ON CONFLICT (family) DO UPDATE SET strategy = excluded.strategy,
                       target_days = CASE WHEN ? THEN excluded.target_days ELSE supply_policies.target_days END,
                       updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
                [family, strategy, days, actor.author, has_target],
            )
    return len(rows)
