"""Write the import test corpus (bad files and good files in every accepted dialect) and its manifest.

Run ``python tests/import_corpus/make_corpus.py`` after changing a case; the files
are committed so that the tests read exactly these bytes. The expectations hold
against the tiny store of tests/support/stores.py (families A, B; SKUs A1, A2 of A;
regions N, S; resource R; current cycle 2026-03, earlier cycles approved).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
GOOD = HERE / "good"

# name: (bytes, kind, options, expected reason substring, expected row or None)
bad: dict[str, tuple[bytes, str, dict, str, int | None]] = {}
# name: (bytes, kind, options, expected {family: {month: quantity}})
good: dict[str, tuple[bytes, str, dict, dict]] = {}

OK = "date,sku,region,quantity\n2026-02-10,A1,N,10\n"


def b(text: str) -> bytes:
    return text.encode("utf-8")


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# --- bad files: one per problem of the issue, and more --------------------------------------------
bad["empty.csv"] = (b"", "sales", {}, "the file is empty", None)
bad["whitespace_only.csv"] = (b"\n\n   \r\n", "sales", {}, "the file is empty", None)
bad["header_only.csv"] = (b("date,sku,region,quantity\n"), "sales", {}, "header but no data rows", None)
bad["pdf_renamed.csv"] = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "sales", {}, "not a CSV or Excel", None)
bad["binary.csv"] = (bytes(range(256)) * 4, "sales", {}, "binary data", None)
bad["legacy.xls"] = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "sales", {}, "old Excel .xls", None)
bad["corrupt.xlsx"] = (b"PK\x03\x04" + b"garbage" * 50, "sales", {}, "not a readable Excel", None)
bad["zip_not_xlsx.xlsx"] = (
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100,
    "sales",
    {},
    "not a readable Excel",
    None,
)
bad["bom_utf8_bad_byte.csv"] = (
    codecs.BOM_UTF8 + b"date,sku,region,quantity\n2026-02-10,A1,N,1\xff0\n",
    "sales",
    {},
    "byte 0xff is not valid UTF-8",
    2,
)
bad["utf16_bom_broken.csv"] = (
    codecs.BOM_UTF16_LE + "date,sku,region,quantity\n".encode("utf-16-le") + b"\x00\xd8",
    "sales",
    {},
    "not valid UTF-16 (it starts with a UTF-16 byte-order mark)",
    None,
)
bad["cp1252_without_choice.csv"] = (
    "date,sku,region,quantity,note\n2026-02-10,A1,N,10,Größe\n".encode("cp1252"),
    "sales",
    {},
    "not valid UTF-8",
    2,
)
bad["missing_column.csv"] = (b("date,sku,region\n2026-02-10,A1,N\n"), "sales", {}, "missing column 'quantity'", 1)
bad["missing_date_column.csv"] = (
    b("sku,region,quantity\nA1,N,10\n"),
    "sales",
    {},
    "missing column: one of 'date' or 'month'",
    1,
)
bad["missing_item_column.csv"] = (
    b("date,region,quantity\n2026-02-10,N,10\n"),
    "sales",
    {},
    "one of 'sku' or 'family'",
    1,
)
bad["duplicate_header.csv"] = (b("date,sku,quantity,qty\n2026-02-10,A1,10,10\n"), "sales", {}, "duplicate column", 1)
bad["duplicate_header_same_name.csv"] = (
    b("date,sku,Quantity,quantity\n2026-02-10,A1,10,10\n"),
    "sales",
    {},
    "duplicate column",
    1,
)
bad["blank_header_with_values.csv"] = (b("date,sku,,quantity\n2026-02-10,A1,oops,10\n"), "sales", {}, "blank header", 2)
bad["date_and_month.csv"] = (
    b("date,month,sku,quantity\n2026-02-10,2026-02,A1,10\n"),
    "sales",
    {},
    "both a date and a month",
    1,
)
bad["too_many_fields.csv"] = (
    b("date,sku,quantity\n2026-02-10,A1,10\n2026-02-11,A2,5,7\n"),
    "sales",
    {},
    "too many fields",
    3,
)
bad["too_few_fields.csv"] = (b("date,sku,quantity\n2026-02-10,A1\n2026-02-11,A2,5\n"), "sales", {}, "too few fields", 2)
bad["unterminated_quote.csv"] = (b('date,sku,quantity\n2026-02-10,"A1,10\n2026-02-11,A2,5\n'), "sales", {}, "quote", 2)
bad["footer_total.csv"] = (
    b("date,sku,quantity\n2026-02-10,A1,10\n2026-02-11,A2,5\nTotal,,15\n"),
    "sales",
    {},
    "total/footer row",
    4,
)
bad["footer_grand_total.csv"] = (
    b("sku,month,quantity\nA1,2026-02,10\nGrand total,,10\n"),
    "sales",
    {},
    "total/footer row",
    3,
)
bad["non_numeric.csv"] = (b("date,sku,quantity\n2026-02-10,A1,ten\n"), "sales", {}, "not a number", 2)
bad["currency_sign.csv"] = (b("date,sku,quantity,revenue\n2026-02-10,A1,10,€100\n"), "sales", {}, "not a number", 2)
bad["infinite.csv"] = (b("date,sku,quantity\n2026-02-10,A1,inf\n"), "sales", {}, "not a number", 2)
bad["negative_production.csv"] = (
    b("month,family,quantity\n2026-02,A,-5\n"),
    "production",
    {},
    "negative value not allowed",
    2,
)
bad["negative_inventory.csv"] = (
    b("date,sku,on_hand\n2026-02-28,A1,-1\n"),
    "inventory",
    {},
    "negative value not allowed",
    2,
)
bad["decimal_comma_without_locale.csv"] = (
    b("date;sku;quantity\n2026-02-10;A1;12,5\n"),
    "sales",
    {},
    "decimal comma or thousands separator",
    2,
)
bad["thousands_without_locale.csv"] = (
    b('date,sku,quantity\n2026-02-10,A1,"1,234"\n'),
    "sales",
    {},
    "choose the number format",
    2,
)
bad["wrong_locale.csv"] = (
    b("date;sku;quantity\n2026-02-10;A1;12.5.5\n"),
    "sales",
    {"locale": "de"},
    "not a number in the chosen number format",
    2,
)
bad["ambiguous_date.csv"] = (b("date,sku,quantity\n01/02/2026,A1,10\n"), "sales", {}, "ambiguous date", 2)
bad["day_first_unchosen.csv"] = (b("date,sku,quantity\n25/02/2026,A1,10\n"), "sales", {}, "ambiguous date", 2)
bad["impossible_date.csv"] = (b("date,sku,quantity\n2026-02-30,A1,10\n"), "sales", {}, "impossible date", 2)
bad["impossible_month.csv"] = (b("month,sku,quantity\n2026-13,A1,10\n"), "sales", {}, "impossible date", 2)
bad["impossible_dmy.csv"] = (
    b("date,sku,quantity\n31/02/2026,A1,10\n"),
    "sales",
    {"date_format": "DMY"},
    "impossible date",
    2,
)
bad["not_a_date.csv"] = (b("date,sku,quantity\nyesterday,A1,10\n"), "sales", {}, "not a date", 2)
bad["implausible_year.csv"] = (b("date,sku,quantity\n0026-02-10,A1,10\n"), "sales", {}, "implausible year", 2)
bad["future_month.csv"] = (
    b("date,sku,quantity\n2026-02-10,A1,10\n2026-05-03,A1,10\n"),
    "sales",
    {},
    "after the current cycle 2026-03",
    3,
)
bad["unknown_sku.csv"] = (b("date,sku,quantity\n2026-02-10,A1,10\n2026-02-10,ZZ-9,10\n"), "sales", {}, "unknown SKU", 3)
bad["unknown_family.csv"] = (b("month,family,quantity\n2026-02,Nope,10\n"), "production", {}, "unknown family", 2)
bad["unknown_region.csv"] = (b("date,sku,region,quantity\n2026-02-10,A1,Mars,10\n"), "sales", {}, "unknown region", 2)
bad["duplicate_keys.csv"] = (
    b("date,sku,region,quantity\n2026-02-10,A1,N,10\n2026-02-10,A1,N,3\n"),
    "sales",
    {},
    "duplicate key: same as row 2",
    3,
)
bad["duplicate_month_rows.csv"] = (
    b("month,family,quantity\n2026-02,A,10\n2026-02,A,3\n"),
    "production",
    {},
    "duplicate key",
    3,
)
bad["missing_value.csv"] = (b("date,sku,quantity\n2026-02-10,A1,\n"), "sales", {}, "missing value", 2)
bad["missing_sku_and_family.csv"] = (
    b("date,sku,family,quantity\n2026-02-10,,,10\n"),
    "sales",
    {},
    "give a sku or a family",
    2,
)
bad["family_sku_mismatch.csv"] = (
    b("date,sku,family,quantity\n2026-02-10,A1,B,10\n"),
    "sales",
    {},
    "does not match the product master",
    2,
)
bad["mixed_levels.csv"] = (
    b("date,sku,family,quantity\n2026-02-10,A1,,10\n2026-02-11,,A,5\n"),
    "sales",
    {},
    "counted twice",
    3,
)
bad["comma_in_unquoted_number.csv"] = (b("date,sku,quantity\n2026-02-10,A1,1,234\n"), "sales", {}, "too many fields", 2)
bad["semicolon_file_as_comma.csv"] = (
    b("date;sku;quantity\n2026-02-10;A1;5\n"),
    "sales",
    {"delimiter": ","},
    "missing column",
    1,
)
bad["over_size_limit.csv"] = (b(OK * 50), "sales", {"max_bytes": 1000}, "over the", None)
bad["wrong_kind.csv"] = (b("date,sku,on_hand\n2026-02-28,A1,5\n"), "sales", {}, "missing column 'quantity'", 1)
bad["bad_values.xlsx"] = (
    xlsx([["date", "sku", "quantity"], [dt.date(2026, 2, 10), "A1", "lots"]]),
    "sales",
    {},
    "not a number",
    2,
)
bad["header_only.xlsx"] = (xlsx([["date", "sku", "quantity"]]), "sales", {}, "header but no data rows", None)
bad["extra_cells.xlsx"] = (
    xlsx([["date", "sku", "quantity"], [dt.date(2026, 2, 10), "A1", 5, None, "x"]]),
    "sales",
    {},
    "too many fields",
    2,
)
bad["families_bad_strategy.csv"] = (
    b(
        "family,strategy,unit,price,unit_cost,min_days_of_supply,max_days_of_supply,"
        "tolerance_pct\nC,build,units,1,1,10,20,5\n"
    ),
    "families",
    {},
    "strategy must be mts",
    2,
)
bad["families_max_below_min.csv"] = (
    b("family,strategy,price,unit_cost,min_days_of_supply,max_days_of_supply,tolerance_pct\nC,mts,1,1,30,20,5\n"),
    "families",
    {},
    "below min",
    2,
)
bad["families_formula_name.csv"] = (
    b(
        "family,strategy,price,unit_cost,min_days_of_supply,max_days_of_supply,"
        'tolerance_pct\n"=HYPERLINK(""x"")",mts,1,1,10,20,5\n'
    ),
    "families",
    {},
    "may not start with =",
    2,
)
bad["products_unknown_family.csv"] = (b("sku,family,description\nC1,Nope,x\n"), "products", {}, "unknown family", 2)
bad["products_duplicate_sku.csv"] = (b("sku,family\nC1,A\nC1,B\n"), "products", {}, "duplicate key", 3)
bad["capacity_unknown_resource.csv"] = (
    b("resource,month,available_hours\nQ,2026-03,10\n"),
    "capacity",
    {},
    "unknown resource",
    2,
)
bad["calendar_too_many_days.csv"] = (b("month,working_days\n2026-03,40\n"), "calendar", {}, "between 0 and 31", 2)
bad["plan_into_approved_cycle.csv"] = (
    b("family,region,month,quantity\nA,N,2026-02,10\n"),
    "demand_plan",
    {"cycle": "2026-01"},
    "approved and frozen",
    None,
)
bad["plan_outside_horizon.csv"] = (
    b("family,month,quantity\nA,2028-01,10\nA,2026-01,5\n"),
    "production_plan",
    {"cycle": "2026-03"},
    "outside the horizon",
    2,
)
bad["budget_missing_revenue.csv"] = (
    b("family,month,volume\nA,2026-04,10\n"),
    "budget",
    {"cycle": "2026-03"},
    "missing column 'revenue'",
    1,
)

# --- good files: the same sales rows in every accepted dialect ----------------------------------------
# A1/N: 10.5, A2/S: 1234.5 in 2026-02 → family A, February: 1245 (the tiny store's Feb rows are replaced).
EXPECT = {"A": {"2026-02": 1245.0}}
ROWS = [("2026-02-10", "A1", "N", "10.5"), ("2026-02-11", "A2", "S", "1234.5")]


def csv_text(
    delim: str = ",", nl: str = "\n", fmt=lambda v: v, date=lambda d: d, header: str = "date{d}sku{d}region{d}quantity"
) -> str:
    lines = [header.format(d=delim)] + [delim.join([date(r[0]), r[1], r[2], fmt(r[3])]) for r in ROWS]
    return nl.join(lines) + nl


good["comma_lf.csv"] = (b(csv_text()), "sales", {}, EXPECT)
good["bom_crlf.csv"] = (codecs.BOM_UTF8 + b(csv_text(nl="\r\n")), "sales", {}, EXPECT)
good["cr_only.csv"] = (b(csv_text(nl="\r")), "sales", {}, EXPECT)
# Files pasted together from several exports: CRLF, LF and CR line endings in one file.
_head, _first, _second = csv_text().rstrip("\n").split("\n")
good["mixed_line_endings.csv"] = (b(f"{_head}\r\n{_first}\n{_second}\r"), "sales", {}, EXPECT)
good["no_final_newline.csv"] = (b(csv_text().rstrip("\n")), "sales", {}, EXPECT)
good["semicolon_de.csv"] = (
    b(csv_text(";", fmt=lambda v: v.replace("1234.5", "1.234,5").replace(".", ",", 1) if v == "10.5" else "1.234,5")),
    "sales",
    {"locale": "de"},
    EXPECT,
)
good["tab.tsv"] = (b(csv_text("\t")), "sales", {}, EXPECT)
good["pipe.csv"] = (b(csv_text("|")), "sales", {}, EXPECT)
good["sep_line.csv"] = (b("sep=;\n" + csv_text(";")), "sales", {}, EXPECT)
good["en_thousands.csv"] = (
    b(csv_text(fmt=lambda v: '"1,234.5"' if v == "1234.5" else v)),
    "sales",
    {"locale": "en"},
    EXPECT,
)
good["fr_spaces.csv"] = (
    b(csv_text(";", fmt=lambda v: v.replace("1234.5", "1\u00a0234,5").replace("10.5", "10,5"))),
    "sales",
    {"locale": "fr"},
    EXPECT,
)
good["cp1252_chosen.csv"] = (
    csv_text(header="date{d}sku{d}region{d}quantity{d}Bemerkung")
    .replace("\n2026-02-10,A1,N,10.5", "\n2026-02-10,A1,N,10.5,Größe")
    .replace("1234.5\n", "1234.5,€\n")
    .replace("quantity,Bemerkung", "quantity,Bemerkung")
    .encode("cp1252"),
    "sales",
    {"encoding": "cp1252"},
    EXPECT,
)
good["latin1_chosen.csv"] = (
    "Date,SKU,Region,Quantity,Notiz\n2026-02-10,A1,N,10.5,Müller\n2026-02-11,A2,S,1234.5,ß\n".encode("latin-1"),
    "sales",
    {"encoding": "latin-1"},
    EXPECT,
)
good["utf16_bom_tab.txt"] = (csv_text("\t", nl="\r\n").encode("utf-16"), "sales", {}, EXPECT)
good["quoted_fields.csv"] = (
    b(
        '"date","sku","region","quantity","note"\n'
        '"2026-02-10","A1","N","10.5","comma, inside"\n'
        '"2026-02-11","A2","S","1234.5","a ""quoted"" word\nand a line break"\n'
    ),
    "sales",
    {},
    EXPECT,
)
good["dmy_chosen.csv"] = (
    b(csv_text(date=lambda d: f"{d[8:]}/{d[5:7]}/{d[:4]}")),
    "sales",
    {"date_format": "DMY"},
    EXPECT,
)
good["mdy_chosen.csv"] = (
    b(csv_text(date=lambda d: f"{d[5:7]}/{d[8:]}/{d[:4]}")),
    "sales",
    {"date_format": "MDY"},
    EXPECT,
)
good["blank_lines.csv"] = (
    b("\n" + csv_text().replace("\n2026-02-11", "\n\n,,,\n2026-02-11") + "\n\n"),
    "sales",
    {},
    EXPECT,
)
good["aliases_and_case.csv"] = (
    b(" Posting Date ;Item Code;MARKET;Qty;Net Sales\n2026-02-10;A1;N;10.5;100\n2026-02-11;A2;S;1234.5;200\n"),
    "sales",
    {},
    EXPECT,
)
good["title_lines.csv"] = (b("Sales report October 2026\nExported by ERP;;\n\n" + csv_text(";")), "sales", {}, EXPECT)
good["month_column.csv"] = (
    b("month,sku,region,quantity\n2026-02,A1,N,10.5\n2026-02,A2,S,1234.5\n"),
    "sales",
    {},
    EXPECT,
)
good["weekly_rows.csv"] = (
    b(
        "week_start,sku,region,quantity\n2026-02-02,A1,N,5\n2026-02-09,A1,N,5.5\n"
        "2026-02-16,A2,S,1000\n2026-02-23,A2,S,234.5\n"
    ),
    "sales",
    {},
    EXPECT,
)
good["duplicates_summed.csv"] = (
    b("date,sku,region,quantity\n2026-02-10,A1,N,10\n2026-02-10,A1,N,0.5\n2026-02-11,A2,S,1234.5\n"),
    "sales",
    {"sum_duplicates": True},
    EXPECT,
)
good["typed.xlsx"] = (
    xlsx(
        [
            ["Date", "SKU", "Region", "Quantity"],
            [dt.datetime(2026, 2, 10), "A1", "N", 10.5],
            [dt.date(2026, 2, 11), "A2", "S", 1234.5],
        ]
    ),
    "sales",
    {},
    EXPECT,
)
good["text_cells.xlsx"] = (
    xlsx(
        [
            [None],
            ["date", "sku", "region", "quantity"],
            ["2026-02-10", "A1", "N", "10.5"],
            [None, None, None, None],
            ["2026-02-11", "A2", "S", "1234.5"],
        ]
    ),
    "sales",
    {},
    EXPECT,
)
good["title_rows.xlsx"] = (
    xlsx(
        [
            ["Sales report"],
            [],
            ["Date", "SKU", "Region", "Quantity"],
            [dt.date(2026, 2, 10), "A1", "N", 10.5],
            [dt.date(2026, 2, 11), "A2", "S", 1234.5],
        ]
    ),
    "sales",
    {},
    EXPECT,
)
good["xlsx_de_locale.xlsx"] = (
    xlsx([["date", "sku", "region", "quantity"], ["2026-02-10", "A1", "N", "10,5"], ["2026-02-11", "A2", "S", 1234.5]]),
    "sales",
    {"locale": "de"},
    EXPECT,
)
# Month-end positions: the last date in the month is the value (not a sum).
good["inventory_daily.csv"] = (
    b("date,sku,on_hand\n2026-02-01,A1,99\n2026-02-28,A1,10.5\n2026-02-14,A2,7\n2026-02-27,A2,1234.5\n"),
    "inventory",
    {},
    EXPECT,
)
good["production_family.csv"] = (b("month,family,quantity\n2026-02,A,1245\n"), "production", {}, EXPECT)


def main() -> None:
    manifest: dict[str, dict] = {"bad": {}, "good": {}}
    for folder in (BAD, GOOD):
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    for name, (data, kind, options, reason, row) in bad.items():
        (BAD / name).write_bytes(data)
        manifest["bad"][name] = {"kind": kind, "options": options, "reason": reason, "row": row}
    for name, (data, kind, options, expect) in good.items():
        (GOOD / name).write_bytes(data)
        manifest["good"][name] = {"kind": kind, "options": options, "expect": expect}
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(bad)} bad files, {len(good)} good files")


if __name__ == "__main__":
    main()
