"""Safe table export: neutralise spreadsheet formulas before writing CSV.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel and LibreOffice (CSV injection, OWASP).
Such text cells get a leading apostrophe; real numbers (including negative
ones, and text that is exactly a negative number) are left alone so that the
file still sorts and sums.
"""

from __future__ import annotations

import numbers
import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula.

    Numbers are returned unchanged, and so is text that is exactly a negative
    number (``"-12.5"``): a spreadsheet reads it as that number, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a formula.

    Numeric columns are kept as numbers; in object columns only ``str`` values
    are changed, so a negative number stored as a number stays a number.
    """
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) if not isinstance(c, numbers.Number) else c for c in out.columns]
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series)
                or pd.api.types.is_bool_dtype(series)):
            out[column] = series.map(neutralise_cell, na_action="ignore").astype(object)
    if not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.map(neutralise_cell)
    return out


def to_csv_bytes(frame: pd.DataFrame, index: bool = False) -> bytes:
    """UTF-8 (with BOM, for Excel) CSV of the neutralised ``frame``."""
    return neutralise(frame).to_csv(index=index).encode("utf-8-sig")
