"""Placeholder: this page is built by a later issue."""

import streamlit as st

st.title("Family_sheet")
st.info("This page is coming in a later release.")
