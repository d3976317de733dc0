"""statsforecast's own Fugue backend, with its output columns in float64 instead of float32.

statsforecast declares every forecast column of its distributed output as float32, which loses
digits a local run keeps (about 1e-7 relative, enough to move a close model choice). The subclass
changes only the declared schema; the fitting is statsforecast's own, one local ``StatsForecast``
per partition of series. This module imports nothing from ``sop_core``: Spark ships it to the
workers by value (:func:`register_by_value`), so workers need pyspark and statsforecast, not the project.
"""

from __future__ import annotations

import sys
from typing import Any

from statsforecast.distributed.fugue import FugueBackend


class Float64FugueBackend(FugueBackend):
    """:class:`FugueBackend` whose forecast, bound and ``y`` columns are declared ``double``."""

    def _get_output_schema(self, **kwargs: Any) -> Any:
        """statsforecast's output schema with every float32 column declared float64."""
        schema = super()._get_output_schema(**kwargs)
        return type(schema)([(f.name, "double" if str(f.type) == "float" else f.type) for f in schema.fields])


def register_by_value() -> None:
    """Pickle this module by value (not by name) in both cloudpickles Spark and Fugue use.

    Spark's workers then rebuild :class:`Float64FugueBackend` from the pickle instead of importing
    ``sop_core`` (which they do not have, and which would pull in DuckDB).
    """
    module = sys.modules[__name__]
    import cloudpickle
    from pyspark import cloudpickle as spark_cloudpickle

    for pickler in (cloudpickle, spark_cloudpickle):
        pickler.register_pickle_by_value(module)  # idempotent
