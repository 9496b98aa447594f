"""Working days on the Chinese calendar: public holidays and make-up working days (调休)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)

_warned_years: set[int] = set()


def is_workday(day: date) -> bool:
    """Tell whether `day` is a working day; Monday to Friday for a year the calendar lacks."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def workdays_between(start: date, end: date) -> list[date]:
    """Return the working days from `start` to `end`, both included."""
    days = (end - start).days + 1
    return [start + timedelta(days=i) for i in range(days) if is_workday(start + timedelta(days=i))]


def _warn_unknown_year(year: int) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    log.warning(
        "chinesecalendar has no holidays for %s: counting Monday to Friday as working days",
        year,
    )
