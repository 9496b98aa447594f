"""The metrics of domain.md per department, section, staffing type and person, over any period."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from sqlmodel import Session, col, select

from backend.models import Department, saved_id
from backend.models.org import STAFFING_TYPE_LABELS, StaffingType
from backend.reports.analytics import compute, expected, queries
from backend.reports.analytics.compute import PersonFacts
from backend.reports.analytics.figures import (
    DepartmentBreakdown,
    DepartmentMetrics,
    PersonMetrics,
    SectionMetrics,
    StaffingTypeMetrics,
    WeekPoint,
)
from backend.reports.analytics.texts import (
    NO_SECTION,
    SECTION_OF_INSTITUTION,
    AnalyticsError,
    texts,
)
from backend.schedule.workdays import WorkCalendar


class _Facts:
    """Everything one period's queries return for a set of departments.

    Each member's expected days follow their own calendar (work patterns); members on the office
    calendar (most) are counted as one group, as before.
    """

    def __init__(
        self,
        session: Session,
        scope: list[int] | None,
        start: date,
        end: date,
        calendar: WorkCalendar,
    ) -> None:
        if start > end:
            raise AnalyticsError(texts.START_AFTER_END)
        office_days = calendar.workdays_between(start, end)
        cells = queries.entry_cells(session, start=start, end=end, scope=scope)
        self.catalogue = queries.duty_catalogue(session, scope=scope)
        members = queries.members(session, scope=scope)
        groups = expected.calendar_groups(session, members, start, end, calendar)
        workdays = {sid: days for days, group in groups for sid in group}
        days_off = _days_off(start, end, set(office_days))
        reported = queries.reported_days(
            session, start=start, end=end, days_off=days_off, scope=scope
        )
        reported |= expected.reported_on_own_days(session, groups[1:])
        excused = expected.excused_days(session, start, end, scope, workdays)
        duty_types = self._duty_types(session, cells)
        people: dict[int, PersonFacts] = {}
        for days, group in groups:
            chosen = [member for member in members if member.staff_id in group]
            people |= compute.person_facts(chosen, cells, reported, days, duty_types, excused)
        self.people = {m.staff_id: people[m.staff_id] for m in members}

    def _duty_types(self, session: Session, cells: list[queries.EntryCell]) -> dict:
        """Map every duty in the catalogue or in an entry (inactive, other unit) to its type."""
        types = {duty: kind for duty, (_, kind) in self.catalogue.items()}
        missing = {cell.duty_id for cell in cells} - types.keys()
        return types | queries.all_duty_types(session, missing)

    def duties_of(self, department_ids: Collection[int]) -> set[int]:
        """Return the active duties of the given departments."""
        return {duty for duty, (dept, _) in self.catalogue.items() if dept in department_ids}


def department_breakdown(
    session: Session, *, department_id: int, start: date, end: date, calendar: WorkCalendar
) -> DepartmentBreakdown:
    """Compute a department (with its institutions) and all its breakdowns in one pass."""
    name = _department_name(session, department_id)
    scope = queries.department_scope(session, department_id)
    facts = _Facts(session, scope, start, end, calendar)
    people = list(facts.people.values())
    whole = DepartmentMetrics(
        department_id, name, compute.figures_of(people, facts.duties_of(scope))
    )
    return DepartmentBreakdown(
        department=whole,
        sections=_sections(session, facts, department_id, scope),
        staffing_types=_staffing_types(people, facts.duties_of(scope)),
        people=_people(session, facts, department_id, scope),
        start=start,
        end=end,
    )


def department_metrics(
    session: Session, *, department_id: int, start: date, end: date, calendar: WorkCalendar
) -> DepartmentMetrics:
    """Compute one department's figures, its affiliated institutions included."""
    name = _department_name(session, department_id)
    scope = queries.department_scope(session, department_id)
    facts = _Facts(session, scope, start, end, calendar)
    return DepartmentMetrics(
        department_id, name, compute.figures_of(facts.people.values(), facts.duties_of(scope))
    )


def section_metrics(
    session: Session, *, department_id: int, start: date, end: date, calendar: WorkCalendar
) -> list[SectionMetrics]:
    """Compute the figures of each section of a department and of its institutions."""
    return department_breakdown(
        session, department_id=department_id, start=start, end=end, calendar=calendar
    ).sections


def staffing_type_metrics(
    session: Session,
    *,
    department_id: int | None,
    start: date,
    end: date,
    calendar: WorkCalendar,
) -> list[StaffingTypeMetrics]:
    """Compute the figures per staffing type, for one department or (None) the whole county."""
    if department_id is None:
        facts = _Facts(session, None, start, end, calendar)
        return _staffing_types(list(facts.people.values()), set(facts.catalogue))
    return department_breakdown(
        session, department_id=department_id, start=start, end=end, calendar=calendar
    ).staffing_types


def person_metrics(
    session: Session, *, department_id: int, start: date, end: date, calendar: WorkCalendar
) -> list[PersonMetrics]:
    """Compute the figures of each evaluated member of a department and its institutions."""
    return department_breakdown(
        session, department_id=department_id, start=start, end=end, calendar=calendar
    ).people


def all_departments_metrics(
    session: Session, *, start: date, end: date, calendar: WorkCalendar
) -> list[DepartmentMetrics]:
    """Compute every top-level department (with its institutions), in the county's order."""
    facts = _Facts(session, None, start, end, calendar)
    tops = queries.top_departments(session)
    by_top = compute.group_by(facts.people.values(), lambda m: tops[m.department_id][0])
    result = []
    for department in _top_level(session):
        scope = [dept for dept, (top, _) in tops.items() if top == department.id]
        people = by_top.get(department.id, [])
        figures = compute.figures_of(people, facts.duties_of(scope))
        result.append(DepartmentMetrics(saved_id(department), department.name, figures))
    return result


def weekly_trend(
    session: Session, *, department_id: int, end: date, weeks: int = 8, calendar: WorkCalendar
) -> list[WeekPoint]:
    """Compute a department's figures for `weeks` Monday–Sunday weeks, the last holding `end`."""
    if weeks < 1:
        raise AnalyticsError(texts.BAD_WEEKS)
    last_monday = end - timedelta(days=end.weekday())
    points = []
    for back in range(weeks - 1, -1, -1):
        monday = last_monday - timedelta(weeks=back)
        sunday = min(monday + timedelta(days=6), end)
        metrics = department_metrics(
            session, department_id=department_id, start=monday, end=sunday, calendar=calendar
        )
        points.append(WeekPoint(monday, sunday, metrics.figures))
    return points


def _days_off(start: date, end: date, workdays: set[date]) -> list[date]:
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if day not in workdays]


def _department_name(session: Session, department_id: int) -> str:
    name = queries.department_name(session, department_id)
    if name is None:
        raise AnalyticsError(texts.NO_DEPARTMENT.format(department_id=department_id))
    return name


def _top_level(session: Session) -> list[Department]:
    query = select(Department).where(col(Department.parent_id).is_(None))
    return list(session.exec(query.order_by(col(Department.sort_order), col(Department.id))).all())


def _sections(
    session: Session, facts: _Facts, department_id: int, scope: list[int]
) -> list[SectionMetrics]:
    label = _section_labeller(session, department_id, scope)
    groups = compute.group_by(
        sorted(facts.people.values(), key=_section_order),
        lambda m: (m.department_id, m.section_id),
    )
    return [
        SectionMetrics(
            dept,
            section_id,
            label(dept, section_id),
            compute.figures_of(people, facts.duties_of([dept])),
        )
        for (dept, section_id), people in groups.items()
    ]


def _section_labeller(session: Session, department_id: int, scope: list[int]):
    """Return a function naming (department, section); an institution's get its name first."""
    names = queries.section_names(session, scope=scope)
    units = {dept: queries.department_name(session, dept) or "" for dept in scope}

    def label(dept: int, section_id: int | None) -> str:
        name = names.get(section_id, NO_SECTION) if section_id else NO_SECTION
        if dept == department_id:
            return name
        return SECTION_OF_INSTITUTION.format(institution=units[dept], section=name)

    return label


def _section_order(facts: PersonFacts) -> tuple:
    member = facts.member
    return (member.department_id, member.section_id is None, member.section_id or 0)


def _staffing_types(people: list[PersonFacts], catalogue: set[int]) -> list[StaffingTypeMetrics]:
    groups = compute.group_by(people, lambda m: m.staffing_type)
    return [
        StaffingTypeMetrics(kind, STAFFING_TYPE_LABELS[kind], compute.figures_of(group, catalogue))
        for kind in StaffingType
        if (group := groups.get(kind))
    ]


def _people(
    session: Session, facts: _Facts, department_id: int, scope: list[int]
) -> list[PersonMetrics]:
    label = _section_labeller(session, department_id, scope)
    return [_person(facts, one, label) for one in facts.people.values()]


def _person(facts: _Facts, one: PersonFacts, label) -> PersonMetrics:
    member = one.member
    return PersonMetrics(
        staff_id=member.staff_id,
        name=member.name,
        department_id=member.department_id,
        section_id=member.section_id,
        section_name=label(member.department_id, member.section_id),
        staffing_type=member.staffing_type,
        figures=compute.figures_of([one], facts.duties_of([member.department_id])),
    )
