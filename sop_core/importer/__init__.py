"""Upload actuals, master data and plans from CSV or Excel: validated, previewed, all or nothing.

``import_file(store, kind, data, actor=actor)`` (pipeline.py) reads the file, checks every cell,
previews the change against the store and, unless ``dry_run``, writes it as one
transaction with its history. The returned :class:`ImportReport` lists every problem as
(row, column, value, reason). See docs/import.md.

Modules: pipeline.py (the call), workspace.py (its cursor and temp tables), reading.py
(file type, encoding, header, delimiter), header.py (header → columns), encoding.py,
records.py (CSV records via DuckDB), excel.py (.xlsx via python-calamine), parse.py (cell
SQL), checks.py (the row checks and their queue), validate.py (running them; one scan for
clean files), stage.py (sum into months), commit.py (write one upload and its history),
revert.py (revert, the upload history), report.py,
kinds.py (columns, aliases, templates), options.py (the user's explicit choices), access.py
(which action loading or reverting a kind needs).

Every write takes the acting :class:`~sop_core.people.Actor`: ``import_file(..., actor=)`` and
``revert_upload(store, upload_id, actor)`` check its role first and record ``actor.author``.
"""

from __future__ import annotations

from .access import action_for
from .commit import UploadConflict
from .kinds import ACTUAL_KINDS, KINDS, MASTER_KINDS, PLAN_KINDS
from .options import ImportOptions
from .pipeline import actuals_cycle, import_file, template_for
from .report import ImportReport, Problem
from .revert import revert_upload, upload_history
from .templates import template_csv
from .validate import current_cycle

__all__ = [
    "ACTUAL_KINDS",
    "KINDS",
    "MASTER_KINDS",
    "PLAN_KINDS",
    "ImportOptions",
    "ImportReport",
    "Problem",
    "UploadConflict",
    "action_for",
    "actuals_cycle",
    "current_cycle",
    "import_file",
    "revert_upload",
    "template_csv",
    "template_for",
    "upload_history",
]
