"""Beyond one machine: the actuals rollup from a data lake and the statistical baseline on Spark.

Spark is optional (``pip install -r requirements-spark.txt`` and a Java runtime); nothing here
imports it until a Spark master is named — by ``--spark MASTER`` on the command line or the
setting ``$SOP_SPARK_MASTER``. See docs/scale-out.md.

Modules, one job each: ``session`` (a SparkSession from a master string, with the settings the jobs
need), ``rollup_sql`` (the one SQL text of the rollup and its Spark transpilation), ``rollup`` (run
it on DuckDB or Spark, hand the months to the importer), ``fugue64`` (statsforecast's Fugue backend
with float64 output), ``spark_forecast`` (the baseline's fits on Spark), ``cli`` (``rollup`` and
``forecast`` commands).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .session import CONF_ENV, SPARK_ENV, configured_master, spark_missing

if TYPE_CHECKING:
    from ..forecast.select import FitRunner

__all__ = ["CONF_ENV", "SPARK_ENV", "configured_master", "configured_runner", "spark_missing"]


def configured_runner() -> FitRunner | None:
    """The Spark fit runner of ``$SOP_SPARK_MASTER``, or None when the setting is empty (run locally)."""
    master = configured_master()
    if master is None:
        return None
    from .spark_forecast import spark_runner

    return spark_runner(master)
