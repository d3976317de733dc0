"""The Demand planning page in headless Chromium: an override entered in the grid moves the consensus line."""

from __future__ import annotations

import base64

import numpy as np

from tests.support.browser import assert_no_exception, open_page, screenshot, wait_idle

CHART = ".st-key-dp_chart .js-plotly-plot"  # the family chart's Plotly div (st.plotly_chart, key dp_chart)
GRID = "[class*='st-key-dp_grid'] [data-testid='stDataFrameResizable']"  # the override editor
ROW, HEADER = 35, 35  # px: the grid's row and header heights
# The consensus trace's y as Plotly holds it in the div's ``data`` (a list, or a base64 typed array).
CONSENSUS_Y = "sel => document.querySelector(sel).data.find(t => t.name === 'Consensus').y"


def consensus(page) -> np.ndarray:
    y = page.evaluate(CONSENSUS_Y, CHART)
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).astype(float)
    return np.asarray(y, dtype=float)


NOTE = "[data-testid='stCaptionContainer']"  # the "unsaved changes" note under the grid
CELL_EDITOR = "input.gdg-input, input[id^='react-select']"  # the grid's number/text and select editors


def edit_cell(page, column: int, text: str, done: str) -> None:
    """Open the editor of ``column`` (0-based) in the grid's selected row, type ``text``, commit with Enter,
    and wait until the note under the grid reads ``done`` (the rerun after the edit has finished)."""
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # open the cell's editor
    page.wait_for_function(f"() => document.activeElement && document.activeElement.matches({CELL_EDITOR!r})",
                           timeout=30_000)
    page.keyboard.type(text, delay=40)
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")  # commit; the selection moves down a row
    page.locator(NOTE, has_text=done).wait_for(timeout=30_000)
    wait_idle(page)


def select_first_cell(page) -> None:
    grid = page.locator(GRID)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 30, box["y"] + HEADER + ROW / 2)


def test_an_override_entered_in_the_grid_moves_the_consensus_line(app_url, page):
    open_page(page, app_url)  # the app's navigation is known after its first run
    open_page(page, f"{app_url}/demand_planning")
    page.get_by_role("heading", name="Demand planning", level=1).wait_for(timeout=60_000)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=60_000)
    assert_no_exception(page)
    before = consensus(page)
    assert len(before) == 18

    page.get_by_label("Your name").fill("e2e planner")
    page.keyboard.press("Tab")
    wait_idle(page)
    select_first_cell(page)  # layer Sales, the cycle month
    edit_cell(page, 4, "250", "1 unsaved change(s): Sales · Nov 2026 — 1 without a reason")  # Value
    page.keyboard.press("ArrowUp")
    edit_cell(page, 1, "Promo", "1 unsaved change(s): Sales · Nov 2026. ")  # Reason: the select filters to "Promotion"
    page.get_by_role("button", name="Save overrides").click()
    page.get_by_text("Saved 1 override cell(s) as e2e planner").wait_for(timeout=60_000)
    wait_idle(page)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=60_000)

    after = consensus(page)
    assert np.isclose(after[0], before[0] + 250)  # the cycle month moved by the override
    assert np.allclose(after[1:], before[1:])
    assert_no_exception(page)
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1600, "height": min(int(height) + 40, 8000)})
    wait_idle(page)
    page.wait_for_timeout(800)
    screenshot(page, "demand_planning")
