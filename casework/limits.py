"""Limits of what may come from outside: object ids, and the range of dates.

The one rule for object ids that arrive from outside, in a path, a query string or a body: an id
is a whole number from 1 to ``MAX_ID`` (the largest value of the ``bigint`` primary keys) written
with the ASCII digits 0-9 and without leading zeros, so each id has one spelling. Python's
``int()`` also accepts other scripts' digits (``int("١") == 1``) and numbers past 2^63 reach
SQLite as an overflow: both are refused here, before any query, so that every input path treats
ids the same way.
"""

from __future__ import annotations

import datetime
from typing import Any

# Dates and times a person's case can sensibly carry: births from 1900, plans and meetings
# planned to the end of the century. Beyond these, calendars and exports overflow (year 9999).
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

MAX_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID))  # 19
# For URL patterns: ASCII digits only (``\d`` would admit other scripts' digits), no leading zero.
ID_PATH_PATTERN = rf"[1-9][0-9]{{0,{MAX_ID_DIGITS - 1}}}"


def parse_whole_number(value: Any, *, minimum: int, maximum: int, canonical: bool = False) -> int | None:
    """``value`` (an int, or a string of ASCII digits) as a whole number within the bounds, or None.

    ``canonical`` refuses leading zeros, so that the number has one spelling.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > len(str(maximum)):
            return None
        if canonical and len(value) > 1 and value.startswith("0"):
            return None
        value = int(value)
    if isinstance(value, int) and minimum <= value <= maximum:
        return value
    return None


def parse_id(value: Any) -> int | None:
    """``value`` as an object id, or None when it cannot be one."""
    return parse_whole_number(value, minimum=1, maximum=MAX_ID, canonical=True)


class IdConverter:
    """The ``<id:…>`` path converter: the id rule for routes written with ``path()``."""

    regex = ID_PATH_PATTERN

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # no match: the URL resolves to nothing (404)
        return number

    def to_url(self, value: Any) -> str:
        return str(value)
