"""Shared by the end-to-end tests and the UI benchmarks: run the app, drive headless Chromium.

Not part of the app. Chromium is Debian's (``/usr/bin/chromium``, or
``$SOP_CHROMIUM``); Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CHROMIUM_MISSING = "Chromium not found (install Debian's chromium or set SOP_CHROMIUM)"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def chromium_path() -> str | None:
    """The Chromium executable to drive, or ``None`` when there is none."""
    for candidate in (os.environ.get("SOP_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(script: str | Path, env: dict[str, str] | None = None, timeout: float = 60) -> Iterator[str]:
    """Run ``streamlit run script`` headless on a free loopback port; yield its URL."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    log = open(os.devnull, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy in time")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the Streamlit script has finished running in ``page``."""
    page.wait_for_selector(IDLE, timeout=timeout)


def click_until(page, target, expected, tries: int = 3, timeout: float = 45_000) -> None:
    """Click ``target`` until ``expected`` (a locator) shows.

    On a busy machine a click that lands while a rerun redraws the page can be lost (an expander still
    opening, a widget drawn again): the click is repeated after the page is idle. Only for clicks that are
    safe to repeat (opening a list, an idempotent action). The last attempt's timeout is raised.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        wait_idle(page)
        target.click()
        try:
            expected.first.wait_for(timeout=timeout)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


# Records the time of the last DOM change, for "click to last change on screen".
OBSERVER_JS = """
() => {
  window.__lastChange = performance.now();
  if (window.__observer) window.__observer.disconnect();
  window.__observer = new MutationObserver(() => { window.__lastChange = performance.now(); });
  window.__observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}
"""


def time_interaction(page, action, quiet_ms: int = 600, timeout_s: float = 60) -> float:
    """Milliseconds from ``action()`` to the last DOM change after the rerun settles."""
    page.evaluate(OBSERVER_JS)
    start = page.evaluate("performance.now()")
    action()
    page.wait_for_timeout(50)
    wait_idle(page, timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        since = page.evaluate("performance.now() - window.__lastChange")
        if since >= quiet_ms:
            break
        page.wait_for_timeout(max(50, int(quiet_ms - since)))
    return float(page.evaluate("window.__lastChange")) - float(start)


ARTIFACTS = ROOT / "test-artifacts"


def open_page(page, url: str) -> None:
    """Navigate and wait for the script to finish."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    wait_idle(page)


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()


def screenshot(page, name: str) -> Path:
    """Write a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def whole_page_screenshot(page, name: str, max_height: int = 12000) -> Path:
    """Screenshot the whole app: Streamlit scrolls inside its main block, so grow the viewport to fit it first."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    size = page.viewport_size or {"width": 1600, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, max_height)})
    wait_idle(page)
    page.wait_for_timeout(800)  # let charts redraw at the new size
    path = screenshot(page, name)
    page.set_viewport_size(size)
    return path
