"""Check every cell of the file in DuckDB and build the month-level rows to write (stage.py).

All checks are set-based SQL over the whole file (no Python loop per row). For actuals
the query that sums the rows into months also tells whether any check fires, reading a
plain UTF-8 file straight from disk, so a clean file costs one scan. Otherwise every
problem is listed from ``TYPED`` into ``PROBLEMS(line, col, value, reason)`` (the
workspace's tables, workspace.py; the checks themselves are in checks.py); the rows to
write land in ``STAGE`` only when there is none.

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

from ..months import business_today
from .checks import CheckQueue, both_items, footer_sql, queue_checks
from .kinds import Kind
from .options import ImportOptions
from .records import RawFile
from .report import MAX_LISTED, ImportReport
from .stage import STAGE_TALLIES, aggregation, source_date, stage, stage_sql
from .workspace import AGG, DUPLICATES, PROBLEMS, REJECT_ERRORS, REJECT_SCANS, ROWS, STAGE, TYPED, Workspace


def current_cycle(cur: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> dt.date:
    """The latest plan version's cycle, or the month of ``today`` when there is none."""
    value = cur.execute("SELECT max(cycle) FROM plan_versions").fetchall()[0][0]
    if value is not None:
        return value
    today = today or business_today()
    return dt.date(today.year, today.month, 1)


def _finish_typed(ws: Workspace, kind: Kind, raw: RawFile) -> int:
    """Count the rows of ``TYPED``, flag total/footer rows (in its table ``ROWS``); return how many."""
    raw.rows = ws.count(TYPED) + len(raw.rejected_lines)
    footer = footer_sql(kind, raw.columns)
    if footer is None:
        return 0
    return int(ws.value(f"UPDATE {ROWS} SET footer = true WHERE NOT blank AND {footer}"))  # SQL of checks.py


def validate(
    ws: Workspace, kind: Kind, raw: RawFile, options: ImportOptions, report: ImportReport, cycle: dt.date | None
) -> bool:
    """Check ``raw``'s rows; add problems to ``report``; build ``STAGE`` when clean. True when clean.

    A pending file (see records.py) is first read straight into the query that checks and
    stages it, when it can be; only when that finds something to report is it loaded into
    ``TYPED`` (and then checked the exact way at once).
    """
    queue = CheckQueue()
    present = set(raw.columns)
    scanned = False
    if raw.pending:
        # The mixed-level check of a file with SKU and family columns reads ``TYPED`` itself.
        scanned = kind.group == "actuals" and not both_items(kind, present)
        if scanned:
            queue_checks(queue, kind, present, options, cycle, raw.typed)
            if _stage_if_clean(ws, queue, kind, present, options, direct=raw):
                return True
            queue.clear()  # queued again below: the text path words number problems differently
        if not raw.load():
            return False
    footers = _finish_typed(ws, kind, raw)
    if raw.rows == 0:
        report.reject("the file has a header but no data rows")
        return False
    queue_checks(queue, kind, present, options, cycle, raw.typed)
    if not (footers or report.problem_count or scanned) and _stage_if_clean(ws, queue, kind, present, options):
        return True
    # Something is wrong (or may be): list every problem, with its line, the exact way.
    raw.locate_lines()
    ws.create_empty(PROBLEMS, "(line BIGINT, col VARCHAR, value VARCHAR, reason VARCHAR)")
    ws.execute(
        f"INSERT INTO {PROBLEMS} SELECT line, '', NULL, 'a total/footer row: remove totals and footers "
        f"from the file' FROM {TYPED} WHERE footer"
    )
    queue.run(ws)
    _check_duplicates(ws, kind, present, options)
    _collect(ws, report)
    if report.problem_count:
        return False
    stage(ws, kind, present)
    return True


def _stage_if_clean(
    ws: Workspace,
    queue: CheckQueue,
    kind: Kind,
    present: set[str],
    options: ImportOptions,
    direct: RawFile | None = None,
) -> bool:
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
    per_row, per_group = queue.split(kind, present)
    wheres = [c.where for c in per_row]
    source, source_params, rows = TYPED, list[object](), 0
    if direct is not None:
        source, source_params = direct.select()
        footer = footer_sql(kind, direct.columns)
        wheres += ["blank", *([footer] if footer else [])]
        ws.drop(REJECT_ERRORS, REJECT_SCANS)
    # Whether any check fires is all that matters here: one count for all of them.
    hits = " OR ".join(f"({where})" for where in wheres) or "false"
    repeats = bool(_dup_key(kind, present)) and not (options.sum_duplicates and aggregation(kind) != "none")
    group_tests = (["_repeats"] if repeats else []) + [test for test, _ in per_group]
    summary = " OR ".join(["coalesce(sum(_hits), 0) > 0", *(f"coalesce(bool_or({t}), false)" for t in group_tests)])
    try:
        # Names and expressions come from the kind spec, checks.py and records.py; values are
        # bound, the checks' before the source's (the checks stand before its FROM clause).
        ws.create(
            AGG,
            stage_sql(kind, present, hits, repeats, source),
            [*(p for c in per_row for p in c.params), *source_params],
        )
        dirty, rows = ws.rows(
            f"SELECT {summary}, coalesce(sum(_rows), 0) FROM {AGG}", [p for _, params in per_group for p in params]
        )[0]
        clean = not dirty
        if direct is not None:
            rejected = ws.count(REJECT_ERRORS)
            direct.typed = direct.typed and not rejected
            clean = clean and rows > 0 and not rejected
    except duckdb.Error:  # an expression the combined scan cannot take: use the exact checks
        clean = False
    if clean:
        queue.clear()
        if direct is not None:
            direct.rows, direct.pending = int(rows), False
        # The aggregate is the stage once its tallies are gone: cheaper than a copy.
        ws.rename(AGG, STAGE, drop_columns=STAGE_TALLIES)
    ws.drop(AGG)
    return clean


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


def _check_duplicates(ws: Workspace, kind: Kind, present: set[str], options: ImportOptions) -> None:
    """Rows with the same key at the file's grain into ``PROBLEMS`` (unless duplicates are summed)."""
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
    unique = ws.value(f"SELECT count(*) = count(DISTINCT hash({', '.join(keys)})) FROM {TYPED} WHERE NOT footer")
    if unique:
        return
    # The exact pass: a hash aggregate finds the duplicated keys; only then are their rows listed.
    # Key expressions come from the kind spec (see _dup_key); ``hint`` is one of two constants.
    ws.create(
        DUPLICATES,
        f"SELECT {part}, min(line) AS first_line FROM {TYPED} WHERE NOT footer GROUP BY ALL HAVING count(*) > 1",
    )
    if ws.count(DUPLICATES):
        ws.execute(
            f"INSERT INTO {PROBLEMS} SELECT t.line, 'key', {shown}, "
            f"'duplicate key: same as row ' || d.first_line || '{hint}' "
            f"FROM {TYPED} t JOIN {DUPLICATES} d ON {match} WHERE NOT t.footer AND t.line <> d.first_line"
        )
    ws.drop(DUPLICATES)


def _collect(ws: Workspace, report: ImportReport) -> None:
    """The problems found into ``report``: the first ``MAX_LISTED`` listed, unknown names summarised."""
    total, rows = ws.rows(f"SELECT count(*), count(DISTINCT line) FROM {PROBLEMS}")[0]
    if not total:
        return
    listed = ws.rows(f"SELECT line, col, value, reason FROM {PROBLEMS} ORDER BY line, col LIMIT ?", [MAX_LISTED])
    for line, col, value, reason in listed:
        report.add(int(line), col, value, reason)
    unknown = ws.rows(
        "SELECT reason, count(*), count(DISTINCT value), list(DISTINCT value ORDER BY value)[1:50] "
        f"FROM {PROBLEMS} WHERE starts_with(reason, 'unknown ') GROUP BY reason ORDER BY reason"
    )
    for reason, count, distinct, values in unknown:
        more = f" … and {distinct - len(values)} more" if distinct > len(values) else ""
        report.notes.append(f"{reason.split(' (')[0]}s ({count} row(s)): " + ", ".join(map(str, values)) + more)
    report.problem_count += int(total) - len(listed)
    report.rows_with_problems += int(rows)
    report.status = "rejected"
