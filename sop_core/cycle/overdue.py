"""Overdue decisions and assumptions, for the Overview and Executive pages."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..months import business_today
from ..store import Store
from .registers import list_items

OVERDUE_COLUMNS = ["register", "id", "text", "owner", "due_date", "days_overdue", "family", "cycle"]


def overdue_items(store: Store, *, today: dt.date | None = None) -> pd.DataFrame:
    """Open decisions and assumptions due before ``today`` (default: the system date), most overdue first.

    ``days_overdue`` counts calendar days past the due date.
    """
    day = today or business_today()
    parts = [
        items[items["overdue"]].assign(register=register)
        for register in ("decision", "assumption")
        for items in [list_items(store, register, status="open", today=day)]
    ]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if frame is None:
        return pd.DataFrame(columns=OVERDUE_COLUMNS)
    frame["days_overdue"] = (pd.Timestamp(day) - pd.to_datetime(frame["due_date"])).dt.days.astype(int)
    return frame.sort_values(["days_overdue", "id"], ascending=[False, True], ignore_index=True)[OVERDUE_COLUMNS]
