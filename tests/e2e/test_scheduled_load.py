"""Scheduled loads: ``python -m sop_core import`` while the app holds the store runs inside the app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from sop_core import open_store
from sop_core.importer import template_for
from sop_core.jobs import Spool, runner_pid
from tests.support.browser import ROOT, assert_no_exception, open_page, screenshot, streamlit_server, wait_idle
from tests.support.imports import CORPUS


def _cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=180,
    )


def test_an_import_while_the_app_runs(demo_db, browser, tmp_path):
    db = tmp_path / "sop.duckdb"
    shutil.copy(demo_db, db)  # the session's demo store stays as the other tests expect it
    with open_store(db) as store:
        good = tmp_path / "scheduled-sales.csv"
        good.write_text(template_for(store, "sales"), encoding="utf-8")
    with streamlit_server(ROOT / "app.py", env={"SOP_DB_PATH": str(db)}) as url:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        try:
            open_page(page, f"{url}/data")  # the app opens its store and starts its runner
            page.get_by_text("What are you loading?").wait_for()
            deadline = time.monotonic() + 30
            while runner_pid(Spool(db)) is None:
                assert time.monotonic() < deadline, "the app's runner never beat"
                time.sleep(0.2)

            ok = _cli("import", "sales", str(good), "--db", str(db), cwd=tmp_path)
            assert ok.returncode == 0, ok.stdout + ok.stderr
            assert "scheduled-sales.csv: COMMITTED as upload" in ok.stdout
            assert "preview (" in ok.stdout

            bad = _cli("import", "sales", str(CORPUS / "bad" / "ambiguous_date.csv"), "--db", str(db), cwd=tmp_path)
            assert bad.returncode == 1, bad.stdout + bad.stderr
            assert "REJECTED" in bad.stdout and "ambiguous date" in bad.stdout
            assert "rows read 1 = rows loaded 0 + rows rejected 1" in bad.stdout

            listed = _cli("uploads", "--db", str(db), cwd=tmp_path)
            assert listed.returncode == 0 and "scheduled-sales.csv" in listed.stdout

            # The app shows the new upload at its next rerun.
            open_page(page, f"{url}/data")
            page.get_by_role("tab", name="History").click()
            page.get_by_text("Upload to revert").wait_for(timeout=30_000)
            wait_idle(page)
            chosen = page.locator("[data-testid='stSelectbox']").filter(has_text="Upload to revert")
            assert "scheduled-sales.csv" in chosen.locator("input").input_value()
            assert_no_exception(page)
            screenshot(page, "scheduled-load-history")
        finally:
            context.close()
    left = sorted(p.name for p in Spool(db).folder.iterdir() if p.name != "heartbeat")
    assert left == [], left
