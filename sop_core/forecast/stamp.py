"""A cheap fingerprint of everything demand-planning reads depend on, for caches keyed by it.

:func:`forecast_stamp` changes with every upload, plan version, approval or reopening (the store's
:func:`~sop_core.facts.data_stamp` plus the approved versions and their times), every override save
(the override history only grows), every baseline run (rows, models, their run time) and every change
to the layer and reason-code tables. One query of counts and maxima over fixed tables: a few
milliseconds, cheap enough to run on every page rerun so that another user's save shows up.
"""

from __future__ import annotations

from ..facts import data_stamp
from ..store import Store

# Fixed tables and no user values: nothing is formatted into this text.
_STAMP_SQL = """
    SELECT (SELECT count(*) FROM forecast_override_history) AS saves,
           (SELECT max(changed_at) FROM forecast_override_history) AS saved_at,
           (SELECT count(*) FROM forecast_baseline) AS baseline_rows,
           (SELECT count(*) FROM forecast_models) AS series,
           (SELECT max(run_at) FROM forecast_models) AS run_at,
           (SELECT count(*) FROM plan_versions WHERE status = 'approved') AS approved,
           (SELECT max(approved_at) FROM plan_versions WHERE status = 'approved') AS approved_at,
           (SELECT count(*) FROM forecast_layers) AS layers,
           (SELECT count(*) FROM forecast_reasons) AS reasons"""


def forecast_stamp(store: Store) -> str:
    """A short text that changes whenever a demand-planning read could change (see the module docstring)."""
    rows = store.query(_STAMP_SQL).iloc[0].tolist()
    return data_stamp(store) + "|" + "-".join(str(v) for v in rows)
