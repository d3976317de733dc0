"""Scenarios: plan levers, their evaluation against the current plan, and their persistence.

A scenario is a set of :class:`Levers` (demand, price, capacity, inventory
target, production strategy, horizon). :func:`evaluate_scenario` projects it over
the plan of the current cycle and returns every figure as *scenario vs baseline*
(the baseline is the current plan: the latest version's production plan,
unchanged) with the deltas. Saved scenarios keep only their levers; results are
always recomputed from the current data.

Modelling choices (rough-cut, monthly buckets; APICS/CPIM, Wallace):

* **Position.** Each family carries a net position per month: make-to-stock
  ``inventory − backorders`` (unmet demand is a backorder, served first when
  supply returns — never dropped, see :func:`calc.project_inventory_arrays`);
  make-to-order ``−backlog`` (shipments cannot run ahead of orders, as in
  :func:`calc.project_backlog_arrays`). One sign convention lets every strategy
  work on both kinds: a make-to-order *target backlog* is a negative target
  position.
* **Targets.** ``target_t = target_days × demand_t / days_in_month_t`` (units of
  inventory, or of backlog for make-to-order). Default target days: the middle
  of the family's min/max range.
* **Strategies.** ``plan`` keeps the current production plan and only builds
  (or draws down) a change of target days, in the first month and then along
  the target path; ``level`` and ``chase`` are :func:`calc.level_rows` and
  :func:`calc.chase_rows` (the kernels of :func:`calc.level_plan_arrays` and
  :func:`calc.chase_plan_arrays`) over every family at once (level per
  working day when the calendar has them); ``hybrid`` is a level base rate plus
  overtime, then subcontracting, each up to a limit (% of the base rate) and at
  a premium per unit (% of the standard unit cost), used month by month only to
  bring the position back up to the target.
* **Capacity.** Regular production (everything but overtime and subcontracting)
  is checked against available hours (rough-cut: ``load = Σ production ×
  hours per unit``). Utilisation is reported for the *required* load, so
  overloads show above 100 %; what can be made is the required production cut,
  per resource-month, by ``available / load`` (a family takes the tightest cut
  of the resources it uses), and the shortfall becomes backorders (or backlog).
  Months without capacity data are not constrained. Overtime and
  subcontracting are extra hours / outside supply and are not capped by
  regular capacity.
* **Service.** Fill rate = demand served on time / demand. Make-to-stock: the
  late part of month ``t``'s demand is ``min(demand_t, backorders_t)`` (older
  backorders are served first). Make-to-order: orders are late when the backlog
  exceeds the family's promised cover (``max_days_of_supply`` of demand);
  the late part is ``min(orders_t, backlog_t − promise_t)``.
* **Money.** Revenue = shipments × price (price levers applied); cost = shipments
  × standard cost + overtime/subcontracting premiums; margin = revenue − cost;
  inventory value = ending inventory × standard cost (make-to-order: no finished
  stock); working capital = inventory value + receivables, receivables =
  revenue × ``receivable_days`` / days in month; gap to budget = revenue −
  budget revenue (months with a budget only).

Modules (each one job): :mod:`.levers` (the :class:`Levers` and their
validation), :mod:`.inputs` (:func:`baseline_inputs`: the plan read from the
store once), :mod:`.model` (the pure model, step by step), :mod:`.results`
(:class:`Outcome`, :class:`ScenarioResult` and their tables), :mod:`.tradeoff`
(the trade-off curve), :mod:`.evaluate` (:func:`evaluate_scenario`), :mod:`.saved`
(save / list / load / delete / compare / promote, all the SQL, with the
role check and the version checks) and
:mod:`.synthetic` (:func:`synthetic_inputs` for benchmarks and tests).
"""

from .evaluate import evaluate_scenario
from .inputs import ScenarioInputs, baseline_inputs
from .levers import DEFAULT_STRATEGY, LEVER_LABELS, STRATEGIES, Levers, Strategy, pct_factors
from .model import project_positions
from .results import Outcome, ScenarioResult
from .saved import (
    MAX_COMPARED,
    SavedScenario,
    ScenarioConflictError,
    compare_scenarios,
    delete_scenario,
    list_scenarios,
    load_scenario,
    plan_fingerprint,
    promote_scenario,
    save_scenario,
)
from .synthetic import synthetic_inputs
from .tradeoff import TRADEOFF_SCALES, tradeoff_curve

__all__ = [
    "DEFAULT_STRATEGY",
    "LEVER_LABELS",
    "MAX_COMPARED",
    "STRATEGIES",
    "TRADEOFF_SCALES",
    "Levers",
    "Outcome",
    "SavedScenario",
    "ScenarioConflictError",
    "ScenarioInputs",
    "ScenarioResult",
    "Strategy",
    "baseline_inputs",
    "compare_scenarios",
    "delete_scenario",
    "evaluate_scenario",
    "list_scenarios",
    "load_scenario",
    "pct_factors",
    "plan_fingerprint",
    "project_positions",
    "promote_scenario",
    "save_scenario",
    "synthetic_inputs",
    "tradeoff_curve",
]
