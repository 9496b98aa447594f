"""Bounded parsing of typed-in numbers and dates: a value is in range, or it is None.

ASCII digits only (after turning full-width digits into ASCII), a bounded length, and a range.
`str.isdigit()` is true for superscripts that `int()` refuses, Python refuses numbers past 4,300
digits, PostgreSQL refuses integers past 64 bits and `date` refuses years past 9999: none of these
may reach a query. The web layer, entry filters and survey answers read values through these.
"""

from __future__ import annotations

import math
import re
from datetime import date

MAX_ID = 2**31 - 1  # ids are PostgreSQL INTEGER columns: a larger value overflows the query
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
_INT = re.compile(r"-?[0-9]{1,19}")
_FLOAT = re.compile(r"-?[0-9]{1,9}(?:\.[0-9]{1,6})?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _ascii(raw: object) -> str:
    return str(raw).strip().translate(_FULL_WIDTH)


def parse_int(raw: object, lo: int = 0, hi: int = MAX_ID) -> int | None:
    """Return the whole number in `raw` when it is ASCII digits within lo..hi, else None."""
    value = _ascii(raw)
    if not _INT.fullmatch(value):
        return None
    number = int(value)
    return number if lo <= number <= hi else None


def parse_float(raw: object, lo: float, hi: float) -> float | None:
    """Return the finite decimal number in `raw` when it lies within lo..hi, else None."""
    value = _ascii(raw)
    if not _FLOAT.fullmatch(value):
        return None
    number = float(value)
    return number if math.isfinite(number) and lo <= number <= hi else None


def parse_day(raw: object, lo: date = MIN_DATE, hi: date = MAX_DATE) -> date | None:
    """Return the YYYY-MM-DD day in `raw` when it exists and lies within lo..hi, else None."""
    match = _DATE.fullmatch(_ascii(raw))
    if not match:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if lo <= day <= hi else None
