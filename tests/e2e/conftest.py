"""End-to-end fixtures: the app under ``streamlit run`` on the demo company, and headless Chromium.

Without a browser the tests skip locally but fail under ``CI=true``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_MISSING, ROOT, chromium_path, streamlit_server


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(CHROMIUM_MISSING)
        pytest.skip(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("e2e") / "sop.duckdb")
    subprocess.run([sys.executable, "-m", "sop_core", "demo", "--db", path], cwd=ROOT, check=True)
    return path


@pytest.fixture(scope="session")
def app_url(demo_db: str) -> Iterator[str]:
    with streamlit_server(ROOT / "app.py", env={"SOP_DB_PATH": demo_db}) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
