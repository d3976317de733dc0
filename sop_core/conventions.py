"""Numbers the whole engine agrees on: one home for each, so that a change is made once.

* :data:`PLAN_HORIZON_MONTHS` — months a plan version covers, from its cycle on
  (cycle *c* plans *c … c + 17*); the demo, the importer and the pages use it.
* :data:`DEFAULT_WARNING_UTILISATION` — a resource's warning threshold (fraction of its
  available hours) when the master gives none; common practice is 85–90 %.
* :data:`EPS` — the numeric tolerance for "zero" and "over 100 %" comparisons of
  floating-point plan figures (units, hours, money), far below any real quantity.
"""

from __future__ import annotations

PLAN_HORIZON_MONTHS = 18
DEFAULT_WARNING_UTILISATION = 0.9
EPS = 1e-9
