"""Shared by the import tests: the corpus manifest and a content dump of every table."""

from __future__ import annotations

import json
from pathlib import Path

from sop_core import Store
from sop_core.importer import ImportOptions

CORPUS = Path(__file__).resolve().parents[1] / "import_corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def dump(store: Store) -> dict[str, str]:
    """Every base table's content, sorted, as CSV text (the store's content, byte for byte)."""
    tables = store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY 1"
    )["table_name"]
    return {t: store.query(f"SELECT * FROM {t} ORDER BY ALL").to_csv(index=False) for t in tables}


def options(raw: dict) -> ImportOptions:
    """``ImportOptions`` from a manifest entry's options."""
    return ImportOptions(**raw)
