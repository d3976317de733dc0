"""Supply review: projected stock against the target band, production vs plan, capacity and the gap."""

import streamlit as st

from sop_core import review
from sop_core.charts.review import Heat, Line, capacity_panel, heatmaps, small_multiples
from sop_ui.format import download_csv
from sop_ui.review import open_review

view = open_review(
    "Supply review",
    "Projected inventory (backlog for make-to-order) against the target cover, production against plan, rough-cut "
    "capacity and the demand/supply gap of the plan under review.",
)
rv = view.review

st.subheader("Inventory (make-to-stock) and backlog (make-to-order) against the target band")
st.caption(
    "Counted stock for closed months, projection for the horizon. The band is the family's min–max days of "
    "cover at the following month's planned demand; backorders are shown as red bars below zero."
)
projection = view.memo("sp_projection", lambda: review.supply_projection(rv))
st.plotly_chart(
    view.memo(
        "sp_stock",
        lambda: small_multiples(
            projection,
            [Line("actual", "actual"), Line("projected", "projected")],
            view.colors,
            band=("band_lo", "band_hi", "target band"),
            bars=("backorders", "backorders"),
        ),
    ),
    key="sp_stock",
)
download_csv(
    projection, f"stock-projection-{rv.cycle:%Y-%m}", key="sp_stock_csv", label="Download the projection (CSV)"
)

st.subheader("Production, capacity and the demand/supply gap")
st.caption(
    "Production deviation = actual − plan of record, in % of plan. Utilisation = planned load hours / "
    "available hours (▲ above 100 %). Gap = planned supply − demand, in % of demand (red: supply short)."
)
st.plotly_chart(
    view.memo(
        "sp_heat",
        lambda: heatmaps(
            [
                Heat(review.deviation_table(rv.production), "Production vs plan of record"),
                capacity_panel(rv.capacity),
                Heat(review.gap_table(rv), "Demand/supply gap, % of demand"),
            ],
            stacked=True,
        ),
    ),
    key="sp_heat",
)
cols = st.columns(3)
with cols[0]:
    download_csv(rv.production, f"production-{rv.cycle:%Y-%m}", key="sp_prod_csv", label="Download production (CSV)")
with cols[1]:
    download_csv(rv.capacity, f"capacity-{rv.cycle:%Y-%m}", key="sp_cap_csv", label="Download capacity (CSV)")
with cols[2]:
    download_csv(rv.gap, f"demand-supply-gap-{rv.cycle:%Y-%m}", key="sp_gap_csv", label="Download the gap (CSV)")
