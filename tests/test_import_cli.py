"""``python -m sop_core import``: exit codes, the report, a held database, and a kill mid-commit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, cast

from sop_core import open_store
from sop_core.importer.commit import PAUSE_ENV, PAUSE_MARKER_ENV
from tests.support.imports import CORPUS, dump
from tests.support.stores import ROOT, build_tiny

GOOD = CORPUS / "good" / "comma_lf.csv"
BAD = CORPUS / "bad" / "ambiguous_date.csv"


def _tiny_file(path: str) -> dict[str, str]:
    with open_store(path) as store:
        build_tiny(store)
        return dump(store)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sop_core", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_cli_success_dry_run_and_rejection(db_path):
    before = _tiny_file(db_path)
    dry = _cli("import", "sales", str(GOOD), "--db", db_path, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "VALID (dry run)" in dry.stdout
    bad = _cli("import", "sales", str(BAD), "--db", db_path)
    assert bad.returncode == 1
    assert "ambiguous date" in bad.stdout and "rows read 1 = rows loaded 0 + rows rejected 1" in bad.stdout
    with open_store(db_path) as store:
        assert dump(store) == before
    ok = _cli("import", "sales", str(GOOD), "--db", db_path)
    assert ok.returncode == 0 and "COMMITTED as upload 1" in ok.stdout
    again = _cli("import", "sales", str(GOOD), "--db", db_path)
    assert again.returncode == 0 and "ALREADY LOADED" in again.stdout
    listed = _cli("uploads", "--db", db_path)
    assert "comma_lf.csv" in listed.stdout
    reverted = _cli("revert", "1", "--db", db_path)
    assert reverted.returncode == 0 and "reverted" in reverted.stdout


def test_cli_options_and_plan_cycle(db_path):
    _tiny_file(db_path)
    dmy = _cli(
        "import",
        "sales",
        str(CORPUS / "good" / "semicolon_de.csv"),
        "--db",
        db_path,
        "--locale",
        "de",
        "--delimiter",
        "semicolon",
    )
    assert dmy.returncode == 0, dmy.stdout
    frozen = _cli(
        "import",
        "demand_plan",
        str(CORPUS / "bad" / "plan_into_approved_cycle.csv"),
        "--db",
        db_path,
        "--cycle",
        "2026-01",
    )
    assert frozen.returncode == 1 and "approved and frozen" in frozen.stdout


def test_cli_says_which_process_holds_the_database(db_path):
    _tiny_file(db_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            db_path,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert cast(IO[str], holder.stdout).readline().strip() == "ready"
        result = _cli("import", "sales", str(GOOD), "--db", db_path, env={"SOP_WAIT": "0"})  # no retrying
        assert result.returncode == 2
        assert f"is in use by process {holder.pid}" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_kill_during_commit_leaves_the_store_as_before(db_path, tmp_path):
    before = _tiny_file(db_path)
    marker = tmp_path / "paused"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sop_core", "import", "sales", str(GOOD), "--db", db_path],
        cwd=ROOT,
        env={**os.environ, PAUSE_ENV: "60", PAUSE_MARKER_ENV: str(marker)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "the import ended before pausing inside its transaction"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with open_store(db_path) as store:
        assert dump(store) == before
    # And the same file then loads normally.
    ok = _cli("import", "sales", str(GOOD), "--db", db_path)
    assert ok.returncode == 0, ok.stdout
    assert Path(db_path).exists()
