"""The monthly S&OP cycle: steps and owners, tasks, roll-forward, approval, decisions, assumptions, agenda.

Modules, one job each (see docs/cycle.md):

* ``errors`` — :class:`CycleError` (a refusal; CLI exit 1) and :class:`EditConflictError` (a stale save);
* ``workdays`` — the working-day calendar (Mon–Fri minus ``holidays``);
* ``template`` — the editable step template (steps, owners, offsets, tasks) as data;
* ``tasks`` — automatic task checks and manual ticks;
* ``steps`` — due dates, step statuses, sign-off;
* ``status`` — :func:`cycle_status`, one :class:`CycleStatus` for the page and the CLI;
* ``rollforward`` — :func:`open_cycle`;
* ``approval`` — :func:`approve_cycle`, :func:`reopen_cycle`, the frozen snapshot and its checksum;
* ``registers`` / ``decisions`` / ``assumptions`` / ``audit`` — the decision log and assumption register;
* ``reconcile`` — plan revenue and margin against the budget;
* ``agenda`` — the executive meeting's generated agenda.

Every write takes the acting person (``actor``, a :class:`sop_core.people.Actor`), checks its role with
``sop_core.people.require`` before anything is written, records ``actor.author`` and runs in one
``store.transaction()``. Writes that change a cycle's plan or its steps go through ``plans.require_draft``: an
approved cycle is frozen. Changing a decision, an assumption or a supply-plan cell takes what the editor saw
(``seen``) and refuses a save made after someone else's (:class:`EditConflictError`).
"""

from .agenda import AGENDA_COLUMNS, AGENDA_MONEY_THRESHOLD, AGENDA_SECTIONS, agenda
from .approval import approve_cycle, plan_snapshot, reopen_cycle, snapshot_checksum, verify_snapshot
from .assumptions import CHANGED_COLUMNS, add_assumption, assumptions_changed, list_assumptions, update_assumption
from .audit import AUDIT_COLUMNS, audit_trail
from .decisions import add_decision, list_decisions, update_decision
from .errors import CycleError, EditConflictError
from .overdue import OVERDUE_COLUMNS, overdue_items
from .reconcile import RECONCILE_COLUMNS, budget_reconciliation
from .registers import EDITABLE_FIELDS, ITEM_STATUSES, REGISTER_COLUMNS, item_version
from .rollforward import CARRIED_COLUMNS, OpenedCycle, carried_overrides, confirm_carried_overrides, open_cycle
from .status import (
    CYCLE_LIST_COLUMNS,
    STEP_COLUMNS,
    STEP_STATUSES,
    TASK_COLUMNS,
    CycleStatus,
    cycle_list,
    cycle_status,
)
from .steps import sign_off_step
from .supply_check import SUPPLY_RULES, SupplyCheck, supply_check, supply_exceptions, supply_exceptions_from
from .supply_plan import SupplyPlan, adjust_supply_plan, generate_supply_plan, preview_supply_plan, supply_adjustments
from .supply_policy import SUPPLY_STRATEGIES, set_supply_policies, supply_policies
from .tasks import tick_task
from .template import (
    STEP_KEYS,
    TASK_TEMPLATE_COLUMNS,
    TEMPLATE_COLUMNS,
    add_template_task,
    cycle_template,
    step_owner,
    step_role_choices,
    task_template,
    update_step_template,
    update_template,
)
from .workdays import (
    add_holiday,
    add_working_days,
    calendar_mismatches,
    holidays,
    is_working_day,
    month_working_days,
    nth_working_day,
    remove_holiday,
    working_days_between,
)

__all__ = [
    "AGENDA_COLUMNS",
    "AGENDA_MONEY_THRESHOLD",
    "AGENDA_SECTIONS",
    "AUDIT_COLUMNS",
    "CARRIED_COLUMNS",
    "CHANGED_COLUMNS",
    "CYCLE_LIST_COLUMNS",
    "EDITABLE_FIELDS",
    "ITEM_STATUSES",
    "OVERDUE_COLUMNS",
    "RECONCILE_COLUMNS",
    "REGISTER_COLUMNS",
    "STEP_COLUMNS",
    "STEP_KEYS",
    "STEP_STATUSES",
    "TASK_COLUMNS",
    "TASK_TEMPLATE_COLUMNS",
    "TEMPLATE_COLUMNS",
    "CycleError",
    "EditConflictError",
    "CycleStatus",
    "OpenedCycle",
    "SUPPLY_RULES",
    "SUPPLY_STRATEGIES",
    "SupplyCheck",
    "SupplyPlan",
    "adjust_supply_plan",
    "generate_supply_plan",
    "preview_supply_plan",
    "set_supply_policies",
    "supply_adjustments",
    "supply_check",
    "supply_exceptions",
    "supply_exceptions_from",
    "supply_policies",
    "add_assumption",
    "add_decision",
    "add_holiday",
    "add_template_task",
    "add_working_days",
    "agenda",
    "approve_cycle",
    "assumptions_changed",
    "audit_trail",
    "budget_reconciliation",
    "calendar_mismatches",
    "carried_overrides",
    "confirm_carried_overrides",
    "cycle_list",
    "cycle_status",
    "cycle_template",
    "holidays",
    "is_working_day",
    "item_version",
    "list_assumptions",
    "list_decisions",
    "month_working_days",
    "nth_working_day",
    "open_cycle",
    "overdue_items",
    "plan_snapshot",
    "reopen_cycle",
    "sign_off_step",
    "snapshot_checksum",
    "task_template",
    "tick_task",
    "update_assumption",
    "update_decision",
    "update_step_template",
    "update_template",
    "step_owner",
    "step_role_choices",
    "remove_holiday",
    "verify_snapshot",
    "working_days_between",
]
