"""The demo county's staffing data: personal roster fields, approved posts and output figures."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from sqlmodel import Session

from backend.demo.county import DemoUnit, Period, local_time
from backend.demo.staff import Member
from backend.models import StaffingType, saved_id
from backend.models.staffing import (
    Education,
    Gender,
    OutputRecord,
    OutputSource,
    StaffingQuota,
)

EDUCATIONS = (
    (Education.POSTGRADUATE, 12),
    (Education.BACHELOR, 63),
    (Education.COLLEGE, 20),
    (Education.SECONDARY, 5),
)
ESTABLISHED = (StaffingType.ADMINISTRATIVE, StaffingType.INSTITUTION, StaffingType.LOGISTICS)
QUOTA_SLACK = (-1, 0, 0, 1, 1, 2, 3)  # approved minus actual: mostly vacancies, sometimes 超编


def add_staffing(
    session: Session,
    rng: random.Random,
    units: list[DemoUnit],
    members: list[Member],
    period: Period,
) -> int:
    """Give members birth dates, genders and educations, units quotas and output; return quotas."""
    for member in members:
        _personal_fields(rng, member, period.end)
    quotas = [_quota(rng, unit, members, period) for unit in units]
    session.add_all(quotas)
    session.add_all(_output_records(rng, units, members, period.end))
    session.flush()
    return len(quotas)


def _personal_fields(rng: random.Random, member: Member, today: date) -> None:
    row = member.row
    oldest, youngest = (48, 59) if row.is_leader else (23, 59)
    age = rng.randint(oldest, youngest)
    row.birth_date = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    row.gender = (Gender.FEMALE if rng.random() < 0.38 else Gender.MALE).value
    levels = [level for level, _ in EDUCATIONS]
    row.education = rng.choices(levels, [weight for _, weight in EDUCATIONS])[0].value


def _quota(rng: random.Random, unit: DemoUnit, members: list[Member], period: Period):
    own = [m.row for m in members if m.unit is unit]
    actual = Counter(row.staffing_type for row in own)
    posts = {kind: max(actual[kind] + rng.choice(QUOTA_SLACK), 0) for kind in ESTABLISHED}
    leaders = sum(row.is_leader for row in own)
    return StaffingQuota(
        department_id=saved_id(unit.row),
        effective_from=date(period.start.year - 2, 1, 1),
        administrative_posts=posts[StaffingType.ADMINISTRATIVE],
        institution_posts=posts[StaffingType.INSTITUTION],
        logistics_posts=posts[StaffingType.LOGISTICS],
        leadership_posts=max(leaders - (rng.random() < 0.1), 1),
        note="县编委〔" + str(period.start.year - 2) + "〕号三定规定",
        created_at=local_time(period.start, 9),
    )


def _output_records(
    rng: random.Random, units: list[DemoUnit], members: list[Member], today: date
) -> list[OutputRecord]:
    public = {m.unit.row.id for m in members if m.row.public_facing}
    year = today.year - 1
    records = []
    for unit in units:
        if unit.row.id not in public:
            continue
        for source, scale in ((OutputSource.HOTLINE, 60), (OutputSource.GOVERNMENT_SERVICE, 900)):
            cases = max(int(rng.gauss(scale, scale / 3)), 5)
            records.append(_record(unit, source, year, cases, rng))
    return records


def _record(unit: DemoUnit, source: OutputSource, year: int, cases: int, rng: random.Random):
    return OutputRecord(
        department_id=saved_id(unit.row),
        source=source,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        cases=cases,
        on_time=cases - int(cases * rng.uniform(0.0, 0.04)),
        satisfaction=round(rng.uniform(95.0, 100.0), 1),
        imported_at=local_time(date(year + 1, 1, 10), 10),
    )
