"""Staffing reads: quotas in force, actual staff, structure, output and retirements (GROUP BY)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import case, extract, func
from sqlmodel import Session, col, select

from backend.models import Department, Staff, StaffingType
from backend.models.staffing import Education, Gender, OutputRecord, StaffingQuota
from backend.staffing import rules
from backend.staffing.figures import (
    AgeBand,
    CountyOutput,
    Retiring,
    UnitOutput,
    UnitStaffing,
    UnitStructure,
)

Quota = tuple[dict[StaffingType, int], int, date]


def _units(session: Session, department_ids: Collection[int] | None) -> list[Department]:
    stmt = select(Department).order_by(col(Department.sort_order), col(Department.id))
    if department_ids is not None:
        stmt = stmt.where(col(Department.id).in_(list(department_ids)))
    return list(session.exec(stmt))


def quotas_in_force(session: Session, *, on: date) -> dict[int, Quota]:
    """Each unit's quota in force on a date: approved posts by type, leadership posts, from."""
    latest = (
        select(StaffingQuota.department_id, func.max(StaffingQuota.effective_from).label("d"))
        .where(StaffingQuota.effective_from <= on)
        .group_by(col(StaffingQuota.department_id))
        .subquery()
    )
    stmt = select(StaffingQuota).join(
        latest,
        (latest.c.department_id == StaffingQuota.department_id)
        & (latest.c.d == StaffingQuota.effective_from),
    )
    return {q.department_id: _quota(q) for q in session.exec(stmt)}


def _quota(q: StaffingQuota) -> Quota:
    approved = {
        StaffingType.ADMINISTRATIVE: q.administrative_posts,
        StaffingType.INSTITUTION: q.institution_posts,
        StaffingType.LOGISTICS: q.logistics_posts,
    }
    return approved, q.leadership_posts, q.effective_from


def quota_history(session: Session, *, department_id: int) -> list[StaffingQuota]:
    """A unit's quotas, newest first."""
    stmt = select(StaffingQuota).where(StaffingQuota.department_id == department_id)
    return list(session.exec(stmt.order_by(col(StaffingQuota.effective_from).desc())))


def _actual(session: Session) -> tuple[dict[int, dict[StaffingType, int]], dict[int, int]]:
    leaders = func.sum(case((col(Staff.is_leader), 1), else_=0))
    stmt = (
        select(Staff.department_id, Staff.staffing_type, func.count(), leaders)
        .where(col(Staff.active))
        .group_by(col(Staff.department_id), col(Staff.staffing_type))
    )
    actual: dict[int, dict[StaffingType, int]] = defaultdict(dict)
    leading: dict[int, int] = defaultdict(int)
    for department_id, kind, count, lead in session.exec(stmt):
        actual[department_id][StaffingType(kind)] = int(count)
        leading[department_id] += int(lead or 0)
    return actual, leading


def unit_staffing(
    session: Session, *, on: date, department_ids: Collection[int] | None = None
) -> list[UnitStaffing]:
    """Every unit's approved posts (quota in force on `on`) against its active staff."""
    quotas = quotas_in_force(session, on=on)
    actual, leading = _actual(session)
    return [
        _staffing(unit, quotas.get(unit.id or 0), actual, leading)
        for unit in _units(session, department_ids)
    ]


def _staffing(unit: Department, quota: Quota | None, actual: dict, leading: dict) -> UnitStaffing:
    approved, posts, since = quota if quota else ({}, 0, None)
    return UnitStaffing(
        department_id=unit.id or 0,
        name=unit.name,
        kind=str(unit.kind),
        approved=approved,
        leadership_posts=posts,
        actual=actual.get(unit.id, {}),
        leaders_actual=leading.get(unit.id, 0),
        quota_from=since,
    )


def unit_output(
    session: Session, *, start: date, end: date, department_ids: Collection[int] | None = None
) -> tuple[list[UnitOutput], CountyOutput]:
    """Cases per unit in records inside [start, end], per post and staff; the county totals."""
    weighted = func.sum(col(OutputRecord.cases) * col(OutputRecord.satisfaction))
    rated = func.sum(case((col(OutputRecord.satisfaction).is_not(None), OutputRecord.cases)))
    stmt = (
        select(  # type: ignore[call-overload]
            OutputRecord.department_id,
            func.sum(OutputRecord.cases),
            func.sum(OutputRecord.on_time),
            weighted,
            rated,
        )
        .where(OutputRecord.period_start >= start, OutputRecord.period_end <= end)
        .group_by(col(OutputRecord.department_id))
    )
    if department_ids is not None:
        stmt = stmt.where(col(OutputRecord.department_id).in_(list(department_ids)))
    sums = {row[0]: row[1:] for row in session.execute(stmt)}
    staffing = unit_staffing(session, on=end, department_ids=list(sums))
    units = [_output(unit, *sums[unit.department_id]) for unit in staffing]
    county = CountyOutput(
        cases=sum(u.cases for u in units),
        approved_total=sum(u.approved_total for u in units),
        actual_established=sum(u.actual_established for u in units),
    )
    return units, county


def _output(unit: UnitStaffing, cases, on_time, weighted, rated) -> UnitOutput:
    return UnitOutput(
        department_id=unit.department_id,
        name=unit.name,
        cases=int(cases or 0),
        on_time=None if on_time is None else int(on_time),
        satisfaction=float(weighted) / float(rated) if rated else None,
        approved_total=unit.approved_total,
        actual_established=unit.actual_established,
    )


def _age(on: date):
    born = col(Staff.birth_date)
    later = extract("month", born) * 100 + extract("day", born) > on.month * 100 + on.day
    return on.year - extract("year", born) - case((later, 1), else_=0)


def _band(age) -> dict[AgeBand, Any]:
    has = col(Staff.birth_date).is_not(None)
    return {
        AgeBand.UNDER_35: func.sum(case((has & (age < 35), 1), else_=0)),
        AgeBand.FROM_35: func.sum(case((has & (age >= 35) & (age < 45), 1), else_=0)),
        AgeBand.FROM_45: func.sum(case((has & (age >= 45) & (age < 55), 1), else_=0)),
        AgeBand.FROM_55: func.sum(case((has & (age >= 55), 1), else_=0)),
    }


def _counts(session: Session, field, ids: list[int]) -> dict[int, dict[str, int]]:
    stmt = (
        select(Staff.department_id, field, func.count())
        .where(col(Staff.active), col(Staff.department_id).in_(ids), field.is_not(None))
        .group_by(col(Staff.department_id), field)
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for department_id, value, count in session.exec(stmt):
        found[department_id][str(value)] = int(count)
    return found


def staff_structure(
    session: Session, *, department_ids: Collection[int] | None, on: date
) -> list[UnitStructure]:
    """Each unit's active staff by age band, gender, education and staffing type on a date."""
    units = _units(session, department_ids)
    ids = [unit.id or 0 for unit in units]
    age = _age(on)
    bands = _band(age)
    stmt = (
        select(Staff.department_id, func.count(), func.avg(age), func.count(col(Staff.birth_date)))
        .add_columns(*bands.values())
        .where(col(Staff.active), col(Staff.department_id).in_(ids))
        .group_by(col(Staff.department_id))
    )
    totals = {row[0]: row[1:] for row in session.execute(stmt)}
    genders = _counts(session, col(Staff.gender), ids)
    educations = _counts(session, col(Staff.education), ids)
    types = _counts(session, col(Staff.staffing_type), ids)
    return [
        _structure(unit, totals.get(unit.id), genders, educations, types, list(bands))
        for unit in units
    ]


def _structure(unit, total, genders, educations, types, bands) -> UnitStructure:
    staff, average, dated, *counts = total or (0, None, 0, *[0] * len(bands))
    uid = unit.id
    return UnitStructure(
        department_id=uid,
        name=unit.name,
        kind=str(unit.kind),
        staff=int(staff),
        average_age=None if average is None else round(float(average), 1),
        age_bands={band: int(n or 0) for band, n in zip(bands, counts, strict=True)},
        genders={Gender(k): n for k, n in genders.get(uid, {}).items() if k in set(Gender)},
        educations={
            Education(k): n for k, n in educations.get(uid, {}).items() if k in set(Education)
        },
        staffing={StaffingType(k): n for k, n in types.get(uid, {}).items()},
        without_birth_date=int(staff) - int(dated),
    )


def retirements(
    session: Session, *, on: date, months: int = 12, department_ids: Collection[int] | None = None
) -> list[Retiring]:
    """Active members whose retirement date falls in [on, on + months); oldest date first."""
    youngest = date(on.year - 54, 1, 1)  # nobody born later retires within a few years
    stmt = (
        select(Staff, Department.name)
        .join(Department, col(Department.id) == col(Staff.department_id))
        .where(col(Staff.active), col(Staff.gender).in_(list(Gender)))
        .where(col(Staff.birth_date).is_not(None), col(Staff.birth_date) < youngest)
    )
    if department_ids is not None:
        stmt = stmt.where(col(Staff.department_id).in_(list(department_ids)))
    total = on.year * 12 + on.month - 1 + months
    until = date(total // 12, total % 12 + 1, 1)
    found = [_retiring(staff, unit) for staff, unit in session.exec(stmt)]
    return sorted(
        (r for r in found if on <= r.retirement_date < until),
        key=lambda r: (r.retirement_date, r.name),
    )


def _retiring(staff: Staff, unit: str) -> Retiring:
    born = staff.birth_date or date.min
    gender = Gender(staff.gender or Gender.MALE)
    return Retiring(
        staff_id=staff.id or 0,
        name=staff.name,
        department_id=staff.department_id,
        unit=unit,
        birth_date=born,
        gender=gender,
        retirement_date=rules.retirement_date(born, gender),
    )
