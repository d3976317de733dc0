"""Check every cell of ``_imp_typed`` in DuckDB and build the month-level rows to write.

All checks are set-based SQL over the whole file (no Python loop per row), so a
million rows take about as long as reading them. Every problem lands in
``_imp_problems(line, col, value, reason)``; the rows to write land in
``_imp_stage`` only when there is none.

Rules (documented in docs/import.md):

- numbers: plain ``1234.5`` by default; with a chosen locale its thousands
  separator and decimal mark (``en`` 1,234.5 · ``de`` 1.234,5 · ``fr`` 1 234,5 ·
  ``ch`` 1'234.5). ``inf``/``nan``, currency signs and percent signs are refused.
- dates: ``YYYY-MM-DD`` (a time part is ignored), ``YYYY/MM/DD``, ``YYYY-MM`` and
  ``MM/YYYY``; ``dd/mm/yyyy`` or ``mm/dd/yyyy`` only with a chosen date format
  (never guessed, also when the day is above 12). Years outside 1900–2199 are refused.
- actuals may not lie after the current cycle (the latest plan version's cycle,
  or today's month when there is none); plan rows must lie within the cycle's
  horizon (cycle … cycle + 17).
- daily / weekly rows are summed into their calendar month; for month-end
  positions (inventory, backlog, planned inventory) the row with the latest
  date in the month is the month's value.
- duplicate keys (same date or month and same SKU/family/region) are rejected
  unless the user chose to sum them.
- rows whose text starts with ``Total``, ``Grand total``, ``Sum``, ``Subtotal``,
  ``Summe`` or ``Gesamt`` are total/footer rows and are refused.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from ..months import add_months
from .kinds import Column, Kind
from .options import ImportOptions
from .parse import ANY_LOCALE_RE, FOOTER_ANY_RE, date_reason_sql
from .parse import sql_literal as _q
from .reading import RawFile
from .report import MAX_LISTED, ImportReport

HORIZON_MONTHS = 18

REF_TABLES = {
    "products": ("products", "sku", "unknown SKU (not in the product master)"),
    "families": ("families", "family", "unknown family (not in the family master)"),
    "regions": ("regions", "region", "unknown region (not in the region master)"),
    "resources": ("resources", "resource", "unknown resource (not in the resource master)"),
}
STRATEGIES = {"mts": "mts", "mto": "mto", "make_to_stock": "mts", "make-to-stock": "mts",
              "make to stock": "mts", "make_to_order": "mto", "make-to-order": "mto", "make to order": "mto"}


# --- the typed table ------------------------------------------------------------------------
def _finish_typed(cur: duckdb.DuckDBPyConnection, kind: Kind, raw: RawFile) -> None:
    """Count the rows of ``_imp_typed`` and flag total/footer rows (in its table ``_imp_csv``)."""
    raw.rows = int(cur.execute("SELECT count(*) FROM _imp_typed").fetchall()[0][0]) + len(raw.rejected_lines)
    # A total/footer row always lacks a required value or has one that does not parse, so only
    # those rows are searched for "Total", "Sum", … (one regex per candidate row, not per cell).
    suspect = []
    for col in kind.columns:
        if col.name not in raw.columns:
            continue
        if col.type in ("number", "int", "date"):
            suspect.append(f"v_{col.name} IS NULL")
        elif col.required or any(col.name in g for g in kind.one_of):
            suspect.append(f"t_{col.name} IS NULL")
    cells = ", ".join(f"CAST(t_{c} AS VARCHAR)" for c in raw.columns)
    if suspect:
        cur.execute(f"UPDATE _imp_csv SET footer = true WHERE NOT blank AND ({' OR '.join(suspect)}) "
                    f"AND regexp_matches(concat_ws(chr(31), {cells}), {_q(FOOTER_ANY_RE)})")


# Checks are gathered per cursor and probed in one scan of the file, so a clean file costs
# one pass instead of one per check; only the checks that fire then insert their rows.
_PENDING: dict[int, list[tuple[str, str, str, str, list[object]]]] = {}


def _problem(cur: duckdb.DuckDBPyConnection, column: str, value_sql: str, reason_sql: str, where: str,
             params: list[object] | None = None) -> None:
    """Queue a row check: rows of ``_imp_typed`` matching ``where`` are problems (see :func:`_run_checks`)."""
    _PENDING.setdefault(id(cur), []).append((column, value_sql, reason_sql, where, list(params or [])))


def _run_checks(cur: duckdb.DuckDBPyConnection) -> None:
    """Run the queued checks: one counting scan, then an insert for each check with hits."""
    checks = _PENDING.pop(id(cur), [])
    if not checks:
        return
    probe = ", ".join(f"count(*) FILTER (WHERE {where})" for _, _, _, where, _ in checks)
    try:
        counts = cur.execute(f"SELECT {probe} FROM _imp_typed WHERE NOT footer",
                             [p for *_, params in checks for p in params]).fetchall()[0]
    except duckdb.Error:  # an expression the combined scan cannot take: run every check
        counts = [1] * len(checks)
    for (column, value_sql, reason_sql, where, params), hits in zip(checks, counts, strict=True):
        if hits:
            cur.execute(
                f"INSERT INTO _imp_problems SELECT line, {_q(column)}, CAST({value_sql} AS VARCHAR), {reason_sql} "
                f"FROM _imp_typed WHERE NOT footer AND ({where})", params)


def current_cycle(cur: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> dt.date:
    """The latest plan version's cycle, or the month of ``today`` when there is none."""
    value = cur.execute("SELECT max(cycle) FROM plan_versions").fetchall()[0][0]
    if value is not None:
        return value
    today = today or dt.date.today()
    return dt.date(today.year, today.month, 1)


def validate(cur: duckdb.DuckDBPyConnection, kind: Kind, raw: RawFile, options: ImportOptions,
             report: ImportReport, cycle: dt.date | None) -> bool:
    """Check ``_imp_typed``; add problems to ``report``; build ``_imp_stage`` when clean. True when clean."""
    _PENDING.pop(id(cur), None)  # nothing left over from a validation that raised
    _finish_typed(cur, kind, raw)
    if raw.rows == 0:
        report.reject("the file has a header but no data rows")
        return False
    cur.execute("DROP TABLE IF EXISTS _imp_problems")
    cur.execute("CREATE TEMP TABLE _imp_problems (line BIGINT, col VARCHAR, value VARCHAR, reason VARCHAR)")
    cur.execute(
        "INSERT INTO _imp_problems SELECT line, '', NULL, 'a total/footer row: remove totals and footers "
        "from the file' FROM _imp_typed WHERE footer")
    present = set(raw.columns)
    both_items = {"sku", "family"} <= present and ("sku", "family") in kind.one_of
    for col in kind.columns:
        if col.name in present:
            _check_column(cur, kind, col, options, both_items, raw.typed)
    if both_items:
        _problem(cur, "sku/family", "NULL", "'missing value: give a sku or a family'",
                 "t_sku IS NULL AND t_family IS NULL")
        _problem(cur, "family", "t_family",
                 "'family does not match the product master (SKU ' || t_sku || ' belongs to ' || "
                 "(SELECT p.family FROM products p WHERE p.sku = t_sku) || ')'",
                 "t_sku IS NOT NULL AND t_family IS NOT NULL AND t_family <> "
                 "(SELECT p.family FROM products p WHERE p.sku = t_sku)")
        sd = _source_date(present)
        if sd is not None:
            _problem(cur, "family", "t_family",
                     "'family-level row for a family that also has SKU-level rows in this file "
                     "(same month): it would be counted twice'",
                     f"t_sku IS NULL AND t_family IS NOT NULL AND (t_family, date_trunc('month', {sd})) IN "
                     f"(SELECT (p.family, date_trunc('month', x.{sd})) FROM _imp_typed x "
                     "JOIN products p ON p.sku = x.t_sku)")
    _check_months(cur, kind, present, report, cycle)
    _check_kind_rules(cur, kind, present)
    _run_checks(cur)
    _check_duplicates(cur, kind, present, options)
    _collect(cur, report)
    if report.problem_count:
        return False
    _stage(cur, kind, present)
    return True


def _check_column(cur: duckdb.DuckDBPyConnection, kind: Kind, col: Column, options: ImportOptions,
                  both_items: bool, typed: bool = False) -> None:
    name = col.name
    t, v = f"t_{name}", f"v_{name}"
    optional_item = both_items and name in ("sku", "family")
    in_group = any(name in group for group in kind.one_of)
    if ((col.required and col.default is None) or in_group) and not optional_item:
        _problem(cur, name, "NULL", "'missing value'", f"{t} IS NULL")
    if col.type in ("number", "int"):
        regex_any = _q(ANY_LOCALE_RE)
        hint = "'not a number in the chosen number format'"
        if typed:  # parsed by the reader: only inf / nan can be left
            hint = "'not a number'"
        elif options.locale is None:
            hint = ("CASE WHEN regexp_full_match(" + t + ", " + regex_any + ") THEN 'not a plain number "
                    "(decimal comma or thousands separator?): choose the number format (locale) of the file' "
                    "ELSE 'not a number' END")
        _problem(cur, name, t, hint, f"{t} IS NOT NULL AND ({v} IS NULL OR NOT isfinite({v}))")
        if not col.negative_ok:
            _problem(cur, name, t, "'negative value not allowed'", f"{v} < 0")
        if col.type == "int":
            _problem(cur, name, t, "'not a whole number'", f"{v} <> round({v})")
    elif col.type == "date":
        _problem(cur, name, t, date_reason_sql(t, options.date_format), f"{t} IS NOT NULL AND {v} IS NULL")
        _problem(cur, name, t, "'implausible year (expected 1900-2199)'",
                 f"{v} IS NOT NULL AND (year({v}) < 1900 OR year({v}) > 2199)")
    elif col.type == "strategy":
        _problem(cur, name, t, "'strategy must be mts (make-to-stock) or mto (make-to-order)'",
                 f"{t} IS NOT NULL AND NOT list_contains(?::VARCHAR[], lower({t}))", [list(STRATEGIES)])
    if col.ref is not None:
        table, key, reason = REF_TABLES[col.ref]
        # Table and key names are constants of REF_TABLES.
        _problem(cur, name, t, _q(reason), f"{t} IS NOT NULL AND {t} NOT IN (SELECT {key} FROM {table})")


def _source_date(present: set[str]) -> str | None:
    """The parsed date column of the kind's date/month group that the file has."""
    for name in ("date", "month"):
        if name in present:
            return f"v_{name}"
    return None


def _check_months(cur: duckdb.DuckDBPyConnection, kind: Kind, present: set[str], report: ImportReport,
                  cycle: dt.date | None) -> None:
    sd = _source_date(present)
    if sd is None or cycle is None:
        return
    col = sd[2:]
    if kind.group == "actuals":
        _problem(cur, col, f"t_{col}",
                 f"'month ' || strftime({sd}, '%Y-%m') || ' is after the current cycle {cycle:%Y-%m}'",
                 f"date_trunc('month', {sd}) > ?", [cycle])
    elif kind.group == "plan":
        last = add_months(cycle, HORIZON_MONTHS - 1)
        _problem(cur, col, f"t_{col}",
                 f"'month ' || strftime({sd}, '%Y-%m') || ' is outside the horizon of cycle {cycle:%Y-%m} "
                 f"({cycle:%Y-%m} to {last:%Y-%m})'",
                 f"date_trunc('month', {sd}) < ? OR date_trunc('month', {sd}) > ?", [cycle, last])


# Names that master data introduces and every page and export shows again.
NAME_COLUMNS = ("family", "sku", "region", "resource")


def _check_kind_rules(cur: duckdb.DuckDBPyConnection, kind: Kind, present: set[str]) -> None:
    if kind.group == "master":
        # A name that a spreadsheet reads as a formula would travel into every table and export.
        for name in NAME_COLUMNS:
            if name in present:
                _problem(cur, name, f"t_{name}",
                         "'a name may not start with = + - or @ (a spreadsheet would read it as a formula)'",
                         f"left(t_{name}, 1) IN ('=', '+', '-', '@')")
    if kind.name == "families":
        _problem(cur, "max_days_of_supply", "t_max_days_of_supply",
                 "'max_days_of_supply is below min_days_of_supply (' || t_min_days_of_supply || ')'",
                 "v_max_days_of_supply < v_min_days_of_supply")
    if kind.name == "resources" and "warning_utilisation" in present:
        _problem(cur, "warning_utilisation", "t_warning_utilisation",
                 "'warning_utilisation is a fraction (0.9 = 90 %), between 0 and 1.5'",
                 "v_warning_utilisation > 1.5")
    if kind.name == "calendar":
        _problem(cur, "working_days", "t_working_days", "'working_days must be between 0 and 31'",
                 "v_working_days > 31")


def aggregation(kind: Kind) -> str:
    """How rows with the same key in one month combine: ``sum``, ``last`` (positions) or ``none``."""
    if kind.position:
        return "last"
    if kind.name in ("calendar",) or not kind.one_of:
        return "none"
    return "sum"


def _dup_key(kind: Kind, present: set[str]) -> list[str]:
    """Expressions identifying a row's key at the file's own grain (date or month)."""
    keys: list[str] = []
    sd = _source_date(present)
    if sd is not None:
        keys.append(f"date_trunc('month', {sd})" if aggregation(kind) == "none" else sd)
    names = ("sku", "family", "region") if kind.group == "actuals" else kind.key
    for col in kind.columns:
        if col.type != "date" and col.name in present and col.name in names:
            keys.append(f"t_{col.name}")
    return list(dict.fromkeys(keys))


def _check_duplicates(cur: duckdb.DuckDBPyConnection, kind: Kind, present: set[str],
                      options: ImportOptions) -> None:
    if options.sum_duplicates and aggregation(kind) != "none":
        return
    keys = _dup_key(kind, present)
    if not keys:
        return
    part = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
    match = " AND ".join(f"{k} IS NOT DISTINCT FROM d.k{i}" for i, k in enumerate(keys))
    shown = " || ' / ' || ".join(f"coalesce(CAST({k} AS VARCHAR), '')" for k in keys)
    hint = "" if aggregation(kind) == "none" else "; or choose to sum duplicates"
    # Usually there is no duplicate: as many distinct key hashes as rows proves it cheaply (equal keys
    # hash equally, so a duplicate is never missed; a hash collision only costs the exact pass below).
    unique = cur.execute(f"SELECT count(*) = count(DISTINCT hash({', '.join(keys)})) FROM _imp_typed "
                         "WHERE NOT footer").fetchall()[0][0]
    if unique:
        return
    # The exact pass: a hash aggregate finds the duplicated keys; only then are their rows listed.
    cur.execute("DROP TABLE IF EXISTS _imp_dups")
    cur.execute(f"CREATE TEMP TABLE _imp_dups AS SELECT {part}, min(line) AS first_line FROM _imp_typed "
                "WHERE NOT footer GROUP BY ALL HAVING count(*) > 1")
    if cur.execute("SELECT count(*) FROM _imp_dups").fetchall()[0][0]:
        cur.execute(
            f"INSERT INTO _imp_problems SELECT t.line, 'key', {shown}, "
            f"'duplicate key: same as row ' || d.first_line || '{hint}' "
            f"FROM _imp_typed t JOIN _imp_dups d ON {match} WHERE NOT t.footer AND t.line <> d.first_line")
    cur.execute("DROP TABLE IF EXISTS _imp_dups")


def _collect(cur: duckdb.DuckDBPyConnection, report: ImportReport) -> None:
    total, rows = cur.execute("SELECT count(*), count(DISTINCT line) FROM _imp_problems").fetchall()[0]
    if not total:
        return
    listed = cur.execute(
        "SELECT line, col, value, reason FROM _imp_problems ORDER BY line, col LIMIT ?", [MAX_LISTED]
    ).fetchall()
    for line, col, value, reason in listed:
        report.add(int(line), col, value, reason)
    unknown = cur.execute(
        "SELECT reason, count(*), count(DISTINCT value), list(DISTINCT value ORDER BY value)[1:50] "
        "FROM _imp_problems WHERE starts_with(reason, 'unknown ') GROUP BY reason ORDER BY reason").fetchall()
    for reason, count, distinct, values in unknown:
        more = f" … and {distinct - len(values)} more" if distinct > len(values) else ""
        report.notes.append(f"{reason.split(' (')[0]}s ({count} row(s)): " + ", ".join(map(str, values)) + more)
    report.problem_count += int(total) - len(listed)
    report.rows_with_problems += int(rows)
    report.status = "rejected"


# --- the rows to write ----------------------------------------------------------------------
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


def _stage(cur: duckdb.DuckDBPyConnection, kind: Kind, present: set[str]) -> None:
    """``_imp_stage``: the rows to write, one per key and month, in the target table's columns."""
    cur.execute("DROP TABLE IF EXISTS _imp_stage")
    sd = _source_date(present)
    month = f"CAST(date_trunc('month', {sd}) AS DATE)" if sd else None
    if kind.group == "actuals":
        sku = "t_sku" if "sku" in present else "NULL"
        family = ("CASE WHEN t_sku IS NULL THEN t_family END" if "sku" in present else "t_family") \
            if "family" in present else "NULL"
        region = "coalesce(t_region, '')" if "region" in present else "''"
        value = kind.columns[[c.target for c in kind.columns].index("quantity")].name
        revenue = "v_revenue" if "revenue" in present else "CAST(NULL AS DOUBLE)"
        inner = (f"SELECT {month} AS month, {sd} AS d, {sku} AS sku, {family} AS family, {region} AS region, "
                 f"v_{value} AS quantity, {revenue} AS revenue FROM _imp_typed")
        if aggregation(kind) == "last":
            sql = (f"SELECT {_q(kind.name)} AS kind, month, sku, family, region, arg_max(quantity, d) AS quantity, "
                   "arg_max(revenue, d) AS revenue FROM (SELECT month, d, sku, family, region, "
                   f"sum(quantity) AS quantity, sum(revenue) AS revenue FROM ({inner}) GROUP BY ALL) GROUP BY ALL")
        else:
            sql = (f"SELECT {_q(kind.name)} AS kind, month, sku, family, region, sum(quantity) AS quantity, "
                   f"sum(revenue) AS revenue FROM ({inner}) GROUP BY ALL")
        cur.execute(f"CREATE TEMP TABLE _imp_stage AS {sql}")
        return
    keys = [k for k in kind.key if k != "month"]
    cols = [f"{_value(kind, k, present)} AS {k}" for k in keys]
    if month is not None:
        cols.append(f"{month} AS month")
        cols.append(f"{sd} AS d")
    cols += [f"{_value(kind, v, present)} AS {v}" for v in kind.values]
    inner = f"SELECT {', '.join(cols)} FROM _imp_typed"
    group = [*keys, "month"] if month is not None else keys
    mode = aggregation(kind)
    if mode == "none" or month is None:
        sql = f"SELECT {', '.join([*group, *kind.values])} FROM ({inner})"
    elif mode == "last":
        vals = ", ".join(f"arg_max({v}, d) AS {v}" for v in kind.values)
        sums = ", ".join(f"sum({v}) AS {v}" for v in kind.values)
        sql = (f"SELECT {', '.join(group)}, {vals} FROM (SELECT {', '.join(group)}, d, {sums} FROM ({inner}) "
               f"GROUP BY ALL) GROUP BY ALL")
    else:
        sums = ", ".join(f"sum({v}) AS {v}" for v in kind.values)
        sql = f"SELECT {', '.join(group)}, {sums} FROM ({inner}) GROUP BY ALL"
    cur.execute(f"CREATE TEMP TABLE _imp_stage AS {sql}")
