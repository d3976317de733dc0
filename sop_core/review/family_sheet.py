"""The classic S&OP family sheet: rows of measures, one column per month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calc
from ..months import days_in_month
from .bundle import Review
from .projection import supply_projection


def family_sheet(review: Review, family: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The classic S&OP spreadsheet of one family: rows of measures, one column per month.

    Make-to-stock rows: sales forecast / actual / diff / cumulative diff,
    production plan / actual / diff / cumulative diff, inventory plan, inventory
    (actual count for closed months, projection for the horizon), backorders, days
    of supply and the target. Make-to-order: orders instead of sales, shipments
    instead of production, backlog instead of inventory, backlog cover in days. The
    stock row (``Inventory`` / ``Backlog``) is the month-end count for closed months
    and the projection from the last count for the horizon.
    ``diff = actual − plan``; the cumulative diff starts with the first month shown.
    Returns ``(table, flags)``: ``flags`` has the same shape and is True where a
    cell is out of tolerance (diff), out of the target range (days) or a backorder.
    """
    row = review.master.set_index("family").loc[family]
    mto = row["strategy"] == "mto"
    months = pd.to_datetime(pd.Series(review.months))
    labels = [m.strftime("%b %y") for m in months]
    names = ("Orders", "Shipments", "Backlog") if mto else ("Sales", "Production", "Inventory")
    table: dict[str, pd.Series] = {}
    flags: dict[str, pd.Series] = {}

    def block(name: str, pva: pd.DataFrame, plan_label: str) -> None:
        fam = pva[pva["family"] == family].set_index("month").reindex(months)
        dev = fam["actual"] - fam["plan"]
        out = fam["status"].isin(["above", "below"]).to_numpy()
        table[f"{name} {plan_label}"] = fam["plan"]
        table[f"{name} actual"] = fam["actual"]
        table[f"{name} diff"] = dev
        table[f"{name} cum diff"] = dev.cumsum().where(dev.notna())
        flags[f"{name} diff"] = pd.Series(out, index=months)
        flags[f"{name} cum diff"] = pd.Series(False, index=months)

    block(names[0], review.sales, "forecast")
    block(names[1], review.production, "plan")
    supply = supply_projection(review)
    fam_supply = supply[supply["family"] == family].set_index("month").reindex(months)
    stock_plan = review.stock[review.stock["family"] == family].set_index("month").reindex(months)["plan"]
    table[f"{names[2]} plan"] = stock_plan
    table[names[2]] = fam_supply["actual"].fillna(fam_supply["projected"])
    if not mto:
        table["Backorders"] = fam_supply["backorders"].where(fam_supply.index >= pd.Timestamp(review.cycle))
        flags["Backorders"] = fam_supply["backorders"] > 0
    cover = fam_supply["days_of_supply"]
    if cover.isna().any():  # closed months: cover of the counted stock against the plan of the following months
        sales_plan = table[f"{names[0]} forecast"].fillna(0).to_numpy(float)
        stock = table[names[2]].to_numpy(float)
        days = np.array([days_in_month(m.date()) for m in months], dtype=float)
        basis = table[f"{names[1]} plan"].fillna(0).to_numpy(float) if mto else sales_plan
        past = calc.days_of_supply(np.nan_to_num(stock, nan=np.nan), np.clip(basis, 0, None), days)
        cover = cover.fillna(pd.Series(past, index=months))
    label = "Backlog cover (days)" if mto else "Days of supply"
    table[label] = cover
    flags[label] = (cover < row["min_days_of_supply"]) | (cover > row["max_days_of_supply"])
    table["Target days (min)"] = pd.Series(float(row["min_days_of_supply"]), index=months)
    table["Target days (max)"] = pd.Series(float(row["max_days_of_supply"]), index=months)
    sheet = pd.DataFrame(table).T.astype(float)
    sheet.columns = labels
    flag_frame = pd.DataFrame({k: flags.get(k, pd.Series(False, index=months)) for k in table}).T.fillna(False)
    flag_frame = flag_frame.astype(bool)
    flag_frame.columns = labels
    return sheet, flag_frame
