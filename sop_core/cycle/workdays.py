"""The company's working-day calendar: Monday to Friday minus the ``holidays`` table.

Due dates of cycle steps are counted in working days on this day-level calendar. The monthly
``calendar(month, working_days)`` table (used by the level production strategy) cannot say *which*
days are working days, so it is not used to place dates; :func:`calendar_mismatches` lists the
months where it disagrees with the day-level count, so both can be kept consistent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..months import add_months, month_start
from ..people import Actor, require
from ..plans import record_decision
from ..store import Store
from .errors import CycleError


def holidays(store: Store) -> list[dt.date]:
    """The company's holidays (non-working weekdays), sorted."""
    rows = store.query("SELECT day FROM holidays ORDER BY day")
    return [pd.Timestamp(d).date() for d in rows["day"]]


def holiday_table(store: Store) -> pd.DataFrame:
    """The company's holidays with their names, by day: ``day, name``."""
    return store.query("SELECT day, name FROM holidays ORDER BY day")


def _day(day: dt.date | str) -> dt.date:
    """``day`` as a date; :class:`~.errors.CycleError` saying the expected form when it is none."""
    try:
        stamp = pd.Timestamp(day)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise CycleError(f"Not a date: {day!r} (use YYYY-MM-DD).")
    return stamp.date()


def add_holiday(store: Store, day: dt.date | str, name: str, *, actor: Actor) -> None:
    """Add (or rename) a holiday, recorded in the decision audit as ``actor.author``.

    Later cycles only: an open cycle keeps the due dates it was opened with. Needs the ``settings`` role
    (``PermissionError`` otherwise, nothing written); :class:`~.errors.CycleError` when ``day`` is not a date
    or the name is empty.
    """
    require(actor, "settings")
    date = _day(day)
    text = str(name or "").strip()
    if not text:
        raise CycleError(f"The holiday on {date:%Y-%m-%d} needs a name.")
    with store.transaction() as cur:
        cur.execute("INSERT OR REPLACE INTO holidays (day, name) VALUES (?, ?)", [date, text])
        record_decision(cur, None, "holiday", f"{date:%Y-%m-%d}", json.dumps({"name": text}), actor.author)


def remove_holiday(store: Store, day: dt.date | str, *, actor: Actor) -> str:
    """Remove a holiday (it becomes a working day again when it is a weekday); returns its name.

    Later cycles only, like :func:`add_holiday`. Logged (kind ``holiday``, ``{"removed": name}``) as
    ``actor.author``; needs the ``settings`` role (``PermissionError`` otherwise, nothing written);
    :class:`~.errors.CycleError` when ``day`` is not a date or not a holiday.
    """
    require(actor, "settings")
    date = _day(day)
    with store.transaction() as cur:
        rows = cur.execute("DELETE FROM holidays WHERE day = ? RETURNING name", [date]).fetchall()
        if not rows:
            raise CycleError(f"{date:%Y-%m-%d} is not a holiday; nothing removed.")
        name = str(rows[0][0])
        record_decision(cur, None, "holiday", f"{date:%Y-%m-%d}", json.dumps({"removed": name}), actor.author)
    return name


def _holiday_set(holidays: Iterable[dt.date]) -> set[dt.date]:
    return {pd.Timestamp(d).date() for d in holidays}


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """True on Monday to Friday unless ``day`` is a holiday."""
    return day.weekday() < 5 and day not in _holiday_set(holidays)


def add_working_days(day: dt.date, n: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The ``n``-th working day after ``day`` (``n`` > 0), before it (``n`` < 0), or ``day`` itself (0).

    A step due on a Friday puts the next step, one working day later, on the Monday.
    """
    off = _holiday_set(holidays)
    step = 1 if n >= 0 else -1
    left, current = abs(n), day
    while left:
        current += dt.timedelta(days=step)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def nth_working_day(start: dt.date, n: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """Working day number ``n`` (1-based) counted from ``start`` (``start`` counts when it is a working day).

    Day 3 of a cycle that starts on Wednesday the 1st is Friday the 3rd; day 4 is Monday the 6th.
    """
    if n < 1:
        raise ValueError("Working day numbers start at 1.")
    off = _holiday_set(holidays)
    first = start if is_working_day(start, off) else add_working_days(start, 1, off)
    return add_working_days(first, n - 1, off)


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date] = ()) -> int:
    """Working days from ``start`` (included) to ``end`` (excluded); negative when ``end`` is earlier."""
    off = sorted(_holiday_set(holidays))
    return int(np.busday_count(start, end, holidays=off))


def month_working_days(month: dt.date, holidays: Iterable[dt.date] = ()) -> int:
    """Working days in ``month`` on the day-level calendar."""
    first = month_start(month)
    return working_days_between(first, add_months(first, 1), holidays)


def calendar_mismatches(store: Store) -> pd.DataFrame:
    """Months where ``calendar.working_days`` differs from Mon–Fri minus holidays: ``month, calendar, counted``."""
    off = holidays(store)
    cal = store.query("SELECT month, working_days FROM calendar ORDER BY month")
    counted = [month_working_days(pd.Timestamp(m).date(), off) for m in cal["month"]]
    frame = pd.DataFrame(
        {"month": pd.to_datetime(cal["month"]), "calendar": cal["working_days"].astype(int), "counted": counted}
    )
    return frame[frame["calendar"] != frame["counted"]].reset_index(drop=True)
