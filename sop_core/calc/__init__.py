"""Pure S&OP calculations on plain numbers (no database, no UI).

Every function here works on numbers, sequences, numpy arrays or small long-form
DataFrames, and has no side effects.  Definitions follow
the project's S&OP reference (``sop-reference.md``; APICS/CPIM, Oliver Wight practice).

Conventions used throughout
---------------------------
* Periods are calendar months, given in order; sequence position ``t`` is month ``t``.
* Forecast error is ``e = actual - forecast`` everywhere, so a positive error / bias
  means the forecast was too low (under-forecast).
* Inventory never goes below zero: unmet demand becomes a *backorder*, carried forward
  and served first when supply returns.  The *net position* of a period is
  ``ending_inventory - backorders``; only the net position is needed to project, and
  ``ending = max(net, 0)``, ``backorders = max(-net, 0)``.
* Percentages are returned as fractions (``0.12`` means 12 %).
* When an input is a ``pandas.Series`` the DataFrame-returning helpers reuse its index
  (so a month index survives); otherwise the result has a ``RangeIndex``.

The ``*_rows`` kernels work on many families at once (rows are families, columns months)
and carry each definition once; the ``*_arrays`` functions validate one family's inputs
and call them; the DataFrame functions call those and only add the frame. Scenario runs
over hundreds of families call the kernels directly.

Modules, one job each:

* :mod:`.validate` — input validation (sequences to float arrays, finiteness, frame columns);
* :mod:`.kernels` — row kernels (:func:`level_rows`, :func:`chase_rows`, :func:`backlog_rows`) and the
  numpy projections :func:`project_inventory_arrays`, :func:`project_backlog_arrays`;
* :mod:`.plans` — :func:`level_plan`, :func:`chase_plan` and their ``*_arrays`` twins;
* :mod:`.inventory` — :func:`project_inventory`, :func:`days_of_supply`;
* :mod:`.accuracy` — :func:`accuracy_metrics`, :func:`tracking_signal`;
* :mod:`.capacity` — :func:`rough_cut_capacity`.
"""

from __future__ import annotations

from .accuracy import accuracy_metrics, tracking_signal
from .capacity import rough_cut_capacity
from .inventory import days_of_supply, project_inventory
from .kernels import backlog_rows, chase_rows, level_rows, project_backlog_arrays, project_inventory_arrays
from .plans import chase_plan, chase_plan_arrays, level_plan, level_plan_arrays

__all__ = [
    "project_inventory",
    "project_inventory_arrays",
    "level_plan",
    "level_plan_arrays",
    "chase_plan",
    "chase_plan_arrays",
    "accuracy_metrics",
    "tracking_signal",
    "rough_cut_capacity",
    "days_of_supply",
    # row kernels and the backlog projection, used by the supply engine, scenarios, tests and bench
    "level_rows",
    "chase_rows",
    "backlog_rows",
    "project_backlog_arrays",
]
