"""What each upload kind looks like: its columns, accepted header aliases, key and target table.

Header names are matched after :func:`normalise_header` (case, spaces, hyphens
and dots ignored). Every kind has a template with one example row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..conventions import DEFAULT_WARNING_UTILISATION

ColumnType = Literal["text", "number", "int", "date", "strategy"]
Group = Literal["actuals", "master", "plan"]


@dataclass(frozen=True)
class Column:
    """One column of an upload kind."""

    name: str
    type: ColumnType
    required: bool = True
    aliases: tuple[str, ...] = ()
    negative_ok: bool = False
    ref: str | None = None  # master table the value must exist in: products|families|regions|resources
    default: str | None = None  # value used when the column is absent or the cell blank
    target: str | None = None  # column name in the target table (default: name)


@dataclass(frozen=True)
class Kind:
    """An upload kind: where its rows go and how they are checked."""

    name: str
    group: Group
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # key columns in the target table (beyond kind / cycle)
    values: tuple[str, ...]  # value columns in the target table
    example: dict[str, str]
    one_of: tuple[tuple[str, ...], ...] = ()  # groups of which exactly one column must be present
    position: bool = False  # month-end positions: the last date in the month wins (not summed)
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


DATE_ALIASES = (
    "day",
    "posting_date",
    "ship_date",
    "shipment_date",
    "order_date",
    "doc_date",
    "document_date",
    "week",
    "week_start",
    "week_ending",
    "datum",
)
MONTH_ALIASES = ("period", "year_month", "yearmonth", "month_start", "fiscal_month", "monat")
SKU_ALIASES = (
    "item",
    "item_code",
    "item_no",
    "item_number",
    "product",
    "product_code",
    "product_id",
    "material",
    "material_number",
    "article",
    "part",
    "part_number",
    "sku_code",
)
FAMILY_ALIASES = ("product_family", "family_name", "product_group", "group")
REGION_ALIASES = ("market", "area", "sales_region", "territory", "region_name")
REVENUE_ALIASES = ("sales_value", "net_sales", "amount", "value", "revenue_eur", "turnover", "sales_amount")


def _date_cols() -> tuple[Column, Column]:
    return (
        Column("date", "date", required=False, aliases=DATE_ALIASES),
        Column("month", "date", required=False, aliases=MONTH_ALIASES),
    )


def _item_cols() -> tuple[Column, Column]:
    return (
        Column("sku", "text", required=False, aliases=SKU_ALIASES, ref="products"),
        Column("family", "text", required=False, aliases=FAMILY_ALIASES, ref="families"),
    )


def _actuals(
    name: str,
    value: str,
    value_aliases: tuple[str, ...],
    *,
    region: bool,
    revenue: bool,
    position: bool,
    negative_ok: bool,
    description: str,
) -> Kind:
    cols: list[Column] = [*_date_cols(), *_item_cols()]
    if region:
        cols.append(Column("region", "text", required=False, aliases=REGION_ALIASES, ref="regions", default=""))
    cols.append(Column(value, "number", aliases=value_aliases, negative_ok=negative_ok, target="quantity"))
    if revenue:
        cols.append(Column("revenue", "number", required=False, aliases=REVENUE_ALIASES, negative_ok=True))
    example = {"date": "2026-01-31", "sku": "COM-101", value: "120"}
    if region:
        example["region"] = "Europe"
    if revenue:
        example["revenue"] = "50400.00"
    return Kind(
        name,
        "actuals",
        "actuals",
        tuple(cols),
        ("month", "sku", "family", "region"),
        ("quantity", "revenue"),
        example,
        one_of=(("date", "month"), ("sku", "family")),
        position=position,
        description=description,
    )


QTY = ("qty", "units", "volume", "quantity_units")
KINDS: dict[str, Kind] = {
    "sales": _actuals(
        "sales",
        "quantity",
        (*QTY, "shipped", "shipped_qty", "shipments", "quantity_shipped", "sales_qty", "sold"),
        region=True,
        revenue=True,
        position=False,
        negative_ok=True,
        description="Shipments (sales) per day, week or month; negative rows (returns) allowed.",
    ),
    "orders": _actuals(
        "orders",
        "quantity",
        (*QTY, "ordered", "order_qty", "quantity_ordered", "orders"),
        region=True,
        revenue=True,
        position=False,
        negative_ok=False,
        description="Incoming customer orders per day, week or month.",
    ),
    "production": _actuals(
        "production",
        "quantity",
        (*QTY, "produced", "output", "production", "production_qty", "quantity_produced", "good_qty"),
        region=False,
        revenue=False,
        position=False,
        negative_ok=False,
        description="Units produced per day, week or month.",
    ),
    "inventory": _actuals(
        "inventory",
        "on_hand",
        ("onhand", "on_hand_qty", "stock", "inventory", "quantity", "qty", "closing_stock", "stock_qty"),
        region=False,
        revenue=False,
        position=True,
        negative_ok=False,
        description="On-hand inventory position; the last date in a month is its month-end value.",
    ),
    "backlog": _actuals(
        "backlog",
        "backlog",
        ("backlog_qty", "open_orders", "open_order_qty", "quantity", "qty"),
        region=False,
        revenue=False,
        position=True,
        negative_ok=False,
        description="Open order backlog position; the last date in a month is its month-end value.",
    ),
    # --- master data ---------------------------------------------------------------------
    "families": Kind(
        "families",
        "master",
        "families",
        (
            Column("family", "text", aliases=FAMILY_ALIASES),
            Column("strategy", "strategy", aliases=("mts_mto", "production_strategy", "make_to")),
            Column("unit", "text", required=False, aliases=("uom", "unit_of_measure"), default="units"),
            Column("price", "number", aliases=("unit_price", "selling_price", "list_price")),
            Column("unit_cost", "number", aliases=("cost", "standard_cost", "std_cost")),
            Column("min_days_of_supply", "number", aliases=("min_dos", "min_days", "min_cover_days")),
            Column("max_days_of_supply", "number", aliases=("max_dos", "max_days", "max_cover_days")),
            Column("tolerance_pct", "number", aliases=("tolerance", "tolerance_percent", "tol_pct")),
        ),
        ("family",),
        ("strategy", "unit", "price", "unit_cost", "min_days_of_supply", "max_days_of_supply", "tolerance_pct"),
        {
            "family": "Compact Pumps",
            "strategy": "mts",
            "unit": "units",
            "price": "420",
            "unit_cost": "250",
            "min_days_of_supply": "20",
            "max_days_of_supply": "40",
            "tolerance_pct": "5",
        },
        description="Product families (mts = make-to-stock, mto = make-to-order; tolerance in percent).",
    ),
    "products": Kind(
        "products",
        "master",
        "products",
        (
            Column("sku", "text", aliases=SKU_ALIASES),
            Column("family", "text", aliases=FAMILY_ALIASES, ref="families"),
            Column(
                "description",
                "text",
                required=False,
                aliases=("name", "product_name", "item_description", "desc"),
                default="",
            ),
        ),
        ("sku",),
        ("family", "description"),
        {"sku": "COM-199", "family": "Compact Pumps", "description": "Compact pump 199"},
        description="SKUs and the family each one rolls up to.",
    ),
    "regions": Kind(
        "regions",
        "master",
        "regions",
        (
            Column("region", "text", aliases=REGION_ALIASES),
            Column("description", "text", required=False, aliases=("name", "desc"), default=""),
        ),
        ("region",),
        ("description",),
        {"region": "Europe", "description": "EMEA"},
        description="Sales regions.",
    ),
    "resources": Kind(
        "resources",
        "master",
        "resources",
        (
            Column("resource", "text", aliases=("work_centre", "work_center", "workcenter", "line", "resource_name")),
            Column("description", "text", required=False, aliases=("name", "desc"), default=""),
            Column(
                "warning_utilisation",
                "number",
                required=False,
                aliases=("warning_utilization", "warning_threshold", "warning"),
                default=str(DEFAULT_WARNING_UTILISATION),
            ),
        ),
        ("resource",),
        ("description", "warning_utilisation"),
        {
            "resource": "Assembly",
            "description": "Final assembly lines",
            "warning_utilisation": str(DEFAULT_WARNING_UTILISATION),
        },
        description="Key resources for rough-cut capacity planning; warning utilisation as a fraction (0.9 = 90 %).",
    ),
    "bill_of_resources": Kind(
        "bill_of_resources",
        "master",
        "bill_of_resources",
        (
            Column("family", "text", aliases=FAMILY_ALIASES, ref="families"),
            Column("resource", "text", aliases=("work_centre", "work_center", "workcenter", "line"), ref="resources"),
            Column("hours_per_unit", "number", aliases=("hours", "hours_unit", "std_hours", "load_per_unit")),
        ),
        ("family", "resource"),
        ("hours_per_unit",),
        {"family": "Compact Pumps", "resource": "Assembly", "hours_per_unit": "0.5"},
        description="Hours per unit of each family on each key resource.",
    ),
    "capacity": Kind(
        "capacity",
        "master",
        "capacity",
        (
            Column("resource", "text", aliases=("work_centre", "work_center", "workcenter", "line"), ref="resources"),
            *_date_cols(),
            Column("available_hours", "number", aliases=("hours", "capacity", "capacity_hours", "available")),
        ),
        ("resource", "month"),
        ("available_hours",),
        {"resource": "Assembly", "month": "2026-01", "available_hours": "3200"},
        one_of=(("date", "month"),),
        description="Available hours per resource and month (daily rows are summed).",
    ),
    "calendar": Kind(
        "calendar",
        "master",
        "calendar",
        (
            *_date_cols(),
            Column("working_days", "int", aliases=("days", "workdays", "work_days")),
        ),
        ("month",),
        ("working_days",),
        {"month": "2026-01", "working_days": "21"},
        one_of=(("date", "month"),),
        description="Working days per month.",
    ),
    # --- plans -----------------------------------------------------------------------------
    "demand_plan": Kind(
        "demand_plan",
        "plan",
        "demand_plan",
        (
            Column("family", "text", aliases=FAMILY_ALIASES, ref="families"),
            Column("region", "text", required=False, aliases=REGION_ALIASES, ref="regions", default=""),
            *_date_cols(),
            Column("quantity", "number", aliases=(*QTY, "forecast", "demand", "plan")),
        ),
        ("family", "region", "month"),
        ("quantity",),
        {"family": "Compact Pumps", "region": "Europe", "month": "2026-02", "quantity": "800"},
        one_of=(("date", "month"),),
        description="Demand plan per family, region and month of a draft cycle.",
    ),
    "production_plan": Kind(
        "production_plan",
        "plan",
        "production_plan",
        (
            Column("family", "text", aliases=FAMILY_ALIASES, ref="families"),
            *_date_cols(),
            Column("quantity", "number", aliases=(*QTY, "production", "plan")),
        ),
        ("family", "month"),
        ("quantity",),
        {"family": "Compact Pumps", "month": "2026-02", "quantity": "1900"},
        one_of=(("date", "month"),),
        description="Production plan per family and month of a draft cycle.",
    ),
    "inventory_plan": Kind(
        "inventory_plan",
        "plan",
        "inventory_plan",
        (
            Column("family", "text", aliases=FAMILY_ALIASES, ref="families"),
            *_date_cols(),
            Column("quantity", "number", aliases=(*QTY, "inventory", "backlog", "ending_inventory", "plan")),
        ),
        ("family", "month"),
        ("quantity",),
        {"family": "Compact Pumps", "month": "2026-02", "quantity": "1500"},
        one_of=(("date", "month"),),
        position=True,
        description="Planned ending inventory (backlog for make-to-order) per family and month.",
    ),
    "budget": Kind(
        "budget",
        "plan",
        "budget",
        (
            Column("family", "text", aliases=FAMILY_ALIASES, ref="families"),
            *_date_cols(),
            Column("volume", "number", aliases=(*QTY, "budget_volume")),
            Column("revenue", "number", aliases=REVENUE_ALIASES + ("budget_revenue",)),
        ),
        ("family", "month"),
        ("volume", "revenue"),
        {"family": "Compact Pumps", "month": "2026-02", "volume": "1850", "revenue": "777000"},
        one_of=(("date", "month"),),
        description="Business plan (budget) volume and revenue per family and month.",
    ),
}

ACTUAL_KINDS = tuple(k for k, v in KINDS.items() if v.group == "actuals")
MASTER_KINDS = tuple(k for k, v in KINDS.items() if v.group == "master")
PLAN_KINDS = tuple(k for k, v in KINDS.items() if v.group == "plan")
