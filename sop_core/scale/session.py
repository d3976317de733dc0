"""The Spark session of a master string, with the settings this project's jobs need.

The master comes from the command line's ``--spark MASTER`` or the setting ``$SOP_SPARK_MASTER``
(:func:`configured_master`); without either everything runs locally. A master is what
``spark-submit --master`` takes: ``local[2]`` (this machine, two cores), ``spark://host:7077``
(a standalone cluster), ``yarn``; Databricks Connect and Spark Connect work through the
``sc://`` form (``sc://host:15002``), which builds a remote session instead.

Settings (all overridable with ``$SOP_SPARK_CONF``, ``key=value`` pairs separated by ``;``):

* ``spark.sql.adaptive.coalescePartitions.enabled=false``: adaptive execution merges a small input
  (2,000 series are a few MB) into one partition, so every series ran on one core;
* ``spark.sql.shuffle.partitions``: 3 × the cores of ``local[N]`` (a few series per task is
  cheap; 200 tiny tasks are not), else Spark's default;
* ``spark.sql.session.timeZone=UTC``: months travel as timestamps; no daylight-saving shifts;
* Arrow for pandas conversions, no console progress bar, no web UI for ``local`` masters.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from typing import Any

SPARK_ENV = "SOP_SPARK_MASTER"
CONF_ENV = "SOP_SPARK_CONF"
TASKS_PER_CORE = 3
_LOCAL = re.compile(r"local(?:\[(\d+|\*)(?:,\s*\d+)?\])?")


def configured_master(explicit: str | None = None) -> str | None:
    """The Spark master to use: ``explicit`` (``--spark``), else ``$SOP_SPARK_MASTER``, else None (local)."""
    master = (explicit or os.environ.get(SPARK_ENV) or "").strip()
    return master or None


def spark_missing() -> str | None:
    """Why Spark cannot run on this machine (no pyspark, no Java), or None when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -r requirements-spark.txt)"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))):
        return "no Java runtime (Spark needs Java 17 or later: apt-get install default-jre-headless)"
    return None


def local_cores(master: str) -> int | None:
    """The cores of a ``local[N]`` master (``local`` is 1, ``local[*]`` this machine's); None for a cluster."""
    match = _LOCAL.fullmatch(master.strip())
    if match is None:
        return None
    count = match.group(1)
    if count is None:
        return 1
    return (os.cpu_count() or 1) if count == "*" else int(count)


def session_conf(master: str) -> dict[str, str]:
    """The settings :func:`spark_session` applies for ``master`` (see the module docstring)."""
    conf = {
        "spark.sql.adaptive.coalescePartitions.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
    }
    cores = local_cores(master)
    if cores is not None:
        conf["spark.sql.shuffle.partitions"] = str(TASKS_PER_CORE * cores)
        conf["spark.ui.enabled"] = "false"
    for pair in (os.environ.get(CONF_ENV) or "").split(";"):
        key, sep, value = pair.partition("=")
        if sep and key.strip():
            conf[key.strip()] = value.strip()
    return conf


def spark_session(master: str, app_name: str = "sop_core") -> Any:
    """A SparkSession on ``master`` with :func:`session_conf` (the running one when it exists).

    Raises ``RuntimeError`` naming what is missing when Spark cannot run here. A ``local[2]``
    session takes about 10 s to start; later calls in the same process reuse it.
    """
    missing = spark_missing()
    if missing is not None:
        raise RuntimeError(f"Spark cannot run: {missing}")
    from pyspark.sql import SparkSession

    remote = master.startswith("sc://")
    builder = SparkSession.builder.appName(app_name)
    builder = builder.remote(master) if remote else builder.master(master)
    for key, value in session_conf(master).items():
        if not remote or key.startswith("spark.sql."):  # a remote session takes runtime SQL settings only
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if not remote:
        spark.sparkContext.setLogLevel("ERROR")
    return spark
