"""Demand planning: the statistical baseline, overrides and consensus, forecast value added.

Modules, one job each: ``codes`` (layers, reason codes, the conflict error, progress), ``history`` (the demand
series before a cycle: the no-look-ahead rule), ``metrics`` (MASE), ``models`` (series classes,
candidate models, the no-fit forecasts and quick mode), ``select`` (rolling-origin model choice and
the final fit), ``baseline`` (forecast, store, read), ``overrides`` (layers, reasons, versioned
saves), ``consensus`` (baseline + layers, the draft's demand plan, SKU spread), ``fva`` (stairstep
and layer exceptions from frozen vintages), ``views`` (frames for the pages: the family chart, the
consensus outlook), ``stamp`` (the cache fingerprint of all of the above). See docs/forecast.md.
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
from .stamp import forecast_stamp
from .views import (
    OUTLOOK_COLUMNS,
    TOTAL_COLUMNS,
    VIEW_COLUMNS,
    consensus_outlook,
    family_view,
    last_approved_demand,
    outlook_totals,
)

__all__ = [
    "ALL_FAMILIES",
    "BASELINE_COLUMNS",
    "DEFAULT_LAYERS",
    "EDIT_COLUMNS",
    "EXCEPTION_COLUMNS",
    "FVA_COLUMNS",
    "GRID_COLUMNS",
    "OUTLOOK_COLUMNS",
    "OVERRIDE_COLUMNS",
    "OVERRIDE_KINDS",
    "REASON_CODES",
    "TOTAL_COLUMNS",
    "VIEW_COLUMNS",
    "OverrideConflictError",
    "Progress",
    "baseline_cycle",
    "consensus",
    "consensus_outlook",
    "family_view",
    "forecast_layers",
    "forecast_stamp",
    "fva_stairstep",
    "last_approved_demand",
    "layer_exceptions",
    "model_table",
    "outlook_totals",
    "override_grid",
    "overrides",
    "reason_codes",
    "run_baseline",
    "save_override",
    "save_overrides",
    "sku_drilldown",
    "spread_to_skus",
    "statistical_forecast",
    "stored_baseline",
    "write_consensus",
]
