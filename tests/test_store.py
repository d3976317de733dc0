"""The store: migrations, frozen plans, all-or-nothing writes, file locking, the CLI."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from sop_core import FrozenPlanError, StoreError, StoreLockedError, approve_plan, open_store, schema, write_plan
from sop_core.store import migrate
from tests.support.people import EXECUTIVE, PLANNER
from tests.support.stores import HOLD, ROOT


def table_counts(store) -> dict[str, int]:
    names = store.query("SELECT table_name FROM information_schema.tables ORDER BY 1")["table_name"]
    return {n: int(store.scalar(f"SELECT count(*) FROM {n}")) for n in names}  # names from the catalog


def test_new_store_is_at_current_version(db_path):
    with open_store(db_path) as store:
        assert store.schema_version() == schema.SCHEMA_VERSION
        assert store.is_empty()


def test_old_file_is_upgraded_in_place_not_rebuilt(db_path, monkeypatch):
    with open_store(db_path) as store:
        store.query("INSERT INTO regions VALUES ('N', 'kept') RETURNING *")
    extra = ["CREATE TABLE notes (id INTEGER)", "ALTER TABLE regions ADD COLUMN manager VARCHAR"]
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr("sop_core.store.MIGRATIONS", schema.MIGRATIONS)
    monkeypatch.setattr("sop_core.store.SCHEMA_VERSION", len(schema.MIGRATIONS))
    with open_store(db_path) as store:
        assert store.schema_version() == len(schema.MIGRATIONS)
        assert store.query("SELECT region, description, manager FROM regions").values.tolist() == [["N", "kept", None]]


def test_failed_migration_leaves_file_at_old_version(db_path, monkeypatch):
    open_store(db_path).close()
    broken = ["CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL"]
    monkeypatch.setattr("sop_core.store.MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr("sop_core.store.SCHEMA_VERSION", len(schema.MIGRATIONS) + 1)
    with pytest.raises(duckdb.Error):
        open_store(db_path)
    monkeypatch.undo()
    with open_store(db_path) as store:
        assert store.schema_version() == schema.SCHEMA_VERSION
        assert "half_done" not in table_counts(store)


def test_newer_file_is_refused(db_path):
    with open_store(db_path) as store:
        store.query("INSERT INTO schema_version (version) VALUES (999) RETURNING version")
    with pytest.raises(StoreError, match="newer than this code"):
        open_store(db_path)


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("hello, I am a text file\n" * 100)
    with pytest.raises(StoreError, match="Cannot open"):
        open_store(str(bad))


def test_approved_plan_is_frozen(tiny):
    before = table_counts(tiny)
    rows = pd.DataFrame({"family": ["A"], "month": ["2026-02-01"], "quantity": [999.0]})
    with pytest.raises(FrozenPlanError, match="approved and frozen"):
        write_plan(tiny, "production_plan", "2026-02", rows, actor=PLANNER)
    assert table_counts(tiny) == before
    assert (
        tiny.scalar("SELECT quantity FROM production_plan WHERE cycle = '2026-02-01' AND month = '2026-02-01'") == 125
    )


def test_draft_write_replaces_keys_and_approval_freezes(tiny):
    rows = pd.DataFrame({"family": ["A"], "month": ["2026-03-01"], "quantity": [160.0]})
    write_plan(tiny, "production_plan", "2026-03", rows, actor=PLANNER)
    assert (
        tiny.scalar(
            "SELECT quantity FROM production_plan WHERE cycle = '2026-03-01' AND family = 'A' AND month = '2026-03-01'"
        )
        == 160
    )
    assert tiny.scalar("SELECT count(*) FROM production_plan WHERE cycle = '2026-03-01'") == 4
    approve_plan(tiny, "2026-03", EXECUTIVE)
    assert tiny.scalar("SELECT kind FROM decisions") == "approve_plan"
    with pytest.raises(FrozenPlanError):
        write_plan(tiny, "production_plan", "2026-03", rows, actor=PLANNER)
    with pytest.raises(FrozenPlanError):
        approve_plan(tiny, "2026-03", EXECUTIVE)


def test_failed_write_leaves_no_partial_rows(tiny):
    before = table_counts(tiny)
    with pytest.raises(duckdb.Error), tiny.transaction() as cur:
        cur.execute("INSERT INTO regions VALUES ('W', 'west')")
        cur.execute("INSERT INTO regions VALUES ('N', 'duplicate key')")
    assert table_counts(tiny) == before


def test_cursor_per_thread_is_safe(tiny):
    from concurrent.futures import ThreadPoolExecutor

    def work(i: int) -> int:
        if i % 4 == 0:
            with tiny.transaction() as cur:
                cur.execute(
                    "INSERT INTO decisions (decision_id, kind, decided_by) VALUES (nextval('decision_seq'), 'x', ?)",
                    [str(i)],
                )
        return len(tiny.query("SELECT * FROM actuals_monthly"))

    with ThreadPoolExecutor(8) as pool:
        sizes = list(pool.map(work, range(64)))
    assert set(sizes) == {sizes[0]} and tiny.scalar("SELECT count(*) FROM decisions") == 16


def test_second_process_gets_a_plain_message_and_can_open_after_close(db_path):
    open_store(db_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(root=str(ROOT), path=db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match=rf"in use by process {holder.pid}"):
            open_store(db_path)
    finally:
        holder.communicate("\n", timeout=30)
    open_store(db_path).close()  # released after close


def test_cli_demo_creates_the_demo_company(db_path):
    done = subprocess.run(
        [sys.executable, "-m", "sop_core", "demo", "--db", db_path], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    with open_store(db_path) as store:
        assert store.scalar("SELECT count(*) FROM families") == 8


def test_migrate_is_idempotent(tiny):
    assert migrate(tiny) == schema.SCHEMA_VERSION
    assert tiny.scalar("SELECT count(*) FROM schema_version") == schema.SCHEMA_VERSION
