"""Benchmark of the scenario engine: ``evaluate_scenario`` at 200 families × 36 months, beside a same-run floor.

Inputs: :func:`sop_core.scenario.synthetic_inputs` (200 families, 3 regions, 6
resources, 36 months), levers that move demand and one resource and put the
families on all four strategies (plan, level, chase, hybrid). Timed in the same
run, in interleaved rounds (one of each per round, so a busy moment of the shared
machine hits all alike), median over the rounds:

* the floor: the array work any evaluation of these inputs must do, done once for
  the scenario and once for the baseline — demand summed over regions, one
  inventory projection (:func:`calc.project_inventory_arrays`) and the rough-cut
  load (hours × production); no strategies, capacity cut, service or money;
* ``evaluate_scenario(..., tradeoff=False)``: what a slider move costs;
* ``evaluate_scenario(...)`` with the trade-off curve (11 more runs of the model).

This figure used to be a wall-clock assertion in the unit tests; it lives here.
Run: ``python bench/scenario.py [--rounds N]``. The last line is
``evaluate_200x36=… floor=… ratio=…``. ``bench/ui_scenario.py`` prints the same lines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sop_core import calc
from sop_core.scenario import Levers, ScenarioInputs, Strategy, evaluate_scenario, synthetic_inputs

FAMILIES, MONTHS = 200, 36
ROUNDS = 30


def workload() -> tuple[ScenarioInputs, Levers]:
    """The synthetic inputs and the levers timed (all four strategies, demand +5 %, one resource −10 %)."""
    inputs = synthetic_inputs(FAMILIES, MONTHS)
    cycle: list[Strategy] = ["plan", "level", "chase", "hybrid"]
    strategies = {f: cycle[i % len(cycle)] for i, f in enumerate(inputs.families)}
    return inputs, Levers(demand_pct=5, capacity_pct_resource={"Resource 0": -10}, strategy=strategies)


def floor(inputs: ScenarioInputs) -> None:
    """The irreducible array work of one evaluation, for the scenario and the baseline."""
    for _ in range(2):
        demand = inputs.demand.sum(axis=1)
        calc.project_inventory_arrays(inputs.start_position, inputs.production, demand)
        inputs.hours.T @ inputs.production


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    """Median milliseconds per variant (``floor``, ``evaluate``, ``evaluate_tradeoff``) over interleaved rounds."""
    inputs, levers = workload()
    variants: dict[str, Callable[[], object]] = {
        "floor": lambda: floor(inputs),
        "evaluate": lambda: evaluate_scenario(inputs, levers, tradeoff=False),
        "evaluate_tradeoff": lambda: evaluate_scenario(inputs, levers),
    }
    for fn in variants.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def report(medians: dict[str, float]) -> list[str]:
    """The printed lines: each variant, its ratio to the floor, and the summary line."""
    base = medians["floor"]
    labels = {
        "floor": "floor (demand sum + projection + load, x2)",
        "evaluate": "evaluate_scenario (no trade-off curve)",
        "evaluate_tradeoff": "evaluate_scenario (11-point trade-off curve)",
    }
    lines = [
        f"evaluate_scenario at {FAMILIES} families x {MONTHS} months (synthetic_inputs), "
        f"load average {os.getloadavg()[0]:.2f}"
    ]
    lines += [f"{labels[name]:46s} median {ms:7.2f} ms  {ms / base:6.1f}x floor" for name, ms in medians.items()]
    lines.append(
        f"evaluate_{FAMILIES}x{MONTHS}={medians['evaluate']:.2f}ms floor={base:.2f}ms "
        f"ratio={medians['evaluate'] / base:.1f}x (with trade-off {medians['evaluate_tradeoff']:.1f}ms)"
    )
    return lines


def main() -> int:
    """Run the benchmark and print the figures; the last line is the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds (default %(default)s)")
    args = parser.parse_args()
    print("\n".join(report(measure(args.rounds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
