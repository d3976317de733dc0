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
# A number as a file may hold it: a sign, a decimal point or comma, an exponent.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object, keep_plain_numbers: bool = False) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula.

    Numbers are returned unchanged, and so is text that is exactly a negative
    number (``"-12.5"``): a spreadsheet reads it as that number, not a formula.
    With ``keep_plain_numbers`` any text that is a plain number is kept too (``"+5"``,
    ``"-3,5"``): the import report quotes cells as the file held them, and a
    spreadsheet reads such text as a number, never as a formula that does something.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES) or _NEGATIVE_NUMBER.fullmatch(value):
        return value
    if keep_plain_numbers and _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise(frame: pd.DataFrame, *, keep_plain_numbers: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a formula.

    Numeric columns are kept as numbers; in object columns only ``str`` values
    are changed, so a negative number stored as a number stays a number.
    ``keep_plain_numbers`` applies to the cells (see :func:`neutralise_cell`).
    """
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) if not isinstance(c, numbers.Number) else c for c in out.columns]
    for column in out.columns:
        series = out[column]
        if not (
            pd.api.types.is_numeric_dtype(series)
            or pd.api.types.is_datetime64_any_dtype(series)
            or pd.api.types.is_bool_dtype(series)
        ):
            out[column] = series.map(lambda v: neutralise_cell(v, keep_plain_numbers), na_action="ignore").astype(
                object
            )
    if not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.map(neutralise_cell)
    return out


def to_csv_bytes(frame: pd.DataFrame, index: bool = False) -> bytes:
    """UTF-8 (with BOM, for Excel) CSV of the neutralised ``frame``."""
    return neutralise(frame).to_csv(index=index).encode("utf-8-sig")
