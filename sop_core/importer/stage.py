"""Build ``STAGE``: the checked rows of ``TYPED`` summed into months, in the target's columns.

Daily / weekly rows are summed into their calendar month; for month-end positions
(inventory, backlog, planned inventory) the row with the latest date in the month is
the month's value (rows of the same date summed first). For actuals the same
aggregate can also count the rows a check flags and spot repeated dates (see
:func:`stage_sql`), so that validate.py checks a clean file in the scan that stages it.

Every SQL text here is built from the kind spec's column names, this module's constants
and the workspace's table names (workspace.py), never from file content.
"""

from __future__ import annotations

from .kinds import Kind
from .parse import sql_literal as _q
from .workspace import STAGE, TYPED, Workspace

STRATEGIES = {
    "mts": "mts",
    "mto": "mto",
    "make_to_stock": "mts",
    "make-to-stock": "mts",
    "make to stock": "mts",
    "make_to_order": "mto",
    "make-to-order": "mto",
    "make to order": "mto",
}


def aggregation(kind: Kind) -> str:
    """How rows with the same key in one month combine: ``sum``, ``last`` (positions) or ``none``."""
    if kind.position:
        return "last"
    if kind.name in ("calendar",) or not kind.one_of:
        return "none"
    return "sum"


def source_date(present: set[str]) -> str | None:
    """The parsed date column of the kind's date/month group that the file has."""
    for name in ("date", "month"):
        if name in present:
            return f"v_{name}"
    return None


def _value(kind: Kind, name: str, present: set[str]) -> str:
    """SQL for target column ``name`` from the typed row (defaults for absent or blank cells)."""
    col = next((c for c in kind.columns if (c.target or c.name) == name), None)
    if col is None:
        raise KeyError(name)
    if col.name not in present:
        if col.default is None:
            return "NULL"
        return f"CAST({_q(col.default)} AS DOUBLE)" if col.type == "number" else _q(col.default)
    if col.type in ("number", "int"):
        expr = f"v_{col.name}"
        if col.default is not None:
            expr = f"coalesce({expr}, {col.default})"
        return expr
    if col.type == "strategy":
        cases = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in STRATEGIES.items())
        return f"CASE lower(t_{col.name}) {cases} END"
    if col.default is not None:
        return f"coalesce(t_{col.name}, {_q(col.default)})"
    return f"t_{col.name}"


STAGE_TALLIES = ("_rows", "_hits", "_repeats")  # the extra columns of :func:`stage_sql`


def group_cell(kind: Kind, present: set[str], name: str) -> str | None:
    """SQL over a staged actuals row equal to the cell ``t_<name>`` of each file row summed into it.

    ``None`` when the staged columns do not keep that cell as it is (see :func:`_actuals_sql`).
    """
    if kind.group != "actuals" or name not in present:
        return None
    if name == "sku":
        return "sku"
    if name == "region":
        return "nullif(region, '')"  # a cell is never '' (a blank one is NULL)
    if name == "family" and "sku" not in present:
        return "family"
    return None


def _actuals_sql(kind: Kind, present: set[str], hits: str | None, repeats: bool, source: str) -> str:
    """The actuals rows per kind, month, SKU or family and region (see :func:`stage_sql`)."""
    sd = source_date(present)
    sku = "t_sku" if "sku" in present else "NULL"
    family = (
        ("CASE WHEN t_sku IS NULL THEN t_family END" if "sku" in present else "t_family")
        if "family" in present
        else "NULL"
    )
    region = "coalesce(t_region, '')" if "region" in present else "''"
    value = kind.columns[[c.target for c in kind.columns].index("quantity")].name
    revenue = "v_revenue" if "revenue" in present else "CAST(NULL AS DOUBLE)"
    # ``hits`` tests the typed cells, so it needs the whole typed row beside the staged columns.
    typed = f", {TYPED}.*" if hits else ""
    inner = (
        f"SELECT CAST(date_trunc('month', {sd}) AS DATE) AS month, {sd} AS d, {sku} AS sku, "
        f"{family} AS family, {region} AS region, v_{value} AS quantity, {revenue} AS revenue{typed} "
        f"FROM {source} AS {TYPED}"
    )
    counted = f", count(*) AS _rows, count(*) FILTER (WHERE {hits}) AS _hits" if hits else ""
    if aggregation(kind) == "last":
        # The inner group holds one date, so two rows in it share their date.
        flag = ", count(*) > 1 AS _repeats" if repeats else ""
        carried = (", sum(_rows) AS _rows, sum(_hits) AS _hits" if hits else "") + (
            ", bool_or(_repeats) AS _repeats" if repeats else ""
        )
        return (
            f"SELECT {_q(kind.name)} AS kind, month, sku, family, region, arg_max(quantity, d) AS quantity, "
            f"arg_max(revenue, d) AS revenue{carried} FROM (SELECT month, d, sku, family, region, "
            f"sum(quantity) AS quantity, sum(revenue) AS revenue{counted}{flag} FROM ({inner}) "
            "GROUP BY month, d, sku, family, region) GROUP BY ALL"
        )
    # One bit per day of the month: fewer distinct days than rows means two rows share a date.
    flag = ", count(*) > coalesce(bit_count(bit_or(CAST(1 AS BIGINT) << day(d))), 0) AS _repeats" if repeats else ""
    return (
        f"SELECT {_q(kind.name)} AS kind, month, sku, family, region, sum(quantity) AS quantity, "
        f"sum(revenue) AS revenue{counted}{flag} FROM ({inner}) GROUP BY month, sku, family, region"
    )


def stage_sql(
    kind: Kind, present: set[str], hits: str | None = None, repeats: bool = False, source: str = TYPED
) -> str:
    """A SELECT of the rows to write, one per key and month, in the target table's columns.

    For actuals it can carry more columns: with ``hits`` (a predicate over the typed row)
    ``_rows``, the group's rows, and ``_hits``, how many of them match it; with ``repeats``
    ``_repeats``, true when two of them have the same source date. ``source`` (actuals
    only) is a subquery standing for ``TYPED``.
    """
    sd = source_date(present)
    if kind.group == "actuals":
        return _actuals_sql(kind, present, hits, repeats, source)
    if hits or repeats or source != TYPED:
        raise ValueError("hits, repeats and another source are only staged for actuals")
    month = f"CAST(date_trunc('month', {sd}) AS DATE)" if sd else None
    keys = [k for k in kind.key if k != "month"]
    cols = [f"{_value(kind, k, present)} AS {k}" for k in keys]
    if month is not None:
        cols.append(f"{month} AS month")
        cols.append(f"{sd} AS d")
    cols += [f"{_value(kind, v, present)} AS {v}" for v in kind.values]
    inner = f"SELECT {', '.join(cols)} FROM {TYPED}"
    group = [*keys, "month"] if month is not None else keys
    mode = aggregation(kind)
    if mode == "none" or month is None:
        return f"SELECT {', '.join([*group, *kind.values])} FROM ({inner})"
    sums = ", ".join(f"sum({v}) AS {v}" for v in kind.values)
    if mode == "last":
        vals = ", ".join(f"arg_max({v}, d) AS {v}" for v in kind.values)
        return (
            f"SELECT {', '.join(group)}, {vals} FROM (SELECT {', '.join(group)}, d, {sums} FROM ({inner}) "
            f"GROUP BY ALL) GROUP BY ALL"
        )
    return f"SELECT {', '.join(group)}, {sums} FROM ({inner}) GROUP BY ALL"


def stage(ws: Workspace, kind: Kind, present: set[str]) -> None:
    """``STAGE``: the rows to write (see :func:`stage_sql`)."""
    ws.create(STAGE, stage_sql(kind, present))
