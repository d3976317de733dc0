"""Map a file's header row to the columns of an upload kind (CSV and Excel alike).

Each header text is matched after :func:`normalise_header`
against the kind's column names and aliases. Unknown columns are ignored with a warning;
blank headers are remembered (a value under one is a problem); duplicate and missing
columns are problems of the header's line.
"""

from __future__ import annotations

import re

from .kinds import Kind
from .report import ImportReport

_SEP = re.compile(r"[\s\-./]+")


def normalise_header(text: str) -> str:
    """``" Product-Family "`` → ``"product_family"``: case, spaces, hyphens, dots and slashes ignored."""
    cleaned = text.replace("\ufeff", "").strip().strip('"').strip().lower()
    return _SEP.sub("_", cleaned).strip("_")


def header_lookup(kind: Kind) -> dict[str, str]:
    """Normalised header text → canonical column name (names first, then aliases)."""
    lookup: dict[str, str] = {}
    for col in kind.columns:
        lookup.setdefault(col.name, col.name)
    for col in kind.columns:
        for alias in col.aliases:
            lookup.setdefault(normalise_header(alias), col.name)
    return lookup


def map_header(headers: list[str], kind: Kind, line: int, report: ImportReport) -> dict[int, str] | None:
    """Position → canonical column; problems for blank/duplicate/missing headers."""
    lookup = header_lookup(kind)
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    blank_positions: list[int] = []
    for pos, text in enumerate(headers):
        norm = normalise_header(text)
        if not norm:
            blank_positions.append(pos)
            continue
        name = lookup.get(norm)
        if name is None:
            report.warnings.append(f"column {text!r} is not used by {kind.name} and was ignored")
            continue
        if name in seen:
            report.add(line, text, text, f"duplicate column: {seen[name]!r} and {text!r} both mean {name!r}")
            continue
        seen[name] = text
        mapping[pos] = name
    present = set(mapping.values())
    grouped = {c for group in kind.one_of for c in group}
    for col in kind.columns:
        if col.required and col.name not in grouped and col.name not in present:
            aliases = ", ".join(col.aliases[:6])
            report.add(
                line, col.name, "", f"missing column {col.name!r}" + (f" (also accepted: {aliases})" if aliases else "")
            )
    for group in kind.one_of:
        have = [c for c in group if c in present]
        if not have:
            report.add(line, "/".join(group), "", "missing column: one of " + " or ".join(repr(c) for c in group))
        elif len(have) > 1 and group == ("date", "month"):
            report.add(line, "date/month", "", "both a date and a month column: keep only one")
    report.blank_header_positions = blank_positions
    if report.problem_count:
        report.status = "rejected"
        return None
    return mapping
