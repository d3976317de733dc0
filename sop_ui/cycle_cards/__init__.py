"""The Cycle page's cards, one module per card; the page (pages/cycle.py) composes them in order."""
