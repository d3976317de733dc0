"""The Demand planning page in headless Chromium: an override entered in the grid moves the consensus line, and
one entered over a range of months in the form below it replaces it and moves the next months too."""

from __future__ import annotations

import base64
import re

import numpy as np

from tests.support.browser import assert_no_exception, click_until, open_page, wait_idle, whole_page_screenshot
from tests.support.grid import CHART, enter_first_override, enter_name

MONTH = r"[A-Z][a-z]{2} \d{4}"  # the cycle month as the grid shows it (the e2e demo is built for today)
# The consensus trace's y as Plotly holds it in the div's ``data`` (a list, or a base64 typed array).
CONSENSUS_Y = "sel => document.querySelector(sel).data.find(t => t.name === 'Consensus').y"


def consensus(page) -> np.ndarray:
    y = page.evaluate(CONSENSUS_Y, CHART)
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).astype(float)
    return np.asarray(y, dtype=float)


def test_an_override_entered_in_the_grid_moves_the_consensus_line(app_url, page):
    open_page(page, app_url)  # the app's navigation is known after its first run
    open_page(page, f"{app_url}/demand_planning")
    page.get_by_role("heading", name="Demand planning", level=1).wait_for(timeout=60_000)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=60_000)
    assert_no_exception(page)
    before = consensus(page)
    assert len(before) == 18

    enter_name(page, "e2e planner")
    enter_first_override(
        page,
        "250",
        "Promo",  # layer Sales, the cycle month; the select filters to "Promotion"
        unsaved=re.compile(rf"1 unsaved change\(s\): Sales · {MONTH} — 1 without a reason"),
        reasoned=re.compile(rf"1 unsaved change\(s\): Sales · {MONTH}\. "),
    )
    page.get_by_role("button", name="Save overrides").click()
    page.get_by_text("Saved 1 override cell(s) as e2e planner").wait_for(timeout=60_000)
    wait_idle(page)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=60_000)

    after = consensus(page)
    assert np.isclose(after[0], before[0] + 250)  # the cycle month moved by the override
    assert np.allclose(after[1:], before[1:])
    assert_no_exception(page)

    # The range form: Sales +100 units over the first three months (the cycle month's +250 is replaced).
    page.get_by_text("Override a range of months").click()
    page.locator(".st-key-dp_range_to").wait_for(timeout=60_000)
    click_until(page, page.locator(".st-key-dp_range_to"), page.get_by_role("option"), timeout=10_000)
    page.get_by_role("option").nth(2).click()
    page.locator(".st-key-dp_range_value input").fill("100")
    click_until(page, page.locator(".st-key-dp_range_reason"), page.get_by_role("option"), timeout=10_000)
    page.get_by_role("option", name="Promotion").click()
    page.get_by_role("button", name="Save the range").click()
    page.get_by_text(re.compile(r"Saved the Sales override \+100 units .* \(3 cell\(s\) written\)")).wait_for(
        timeout=60_000
    )
    wait_idle(page)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=60_000)
    ranged = consensus(page)
    assert np.allclose(ranged[:3], before[:3] + 100) and np.allclose(ranged[3:], before[3:])
    assert_no_exception(page)
    whole_page_screenshot(page, "demand_planning", max_height=8000)
