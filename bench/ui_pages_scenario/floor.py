"""Benchmark reference (the floor): an empty Streamlit page with one slider."""

import streamlit as st

st.slider("Value", 0, 100, 50, key="floor_slider")
