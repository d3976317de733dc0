"""The one SQL text of the actuals rollup: SKU-level transactions in Parquet → item × region × month.

The text is DuckDB SQL reading ``read_parquet(?)``. DuckDB runs it as it is, with the source
path bound to the ``?``; Spark runs it after :func:`spark_text` transpiles it with ``sqlglot``
(the path then becomes Spark's ``parquet.`path``` — Spark cannot bind a path, and a bare
``FROM 'x.parquet'`` would not transpile to one). Nothing else differs between the engines.

The source's columns are matched to the upload kind's columns by the importer's own header rules
(:func:`~sop_core.importer.header.header_lookup`: names and aliases, case and separators ignored),
so a lake file with ``posting_date, material, market, qty, net_sales`` rolls up like a CSV with
those headers would load. Sums are exact when the inputs are integers or DECIMAL (keep money as
DECIMAL in the lake): both engines then add without rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..importer.header import header_lookup, normalise_header
from ..importer.kinds import KINDS

ROLLUP_KINDS = ("sales", "orders", "production")
Level = Literal["sku", "family"]
LEVELS: tuple[Level, ...] = ("sku", "family")
UNMAPPED = "unmapped_sku"
TRANSACTIONS = "transactions"


class RollupSourceError(ValueError):
    """The source's columns cannot be rolled up as the kind (the message says why)."""


@dataclass(frozen=True)
class RollupPlan:
    """What to read and how: the source column of each kind column, the level, and the SQL text."""

    kind: str
    level: Level
    columns: dict[str, str]  # kind column → source column
    family_from_master: bool  # family level from SKUs: join the product master
    sql: str

    @property
    def output_columns(self) -> list[str]:
        """The columns handed to the importer, in order."""
        keep = ["month", "sku" if self.level == "sku" else "family"]
        keep += [c for c in ("region", "quantity", "revenue") if c in self.columns]
        return keep


def match_columns(kind: str, source_columns: Sequence[str]) -> dict[str, str]:
    """Kind column → source column, by the importer's header rules; unknown source columns are ignored.

    ``RollupSourceError`` when two source columns mean the same kind column, or a needed one is
    missing (a date or month, a SKU or family, the quantity).
    """
    if kind not in ROLLUP_KINDS:
        raise RollupSourceError(f"kind {kind!r} cannot be rolled up; one of: {', '.join(ROLLUP_KINDS)}")
    lookup = header_lookup(KINDS[kind])
    found: dict[str, str] = {}
    for name in source_columns:
        canonical = lookup.get(normalise_header(name))
        if canonical is None:
            continue
        if canonical in found:
            raise RollupSourceError(f"columns {found[canonical]!r} and {name!r} both mean {canonical!r}")
        found[canonical] = name
    if ("date" in found) == ("month" in found):
        raise RollupSourceError("the source needs one date column (date or month, or an alias such as posting_date)")
    if "sku" not in found and "family" not in found:
        raise RollupSourceError("the source needs a sku column (or a family column; aliases such as material)")
    if "quantity" not in found:
        raise RollupSourceError("the source needs a quantity column (or an alias such as qty)")
    return found


def _ident(name: str) -> str:
    """``name`` as a quoted identifier: in double quotes, a double quote inside doubled (SQL standard)."""
    return '"' + name.replace('"', '""') + '"'


def plan_rollup(kind: str, source_columns: Sequence[str], level: Level | None = None) -> RollupPlan:
    """The rollup of a source with ``source_columns`` as ``kind`` at ``level`` (default: SKU when it has SKUs).

    At family level a source without a family column maps its SKUs through the product master
    (``products``); SKUs missing there come back in the column ``unmapped_sku``.
    """
    columns = match_columns(kind, source_columns)
    level = level or ("sku" if "sku" in columns else "family")
    if level not in LEVELS:
        raise RollupSourceError(f"level must be sku or family, not {level!r}")
    if level == "sku" and "sku" not in columns:
        raise RollupSourceError("a SKU-level rollup needs a sku column; this source has families only")
    if level == "sku":
        columns.pop("family", None)
    from_master = level == "family" and "family" not in columns
    if level == "family" and not from_master:
        columns.pop("sku", None)
    col = {name: f"t.{_ident(source)}" for name, source in columns.items()}
    when = col.get("date") or col["month"]
    select = [f"CAST(date_trunc('month', CAST({when} AS DATE)) AS DATE) AS month"]
    if level == "sku":
        select.append(f"{col['sku']} AS sku")
    elif from_master:
        select += ["p.family AS family", f"CASE WHEN p.family IS NULL THEN {col['sku']} END AS {UNMAPPED}"]
    else:
        select.append(f"{col['family']} AS family")
    if "region" in col:
        select.append(f"coalesce({col['region']}, '') AS region")
    keys = len(select)
    select.append(f"sum({col['quantity']}) AS quantity")
    if "revenue" in col:
        select.append(f"sum({col['revenue']}) AS revenue")
    select.append(f"count(*) AS {TRANSACTIONS}")
    join = f"\nLEFT JOIN products AS p ON p.sku = {col['sku']}" if from_master else ""
    order = ", ".join(str(i) for i in range(1, keys + 1))
    # Safe: source column names enter as quoted identifiers (_ident); the path is bound (?) here and
    # inlined by sqlglot only for Spark (spark_text); everything else is fixed text.
    sql = f"SELECT {', '.join(select)}\nFROM read_parquet(?) AS t{join}\nGROUP BY ALL\nORDER BY {order}"
    return RollupPlan(kind, level, columns, from_master, sql)


def spark_text(sql: str, path: str) -> str:
    """The rollup text for Spark: ``sql`` transpiled by sqlglot, the ``?`` replaced by ``path``.

    Spark reads the path as a backtick-quoted identifier, which sqlglot does not escape, so a path
    containing a backtick is refused (``RollupSourceError``) rather than inlined.
    """
    import sqlglot
    from sqlglot import exp

    if "`" in path:
        raise RollupSourceError(f"a Spark source path cannot contain a backtick: {path!r}")
    tree = sqlglot.parse_one(sql, read="duckdb")
    placeholders = list(tree.find_all(exp.Placeholder))
    if len(placeholders) != 1:
        raise ValueError("the rollup text must read exactly one read_parquet(?)")
    placeholders[0].replace(exp.Literal.string(path))
    return tree.sql(dialect="spark")
