"""Evaluating a scenario: its levers run through the model beside the baseline (the current plan)."""

from __future__ import annotations

from ..store import Store
from .inputs import ScenarioInputs, baseline_inputs
from .levers import Levers
from .model import chosen_target_days, horizon, run
from .results import ScenarioResult
from .tradeoff import empty_tradeoff, tradeoff_curve


def evaluate_scenario(
    source: Store | ScenarioInputs, levers: Levers | None = None, *, tradeoff: bool = True
) -> ScenarioResult:
    """Evaluate ``levers`` against the current plan (the baseline) of the latest cycle.

    ``source`` is a store (read with :func:`baseline_inputs`) or inputs already
    read (what the page caches). The baseline is the same projection with no
    lever moved (the current production plan unchanged) over the same horizon,
    so a zero-change scenario equals it exactly. ``tradeoff=False`` skips the
    trade-off curve (an empty frame).
    """
    inputs = source if isinstance(source, ScenarioInputs) else baseline_inputs(source)
    levers = levers or Levers()
    T = horizon(inputs, levers)
    scenario = run(inputs, levers, chosen_target_days(inputs, levers), T)
    base_levers = Levers(horizon_months=T, receivable_days=levers.receivable_days)
    baseline = run(inputs, base_levers, inputs.default_target_days, T)
    curve = tradeoff_curve(inputs, levers) if tradeoff else empty_tradeoff()
    return ScenarioResult(
        inputs=inputs, levers=levers, months=inputs.months[:T], scenario=scenario, baseline=baseline, tradeoff=curve
    )
