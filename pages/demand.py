"""Demand review: actual vs plan of record, deviation, forecast accuracy, the horizon and regions; the
consensus against the statistical baseline and the last approved plan."""

import streamlit as st

from sop_core import review
from sop_core.charts.forecast import consensus_outlook_chart, outlook_gap_chart
from sop_core.charts.review import Heat, Line, error_panel, heatmaps, small_multiples
from sop_core.forecast.views import consensus_outlook, outlook_totals
from sop_ui import forecast as fui
from sop_ui.format import download_csv
from sop_ui.review import open_review

view = open_review(
    "Demand review",
    "Actual demand (shipments; orders for make-to-order) against the plan of record. Deviation = actual − plan.",
)
rv = view.review

st.subheader("Actual vs plan of record; the horizon beside the previous cycle's plan and last year")
st.plotly_chart(
    view.memo(
        "dm_picture",
        lambda: small_multiples(
            review.demand_picture(rv),
            [
                Line("last_year", "last_year", opacity=0.75),
                Line("previous_plan", "previous"),
                Line("plan", "plan"),
                Line("actual", "actual"),
            ],
            view.colors,
            band=("band_lo", "band_hi", "tolerance band"),
        ),
    ),
    key="dm_pva",
)
download_csv(
    view.memo("dm_picture_table", lambda: review.demand_picture(rv)),
    f"demand-{rv.cycle:%Y-%m}",
    key="dm_csv",
    label="Download demand vs plan (CSV)",
)

st.subheader("Deviation, by region and forecast accuracy")
st.caption(
    f"Deviation = (actual − plan) in % of plan per closed month, and cumulative (cum.) over the months shown; "
    f"by region over the last {review.ACCURACY_MONTHS} closed months. WMAPE by forecast lag over the last "
    f"{review.ACCURACY_HISTORY} months (lag k: the plan approved k months before the month); bias % = "
    f"Σ(actual − forecast) / Σ actual (positive: under-forecast) and tracking signal = RSFE / MAD at lag 1, "
    f"▲ beyond ±{review.TS_LIMIT:.0f} (a biased forecast)."
)
signal = review.lag_column(rv, "tracking_signal", "TS")
st.plotly_chart(
    view.memo(
        "dm_heat",
        lambda: heatmaps(
            [
                Heat(review.deviation_table(rv.sales, cumulative=True), "Deviation by month · cum."),
                Heat(review.region_table(rv), "By region"),
                error_panel(review.accuracy_table(rv), "WMAPE by lag"),
                Heat(review.lag_column(rv, "bias_pct", "bias"), "Bias"),
                Heat(
                    signal,
                    "Track. signal",
                    text_format="{:+.1f}",
                    zmin=-2 * review.TS_LIMIT,
                    zmax=2 * review.TS_LIMIT,
                    marks=signal.abs() > review.TS_LIMIT,
                ),
            ]
        ),
    ),
    key="dm_heat",
)
download_csv(
    review.accuracy_summary(rv, lag=1),
    f"forecast-accuracy-{rv.cycle:%Y-%m}",
    key="dm_acc_csv",
    label="Download forecast accuracy (CSV)",
)

st.subheader("Consensus against the statistical baseline and the last approved plan")
outlook = view.memo(
    "dm_outlook",
    lambda: consensus_outlook(
        view.store, rv.cycle, view.filters.families or None, view.filters.regions or None, rv.horizon
    ),
)
if outlook.empty:
    st.info(
        f"No statistical baseline is stored for cycle {rv.cycle:%B %Y}: run it on the Demand planning page to "
        "compare the consensus with it.",
        icon=":material/query_stats:",
    )
    st.page_link("pages/demand_planning.py", label="Go to Demand planning", icon=":material/query_stats:")
else:
    st.caption(
        f"Consensus = the statistical baseline + every function's overrides (Demand planning page). The bars: "
        f"how far the consensus moved from the baseline (the overrides' net change) and from the last approved "
        f"plan (approved before {rv.cycle:%B %Y}), over the {rv.horizon} months shown."
    )
    totals = view.memo("dm_outlook_totals", lambda: outlook_totals(outlook))
    st.plotly_chart(
        view.memo("dm_outlook_gaps", lambda: outlook_gap_chart(totals)),
        key="dm_outlook_gaps",
        config={"displayModeBar": False},
    )
    # The month-by-month panels are heavy to draw: on request only, so the page stays quick to open.
    if st.toggle("Month by month, per family", key="dm_outlook_months"):
        st.plotly_chart(
            view.memo("dm_consensus_chart", lambda: consensus_outlook_chart(outlook)),
            key="dm_consensus",
            config={"displayModeBar": False},
        )
    with st.expander("Totals by family"):
        st.dataframe(fui.outlook_table(outlook), hide_index=True, width="stretch", column_config=fui.outlook_columns())
        download_csv(
            outlook, f"consensus-{rv.cycle:%Y-%m}", key="dm_consensus_csv", label="Download consensus vs baseline (CSV)"
        )
