"""Commit semantics of the importer: idempotency, replacement, revert, master data and plans."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sop_core import FrozenPlanError, StoreError, actuals
from sop_core.actuals import ActualKind
from sop_core.importer import ImportOptions, ImportReport, import_file, revert_upload, template_csv, upload_history
from sop_core.importer.kinds import KINDS
from sop_core.people import local_actor
from tests.support.imports import dump
from tests.support.people import EVERYONE

ANN, BOB = local_actor("ann"), local_actor("bob")  # local mode: the author is the name given
FEB = "date,sku,region,quantity,revenue\n2026-02-10,A1,N,10,100\n2026-02-11,A2,S,20,200\n"


def _upload_id(report: ImportReport) -> int:
    """The id of the upload a committed report wrote."""
    assert report.upload_id is not None, report.to_text()
    return report.upload_id


def _preview(report: ImportReport) -> pd.DataFrame:
    """The report's preview (a valid or committed report has one)."""
    assert report.preview is not None, report.to_text()
    return report.preview


def family_month(store, kind: ActualKind, family: str, month: str) -> float:
    frame = actuals(store, kind, [family])
    return float(frame.loc[frame["month"].astype(str).str[:7] == month, "quantity"].sum())


def test_dry_run_writes_nothing_and_previews(tiny):
    before = dump(tiny)
    report = import_file(tiny, "sales", FEB.encode(), "feb.csv", dry_run=True, actor=EVERYONE)
    assert report.status == "valid"
    assert dump(tiny) == before
    row = _preview(report).set_index("family").loc["A"]
    assert row["in_store"] == 132 and row["replaced"] == 132 and row["in_file"] == 30 and row["after_upload"] == 30
    assert report.months == ["2026-02"] and report.families == ["A"]


def test_same_file_twice_changes_nothing(tiny):
    first = import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=EVERYONE)
    assert first.status == "committed"
    after_first = dump(tiny)
    again = import_file(tiny, "sales", FEB.encode(), "feb-copy.csv", actor=EVERYONE)
    assert again.status == "already_loaded"
    assert "already loaded" in again.summary()
    assert dump(tiny) == after_first
    assert family_month(tiny, "sales", "A", "2026-02") == 30


def test_corrected_file_replaces_month_values_without_double_counting(tiny):
    import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=EVERYONE)
    corrected = FEB.replace(",10,100", ",15,150")
    report = import_file(tiny, "sales", corrected.encode(), "feb-v2.csv", actor=EVERYONE)
    assert report.status == "committed"
    assert family_month(tiny, "sales", "A", "2026-02") == 35
    assert family_month(tiny, "sales", "A", "2026-01") == 105  # other months untouched
    assert tiny.scalar("SELECT count(*) FROM actuals WHERE kind = 'sales' AND month = DATE '2026-02-01'") == 2


def test_family_level_upload_replaces_sku_rows_of_that_family(tiny):
    report = import_file(tiny, "sales", b"month,family,quantity\n2026-02,A,500\n", "fam.csv", actor=EVERYONE)
    assert report.status == "committed", report.to_text()
    assert family_month(tiny, "sales", "A", "2026-02") == 500
    back = import_file(tiny, "sales", b"month,sku,quantity\n2026-02,A1,40\n", "sku.csv", actor=EVERYONE)
    assert back.status == "committed"
    assert family_month(tiny, "sales", "A", "2026-02") == 40


def test_revert_restores_the_store(tiny):
    before = dump(tiny)
    report = import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=ANN)
    message = revert_upload(tiny, _upload_id(report), BOB)
    assert "reverted" in message
    after = dump(tiny)
    assert {t: v for t, v in after.items() if t not in ("uploads", "upload_replaced")} == {
        t: v for t, v in before.items() if t not in ("uploads", "upload_replaced")
    }
    history = upload_history(tiny)
    assert history.loc[0, "status"] == "reverted" and history.loc[0, "reverted_by"] == "bob"
    assert history.loc[0, "uploaded_by"] == "ann"
    with pytest.raises(StoreError, match="already reverted"):
        revert_upload(tiny, _upload_id(report), BOB)
    # After a revert, the same file loads again.
    assert import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=EVERYONE).status == "committed"


def test_revert_refused_when_a_later_upload_overwrote_it(tiny):
    first = import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=EVERYONE)
    second = import_file(tiny, "sales", FEB.replace(",10,100", ",11,110").encode(), "feb2.csv", actor=EVERYONE)
    with pytest.raises(StoreError, match="revert that upload first"):
        revert_upload(tiny, _upload_id(first), EVERYONE)
    revert_upload(tiny, _upload_id(second), EVERYONE)
    assert family_month(tiny, "sales", "A", "2026-02") == 30
    revert_upload(tiny, _upload_id(first), EVERYONE)
    assert family_month(tiny, "sales", "A", "2026-02") == 132


def test_reupload_after_overwrite_is_not_treated_as_loaded(tiny):
    import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=EVERYONE)
    import_file(tiny, "sales", FEB.replace(",10,100", ",11,110").encode(), "feb2.csv", actor=EVERYONE)
    again = import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=EVERYONE)
    assert again.status == "committed"
    assert family_month(tiny, "sales", "A", "2026-02") == 30


def test_inventory_takes_the_last_date_of_the_month(tiny):
    csv = b"date,sku,on_hand\n2026-03-01,A1,50\n2026-03-31,A1,8\n2026-03-15,A1,20\n"
    assert import_file(tiny, "inventory", csv, "inv.csv", actor=EVERYONE).status == "committed"
    assert family_month(tiny, "inventory", "A", "2026-03") == 8


def test_revenue_read_back(tiny):
    import_file(tiny, "sales", FEB.encode(), "feb.csv", actor=EVERYONE)
    frame = actuals(tiny, "sales", ["A"])
    assert float(frame.loc[frame["month"].astype(str).str[:7] == "2026-02", "revenue"].iloc[0]) == 300


# --- master data ------------------------------------------------------------------------------------
def test_families_upsert_and_revert(tiny):
    before = dump(tiny)
    csv = (
        b"family,strategy,unit,price,unit_cost,min_days_of_supply,max_days_of_supply,tolerance_pct\n"
        b"A,MTS,units,11,6,10,40,5\nC,Make-to-order,sets,5,3,1,2,0\n"
    )
    report = import_file(tiny, "families", csv, "fam.csv", actor=EVERYONE)
    assert report.status == "committed", report.to_text()
    fams = tiny.query("SELECT family, strategy, unit, price FROM families ORDER BY family")
    assert fams.values.tolist() == [
        ["A", "mts", "units", 11.0],
        ["B", "mto", "units", 100.0],
        ["C", "mto", "sets", 5.0],
    ]
    changes = dict(zip(_preview(report)["family"], _preview(report)["change"], strict=True))
    assert changes == {"A": "changed", "C": "new"}
    revert_upload(tiny, _upload_id(report), EVERYONE)
    after = dump(tiny)
    assert after["families"] == before["families"]


def test_products_then_sales_of_the_new_sku(tiny):
    assert import_file(tiny, "products", b"sku,family\nB7,B\n", "p.csv", actor=EVERYONE).status == "committed"
    assert (
        import_file(tiny, "sales", b"month,sku,quantity\n2026-02,B7,3\n", "s.csv", actor=EVERYONE).status == "committed"
    )
    assert family_month(tiny, "sales", "B", "2026-02") == 3


@pytest.mark.parametrize(
    "kind, csv, table, count",
    [
        ("regions", "region,description\nW,west\n", "regions", 3),
        ("resources", "resource,description,warning_utilisation\nQ,paint,0.85\n", "resources", 2),
        ("bill_of_resources", "family,resource,hours_per_unit\nA,R,0.75\n", "bill_of_resources", 2),
        ("capacity", "resource,date,available_hours\nR,2026-05-04,10\nR,2026-05-11,15\n", "capacity", 5),
        ("calendar", "month,working_days\n2026-05,20\n", "calendar", 1),
    ],
)
def test_other_master_kinds(tiny, kind, csv, table, count):
    report = import_file(tiny, kind, csv.encode(), f"{kind}.csv", actor=EVERYONE)
    assert report.status == "committed", report.to_text()
    assert tiny.scalar(f"SELECT count(*) FROM {table}") == count
    revert_upload(tiny, _upload_id(report), EVERYONE)


def test_capacity_days_are_summed_into_the_month(tiny):
    import_file(
        tiny, "capacity", b"resource,date,available_hours\nR,2026-05-04,10\nR,2026-05-11,15\n", "c.csv", actor=EVERYONE
    )
    assert tiny.scalar("SELECT available_hours FROM capacity WHERE month = DATE '2026-05-01'") == 25


# --- plans --------------------------------------------------------------------------------------------
def test_demand_plan_into_the_draft_cycle_and_revert(tiny):
    before = dump(tiny)
    csv = b"family,region,month,quantity\nA,N,2026-03,90\nA,N,2026-05,70\n"
    report = import_file(tiny, "demand_plan", csv, "dp.csv", ImportOptions(cycle="2026-03"), actor=EVERYONE)
    assert report.status == "committed", report.to_text()
    rows = tiny.query(
        "SELECT month, quantity FROM demand_plan WHERE cycle = DATE '2026-03-01' AND family = 'A' "
        "AND region = 'N' ORDER BY month"
    )
    assert rows["quantity"].tolist() == [90, 60, 70]
    revert_upload(tiny, _upload_id(report), EVERYONE)
    assert dump(tiny)["demand_plan"] == before["demand_plan"]


def test_plan_cycle_defaults_to_latest_draft(tiny):
    report = import_file(tiny, "production_plan", b"family,month,quantity\nB,2026-04,12\n", "pp.csv", actor=EVERYONE)
    assert report.status == "committed", report.to_text()
    assert (
        tiny.scalar(
            "SELECT quantity FROM production_plan WHERE cycle = DATE '2026-03-01' AND family = 'B' "
            "AND month = DATE '2026-04-01'"
        )
        == 12
    )


def test_budget_new_cycle_is_created_as_draft(tiny):
    report = import_file(
        tiny,
        "budget",
        b"family,month,volume,revenue\nA,2026-04,10,100\n",
        "b.csv",
        ImportOptions(cycle="2026-04"),
        actor=EVERYONE,
    )
    assert report.status == "committed", report.to_text()
    assert tiny.scalar("SELECT status FROM plan_versions WHERE cycle = DATE '2026-04-01'") == "draft"


def test_revert_of_a_plan_approved_since_is_refused(tiny):
    report = import_file(tiny, "production_plan", b"family,month,quantity\nB,2026-04,12\n", "pp.csv", actor=EVERYONE)
    tiny.query("UPDATE plan_versions SET status = 'approved' WHERE cycle = DATE '2026-03-01'")
    with pytest.raises(FrozenPlanError):
        revert_upload(tiny, _upload_id(report), EVERYONE)


# --- templates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_template_loads_into_the_demo_company(demo_store, kind):
    """The downloadable template of each kind is a valid file (dated in a month the check accepts)."""
    from sop_core.importer import actuals_cycle
    from sop_core.months import add_months

    cycle = actuals_cycle(demo_store)
    month = add_months(cycle, -1) if KINDS[kind].group == "actuals" else add_months(cycle, 1)
    text = template_csv(kind, month)
    assert len(pd.read_csv(io.StringIO(text), dtype=str)) == 1
    report = import_file(demo_store, kind, text.encode(), f"{kind}_template.csv", dry_run=True, actor=EVERYONE)
    assert report.status in ("valid", "already_loaded"), report.to_text()


def test_docs_list_every_kind_column_and_alias():
    from sop_core.importer.templates import kinds_markdown
    from tests.support.stores import ROOT

    assert kinds_markdown() in (ROOT / "docs" / "import.md").read_text(encoding="utf-8")


def test_unknown_values_are_listed_once_each(tiny):
    report = import_file(
        tiny,
        "sales",
        b"date,sku,quantity\n2026-02-10,Z1,1\n2026-02-11,Z1,1\n2026-02-11,Z2,1\n",
        "u.csv",
        actor=EVERYONE,
    )
    assert report.notes == ["unknown SKUs (3 row(s)): Z1, Z2"]
    assert "unknown SKUs (3 row(s)): Z1, Z2" in report.to_text()


def test_report_csv_neutralises_formulas(tiny):
    report = import_file(tiny, "sales", b"date,sku,quantity\n2026-02-10,=HYPERLINK(1),1\n", "f.csv", actor=EVERYONE)
    text = report.to_csv().decode("utf-8")
    assert "'=HYPERLINK(1)" in text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_rows_are_file_lines_despite_blank_lines_and_quoted_breaks(tiny, newline):
    lines = [
        "title: sales",
        "",
        "date,sku,quantity,note",
        "2026-02-10,A1,1,ok",
        "",
        '2026-02-11,A1,2,"two',
        'lines"',
        "2026-02-12,A1,x,bad number",
        "2026-02-13,A1,3,4,too many",
        "",
        "2026-02-14,A1,y,bad",
    ]
    report = import_file(tiny, "sales", newline.join(lines).encode(), "lines.csv", actor=EVERYONE)
    rows = {(p.row, p.reason.split(":")[0].split(" (")[0]) for p in report.problems}
    assert rows == {(8, "not a number"), (9, "too many fields"), (11, "not a number")}, report.to_text()
    assert report.rows_read == 5 and report.rows_rejected == 5


def test_excel_rows_are_sheet_rows(tiny):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Report"], [], ["date", "sku", "quantity"], ["2026-02-10", "A1", 1], [], ["2026-02-11", "A1", "z"]):
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    report = import_file(tiny, "sales", buf.getvalue(), "rows.xlsx", actor=EVERYONE)
    assert [(p.row, p.reason) for p in report.problems] == [(6, "not a number")]
    assert report.warnings and "skipped as a title" in report.warnings[0]


@pytest.mark.parametrize(
    "body",
    [
        "date,sku,region,quantity,revenue\n2026-02-10,A1,N,10,100\n2026-02-11,A2,S,-2.5,\n2026-01-31, A1 ,S,100.0,5\n",
        "date,sku,quantity\n2026-02-10,A1,inf\n2026-02-11,A2,-1\n2026-05-01,A2,3\n0026-01-01,A1,1\n",
        "date,sku,quantity\n2026-02-10,A1,\n,A2,1\n2026-02-10,A1,4\nTotal,,5\n",
    ],
)
def test_fast_and_text_paths_agree(tiny, body):
    """Clean numbers parse the same with the reader's typed fast path and the text path (forced by a locale)."""
    fast = import_file(tiny, "sales", body.encode(), "f.csv", dry_run=True, actor=EVERYONE)
    text = import_file(tiny, "sales", body.encode(), "f.csv", ImportOptions(locale="en"), dry_run=True, actor=EVERYONE)
    assert fast.status == text.status

    def problems(report):
        return [(p.row, p.column, p.value, p.reason[:12]) for p in report.problems]

    assert problems(fast) == problems(text)
    if fast.preview is not None:
        pd.testing.assert_frame_equal(fast.preview, text.preview)


def test_same_bytes_read_differently_are_not_already_loaded(tiny):
    body = b"date,sku,quantity\n01/02/2026,A1,5\n"
    first = import_file(tiny, "sales", body, "d.csv", ImportOptions(date_format="MDY"), actor=EVERYONE)
    assert first.status == "committed" and first.months == ["2026-01"]
    second = import_file(tiny, "sales", body, "d.csv", ImportOptions(date_format="DMY"), actor=EVERYONE)
    assert second.status == "committed" and second.months == ["2026-02"]
    again = import_file(tiny, "sales", body, "d.csv", ImportOptions(date_format="DMY"), actor=EVERYONE)
    assert again.status == "already_loaded"


def test_master_data_reupload_is_already_loaded(tiny):
    body = b"sku,family\nC1,A\n"
    assert import_file(tiny, "products", body, "p.csv", actor=EVERYONE).status == "committed"
    assert import_file(tiny, "products", body, "p.csv", actor=EVERYONE).status == "already_loaded"


def test_concurrent_uploads_never_leave_a_half_written_store(tiny):
    """Two sessions load overlapping files at once: each lands whole or fails cleanly; the rollup stays exact."""
    import threading

    from sop_core.actuals import refresh_rollup

    files = [FEB.replace(",10,100", f",{10 + i},100").encode() for i in range(4)]
    outcomes: list[str] = []

    def load(body: bytes) -> None:
        try:
            outcomes.append(import_file(tiny, "sales", body, "c.csv", actor=EVERYONE).status)
        except StoreError as exc:
            outcomes.append("conflict" if "same time" in str(exc) else repr(exc))

    threads = [threading.Thread(target=load, args=(b,)) for b in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(outcomes) <= {"committed", "conflict"} and "committed" in outcomes, outcomes
    committed = tiny.scalar("SELECT count(*) FROM uploads")
    assert committed == outcomes.count("committed")
    assert tiny.scalar("SELECT count(*) FROM actuals WHERE kind = 'sales' AND month = DATE '2026-02-01'") == 2
    rollup = tiny.query("SELECT * FROM actuals_monthly ORDER BY ALL")
    with tiny.transaction() as cur:
        refresh_rollup(cur)
    pd.testing.assert_frame_equal(rollup, tiny.query("SELECT * FROM actuals_monthly ORDER BY ALL"))


def test_safe_frame_escapes_formulas_but_not_plain_numbers():
    from functools import partial

    from sop_core.export import neutralise

    safe_frame = partial(neutralise, keep_plain_numbers=True)  # the report's and the Data page's neutraliser

    frame = pd.DataFrame({"value": ["=1+1", "-3", "+5", "@SUM(A1)", "-x", "A1"], "n": [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = safe_frame(frame)
    assert out["value"].tolist() == ["'=1+1", "-3", "+5", "'@SUM(A1)", "'-x", "A1"]
    assert out["n"].tolist() == [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_rounding_noise_of_a_parallel_sum_is_not_a_change():
    from sop_core.importer.pipeline import _changes_nothing

    totals = pd.DataFrame({"in_file": [1.2e8, 5.0], "replaced": [1.2e8 - 1e-8, 5.0]})
    totals["change"] = totals["in_file"] - totals["replaced"]
    assert _changes_nothing(totals)  # a million rows summed in another order: ~1e-8 apart
    totals.loc[0, "in_file"] += 0.01
    totals["change"] = totals["in_file"] - totals["replaced"]
    assert not _changes_nothing(totals)  # a real change, however small against the total
