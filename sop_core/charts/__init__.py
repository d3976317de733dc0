"""Pure Plotly chart builders: data in, ``go.Figure`` out (no streamlit, no store).

:mod:`.theme` holds the shared look (family colours, line styles for plan /
actual / budget, projector-sized fonts, transparent backgrounds for light and
dark themes); :mod:`.review` builds the review pages' figures.
"""

from .theme import family_colors

__all__ = ["family_colors"]
