"""The explicit choices a user can make for a file; nothing here is ever guessed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["utf-8", "cp1252", "latin-1", "utf-16"]
# Number formats: None = plain (``1234.5``: point decimal, no thousands separator).
NumberLocale = Literal["en", "de", "fr", "ch"]
DateFormat = Literal["DMY", "MDY"]

ENCODINGS: tuple[str, ...] = ("utf-8", "cp1252", "latin-1", "utf-16")
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
NUMBER_LOCALES: dict[str, str] = {
    "en": "1,234.5 (comma thousands, point decimal)",
    "de": "1.234,5 (point thousands, comma decimal)",
    "fr": "1 234,5 (space thousands, comma decimal)",
    "ch": "1'234.5 (apostrophe thousands, point decimal)",
}
DATE_FORMATS: dict[str, str] = {"DMY": "31/01/2026 (day first)", "MDY": "01/31/2026 (month first)"}
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file. Defaults accept only unambiguous input.

    - ``encoding``: ``None`` accepts UTF-8 (with or without BOM) and UTF-16 with a BOM;
      cp1252 / latin-1 only when chosen.
    - ``delimiter``: ``None`` picks, among ``, ; tab |``, the one whose header splits into
      the most known column names.
    - ``locale``: ``None`` reads plain numbers only (``1234.5``); decimal commas and
      thousands separators need an explicit locale.
    - ``date_format``: ``None`` accepts ISO dates (``2026-01-31``, ``2026-01``) only;
      ``31/01/2026``-style dates need ``DMY`` or ``MDY``.
    - ``sum_duplicates``: sum rows with the same key instead of rejecting them.
    - ``cycle``: the plan cycle (``YYYY-MM``) a plan upload writes to.
    """

    encoding: Encoding | None = None
    delimiter: str | None = None
    locale: NumberLocale | None = None
    date_format: DateFormat | None = None
    sum_duplicates: bool = False
    cycle: str | dt.date | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    sheet: str | None = None
