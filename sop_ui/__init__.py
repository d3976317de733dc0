"""Streamlit glue shared by the pages: the cached store, filters and formatting."""
