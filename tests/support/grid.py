"""Editing the Demand planning page's override grid (a Glide data grid) in headless Chromium.

Shared by the end-to-end tests that enter an override: the grid draws on a canvas, so cells are reached
by clicking the first row and moving with the keyboard, and an edit is done when the note under the grid
says so (the rerun after the edit has finished).
"""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser import wait_idle

GRID = "[class*='st-key-dp_grid'] [data-testid='stDataFrameResizable']"  # the override editor
CHART = ".st-key-dp_chart .js-plotly-plot"  # the family chart above it
ROW, HEADER = 35, 35  # px: the grid's row and header heights
NOTE = "[data-testid='stCaptionContainer']"  # the "unsaved changes" note under the grid
CELL_EDITOR = "input.gdg-input, input[id^='react-select']"  # the grid's number/text and select editors
VALUE_COLUMN, REASON_COLUMN = 4, 5  # 0-based, counted from the first column (Layer)


def enter_name(page, name: str) -> None:
    """Fill the sidebar's "Your name" box (local mode: it signs the session's changes) and wait for the rerun
    it starts (started, then finished). By role: the label also names the box's help button."""
    page.locator("[data-testid='stSidebar']").get_by_role("textbox", name="Your name").fill(name)
    page.keyboard.press("Tab")
    page.wait_for_timeout(800)  # let the rerun start before waiting for it to end
    wait_idle(page)


def select_first_cell(page) -> None:
    """Click the grid's first row (layer Sales, the cycle month).

    The family chart above the grid is drawn first: drawn later, it would move the grid under the click.
    """
    page.wait_for_selector(f"{CHART} .main-svg", timeout=60_000)
    wait_idle(page)
    grid = page.locator(GRID)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 30, box["y"] + HEADER + ROW / 2)


def edit_cell(page, moves: int, text: str, done: str | re.Pattern[str], editor_timeout: float = 30_000) -> None:
    """Move ``moves`` cells right of the selection, type ``text`` into its editor, commit with Enter and wait
    until the note under the grid matches ``done``. Enter moves the selection down a row."""
    for _ in range(moves):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # open the cell's editor
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.matches({CELL_EDITOR!r})", timeout=editor_timeout
    )
    type_into_editor(page, text)
    page.keyboard.press("Enter")
    page.locator(NOTE, has_text=done).first.wait_for(timeout=30_000)
    wait_idle(page)


def type_into_editor(page, text: str, tries: int = 3) -> None:
    """Type ``text`` into the open cell editor and check that the editor holds exactly it.

    A rerun that redraws the grid while keys are typed can move the caret (CI once saw "250" land as "502"),
    so the editor's text is read back and, when it differs, selected and typed again.
    """
    for _ in range(tries):
        page.keyboard.type(text, delay=40)
        page.wait_for_timeout(200)
        held = page.evaluate("() => document.activeElement ? document.activeElement.value : null")
        if held == text:
            return
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
    raise AssertionError(f"the cell editor holds {held!r}, not {text!r}")


def enter_first_override(
    page, value: str, reason: str, *, unsaved: str | re.Pattern[str], reasoned: str | re.Pattern[str]
) -> None:
    """Type ``value`` into the first row's Value cell, then ``reason`` (the select filters on it) into its
    Reason cell; ``unsaved`` and ``reasoned`` are the notes expected after each edit."""
    for attempt in range(3):  # a late re-layout can move the grid under the click: select again
        select_first_cell(page)
        try:
            edit_cell(page, VALUE_COLUMN, value, unsaved, editor_timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
    page.keyboard.press("ArrowUp")  # back to the edited row; the selection stays in the Value column
    edit_cell(page, REASON_COLUMN - VALUE_COLUMN, reason, reasoned)
