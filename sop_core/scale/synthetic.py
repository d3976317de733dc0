"""Synthetic SKU-level transactions in Parquet, the shape a data lake holds (tests and ``bench/scale.py``).

One row per shipment: ``posting_date`` (DATE), ``material`` (the SKU), ``market`` (the region),
``qty`` (BIGINT, a few returns negative) and ``net_sales`` (DECIMAL(18, 2), qty × a price with cents)
— lake-style names that the rollup matches through the importer's aliases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = ("posting_date", "material", "market", "qty", "net_sales")


def transactions(
    skus: Sequence[str],
    regions: Sequence[str],
    first: dt.date,
    months: int,
    rows: int,
    seed: int = 0,
) -> pa.Table:
    """``rows`` shipments spread over ``months`` months from ``first`` (a month start) across SKUs and regions."""
    rng = np.random.default_rng(seed)
    start = np.datetime64(first, "D")
    end = (np.datetime64(first, "M") + months).astype("datetime64[D]")
    days = rng.integers(0, int((end - start).astype(int)), rows)
    sku_codes = rng.integers(0, len(skus), rows)
    qty = rng.integers(1, 50, rows)
    qty[rng.random(rows) < 0.01] *= -1  # returns
    cents = rng.integers(500, 50_000, len(skus))[sku_codes]  # a price per SKU, in cents
    return pa.table(
        {
            "posting_date": pa.array(start + days.astype("timedelta64[D]"), pa.date32()),
            "material": pa.DictionaryArray.from_arrays(pa.array(sku_codes, pa.int32()), pa.array(list(skus))).cast(
                pa.string()
            ),
            "market": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(regions), rows), pa.int32()), pa.array(list(regions))
            ).cast(pa.string()),
            "qty": pa.array(qty, pa.int64()),
            "net_sales": cents_to_decimal(qty * cents),
        }
    )


def cents_to_decimal(cents: np.ndarray) -> pa.Array:
    """Integer cents as exact DECIMAL(18, 2) (the 128-bit unscaled values built directly, no float)."""
    values = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(values), 2), dtype="<i8")
    words[:, 0] = values
    words[:, 1] = values >> 63  # sign extension to 128 bits
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(values), [None, pa.py_buffer(words.tobytes())])


def write_transactions(folder: str | Path, table: pa.Table, files: int = 1) -> list[Path]:
    """Write ``table`` as ``files`` Parquet files in ``folder`` (created); their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    step = -(-table.num_rows // files)
    paths = []
    for i in range(files):
        path = out / f"part-{i:04d}.parquet"
        pq.write_table(table.slice(i * step, step), path)
        paths.append(path)
    return paths
