"""Placeholder: this page is built by a later issue."""

import streamlit as st

st.title("Demand")
st.info("This page is coming in a later release.")
