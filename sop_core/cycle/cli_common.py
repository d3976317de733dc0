"""What the cycle's commands share: argument types, ``--db`` / ``--as``, who acts, refusals, tables.

Used by :mod:`.cli` (``cycle …``), :mod:`.cli_registers` (``decisions …``, ``assumptions …``) and
:mod:`.cli_supply` (``supply …``), so that every command of the monthly cycle reads and answers alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable, Mapping

import pandas as pd

from ..formatting import pct, units
from ..people import Actor, add_as_option, command_actor, refusals
from ..plans import NoPlanError
from ..store import FrozenPlanError, Store, default_db_path
from .errors import CycleError

Handler = Callable[[argparse.Namespace], int]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])(-01)?")


def month_arg(text: str) -> dt.date:
    """An argparse type: ``YYYY-MM`` (or the month's first day ``YYYY-MM-01``) as the month's first day."""
    if not _MONTH.fullmatch(text):
        raise argparse.ArgumentTypeError(f"a month is YYYY-MM, not {text!r}")
    return dt.date(int(text[:4]), int(text[5:7]), 1)


def day_arg(text: str) -> dt.date:
    """An argparse type: ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"a date is YYYY-MM-DD, not {text!r}") from exc


def acting(store: Store, args: argparse.Namespace) -> Actor:
    """Who acts: ``--as``/``--by`` (else ``$SOP_USER``) resolved against the store (``UsageError``: nobody named)."""
    return command_actor(store, args.as_email)


cycle_refusals = refusals(CycleError, FrozenPlanError, NoPlanError)
"""A cycle command's refusals (wrong role, frozen plan, no plan version, a step out of order, a stale save, a bad
value) print ``refused: …`` and exit 1; naming nobody while the store lists its people prints ``error: …`` and exits 2."""


def add_common(parser: argparse.ArgumentParser, by: bool = False, required_by: bool = False) -> None:
    """``--db``, and for a writing command ``--as EMAIL`` (``--by`` kept); ``required_by``: it must be given."""
    parser.add_argument("--db", default=default_db_path(), help="store path (default: %(default)s)")
    if by or required_by:
        add_as_option(parser, "--by")
    if required_by:
        for action in parser._actions:  # argparse keeps its options here; make the one just added required
            if action.dest == "as_email":
                action.required = True


def table(frame: pd.DataFrame, columns: Mapping[str, str] | None = None, empty: str = "Nothing to show.") -> str:
    """``frame`` as a plain-text table for the terminal (``empty`` when it has no rows).

    ``columns`` maps a column to its format: ``month`` (``YYYY-MM``), ``date`` (``YYYY-MM-DD``), ``units``
    (whole units with separators), ``pct`` (a fraction as a percentage), ``days`` (one decimal); other columns
    print as they are. Missing values print as ``–``.
    """
    if frame.empty:
        return empty
    shown = frame.copy()
    for column, kind in (columns or {}).items():
        values = shown[column]
        if kind in ("month", "date"):
            stamps = pd.to_datetime(values)
            text = stamps.dt.strftime("%Y-%m" if kind == "month" else "%Y-%m-%d")
            shown[column] = text.where(stamps.notna(), "–")
        elif kind == "units":
            shown[column] = [units(None if pd.isna(v) else float(v)) for v in values]
        elif kind == "pct":
            shown[column] = [pct(None if pd.isna(v) else float(v)) for v in values]
        elif kind == "days":
            shown[column] = ["–" if pd.isna(v) else f"{float(v):,.1f}" for v in values]
    return shown.astype(object).where(shown.notna(), "–").to_string(index=False)
