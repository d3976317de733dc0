"""Reference app for bench/ui.py: an empty page (the floor) and two pages of 4 charts + a table."""

import streamlit as st

st.set_page_config(page_title="UI bench reference", layout="wide")
st.navigation(
    [
        st.Page("empty.py", title="Empty", default=True),
        st.Page("ref_a.py", title="Reference A"),
        st.Page("ref_b.py", title="Reference B"),
    ]
).run()
