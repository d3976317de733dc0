"""SQL that turns text cells into values, and the typed table's select list.

Every expression here is built from this module's constants and the kind's column
names, never from file content. The rules are documented in validate.py and docs/import.md.
"""

from __future__ import annotations

from .kinds import Kind
from .options import ImportOptions

# Regular expressions (constants, embedded in SQL).
NUMBER_RE = {
    None: (r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", "{c}"),
    "en": (r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", "replace({c}, ',', '')"),
    "de": (r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$", "replace(replace({c}, '.', ''), ',', '.')"),
    "fr": (
        "^[+-]?(\\d{1,3}([ \u00a0\u202f]\\d{3})+|\\d+)(,\\d+)?$",
        "replace(regexp_replace({c}, '[ \u00a0\u202f]', '', 'g'), ',', '.')",
    ),
    "ch": (r"^[+-]?(\d{1,3}('\d{3})+|\d+)(\.\d+)?$", "replace({c}, '''', '')"),
}
ANY_LOCALE_RE = "^[+-]?[0-9.,' \u00a0\u202f]*[0-9]$"
FOOTER_ANY_RE = r"(?i)(^|\x1f)\s*(grand\s+total|sub-?total|totals?|sum|summe|gesamt|gesamtsumme)\b"
ISO_MONTH = r"\d{4}-\d{1,2}"
ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?"
YMD_SLASH = r"\d{4}/\d{1,2}/\d{1,2}"
MONTH_YEAR = r"\d{1,2}[/.-]\d{4}"
AMBIGUOUS = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}"


def sql_literal(text: str) -> str:
    """A SQL string literal of one of this module's constants."""
    return "'" + text.replace("'", "''") + "'"


def trimmed_sql(col: str, ascii_only: bool = False) -> str:
    """SQL for ``col`` without surrounding spaces, NULL when blank.

    ``trim`` is costly on a million cells, so it only runs on cells that start or end with a
    space or a no-break space (other Unicode spaces are kept and then fail the checks visibly).
    ``ascii_only`` (the file is pure ASCII, so it holds no no-break space) drops half the tests.
    """
    nbsp = "\u00a0"
    guard = f"{col} LIKE ' %' OR {col} LIKE '% '"
    if not ascii_only:
        guard += f" OR {col} LIKE '{nbsp}%' OR {col} LIKE '%{nbsp}'"
    return f"CASE WHEN {guard} THEN nullif(trim({col}), '') ELSE nullif({col}, '') END"


def number_sql(col: str, locale: str | None) -> str:
    """SQL turning text column ``col`` into a DOUBLE (NULL when it is not a number in ``locale``)."""
    regex, normalised = NUMBER_RE[locale]
    expr = normalised.format(c=col)
    return f"CASE WHEN regexp_full_match({col}, {sql_literal(regex)}) THEN TRY_CAST({expr} AS DOUBLE) END"


def date_sql(col: str, date_format: str | None, ascii_only: bool = False) -> str:
    """SQL turning text column ``col`` into a DATE (NULL when unparseable, impossible or ambiguous).

    ``ascii_only``: the file is pure ASCII, where one character is one byte, so a cheaper
    pattern spots ``YYYY-MM-DD``.
    """
    parts = [
        f"WHEN regexp_full_match({col}, {sql_literal(ISO_MONTH)}) THEN try_strptime({col} || '-01', '%Y-%m-%d')",
        f"WHEN regexp_full_match({col}, {sql_literal(ISO_DATE)}) "
        f"THEN try_strptime(split_part(replace({col}, 'T', ' '), ' ', 1), '%Y-%m-%d')",
        f"WHEN regexp_full_match({col}, {sql_literal(YMD_SLASH)}) THEN try_strptime({col}, '%Y/%m/%d')",
        f"WHEN regexp_full_match({col}, {sql_literal(MONTH_YEAR)}) "
        f"THEN try_strptime('01/' || regexp_replace({col}, '[.-]', '/', 'g'), '%d/%m/%Y')",
    ]
    if date_format in ("DMY", "MDY"):
        fmt = "%d/%m/%Y" if date_format == "DMY" else "%m/%d/%Y"
        parts.append(
            f"WHEN regexp_full_match({col}, {sql_literal(AMBIGUOUS)}) "
            f"THEN try_strptime(regexp_replace({col}, '[.-]', '/', 'g'), '{fmt}')"
        )
    # Fast path for the common YYYY-MM-DD; the patterns above for everything else.
    shape = f"{col} LIKE '____-__-__'" if ascii_only else f"length({col}) = 10 AND {col}[5] = '-' AND {col}[8] = '-'"
    fast = f"WHEN {shape} THEN TRY_CAST({col} AS DATE)"
    return f"CAST(CASE {fast} {' '.join(parts)} END AS DATE)"


def date_reason_sql(col: str, date_format: str | None) -> str:
    """SQL for why ``col`` is not a date."""
    known = "|".join(f"({p})" for p in (ISO_MONTH, ISO_DATE, YMD_SLASH, MONTH_YEAR))
    ambiguous = (
        (
            f"WHEN regexp_full_match({col}, {sql_literal(AMBIGUOUS)}) THEN 'ambiguous date (day/month order "
            "unknown): choose a date format (DMY or MDY) or use YYYY-MM-DD'"
        )
        if date_format is None
        else ""
    )
    if date_format is not None:
        known += f"|({AMBIGUOUS})"
    return (
        f"CASE {ambiguous} WHEN regexp_full_match({col}, {sql_literal(known)}) THEN 'impossible date' "
        "ELSE 'not a date: use YYYY-MM-DD or YYYY-MM' END"
    )


def typed_select(
    kind: Kind,
    mapping: dict[int, str],
    width: int,
    options: ImportOptions,
    typed: bool,
    extra: tuple[str, ...] = (),
    ascii_only: bool = False,
) -> tuple[str, str]:
    """``(outer, inner)`` select lists turning positional text columns ``c0…`` into the typed row.

    The inner list trims the used text cells into ``t_<col>`` (numbers already parsed by the
    reader when ``typed``), keeps unused cells and ``extra`` columns; the outer list adds the
    parsed ``v_<col>``, ``blank`` (no value in any cell) and ``footer`` (set later).
    ``ascii_only`` (a pure-ASCII file) allows cheaper SQL with the same results.
    """
    # Only column positions and the kind's own column names go into this SQL text (``name`` is
    # a key of the kind spec, mapped from the header); cell values are never interpolated.
    inner: list[str] = []
    outer: list[str] = []
    for pos, name in mapping.items():
        col = kind.column(name)
        if typed and col.type in ("number", "int"):
            inner.append(f"c{pos} AS t_{name}")
            outer += [f"t_{name}", f"t_{name} AS v_{name}"]
            continue
        inner.append(f"{trimmed_sql(f'c{pos}', ascii_only)} AS t_{name}")  # positions and our column names
        outer.append(f"t_{name}")
        if col.type in ("number", "int"):
            outer.append(f"{number_sql(f't_{name}', options.locale)} AS v_{name}")  # our column names
        elif col.type == "date":
            outer.append(f"{date_sql(f't_{name}', options.date_format, ascii_only)} AS v_{name}")  # our column names
    others = [f"c{i}" for i in range(width) if i not in mapping]
    inner += others + list(extra)
    outer += others + list(extra)
    other_blank = f"trim(concat({', '.join(others)})) = ''" if others else "true"
    blank = " AND ".join([other_blank, *(f"t_{name} IS NULL" for name in mapping.values())])
    outer += [f"({blank}) AS blank", "false AS footer"]
    return ", ".join(outer), ", ".join(inner)
