"""sop_core: the S&OP engine — store, demo company and calculations.

Pure Python over pandas and DuckDB; it never imports streamlit, so notebooks,
scripts and the dashboard share one tested core. Sign convention everywhere:
error / deviation = actual − plan (forecast).
"""

from .accuracy import forecast_accuracy, forecast_pairs
from .actuals import actuals
from .calc import (
    accuracy_metrics,
    chase_plan,
    days_of_supply,
    level_plan,
    project_inventory,
    rough_cut_capacity,
    tracking_signal,
)
from .cycle import (
    CycleError,
    add_assumption,
    add_decision,
    agenda,
    approve_cycle,
    cycle_status,
    generate_supply_plan,
    list_assumptions,
    list_decisions,
    open_cycle,
    overdue_items,
    reopen_cycle,
    supply_check,
)
from .cycle.preread import PrereadUnavailable, build_preread
from .demo import load_demo
from .deviation import plan_vs_actual
from .finance import finance
from .forecast import (
    OverrideConflictError,
    consensus,
    family_view,
    fva_stairstep,
    layer_exceptions,
    model_table,
    override_grid,
    overrides,
    run_baseline,
    save_override,
    save_overrides,
    sku_drilldown,
    statistical_forecast,
    stored_baseline,
    write_consensus,
)
from .importer import ImportOptions, ImportReport, import_file, revert_upload, upload_history
from .plans import NoPlanError, approve_plan, latest_cycle, plan_versions, write_plan
from .scenario import (
    Levers,
    compare_scenarios,
    evaluate_scenario,
    list_scenarios,
    promote_scenario,
    save_scenario,
)
from .store import FrozenPlanError, Store, StoreError, StoreLockedError, default_db_path, open_store
from .supply import capacity_load, demand_supply_gap

__all__ = [
    "FrozenPlanError",
    "NoPlanError",
    "ImportOptions",
    "ImportReport",
    "Levers",
    "Store",
    "StoreError",
    "StoreLockedError",
    "compare_scenarios",
    "evaluate_scenario",
    "import_file",
    "list_scenarios",
    "promote_scenario",
    "revert_upload",
    "save_scenario",
    "upload_history",
    "accuracy_metrics",
    "actuals",
    "approve_plan",
    "capacity_load",
    "chase_plan",
    "days_of_supply",
    "default_db_path",
    "demand_supply_gap",
    "finance",
    "forecast_accuracy",
    "forecast_pairs",
    "latest_cycle",
    "level_plan",
    "load_demo",
    "open_store",
    "plan_versions",
    "plan_vs_actual",
    "project_inventory",
    "rough_cut_capacity",
    "tracking_signal",
    "write_plan",
    "OverrideConflictError",
    "consensus",
    "family_view",
    "fva_stairstep",
    "layer_exceptions",
    "model_table",
    "override_grid",
    "overrides",
    "run_baseline",
    "save_override",
    "save_overrides",
    "sku_drilldown",
    "statistical_forecast",
    "stored_baseline",
    "write_consensus",
    "CycleError",
    "add_assumption",
    "add_decision",
    "agenda",
    "approve_cycle",
    "cycle_status",
    "list_assumptions",
    "list_decisions",
    "open_cycle",
    "overdue_items",
    "reopen_cycle",
    "PrereadUnavailable",
    "build_preread",
    "generate_supply_plan",
    "supply_check",
]
