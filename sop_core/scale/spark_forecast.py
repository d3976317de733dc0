"""The statistical baseline's fits on Spark: the same candidates, choice and intervals, other machines.

:class:`SparkRunner` is a :class:`~sop_core.forecast.select.FitRunner`: the model choice of
:mod:`sop_core.forecast.select` hands it statsforecast's two calls (the rolling-origin backtest of a
group of like series, then the final forecast of the series that chose each model), and it runs them
through statsforecast's own Fugue backend on a Spark DataFrame, partitioned by series, with float64
output (:mod:`.fugue64`). Everything else — classes, candidates, the MASE choice, the keep-the-previous
rule, the conformal bands, clipping, the store writes — is the local code, run on the driver. So a
Spark run writes exactly what a local run writes, within floating-point noise (parity tested at 1e-6
relative).

The runner is ``distributed``: each group of like series goes to Spark in one call, and the calls of
all groups run at the same time (threads on the driver), so a small group does not leave the cluster idle:
one backtest job per group and one forecast job per chosen model, about a dozen jobs for a store of
any size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from ..conventions import PLAN_HORIZON_MONTHS
from ..forecast.baseline import Mode, run_baseline
from ..forecast.codes import Progress
from ..forecast.select import FitRunner, fit_runner
from ..people import Actor
from ..store import Store
from .session import spark_session

_ALL_WINDOWS: dict[str, Any] = {"test_size": None, "input_size": None}  # as StatsForecast passes them


class SparkRunner:
    """statsforecast's fits on a Spark session, through statsforecast's Fugue backend (float64 output)."""

    distributed = True

    def __init__(self, spark: Any) -> None:
        from .fugue64 import Float64FugueBackend, register_by_value

        register_by_value()
        self.spark = spark
        self._backend = Float64FugueBackend(spark)

    def _spark_frame(self, frame: pd.DataFrame) -> Any:
        """The long frame as a Spark DataFrame (``unique_id`` string, ``ds`` timestamp, ``y`` double)."""
        data = pd.DataFrame(
            {
                "unique_id": frame["unique_id"].astype(str).to_numpy(dtype=object),
                "ds": pd.to_datetime(frame["ds"]).to_numpy(dtype="datetime64[ns]"),
                "y": frame["y"].to_numpy(dtype=np.float64),
            }
        )
        return self.spark.createDataFrame(data, schema="unique_id string, ds timestamp, y double")

    def cross_validation(
        self, models: list[Any], frame: pd.DataFrame, h: int, n_windows: int, step_size: int, refit: bool
    ) -> pd.DataFrame:
        """See :class:`~sop_core.forecast.select.FitRunner`."""
        from statsforecast.models import Naive

        out = self._backend.cross_validation(
            df=self._spark_frame(frame),
            freq="MS",
            models=models,
            fallback_model=Naive(),
            h=h,
            n_windows=n_windows,
            step_size=step_size,
            **_ALL_WINDOWS,
            level=None,
            refit=refit,
            fitted=False,
            prediction_intervals=None,
            id_col="unique_id",
            time_col="ds",
            target_col="y",
        )
        return _local(out, ["unique_id", "cutoff", "ds"])

    def forecast(self, models: list[Any], frame: pd.DataFrame, h: int, level: list[int]) -> pd.DataFrame:
        """See :class:`~sop_core.forecast.select.FitRunner`."""
        from statsforecast.models import Naive

        out = self._backend.forecast(
            df=self._spark_frame(frame),
            freq="MS",
            models=models,
            fallback_model=Naive(),
            X_df=None,
            h=h,
            level=level,
            fitted=False,
            prediction_intervals=None,
            id_col="unique_id",
            time_col="ds",
            target_col="y",
        )
        return _local(out, ["unique_id", "ds"])


def _local(frame: Any, order: list[str]) -> pd.DataFrame:
    """A Spark result as pandas: ids as text, times as datetime64[ns], numbers as float64, sorted."""
    out = frame.toPandas()
    out["unique_id"] = out["unique_id"].astype(str)
    for column in out.columns:
        if column in ("ds", "cutoff"):
            out[column] = pd.to_datetime(out[column]).astype("datetime64[ns]")
        elif column != "unique_id":
            out[column] = out[column].astype(np.float64)
    return out.sort_values(order, kind="stable", ignore_index=True)


def spark_runner(master: str) -> SparkRunner:
    """A :class:`SparkRunner` on ``master`` (the session starts once per process, ~10 s for ``local[2]``)."""
    return SparkRunner(spark_session(master))


@contextmanager
def on_spark(master: str | None) -> Iterator[FitRunner | None]:
    """Run the forecasts inside the block on Spark ``master``; ``None`` leaves the choice to the setting."""
    if master is None:
        yield None
        return
    with fit_runner(spark_runner(master)) as runner:
        yield runner


def run_baseline_on(
    store: Store,
    master: str | None,
    cycle: dt.date | str | None = None,
    horizon: int = PLAN_HORIZON_MONTHS,
    *,
    families: Sequence[str] | None = None,
    mode: Mode = "full",
    progress: Progress | None = None,
    actor: Actor,
) -> pd.DataFrame:
    """:func:`~sop_core.forecast.run_baseline` with its fits on Spark ``master`` (None: the setting, else local).

    Writes the baseline to the store exactly as the local run does (same function, same rows).
    """
    with on_spark(master):
        return run_baseline(store, cycle, horizon, families=families, mode=mode, progress=progress, actor=actor)
