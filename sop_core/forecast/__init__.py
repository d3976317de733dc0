"""Demand planning: the statistical baseline, overrides and consensus, forecast value added.

Modules, one job each: ``codes`` (layers, reason codes, the conflict error), ``history`` (the demand
series before a cycle: the no-look-ahead rule), ``metrics`` (MASE), ``models`` (series classes,
candidate models, the no-fit forecasts and quick mode), ``select`` (rolling-origin model choice and
the final fit), ``baseline`` (forecast, store, read), ``overrides`` (layers, reasons, versioned
saves), ``consensus`` (baseline + layers, the draft's demand plan, SKU spread), ``fva`` (stairstep
and layer exceptions from frozen vintages), ``views`` (frames for the page). See docs/forecast.md.
"""

from .baseline import (
    BASELINE_COLUMNS,
    baseline_cycle,
    model_table,
    run_baseline,
    statistical_forecast,
    stored_baseline,
)
from .codes import DEFAULT_LAYERS, OVERRIDE_KINDS, REASON_CODES, OverrideConflictError, Progress
from .consensus import consensus, sku_drilldown, spread_to_skus, write_consensus
from .fva import ALL_FAMILIES, EXCEPTION_COLUMNS, FVA_COLUMNS, fva_stairstep, layer_exceptions
from .overrides import (
    EDIT_COLUMNS,
    GRID_COLUMNS,
    OVERRIDE_COLUMNS,
    forecast_layers,
    override_grid,
    overrides,
    reason_codes,
    save_override,
    save_overrides,
)
from .views import VIEW_COLUMNS, family_view

__all__ = [
    "ALL_FAMILIES", "BASELINE_COLUMNS", "DEFAULT_LAYERS", "EDIT_COLUMNS", "EXCEPTION_COLUMNS", "FVA_COLUMNS",
    "GRID_COLUMNS", "OVERRIDE_COLUMNS", "OVERRIDE_KINDS", "REASON_CODES", "VIEW_COLUMNS", "OverrideConflictError",
    "Progress", "baseline_cycle", "consensus", "family_view", "forecast_layers", "fva_stairstep", "layer_exceptions", "model_table",
    "override_grid", "overrides", "reason_codes", "run_baseline", "save_override", "save_overrides",
    "sku_drilldown", "spread_to_skus", "statistical_forecast", "stored_baseline", "write_consensus",
]
