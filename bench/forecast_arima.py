"""Is AutoARIMA worth a place among the baseline's candidates? Its cost beside AutoETS, in the same run.

200 seasonal series of 36 months (trend, a yearly season with a random phase, noise; fixed seed), fitted on
the first 24 months and forecast 12 ahead, one core, by statsforecast. Prints CPU seconds and the mean absolute
error on the held-out months of each, then the CPU ratio. The baseline's choice costs about 1.2x one AutoETS
run (``bench/forecast.py --only speed``); the issue allows 3x, so a candidate costing several AutoETS runs on
its own does not fit. Run: ``python bench/forecast_arima.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoARIMA, AutoETS

SERIES, MONTHS, HELD_OUT = 200, 36, 12


def series(seed: int = 7) -> pd.DataFrame:
    """The synthetic monthly series in statsforecast's long form (``unique_id, ds, y``)."""
    rng = np.random.default_rng(seed)
    t = np.arange(MONTHS)
    frames = []
    for i in range(SERIES):
        y = 100 + 0.5 * t + 20 * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6)) + rng.normal(0, 8, MONTHS)
        ds = pd.date_range("2023-01-01", periods=MONTHS, freq="MS")
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": np.maximum(y, 0)}))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    """Fit and forecast with each model; print CPU time, held-out error and the ratio."""
    data = series()
    train = data.groupby("unique_id").head(MONTHS - HELD_OUT)
    test = data.groupby("unique_id").tail(HELD_OUT)
    cpu: dict[str, float] = {}
    for name, model in (("AutoETS", AutoETS(season_length=12)), ("AutoARIMA", AutoARIMA(season_length=12))):
        start = time.process_time()
        forecast = StatsForecast(models=[model], freq="MS", n_jobs=1).forecast(df=train, h=HELD_OUT)
        cpu[name] = time.process_time() - start
        joined = forecast.merge(test, on=["unique_id", "ds"])
        error = float((joined[name] - joined["y"]).abs().mean())
        print(f"{name:10s} cpu {cpu[name]:6.1f} s   mean absolute error on {HELD_OUT} held-out months {error:6.2f}")
    print(f"ratio_arima_vs_ets={cpu['AutoARIMA'] / cpu['AutoETS']:.1f}")


if __name__ == "__main__":
    main()
