"""The import report: every problem as (row, column, value, reason), counts and the preview.

``rows read = rows loaded + rows rejected`` always holds. A file with any
problem loads nothing (all or nothing), so then every row read counts as
rejected; ``rows_with_problems`` says how many rows have a problem of their
own. Blank lines are not rows. ``rows_stored`` is the number of rows written
after daily/weekly rows are summed into months.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from ..export import neutralise

Status = Literal["rejected", "valid", "committed", "already_loaded", "failed"]
"""``failed``: the file was valid but its write was rolled back (another upload wrote the same data at once)."""

# Problems listed in full; beyond this only counted (the report stays readable and small).
MAX_LISTED = 1000


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the whole file, ``row=None``) cannot be loaded."""

    row: int | None
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    """What an import found and did."""

    kind: str
    file_name: str
    sha256: str = ""
    status: Status = "rejected"
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_with_problems: int = 0
    rows_stored: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. the distinct unknown SKUs
    blank_header_positions: list[int] = field(default_factory=list)  # columns with a blank header
    months: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    preview: pd.DataFrame | None = None
    upload_id: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the file is (or was) loadable: no problem found."""
        return self.problem_count == 0 and self.status != "rejected"

    def add(self, row: int | None, column: str, value: object, reason: str) -> None:
        """Record one problem (listed up to ``MAX_LISTED``; always counted)."""
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(row, column, "" if value is None else str(value), reason))

    def reject(self, reason: str, column: str = "", value: object = "", row: int | None = None) -> ImportReport:
        """Record a file-level problem and return the report (status ``rejected``)."""
        self.add(row, column, value, reason)
        self.status = "rejected"
        return self

    def problems_frame(self) -> pd.DataFrame:
        """The listed problems as a table: ``row, column, value, reason``."""
        return pd.DataFrame(
            [(p.row, p.column, p.value, p.reason) for p in self.problems],
            columns=["row", "column", "value", "reason"],
        ).astype({"row": "Int64"})

    def counts_line(self) -> str:
        """``rows read = loaded + rejected`` in words."""
        text = f"rows read {self.rows_read} = rows loaded {self.rows_loaded} + rows rejected {self.rows_rejected}"
        if self.rows_with_problems:
            text += f" ({self.rows_with_problems} row(s) with problems)"
        return text

    def summary(self) -> str:
        """A one-paragraph outcome."""
        head = {
            "rejected": f"REJECTED: {self.problem_count} problem(s); nothing was written.",
            "valid": "VALID (dry run): nothing was written.",
            "committed": f"COMMITTED as upload {self.upload_id}.",
            "already_loaded": "ALREADY LOADED: this file was loaded before; nothing changed.",
            "failed": "FAILED: nothing was written.",
        }[self.status]
        parts = [f"{self.kind} from {self.file_name}: {head}", self.counts_line()]
        if self.months:
            parts.append("months: " + ", ".join(self.months))
        if self.message:
            parts.append(self.message)
        return "\n".join(parts)

    def to_text(self) -> str:
        """The full report as plain text (CLI output and download)."""
        lines = [self.summary()]
        if self.sha256:
            lines.append(f"sha256: {self.sha256}")
        for warning in self.warnings:
            lines.append(f"warning: {warning}")
        lines.extend(self.notes)
        if self.problems:
            lines.append("row\tcolumn\tvalue\treason")
            for p in self.problems:
                row = "file" if p.row is None else str(p.row)
                value = p.value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
                lines.append(f"{row}\t{p.column}\t{value}\t{p.reason}")
            if self.problem_count > len(self.problems):
                lines.append(f"… and {self.problem_count - len(self.problems)} more problem(s) not listed")
        return "\n".join(lines) + "\n"

    def to_csv(self) -> bytes:
        """The problems as a downloadable CSV (spreadsheet formulas neutralised)."""
        buf = io.StringIO()
        buf.write(f"# {self.counts_line()}\n")
        neutralise(self.problems_frame(), keep_plain_numbers=True).to_csv(buf, index=False)
        return buf.getvalue().encode("utf-8")
