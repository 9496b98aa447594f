"""The Chinese working-day calendar: statutory holidays and make-up working days."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def is_workday(day: date) -> bool:
    """Tell whether `day` is a working day (falls back to Monday–Friday for unknown years)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def _warn_unknown_year(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        log.warning("节假日数据不包含 %s 年，暂按周一至周五计算工作日", year)


def workdays_between(start: date, end: date) -> list[date]:
    """Return the working days from start to end, both included."""
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if is_workday(day)]
