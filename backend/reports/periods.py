"""Report periods: ISO weeks, months, half-years and years, with their keys and Chinese labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("week", "month", "half", "year")
_PATTERNS = {
    "week": re.compile(r"^([0-9]{4})-?W([0-9]{1,2})$", re.IGNORECASE),
    "month": re.compile(r"^([0-9]{4})-([0-9]{1,2})$"),
    "half": re.compile(r"^([0-9]{4})-?H([12])$", re.IGNORECASE),
    "year": re.compile(r"^([0-9]{4})$"),
}


class PeriodError(ValueError):
    """A period text that cannot be read; the message is Chinese and names the expected form."""


@dataclass(frozen=True)
class Period:
    """A closed range of days a report covers."""

    kind: str
    key: str  # e.g. 2026-W47, 2026-10, 2026-H2, 2026
    start: date
    end: date
    label: str  # e.g. 2026年第47周（11月16日—11月22日）

    def previous(self) -> Period:
        """Return the period of the same kind just before this one."""
        return period_containing(self.kind, self.start - timedelta(days=1))

    def until(self, day: date) -> Period:
        """Return this period cut off after `day` (a report asked for before the period ends)."""
        if day >= self.end or day < self.start:
            return self
        label = f"{self.label.split('（')[0]}（截至{_md(day)}）"
        return Period(self.kind, self.key, self.start, day, label)

    def contains(self, day: date) -> bool:
        """Tell whether `day` falls inside the period."""
        return self.start <= day <= self.end


def week_of(day: date) -> Period:
    """Return the ISO week (Monday to Sunday) containing `day`."""
    start = day - timedelta(days=day.weekday())
    end = start + timedelta(days=6)
    year, number, _ = day.isocalendar()
    label = f"{year}年第{number}周（{_md(start)}—{_md(end)}）"
    return Period("week", f"{year}-W{number:02d}", start, end, label)


def month_of(day: date) -> Period:
    """Return the calendar month containing `day`."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period("month", f"{day.year}-{day.month:02d}", start, end, f"{day.year}年{day.month}月")


def half_of(day: date) -> Period:
    """Return the half-year (January–June or July–December) containing `day`."""
    first = day.month <= 6
    start = date(day.year, 1 if first else 7, 1)
    end = date(day.year, 6, 30) if first else date(day.year, 12, 31)
    label = f"{day.year}年{'上' if first else '下'}半年"
    return Period("half", f"{day.year}-H{1 if first else 2}", start, end, label)


def year_of(day: date) -> Period:
    """Return the calendar year containing `day`."""
    return Period(
        "year", str(day.year), date(day.year, 1, 1), date(day.year, 12, 31), f"{day.year}年"
    )


_BUILDERS = {"week": week_of, "month": month_of, "half": half_of, "year": year_of}


def period_containing(kind: str, day: date) -> Period:
    """Return the period of `kind` that contains `day`."""
    return _BUILDERS[kind](day)


def last_complete(kind: str, today: date) -> Period:
    """Return the latest period of `kind` that ended before `today`."""
    return period_containing(kind, today).previous()


def parse_period(kind: str, text: str | None, *, today: date) -> Period:
    """Read a period such as 2026-W47, 2026-10, 2026-H1 or 2026; empty = last complete one."""
    if not text:
        return last_complete(kind, today)
    match = _PATTERNS[kind].match(text.strip())
    if match is None:
        raise PeriodError(f"无法识别的期间“{text}”，应为如 {EXAMPLES[kind]} 的格式")
    year, number = int(match.group(1)), int(match.group(2)) if kind != "year" else 1
    if not MIN_YEAR <= year <= MAX_YEAR:  # the ends of the calendar overflow when a period is built
        raise PeriodError(f"期间“{text}”超出范围，年份应在 {MIN_YEAR} 到 {MAX_YEAR} 之间")
    try:
        return _from_parts(kind, year, number)
    except ValueError:
        raise PeriodError(f"期间“{text}”不存在，应为如 {EXAMPLES[kind]} 的格式") from None


MIN_YEAR, MAX_YEAR = 2000, 2100
EXAMPLES = {"week": "2026-W47", "month": "2026-10", "half": "2026-H1", "year": "2026"}


def _from_parts(kind: str, year: int, number: int) -> Period:
    if kind == "week":
        return week_of(date.fromisocalendar(year, number, 1))
    if kind == "month":
        return month_of(date(year, number, 1))
    if kind == "half":
        return half_of(date(year, 1 if number == 1 else 7, 1))
    return year_of(date(year, 1, 1))


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"
