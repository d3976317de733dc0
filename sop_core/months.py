"""Month arithmetic: a month is the ``datetime.date`` of its first day."""

from __future__ import annotations

import calendar
import datetime as dt
import os

import numpy as np
import pandas as pd


def month_start(value: dt.date | dt.datetime | str | pd.Timestamp) -> dt.date:
    """The first day of the month of ``value`` (a date, timestamp or ``YYYY-MM[-DD]`` text)."""
    ts = pd.Timestamp(value)
    return dt.date(ts.year, ts.month, 1)


def add_months(month: dt.date, n: int) -> dt.date:
    """``month`` shifted by ``n`` months (``n`` may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_range(start: dt.date, count: int) -> list[dt.date]:
    """``count`` consecutive months from ``start``."""
    return [add_months(start, i) for i in range(count)]


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from ``a`` to ``b`` (positive when ``b`` is later)."""
    return (b.year - a.year) * 12 + b.month - a.month


def days_in_month(month: dt.date) -> int:
    """Calendar days in ``month``."""
    return calendar.monthrange(month.year, month.month)[1]


def working_days(month: dt.date) -> int:
    """Monday-to-Friday days in ``month`` (the demo calendar; holidays are not modelled)."""
    return int(np.busday_count(month, add_months(month, 1)))


TODAY_ENV = "SOP_TODAY"


def business_today() -> dt.date:
    """The business date: ``$SOP_TODAY`` (``YYYY-MM-DD``) when set, else the system date.

    One clock for every "today" of the engine and the pages (due dates, overdue items, the demo's current
    cycle), so the company can be shown, and the tests run, as of any day.
    """
    text = os.environ.get(TODAY_ENV, "").strip()
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{TODAY_ENV} is a date YYYY-MM-DD, not {text!r}") from None


def current_month(day: dt.date | None = None) -> dt.date:
    """The month of ``day`` (default: :func:`business_today`)."""
    return month_start(day or business_today())


def month_column(values: pd.Series) -> pd.Series:
    """``values`` as ``datetime64`` months; returned as is when they already are (``pd.to_datetime``
    samples every value of a long column even then)."""
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)


def month_window(frame: pd.DataFrame, start: dt.date, end: dt.date, column: str = "month") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` month lies from ``start`` to ``end`` (both included)."""
    months = month_column(frame[column])
    return frame[(months >= pd.Timestamp(start)) & (months <= pd.Timestamp(end))].reset_index(drop=True)
