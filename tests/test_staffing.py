"""Known-answer tests of the staffing figures: quotas in force, vacancies, structure, output."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from backend.models import Department, DepartmentKind, Staff, StaffingType
from backend.models.staffing import (
    Education,
    Gender,
    OutputRecord,
    OutputSource,
    StaffingQuota,
)
from backend.staffing import queries, rules
from backend.staffing.figures import AgeBand

ON = date(2026, 6, 30)
ADMIN, INST, LOGI, OUT = (
    StaffingType.ADMINISTRATIVE,
    StaffingType.INSTITUTION,
    StaffingType.LOGISTICS,
    StaffingType.NON_ESTABLISHED,
)


@pytest.mark.parametrize(
    ("born", "gender", "retires"),
    [
        (date(1964, 12, 15), Gender.MALE, date(2025, 1, 1)),  # 60, before the reform
        (date(1965, 1, 31), Gender.MALE, date(2025, 3, 1)),  # 60 and 1 month
        (date(1965, 5, 1), Gender.MALE, date(2025, 8, 1)),  # 60 and 2 months
        (date(1976, 9, 1), Gender.MALE, date(2039, 10, 1)),  # the full 63
        (date(1980, 2, 1), Gender.MALE, date(2043, 3, 1)),  # capped at 63
        (date(1969, 12, 1), Gender.FEMALE, date(2025, 1, 1)),  # 55, before the reform
        (date(1970, 5, 20), Gender.FEMALE, date(2025, 8, 1)),  # 55 and 2 months
        (date(1981, 9, 1), Gender.FEMALE, date(2039, 10, 1)),  # the full 58
    ],
)
def test_retirement_date_follows_the_gradual_reform(born, gender, retires):
    assert rules.retirement_date(born, gender) == retires


def _unit(session: Session, name: str, kind=DepartmentKind.DEPARTMENT, parent=None) -> int:
    row = Department(name=name, kind=kind, parent_id=parent)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def _person(session, unit, n, kind, *, leader=False, born=None, gender=None, edu=None, on=True):
    session.add(
        Staff(
            wecom_userid=f"p{unit}-{n}",
            name=f"人员{unit}-{n}",
            department_id=unit,
            staffing_type=kind,
            is_leader=leader,
            birth_date=born,
            gender=gender,
            education=edu,
            active=on,
        )
    )


def _county(session: Session) -> tuple[int, int, int]:
    """Bureau: 4 admin posts (5 staff, 3 leaders on 2 posts); lab: 3 institution posts, 2 staff."""
    bureau = _unit(session, "县司法局")
    lab = _unit(session, "县公证处", DepartmentKind.INSTITUTION, bureau)
    bare = _unit(session, "县档案馆")
    session.add(
        StaffingQuota(
            department_id=bureau,
            effective_from=date(2020, 1, 1),
            administrative_posts=9,
            leadership_posts=4,
        )
    )
    session.add(
        StaffingQuota(
            department_id=bureau,
            effective_from=date(2025, 3, 1),
            administrative_posts=4,
            logistics_posts=1,
            leadership_posts=2,
        )
    )
    session.add(
        StaffingQuota(
            department_id=bureau, effective_from=date(2027, 1, 1), administrative_posts=20
        )
    )  # not yet in force
    session.add(
        StaffingQuota(
            department_id=lab,
            effective_from=date(2024, 1, 1),
            institution_posts=3,
            leadership_posts=1,
        )
    )
    M, F = Gender.MALE.value, Gender.FEMALE.value
    _person(
        session,
        bureau,
        1,
        ADMIN,
        leader=True,
        born=date(1966, 2, 10),
        gender=M,
        edu=Education.BACHELOR.value,
    )  # 60 on ON; retires 2026-07-01
    _person(
        session,
        bureau,
        2,
        ADMIN,
        leader=True,
        born=date(1972, 7, 1),
        gender=F,
        edu=Education.POSTGRADUATE.value,
    )  # 53
    _person(
        session,
        bureau,
        3,
        ADMIN,
        leader=True,
        born=date(1990, 6, 30),
        gender=M,
        edu=Education.BACHELOR.value,
    )  # 36 exactly on ON
    _person(
        session, bureau, 4, ADMIN, born=date(1996, 7, 1), gender=F, edu=Education.COLLEGE.value
    )  # 29 (30 tomorrow)
    _person(session, bureau, 5, ADMIN)  # no personal fields
    _person(session, bureau, 6, LOGI, born=date(1980, 1, 1), gender=M)  # 46
    _person(session, bureau, 7, OUT, born=date(2000, 1, 1), gender=F)  # 26, 编外
    _person(session, bureau, 8, ADMIN, on=False, born=date(1950, 1, 1), gender=M)  # left
    _person(
        session,
        lab,
        1,
        INST,
        leader=True,
        born=date(1971, 3, 3),
        gender=F,
        edu=Education.SECONDARY.value,
    )  # 55
    _person(
        session, lab, 2, INST, born=date(1985, 12, 31), gender=M, edu=Education.BACHELOR.value
    )  # 40
    session.add(
        OutputRecord(
            department_id=bureau,
            source=OutputSource.HOTLINE,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            cases=110,
            on_time=110,
            satisfaction=100.0,
        )
    )
    session.add(
        OutputRecord(
            department_id=bureau,
            source=OutputSource.GOVERNMENT_SERVICE,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            cases=290,
            on_time=280,
            satisfaction=90.0,
        )
    )
    session.add(
        OutputRecord(
            department_id=lab,
            source=OutputSource.GOVERNMENT_SERVICE,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 6, 30),
            cases=60,
            on_time=None,
            satisfaction=None,
        )
    )
    session.add(
        OutputRecord(
            department_id=lab,
            source=OutputSource.HOTLINE,
            period_start=date(2024, 7, 1),
            period_end=date(2025, 6, 30),
            cases=999,
        )
    )  # straddles the period: left out
    session.flush()
    return bureau, lab, bare


def test_vacancies_over_quota_and_leadership_posts(engine):
    with Session(engine) as session:
        bureau, lab, bare = _county(session)
        figures = {u.department_id: u for u in queries.unit_staffing(session, on=ON)}
        earlier = {u.department_id: u for u in queries.unit_staffing(session, on=date(2024, 6, 1))}
    b, lab_, none = figures[bureau], figures[lab], figures[bare]
    assert b.quota_from == date(2025, 3, 1)
    assert b.approved_total == 5 and b.actual_established == 6
    assert b.over_quota == {ADMIN: 1} and b.vacancies == 0
    assert b.leaders_actual == 3 and b.over_leadership == 1 and b.has_warning
    assert b.non_established == 1
    assert lab_.approved_total == 3 and lab_.actual_established == 2 and lab_.vacancies == 1
    assert lab_.over_quota == {} and lab_.over_leadership == 0 and not lab_.has_warning
    assert none.quota_from is None and none.approved_total == 0
    assert earlier[bureau].approved_total == 9 and earlier[lab].approved_total == 3


def test_structure_counts_active_members_only(engine):
    with Session(engine) as session:
        bureau, lab, _ = _county(session)
        shapes = {
            s.department_id: s for s in queries.staff_structure(session, department_ids=None, on=ON)
        }
    b = shapes[bureau]
    assert b.staff == 7 and b.without_birth_date == 1
    assert b.average_age == pytest.approx(41.7)  # (60 + 53 + 36 + 29 + 46 + 26) / 6 = 41.67
    assert b.age_bands[AgeBand.UNDER_35] == 2 and b.age_bands[AgeBand.FROM_35] == 1
    assert b.age_bands[AgeBand.FROM_45] == 2 and b.age_bands[AgeBand.FROM_55] == 1
    assert b.genders[Gender.MALE] == 3 and b.genders[Gender.FEMALE] == 3
    assert b.educations[Education.BACHELOR] == 2 and b.without_education == 3
    assert b.staffing[ADMIN] == 5 and b.staffing[LOGI] == 1 and b.staffing[OUT] == 1
    lab_ = shapes[lab]
    assert lab_.staff == 2 and lab_.average_age == pytest.approx(47.5)  # (55 + 40) / 2


def test_output_per_post_against_the_county_average(engine):
    with Session(engine) as session:
        bureau, lab, _ = _county(session)
        units, county = queries.unit_output(session, start=date(2025, 1, 1), end=date(2025, 12, 31))
    by_unit = {u.department_id: u for u in units}
    b, lab_ = by_unit[bureau], by_unit[lab]
    assert b.cases == 400 and b.on_time == 390
    assert b.satisfaction == pytest.approx(92.75)  # (110 × 100 + 290 × 90) / 400
    assert b.per_post == pytest.approx(80.0)  # 400 / 5 approved
    assert b.per_staff == pytest.approx(400 / 6)
    assert lab_.cases == 60 and lab_.per_post == pytest.approx(20.0)  # the straddler left out
    assert county.cases == 460 and county.approved_total == 8
    assert county.per_post == pytest.approx(57.5) and county.per_staff == pytest.approx(57.5)


def test_retirements_in_the_next_twelve_months(engine):
    with Session(engine) as session:
        _county(session)
        coming = queries.retirements(session, on=ON)
    # Born 1966-02 (man): 60 + 4 months, reached 2026-06 → 2026-07-01.
    # Born 1971-03 (woman cadre): 55 + 4 months, reached 2026-07 → 2026-08-01.
    assert [(r.name, r.retirement_date) for r in coming] == [
        (f"人员{coming[0].department_id}-1", date(2026, 7, 1)),
        (f"人员{coming[1].department_id}-1", date(2026, 8, 1)),
    ]
