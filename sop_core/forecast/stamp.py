"""The cache key of demand-planning reads: the store's one data stamp.

:func:`~sop_core.facts.data_stamp` already changes with every override save, baseline run, plan write,
approval or reopening, so demand planning needs no stamp of its own; this name stays for callers that
think of it as the forecast's.
"""

from __future__ import annotations

from ..facts import data_stamp
from ..store import Store


def forecast_stamp(store: Store) -> str:
    """A short text that changes whenever a demand-planning read could change (:func:`data_stamp`)."""
    return data_stamp(store)
