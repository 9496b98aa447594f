"""Pure staffing rules: the statutory retirement date under the 2025 gradual reform."""

from __future__ import annotations

from datetime import date

from backend.models.staffing import Gender

MAX_DELAY_MONTHS = 36
# (statutory age in years, first birth month the delay applies to)
_RULES = {Gender.MALE: (60, date(1965, 1, 1)), Gender.FEMALE: (55, date(1970, 1, 1))}


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def delay_months(birth_date: date, gender: Gender) -> int:
    """Months the retirement age is delayed: one per four months of birth, at most 36."""
    _age, reform_start = _RULES[gender]
    months = _months_between(reform_start, birth_date)
    return 0 if months < 0 else min(months // 4 + 1, MAX_DELAY_MONTHS)


def retirement_age_months(birth_date: date, gender: Gender) -> int:
    """The retirement age in months (men 60→63, women cadres 55→58)."""
    age, _start = _RULES[gender]
    return age * 12 + delay_months(birth_date, gender)


def retirement_date(birth_date: date, gender: Gender) -> date:
    """The first day of the month after the month the member reaches retirement age.

    Convention: pay and status change from the month after the birthday month (次月起), so the
    day of birth does not matter. Every woman is treated as a cadre (女干部, 55 → 58).
    """
    total = birth_date.year * 12 + birth_date.month - 1 + retirement_age_months(birth_date, gender)
    total += 1
    return date(total // 12, total % 12 + 1, 1)
