"""Working days on the Chinese calendar: public holidays and make-up working days (调休)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache

import chinese_calendar

log = logging.getLogger(__name__)

_warned_years: set[int] = set()
# A State Council holiday list has well over five weekday days off; a local holiday or two is not
# a list, so it does not silence the warning about a year chinesecalendar does not know.
MIN_LISTED_DAYS_OFF = 5


@dataclass(frozen=True)
class WorkCalendar:
    """The statutory calendar plus an administrator's overrides (True = working day)."""

    overrides: Mapping[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        """Tell whether `day` is a working day."""
        if day in self.overrides:
            return self.overrides[day]
        if not year_is_known(day.year) and self.covers(day.year):
            return day.weekday() < 5  # the admin's list for that year names every exception
        return statutory_is_workday(day)

    def covers(self, year: int) -> bool:
        """Tell whether the overrides hold a year's holiday list (not just a local day or two)."""
        return year in self._listed_years

    @cached_property
    def _listed_years(self) -> set[int]:
        weekdays_off = Counter(
            day.year for day, workday in self.overrides.items() if not workday and day.weekday() < 5
        )
        return {year for year, count in weekdays_off.items() if count >= MIN_LISTED_DAYS_OFF}

    def next_workday(self, day: date) -> date:
        """Return the first working day after `day`."""
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def previous_workday(self, day: date) -> date:
        """Return the last working day before `day`."""
        day -= timedelta(days=1)
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def unknown_years(self, years: Iterable[int]) -> list[int]:
        """Return the years neither chinesecalendar nor the overrides know (Mon–Fri fallback)."""
        return [year for year in years if not year_is_known(year) and not self.covers(year)]

    def workdays_between(self, start: date, end: date) -> list[date]:
        """Return the working days from `start` to `end`, both included."""
        days = (start + timedelta(days=i) for i in range((end - start).days + 1))
        return [day for day in days if self.is_workday(day)]


STATUTORY = WorkCalendar()


def statutory_is_workday(day: date) -> bool:
    """Ask chinesecalendar; Monday to Friday for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


@lru_cache(maxsize=64)
def year_is_known(year: int) -> bool:
    """Tell whether chinesecalendar has the holidays of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    """Tell whether `day` is a working day on the statutory calendar (no overrides)."""
    return STATUTORY.is_workday(day)


def workdays_between(start: date, end: date) -> list[date]:
    """Return the statutory working days from `start` to `end`, both included."""
    return STATUTORY.workdays_between(start, end)


def _warn_unknown_year(year: int) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    log.warning(
        "chinesecalendar has no holidays for %s: counting Monday to Friday as working days",
        year,
    )
