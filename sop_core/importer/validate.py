"""Check every cell of the file in DuckDB and build the month-level rows to write (stage.py).

All checks are set-based SQL over the whole file (no Python loop per row). For actuals
the query that sums the rows into months also tells whether any check fires, reading a
plain UTF-8 file straight from disk, so a clean file costs one scan. Otherwise every
problem is listed from ``_imp_typed`` into ``_imp_problems(line, col, value, reason)``;
the rows to write land in ``_imp_stage`` only when there is none.

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
from typing import NamedTuple

import duckdb

from ..months import add_months
from .kinds import Column, Kind
from .options import ImportOptions
from .parse import ANY_LOCALE_RE, FOOTER_ANY_RE, date_reason_sql
from .parse import sql_literal as _q
from .records import RawFile
from .report import MAX_LISTED, ImportReport
from .stage import STAGE_TALLIES, STRATEGIES, aggregation, group_cell, source_date, stage, stage_sql

HORIZON_MONTHS = 18

REF_TABLES = {
    "products": ("products", "sku", "unknown SKU (not in the product master)"),
    "families": ("families", "family", "unknown family (not in the family master)"),
    "regions": ("regions", "region", "unknown region (not in the region master)"),
    "resources": ("resources", "resource", "unknown resource (not in the resource master)"),
}


# --- the typed table ------------------------------------------------------------------------
def _footer_sql(kind: Kind, columns: list[str]) -> str | None:
    """SQL true for a total/footer row (a blank row is none); ``None`` when the columns allow none."""
    # A total/footer row always lacks a required value or has one that does not parse, so only
    # those rows are searched for "Total", "Sum", … (one regex per candidate row, not per cell).
    suspect = []
    for col in kind.columns:
        if col.name not in columns:
            continue
        if col.type in ("number", "int", "date"):
            suspect.append(f"v_{col.name} IS NULL")
        elif col.required or any(col.name in g for g in kind.one_of):
            suspect.append(f"t_{col.name} IS NULL")
    if not suspect:
        return None
    cells = ", ".join(f"CAST(t_{c} AS VARCHAR)" for c in columns)
    # CASE, not AND: DuckDB then runs the regex on the suspect rows only, wherever the SQL stands.
    return (f"CASE WHEN {' OR '.join(suspect)} "
            f"THEN regexp_matches(concat_ws(chr(31), {cells}), {_q(FOOTER_ANY_RE)}) ELSE false END")


def _finish_typed(cur: duckdb.DuckDBPyConnection, kind: Kind, raw: RawFile) -> int:
    """Count the rows of ``_imp_typed``, flag total/footer rows (in its table ``_imp_csv``); return how many."""
    raw.rows = int(cur.execute("SELECT count(*) FROM _imp_typed").fetchall()[0][0]) + len(raw.rejected_lines)
    footer = _footer_sql(kind, raw.columns)
    if footer is None:
        return 0
    return int(cur.execute(f"UPDATE _imp_csv SET footer = true WHERE NOT blank AND {footer}").fetchall()[0][0])


class _Check(NamedTuple):
    """A queued row check (see :func:`_problem`)."""

    column: str
    value_sql: str
    reason_sql: str
    where: str
    params: list[object]
    cell: tuple[str, str] | None  # (column, test): ``where`` is ``test`` of that one typed cell ``{cell}``


# Checks are gathered per cursor and probed in one scan of the file, so a clean file costs
# one pass instead of one per check; only the checks that fire then insert their rows.
_PENDING: dict[int, list[_Check]] = {}


def _problem(cur: duckdb.DuckDBPyConnection, column: str, value_sql: str, reason_sql: str, where: str,
             params: list[object] | None = None, cell: tuple[str, str] | None = None) -> None:
    """Queue a row check: rows of ``_imp_typed`` matching ``where`` are problems (see :func:`_run_checks`).

    ``cell`` says the check only looks at one cell, so that it can be run once per distinct value.
    """
    _PENDING.setdefault(id(cur), []).append(_Check(column, value_sql, reason_sql, where, list(params or []), cell))


def _run_checks(cur: duckdb.DuckDBPyConnection) -> None:
    """Run the queued checks: one counting scan, then an insert for each check with hits."""
    checks = _PENDING.pop(id(cur), [])
    if not checks:
        return
    probe = ", ".join(f"count(*) FILTER (WHERE {check.where})" for check in checks)
    try:
        counts = cur.execute(f"SELECT {probe} FROM _imp_typed WHERE NOT footer",
                             [p for check in checks for p in check.params]).fetchall()[0]
    except duckdb.Error:  # an expression the combined scan cannot take: run every check
        counts = [1] * len(checks)
    for (column, value_sql, reason_sql, where, params, _), hits in zip(checks, counts, strict=True):
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
    """Check ``raw``'s rows; add problems to ``report``; build ``_imp_stage`` when clean. True when clean.

    A pending file (see records.py) is first read straight into the query that checks and
    stages it, when it can be; only when that finds something to report is it loaded into
    ``_imp_typed`` (and then checked the exact way at once).
    """
    _PENDING.pop(id(cur), None)  # nothing left over from a validation that raised
    present = set(raw.columns)
    scanned = False
    if raw.pending:
        # The mixed-level check of a file with SKU and family columns reads ``_imp_typed`` itself.
        scanned = kind.group == "actuals" and not _both_items(kind, present)
        if scanned:
            _queue_checks(cur, kind, present, options, report, cycle, raw.typed)
            if _stage_if_clean(cur, kind, present, options, direct=raw):
                return True
            _PENDING.pop(id(cur), None)  # queued again below: the text path words number problems differently
        if not raw.load():
            return False
    footers = _finish_typed(cur, kind, raw)
    if raw.rows == 0:
        report.reject("the file has a header but no data rows")
        return False
    _queue_checks(cur, kind, present, options, report, cycle, raw.typed)
    if not (footers or report.problem_count or scanned) and _stage_if_clean(cur, kind, present, options):
        return True
    # Something is wrong (or may be): list every problem, with its line, the exact way.
    raw.locate_lines()
    cur.execute("DROP TABLE IF EXISTS _imp_problems")
    cur.execute("CREATE TEMP TABLE _imp_problems (line BIGINT, col VARCHAR, value VARCHAR, reason VARCHAR)")
    cur.execute(
        "INSERT INTO _imp_problems SELECT line, '', NULL, 'a total/footer row: remove totals and footers "
        "from the file' FROM _imp_typed WHERE footer")
    _run_checks(cur)
    _check_duplicates(cur, kind, present, options)
    _collect(cur, report)
    if report.problem_count:
        return False
    stage(cur, kind, present)
    return True


def _both_items(kind: Kind, present: set[str]) -> bool:
    """The file has both a SKU and a family column, of which each row gives one."""
    return {"sku", "family"} <= present and ("sku", "family") in kind.one_of


def _queue_checks(cur: duckdb.DuckDBPyConnection, kind: Kind, present: set[str], options: ImportOptions,
                  report: ImportReport, cycle: dt.date | None, typed: bool) -> None:
    """Queue every row check for the file's columns (``typed``: its numbers were parsed by the reader)."""
    both_items = _both_items(kind, present)
    for col in kind.columns:
        if col.name in present:
            _check_column(cur, kind, col, options, both_items, typed)
    if both_items:
        _problem(cur, "sku/family", "NULL", "'missing value: give a sku or a family'",
                 "t_sku IS NULL AND t_family IS NULL")
        _problem(cur, "family", "t_family",
                 "'family does not match the product master (SKU ' || t_sku || ' belongs to ' || "
                 "(SELECT p.family FROM products p WHERE p.sku = t_sku) || ')'",
                 "t_sku IS NOT NULL AND t_family IS NOT NULL AND t_family <> "
                 "(SELECT p.family FROM products p WHERE p.sku = t_sku)")
        sd = source_date(present)
        if sd is not None:
            _problem(cur, "family", "t_family",
                     "'family-level row for a family that also has SKU-level rows in this file "
                     "(same month): it would be counted twice'",
                     f"t_sku IS NULL AND t_family IS NOT NULL AND (t_family, date_trunc('month', {sd})) IN "
                     f"(SELECT (p.family, date_trunc('month', x.{sd})) FROM _imp_typed x "
                     "JOIN products p ON p.sku = x.t_sku)")
    _check_months(cur, kind, present, report, cycle)
    _check_kind_rules(cur, kind, present)


def _stage_if_clean(cur: duckdb.DuckDBPyConnection, kind: Kind, present: set[str], options: ImportOptions,
                    direct: RawFile | None = None) -> bool:
    """Stage actuals and run the queued checks in the same scan; True (checks done) when none fires.

    The aggregate that sums the rows into months also counts the rows any check flags (a
    check of a cell its groups share runs on the groups) and spots a group holding two rows of
    the same date. Rows with the same key always fall in one group with the same date, so no
    flag proves there is no duplicate key; a flag (which a family column beside the SKU can
    raise without a duplicate) or a hit sends the file through the exact checks, which word
    the problems. Footer rows must have been ruled out.

    With ``direct``, a pending file, the query reads the file itself; it is clean only when it
    also has rows, none of them blank or a total/footer row, and DuckDB rejected none of its
    records (else ``direct.typed`` is turned off: the reader cannot parse its numbers).
    """
    if kind.group != "actuals":
        return False
    per_row, per_group = _split_checks(kind, present, _PENDING.get(id(cur), []))
    wheres = [c.where for c in per_row]
    source, source_params, rows = "_imp_typed", list[object](), 0
    if direct is not None:
        source, source_params = direct.select()
        footer = _footer_sql(kind, direct.columns)
        wheres += ["blank", *([footer] if footer else [])]
        cur.execute("DROP TABLE IF EXISTS reject_errors")
        cur.execute("DROP TABLE IF EXISTS reject_scans")
    # Whether any check fires is all that matters here: one count for all of them.
    hits = " OR ".join(f"({where})" for where in wheres) or "false"
    repeats = bool(_dup_key(kind, present)) and not (options.sum_duplicates and aggregation(kind) != "none")
    group_tests = (["_repeats"] if repeats else []) + [test for test, _ in per_group]
    summary = " OR ".join(["coalesce(sum(_hits), 0) > 0", *(f"coalesce(bool_or({t}), false)" for t in group_tests)])
    cur.execute("DROP TABLE IF EXISTS _imp_agg")
    try:
        # Names and expressions come from the kind spec, this module's checks and records.py; values
        # are bound, the checks' before the source's (the checks stand before its FROM clause).
        cur.execute(f"CREATE TEMP TABLE _imp_agg AS {stage_sql(kind, present, hits, repeats, source)}",
                    [*(p for c in per_row for p in c.params), *source_params])
        dirty, rows = cur.execute(f"SELECT {summary}, coalesce(sum(_rows), 0) FROM _imp_agg",
                                  [p for _, params in per_group for p in params]).fetchall()[0]
        clean = not dirty
        if direct is not None:
            rejected = cur.execute("SELECT count(*) FROM reject_errors").fetchall()[0][0]
            direct.typed = direct.typed and not rejected
            clean = clean and rows > 0 and not rejected
    except duckdb.Error:  # an expression the combined scan cannot take: use the exact checks
        clean = False
    if clean:
        _PENDING.pop(id(cur), None)
        if direct is not None:
            direct.rows, direct.pending = int(rows), False
        # The aggregate is the stage once its tallies (constant names) are gone: cheaper than a copy.
        cur.execute("DROP TABLE IF EXISTS _imp_stage")
        cur.execute("ALTER TABLE _imp_agg RENAME TO _imp_stage")
        for column in STAGE_TALLIES:
            cur.execute(f"ALTER TABLE _imp_stage DROP COLUMN IF EXISTS {column}")
    cur.execute("DROP TABLE IF EXISTS _imp_agg")
    return clean


def _split_checks(kind: Kind, present: set[str],
                  checks: list[_Check]) -> tuple[list[_Check], list[tuple[str, list[object]]]]:
    """The checks to run on every row, and ``(test, params)`` of those to run once per staged group.

    A check of one cell that all rows of a staged group share (such as the SKU) is the same
    test for each of them, so the aggregate runs it on the group instead of on every row.
    """
    per_row: list[_Check] = []
    per_group: list[tuple[str, list[object]]] = []
    for check in checks:
        column, test = check.cell or ("", "")
        shared = group_cell(kind, present, column) if test else None
        if shared:
            per_group.append((test.format(cell=shared), check.params))
        else:
            per_row.append(check)
    return per_row, per_group


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
        test = f"{{cell}} IS NOT NULL AND {{cell}} NOT IN (SELECT {key} FROM {table})"
        _problem(cur, name, t, _q(reason), test.format(cell=t), cell=(name, test))


def _check_months(cur: duckdb.DuckDBPyConnection, kind: Kind, present: set[str], report: ImportReport,
                  cycle: dt.date | None) -> None:
    sd = source_date(present)
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


def _dup_key(kind: Kind, present: set[str]) -> list[str]:
    """Expressions identifying a row's key at the file's own grain (date or month)."""
    keys: list[str] = []
    sd = source_date(present)
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
