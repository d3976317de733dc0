"""The row checks of an upload, gathered in a :class:`CheckQueue` and run in one scan.

Each check is a SQL predicate over a row of the typed table (``TYPED`` of workspace.py:
``t_<col>`` the trimmed text of a cell, ``v_<col>`` its parsed value) with the problem's
column, value and reason. validate.py queues every check the file's columns call for
(:func:`queue_checks`), then either folds them into the query that stages a clean file
(:meth:`CheckQueue.split`) or runs them the exact way (:meth:`CheckQueue.run`): one counting
scan for all of them, then one insert into ``PROBLEMS`` per check that fires.

Every SQL text here is built from the kind spec's column names, the master tables of
:data:`REF_TABLES` and this module's constants; values (cycle, strategies) are bound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import duckdb

from ..conventions import PLAN_HORIZON_MONTHS
from ..months import add_months
from .kinds import Column, Kind
from .options import ImportOptions
from .parse import ANY_LOCALE_RE, FOOTER_ANY_RE, date_reason_sql
from .parse import sql_literal as _q
from .stage import STRATEGIES, group_cell, source_date
from .workspace import PROBLEMS, TYPED, Workspace

REF_TABLES = {
    "products": ("products", "sku", "unknown SKU (not in the product master)"),
    "families": ("families", "family", "unknown family (not in the family master)"),
    "regions": ("regions", "region", "unknown region (not in the region master)"),
    "resources": ("resources", "resource", "unknown resource (not in the resource master)"),
}

# Names that master data introduces and every page and export shows again.
NAME_COLUMNS = ("family", "sku", "region", "resource")


class Check(NamedTuple):
    """A queued row check: rows matching ``where`` are problems of ``column``."""

    column: str
    value_sql: str  # the value shown in the report
    reason_sql: str  # the reason, a SQL string expression
    where: str
    params: list[object]
    cell: tuple[str, str] | None  # (column, test): ``where`` is ``test`` of that one typed cell ``{cell}``


@dataclass
class CheckQueue:
    """The row checks of one validation, run together (see the module docstring)."""

    checks: list[Check] = field(default_factory=list)

    def add(
        self,
        column: str,
        value_sql: str,
        reason_sql: str,
        where: str,
        params: list[object] | None = None,
        cell: tuple[str, str] | None = None,
    ) -> None:
        """Queue a check: rows of ``TYPED`` matching ``where`` are problems.

        ``cell`` says the check only looks at one cell, so that it can be run once per distinct value.
        """
        self.checks.append(Check(column, value_sql, reason_sql, where, list(params or []), cell))

    def clear(self) -> None:
        """Forget the queued checks."""
        self.checks.clear()

    def split(self, kind: Kind, present: set[str]) -> tuple[list[Check], list[tuple[str, list[object]]]]:
        """The checks to run on every row, and ``(test, params)`` of those to run once per staged group.

        A check of one cell that all rows of a staged group share (such as the SKU) is the same
        test for each of them, so the staging aggregate runs it on the group instead of on every row.
        """
        per_row: list[Check] = []
        per_group: list[tuple[str, list[object]]] = []
        for check in self.checks:
            column, test = check.cell or ("", "")
            shared = group_cell(kind, present, column) if test else None
            if shared:
                per_group.append((test.format(cell=shared), check.params))
            else:
                per_row.append(check)
        return per_row, per_group

    def run(self, ws: Workspace) -> None:
        """Run the queued checks into ``PROBLEMS``: one counting scan, then an insert per check with hits."""
        checks, self.checks = self.checks, []
        if not checks:
            return
        probe = ", ".join(f"count(*) FILTER (WHERE {check.where})" for check in checks)
        try:
            counts = ws.rows(
                f"SELECT {probe} FROM {TYPED} WHERE NOT footer", [p for check in checks for p in check.params]
            )[0]
        except duckdb.Error:  # an expression the combined scan cannot take: run every check
            counts = tuple([1] * len(checks))
        for (column, value_sql, reason_sql, where, params, _), hits in zip(checks, counts, strict=True):
            if hits:
                ws.execute(
                    f"INSERT INTO {PROBLEMS} SELECT line, {_q(column)}, CAST({value_sql} AS VARCHAR), {reason_sql} "
                    f"FROM {TYPED} WHERE NOT footer AND ({where})",
                    params,
                )


def footer_sql(kind: Kind, columns: list[str]) -> str | None:
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
    return (
        f"CASE WHEN {' OR '.join(suspect)} "
        f"THEN regexp_matches(concat_ws(chr(31), {cells}), {_q(FOOTER_ANY_RE)}) ELSE false END"
    )


def both_items(kind: Kind, present: set[str]) -> bool:
    """The file has both a SKU and a family column, of which each row gives one."""
    return {"sku", "family"} <= present and ("sku", "family") in kind.one_of


def queue_checks(
    queue: CheckQueue, kind: Kind, present: set[str], options: ImportOptions, cycle: dt.date | None, typed: bool
) -> None:
    """Queue every row check for the file's columns (``typed``: its numbers were parsed by the reader)."""
    both = both_items(kind, present)
    for col in kind.columns:
        if col.name in present:
            _check_column(queue, kind, col, options, both, typed)
    if both:
        queue.add("sku/family", "NULL", "'missing value: give a sku or a family'", "t_sku IS NULL AND t_family IS NULL")
        queue.add(
            "family",
            "t_family",
            "'family does not match the product master (SKU ' || t_sku || ' belongs to ' || "
            "(SELECT p.family FROM products p WHERE p.sku = t_sku) || ')'",
            "t_sku IS NOT NULL AND t_family IS NOT NULL AND t_family <> "
            "(SELECT p.family FROM products p WHERE p.sku = t_sku)",
        )
        sd = source_date(present)
        if sd is not None:
            queue.add(
                "family",
                "t_family",
                "'family-level row for a family that also has SKU-level rows in this file "
                "(same month): it would be counted twice'",
                f"t_sku IS NULL AND t_family IS NOT NULL AND (t_family, date_trunc('month', {sd})) IN "
                f"(SELECT (p.family, date_trunc('month', x.{sd})) FROM {TYPED} x "
                "JOIN products p ON p.sku = x.t_sku)",
            )
    _check_months(queue, kind, present, cycle)
    _check_kind_rules(queue, kind, present)


def _check_column(queue: CheckQueue, kind: Kind, col: Column, options: ImportOptions, both: bool, typed: bool) -> None:
    """The checks of one column: missing value, number or date format, range, master reference."""
    name = col.name
    t, v = f"t_{name}", f"v_{name}"
    optional_item = both and name in ("sku", "family")
    in_group = any(name in group for group in kind.one_of)
    if ((col.required and col.default is None) or in_group) and not optional_item:
        queue.add(name, "NULL", "'missing value'", f"{t} IS NULL")
    if col.type in ("number", "int"):
        regex_any = _q(ANY_LOCALE_RE)
        hint = "'not a number in the chosen number format'"
        if typed:  # parsed by the reader: only inf / nan can be left
            hint = "'not a number'"
        elif options.locale is None:
            hint = (
                "CASE WHEN regexp_full_match(" + t + ", " + regex_any + ") THEN 'not a plain number "
                "(decimal comma or thousands separator?): choose the number format (locale) of the file' "
                "ELSE 'not a number' END"
            )
        queue.add(name, t, hint, f"{t} IS NOT NULL AND ({v} IS NULL OR NOT isfinite({v}))")
        if not col.negative_ok:
            queue.add(name, t, "'negative value not allowed'", f"{v} < 0")
        if col.type == "int":
            queue.add(name, t, "'not a whole number'", f"{v} <> round({v})")
    elif col.type == "date":
        queue.add(name, t, date_reason_sql(t, options.date_format), f"{t} IS NOT NULL AND {v} IS NULL")
        queue.add(
            name,
            t,
            "'implausible year (expected 1900-2199)'",
            f"{v} IS NOT NULL AND (year({v}) < 1900 OR year({v}) > 2199)",
        )
    elif col.type == "strategy":
        queue.add(
            name,
            t,
            "'strategy must be mts (make-to-stock) or mto (make-to-order)'",
            f"{t} IS NOT NULL AND NOT list_contains(?::VARCHAR[], lower({t}))",
            [list(STRATEGIES)],
        )
    if col.ref is not None:
        table, key, reason = REF_TABLES[col.ref]
        # Table and key names are constants of REF_TABLES.
        test = f"{{cell}} IS NOT NULL AND {{cell}} NOT IN (SELECT {key} FROM {table})"
        queue.add(name, t, _q(reason), test.format(cell=t), cell=(name, test))


def _check_months(queue: CheckQueue, kind: Kind, present: set[str], cycle: dt.date | None) -> None:
    """Actuals may not lie after the current cycle; plan rows must lie within the cycle's horizon."""
    sd = source_date(present)
    if sd is None or cycle is None:
        return
    col = sd[2:]
    if kind.group == "actuals":
        queue.add(
            col,
            f"t_{col}",
            f"'month ' || strftime({sd}, '%Y-%m') || ' is after the current cycle {cycle:%Y-%m}'",
            f"date_trunc('month', {sd}) > ?",
            [cycle],
        )
    elif kind.group == "plan":
        last = add_months(cycle, PLAN_HORIZON_MONTHS - 1)
        queue.add(
            col,
            f"t_{col}",
            f"'month ' || strftime({sd}, '%Y-%m') || ' is outside the horizon of cycle {cycle:%Y-%m} "
            f"({cycle:%Y-%m} to {last:%Y-%m})'",
            f"date_trunc('month', {sd}) < ? OR date_trunc('month', {sd}) > ?",
            [cycle, last],
        )


def _check_kind_rules(queue: CheckQueue, kind: Kind, present: set[str]) -> None:
    """Rules of one kind: formula-like names in master data, day ranges, utilisation, working days."""
    if kind.group == "master":
        # A name that a spreadsheet reads as a formula would travel into every table and export.
        for name in NAME_COLUMNS:
            if name in present:
                queue.add(
                    name,
                    f"t_{name}",
                    "'a name may not start with = + - or @ (a spreadsheet would read it as a formula)'",
                    f"left(t_{name}, 1) IN ('=', '+', '-', '@')",
                )
    if kind.name == "families":
        queue.add(
            "max_days_of_supply",
            "t_max_days_of_supply",
            "'max_days_of_supply is below min_days_of_supply (' || t_min_days_of_supply || ')'",
            "v_max_days_of_supply < v_min_days_of_supply",
        )
    if kind.name == "resources" and "warning_utilisation" in present:
        queue.add(
            "warning_utilisation",
            "t_warning_utilisation",
            "'warning_utilisation is a fraction (0.9 = 90 %), between 0 and 1.5'",
            "v_warning_utilisation > 1.5",
        )
    if kind.name == "calendar":
        queue.add("working_days", "t_working_days", "'working_days must be between 0 and 31'", "v_working_days > 31")
