"""The floor: an empty page whose button only reruns it."""

import streamlit as st

st.button("Rerun", key="rerun")
