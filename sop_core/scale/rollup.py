"""The actuals rollup: Parquet transactions summed to months on DuckDB or Spark, then loaded by the importer.

``rollup(store, source, kind, actor=…)`` reads SKU-level transactions from Parquet (a file, a folder
or a glob; a folder means every ``*.parquet`` under it), sums them to SKU (or family) × region ×
month with the one SQL text of :mod:`.rollup_sql` — on DuckDB in this process by default, on Spark
when a master is given — and hands the monthly rows to :func:`~sop_core.importer.import_file` as a
CSV: the same checks, report, upload history, idempotence (same months, same content: "already
loaded") and revert as an upload. The app never reads raw transactions.

The monthly rows travel as Arrow (DuckDB ``to_arrow_table``, Spark ``toArrow``) and are written as
CSV text by Arrow, so DECIMAL and HUGEINT sums keep every digit up to the importer (``.df()`` would
turn them into floats). The store keeps quantities and revenue as DOUBLE, as for any upload.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..importer import ImportOptions, ImportReport, import_file
from ..importer.access import require_import
from ..importer.options import DEFAULT_MAX_BYTES
from ..people import Actor
from ..store import Store
from .rollup_sql import TRANSACTIONS, UNMAPPED, Level, RollupPlan, RollupSourceError, plan_rollup, spark_text

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
MAX_LISTED_SKUS = 10


@dataclass(frozen=True)
class Rolled:
    """A rollup's monthly rows (Arrow) and what it cost."""

    plan: RollupPlan
    table: pa.Table
    engine: str
    seconds: float

    @property
    def transactions(self) -> int:
        """How many source rows were summed."""
        return int(pc.sum(self.table[TRANSACTIONS]).as_py() or 0)


def local_pattern(source: str, engine: str) -> str:
    """The path an engine reads: a local folder becomes ``folder/**/*.parquet`` for DuckDB, stays for Spark."""
    if _URI.match(source):
        return source
    path = Path(source).expanduser()
    if path.is_dir():
        return str(path.resolve() / "**" / "*.parquet") if engine == "duckdb" else str(path.resolve())
    return str(path.resolve()) if path.exists() else str(path)


class DuckDBEngine:
    """The rollup on the store's own DuckDB (a cursor of its own; the product master is its table)."""

    name = "duckdb"

    def __init__(self, store: Store) -> None:
        self.store = store

    def columns(self, source: str) -> list[str]:
        """The source's column names."""
        with self.store.cursor() as cur:
            rows = cur.execute("DESCRIBE SELECT * FROM read_parquet(?)", [local_pattern(source, self.name)]).fetchall()
        return [str(r[0]) for r in rows]

    def run(self, plan: RollupPlan, source: str) -> pa.Table:
        """The monthly rows of ``plan`` over ``source``, exact (Arrow)."""
        with self.store.cursor() as cur:
            cur.execute("SET TimeZone = 'UTC'")  # timestamps with a zone fall in their UTC month, as on Spark
            return cur.sql(plan.sql, params=[local_pattern(source, self.name)]).to_arrow_table()


class SparkEngine:
    """The rollup on a Spark session: the SQL text transpiled by sqlglot; the product master as a view."""

    name = "spark"

    def __init__(self, spark: Any, store: Store) -> None:
        self.spark = spark
        self.store = store

    def columns(self, source: str) -> list[str]:
        """The source's column names (read by Spark, so lake paths work as Spark sees them)."""
        from pyspark.errors import AnalysisException

        try:
            return list(self.spark.read.parquet(local_pattern(source, self.name)).columns)
        except AnalysisException as exc:
            raise RollupSourceError(f"Spark cannot read {source}: {exc.getMessage()}") from exc

    def run(self, plan: RollupPlan, source: str) -> pa.Table:
        """The monthly rows of ``plan`` over ``source``, exact (Arrow)."""
        from pyspark.errors import AnalysisException

        try:
            return self._run(plan, source)
        except AnalysisException as exc:
            raise RollupSourceError(f"Spark cannot roll up {source}: {exc.getMessage()}") from exc

    def _run(self, plan: RollupPlan, source: str) -> pa.Table:
        if plan.family_from_master:
            with self.store.cursor() as cur:
                products = cur.execute("SELECT sku, family FROM products").fetchall()
            self.spark.createDataFrame(products, schema="sku string, family string").createOrReplaceTempView("products")
        return self.spark.sql(spark_text(plan.sql, local_pattern(source, self.name))).toArrow()


def roll_up(engine: DuckDBEngine | SparkEngine, source: str, kind: str, level: Level | None = None) -> Rolled:
    """Sum ``source`` to months as ``kind`` on ``engine`` (``RollupSourceError`` when its columns do not fit)."""
    start = time.perf_counter()
    plan = plan_rollup(kind, engine.columns(source), level)
    table = engine.run(plan, source)
    return Rolled(plan, table, engine.name, time.perf_counter() - start)


def monthly_csv(rolled: Rolled) -> bytes:
    """The monthly rows as the CSV the importer reads (decimals written digit for digit by Arrow)."""
    table = rolled.table.select(rolled.plan.output_columns)
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue()


def unmapped_skus(rolled: Rolled) -> list[str]:
    """SKUs of a family-level rollup that the product master does not know (sorted, distinct)."""
    if UNMAPPED not in rolled.table.column_names:
        return []
    values = pc.unique(pc.drop_null(rolled.table[UNMAPPED])).to_pylist()
    return sorted(str(v) for v in values)


def rollup(
    store: Store,
    source: str,
    kind: str,
    *,
    actor: Actor,
    level: Level | None = None,
    spark: Any = None,
    dry_run: bool = False,
) -> ImportReport:
    """Roll ``source`` up to months as ``kind`` and load it through the importer; the import report.

    ``spark``: a SparkSession to run the rollup on (None: DuckDB in this process). Checks that
    ``actor`` may load ``kind`` before reading anything (``PermissionError``). Source problems
    (missing columns, SKUs unknown to the master at family level, unreadable files) come back as a
    rejected report; the report's notes say what was rolled up, where and how fast.
    """
    require_import(actor, kind, dry_run=dry_run)
    engine: DuckDBEngine | SparkEngine = DuckDBEngine(store) if spark is None else SparkEngine(spark, store)
    name = f"rollup of {source}"
    try:
        rolled = roll_up(engine, source, kind, level)
    except RollupSourceError as exc:
        return ImportReport(kind=kind, file_name=name).reject(str(exc))
    except (duckdb.Error, OSError) as exc:
        return ImportReport(kind=kind, file_name=name).reject(f"cannot read {source}: {exc}")
    missing = unmapped_skus(rolled)
    if missing:
        listed = ", ".join(missing[:MAX_LISTED_SKUS]) + (" …" if len(missing) > MAX_LISTED_SKUS else "")
        return ImportReport(kind=kind, file_name=name).reject(
            f"{len(missing)} SKU(s) are not in the product master, so their family is unknown: {listed}",
            column="sku",
        )
    data = monthly_csv(rolled)
    options = ImportOptions(max_bytes=max(DEFAULT_MAX_BYTES, len(data) + 1))
    report = import_file(store, kind, data, name, options, actor=actor, dry_run=dry_run)
    report.notes.append(
        f"rollup: {rolled.transactions:,} transaction(s) summed to {rolled.table.num_rows:,} monthly row(s) "
        f"at {rolled.plan.level} level on {rolled.engine} in {rolled.seconds:.1f} s "
        "(row numbers above are rows of the monthly rollup)"
    )
    return report
