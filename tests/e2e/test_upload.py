"""A real-browser upload on the Data page: file chooser, report, preview, load, history, revert."""

from __future__ import annotations

from sop_core.months import add_months, current_month
from tests.support.browser import assert_no_exception, open_page, screenshot, wait_idle


def _good_file(tmp_path):
    month = add_months(current_month(), -1)
    path = tmp_path / "closed-month-sales.csv"
    path.write_text(
        f"date;sku;region;quantity;revenue\n{month:%Y-%m}-15;COM-101;Europe;123,5;51870\n"
        f"{month:%Y-%m}-20;COM-102;Europe;10;4200\n",
        encoding="utf-8",
    )
    return path


def _bad_file(tmp_path):
    path = tmp_path / "bad-sales.csv"
    path.write_text("date,sku,quantity\n01/02/2026,COM-101,5\n2026-01-10,NOPE-1,5\n", encoding="utf-8")
    return path


def _choose(page, path) -> None:
    """Pick ``path`` in the browser's file chooser (removing a file uploaded before)."""
    remove = page.locator("[data-testid='stFileChipDeleteBtn'] button")
    if remove.count():
        remove.first.click()
        page.wait_for_timeout(300)
        wait_idle(page)
    with page.expect_file_chooser() as chooser:
        page.locator("[data-testid='stFileUploaderDropzone'] button").first.click()
    chooser.value.set_files(str(path))
    page.wait_for_timeout(300)
    wait_idle(page)


def test_upload_through_the_file_chooser(app_url, page, tmp_path):
    open_page(page, f"{app_url}/data")
    page.get_by_text("What are you loading?").wait_for()
    assert_no_exception(page)

    _choose(page, _bad_file(tmp_path))
    page.get_by_text("nothing was written").first.wait_for(timeout=60_000)
    assert_no_exception(page)
    screenshot(page, "upload-rejected")

    # The decimal comma needs the German number format: choose it, then upload the good file.
    page.get_by_text("File format (only needed when the check asks for it)").click()
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Number format")
    option = page.locator("[role='option']").filter(has_text="1.234,5").first
    for _ in range(5):  # open the dropdown (a rerun may swallow the first click)
        box.locator("input").click()
        try:
            option.wait_for(timeout=3000)
            break
        except Exception:  # noqa: BLE001 - retried
            wait_idle(page)
    option.click()
    page.wait_for_timeout(300)
    wait_idle(page)
    _choose(page, _good_file(tmp_path))
    page.get_by_text("The file is valid").wait_for(timeout=60_000)
    page.get_by_text("Preview").first.wait_for()
    assert_no_exception(page)
    screenshot(page, "upload-preview")

    page.get_by_role("button", name="Load into the store").click()
    page.get_by_text("COMMITTED as upload").wait_for(timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)
    screenshot(page, "upload-committed")

    page.get_by_role("tab", name="History").click()
    page.get_by_text("Upload to revert").wait_for(timeout=30_000)
    chosen = page.locator("[data-testid='stSelectbox']").filter(has_text="Upload to revert")
    assert "closed-month-sales.csv" in chosen.locator("input").input_value()
    assert_no_exception(page)
    screenshot(page, "upload-history")

    # Revert (this also leaves the shared demo store as the other end-to-end tests expect it).
    page.get_by_text("Yes, restore what the store held before this upload").click()
    wait_idle(page)
    page.get_by_role("button", name="Revert").click()
    page.get_by_text("reverted:").first.wait_for(timeout=60_000)
    assert_no_exception(page)
