"""Staff of the demo county: names, posts, staffing types, roles and logging habits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from backend.demo import names
from backend.demo.county import DemoUnit, Period, local_time
from backend.models import Role, Section, Staff, StaffingType, saved_id

OFFICE_STAFF = 6  # the staffing office: director, deputy, one member per section
PUBLIC_WORDS = ("窗口", "服务", "登记", "受理", "救助", "就业", "投诉", "保险", "资助", "调解")
DEPARTMENT_TYPES = (
    ("administrative", 72),
    ("logistics", 8),
    ("non_established", 14),
    ("institution", 6),
)
INSTITUTION_TYPES = (("institution", 85), ("non_established", 15))


@dataclass
class Member:
    """A staff row with the habits the entry generator follows."""

    row: Staff
    unit: DemoUnit
    log_rate: float = 0.0
    daily_hours: float = 0.0
    copier: bool = False


def add_staff(
    session: Session, rng: random.Random, units: list[DemoUnit], staff_count: int, period: Period
) -> list[Member]:
    """Insert `staff_count` members over every unit and return them with their habits."""
    office, evaluated = units[-1], units[:-1]
    leaders = [_leader_count(rng, u) for u in evaluated]
    sizes = _unit_sizes(evaluated, leaders, staff_count - OFFICE_STAFF)
    hiring = Hiring(rng, period)
    members: list[Member] = []
    for demo_unit, leader_count, size in zip(evaluated, leaders, sizes, strict=True):
        members += hiring.unit_members(demo_unit, leader_count, size)
    members += hiring.unit_members(office, 2, OFFICE_STAFF, admin=True)
    session.add_all(m.row for m in members)
    session.flush()
    return members


def _leader_count(rng: random.Random, demo_unit: DemoUnit) -> int:
    if demo_unit.parent is None:
        return 1 + rng.choice((1, 2))
    return 1 + (rng.random() < 0.3)


def _unit_sizes(units: list[DemoUnit], leaders: list[int], total: int) -> list[int]:
    """Share `total` people over units by weight: leaders, a reviewer and two more at least."""
    minimum = [n + 2 + (u.parent is None) for u, n in zip(units, leaders, strict=True)]
    if total < sum(minimum):
        needed = sum(minimum) + OFFICE_STAFF
        raise ValueError(f"人员数至少为 {needed} 人 (staff_count must be at least {needed})")
    weights = [u.spec.size * (1.6 if u.parent is None else 0.7) for u in units]
    scale = (total - sum(minimum)) / sum(weights)
    sizes = [low + int(w * scale) for low, w in zip(minimum, weights, strict=True)]
    by_remainder = sorted(range(len(units)), key=lambda i: -((weights[i] * scale) % 1))
    for index in by_remainder[: total - sum(sizes)]:
        sizes[index] += 1
    return sizes


class Hiring:
    """Creates the members of each unit: unique names and userids, posts and habits."""

    def __init__(self, rng: random.Random, period: Period) -> None:
        self.rng = rng
        self.period = period
        self.userids: set[str] = set()

    def unit_members(
        self, demo_unit: DemoUnit, leader_count: int, size: int, admin: bool = False
    ) -> list[Member]:
        """Create the leaders, then one chief per section, then everybody else."""
        members = [self.leader(demo_unit, index) for index in range(leader_count)]
        sections = demo_unit.sections
        for index in range(size - leader_count):
            first = index < len(sections)
            section = sections[index] if first else self.rng.choice(sections)
            chief = index == 0 or (first and self.rng.random() < 0.6)
            members.append(self.member(demo_unit, section, chief))
        _give_roles(demo_unit, members, admin)
        return members

    def leader(self, demo_unit: DemoUnit, index: int) -> Member:
        """Create a leader: the first of a department is its principal head."""
        name, userid = self.person()
        post = _leader_post(demo_unit.spec.name)
        head = index == 0 and demo_unit.parent is None
        row = Staff(
            wecom_userid=userid,
            name=name,
            department_id=saved_id(demo_unit.row),
            staffing_type=_leader_type(demo_unit),
            post=post if index == 0 else "副" + post,
            is_leader=True,
            is_principal_head=head,
            role=Role.HEAD if head else Role.STAFF,
            joined_on=self.joined_long_ago(),
            created_at=local_time(self.period.start - timedelta(days=30), 9),
        )
        return Member(row, demo_unit)

    def member(self, demo_unit: DemoUnit, section: Section, chief: bool) -> Member:
        """Create a member who logs their work."""
        rng = self.rng
        name, userid = self.person()
        kind = _staffing_type(rng, demo_unit, chief)
        recent = self.joined_recently() if rng.random() < 0.05 and not chief else None
        row = Staff(
            wecom_userid=userid,
            name=name,
            department_id=saved_id(demo_unit.row),
            section_id=section.id,
            staffing_type=kind,
            post=_chief_post(section.name) if chief else _weighted(rng, names.POSTS[kind]),
            public_facing=rng.random() < (0.45 if _serves_public(section.name) else 0.08),
            joined_on=recent or self.joined_long_ago(),
            created_at=local_time(recent or self.period.start - timedelta(days=30), 9),
        )
        rate = min(1.0, _log_rate(rng) + demo_unit.top.diligence)
        return Member(row, demo_unit, rate, _daily_hours(rng), rng.random() < 0.06)

    def person(self) -> tuple[str, str]:
        """Return a new name and a unique userid spelled in pinyin."""
        rng = self.rng
        surnames = names.SURNAMES
        surname, pinyin, _ = rng.choices(surnames, [weight for *_, weight in surnames])[0]
        male = rng.random() < 0.5
        first = names.MALE_FIRST if male else names.FEMALE_FIRST
        last = names.MALE_LAST if male else names.FEMALE_LAST
        given = [rng.choice(last)] if rng.random() < 0.25 else [rng.choice(first), rng.choice(last)]
        if len(given) == 2 and given[0][0] == given[1][0]:
            given = given[1:]
        name = surname + "".join(char for char, _ in given)
        return name, self._userid(pinyin + "".join(sound for _, sound in given))

    def _userid(self, base: str) -> str:
        userid, number = base, 1
        while userid in self.userids:
            number += 1
            userid = f"{base}{number}"
        self.userids.add(userid)
        return userid

    def joined_long_ago(self) -> date:
        """Return a joining date well before the period."""
        first = date(1996, 8, 1).toordinal()
        last = (self.period.start - timedelta(days=60)).toordinal()
        return date.fromordinal(self.rng.randint(first, last))

    def joined_recently(self) -> date:
        """Return a joining date inside the period."""
        days = (self.period.end - self.period.start).days
        return self.period.start + timedelta(days=self.rng.randint(days // 5, days * 3 // 4))


def _leader_post(unit_name: str) -> str:
    for suffix, post in (("局", "局长"), ("站", "站长"), ("所", "所长"), ("院", "院长")):
        if unit_name.endswith(suffix):
            return post
    return "主任"


def _leader_type(demo_unit: DemoUnit) -> StaffingType:
    if demo_unit.parent is None:
        return StaffingType.ADMINISTRATIVE
    return StaffingType.INSTITUTION


def _staffing_type(rng: random.Random, demo_unit: DemoUnit, chief: bool) -> StaffingType:
    if demo_unit.parent is not None:
        kind = "institution" if chief else _weighted(rng, INSTITUTION_TYPES)
    else:
        kind = "administrative" if chief else _weighted(rng, DEPARTMENT_TYPES)
    return StaffingType(kind)


def _chief_post(section: str) -> str:
    if section == "办公室":
        return "办公室主任"
    for suffix, post in (("股", "股长"), ("科", "科长"), ("组", "组长")):
        if section.endswith(suffix):
            return post
    return "负责人"


def _serves_public(section: str) -> bool:
    return any(word in section for word in PUBLIC_WORDS)


def _give_roles(demo_unit: DemoUnit, members: list[Member], admin: bool) -> None:
    """Make a department's office chief its reviewer; the staffing office gets the admin."""
    if demo_unit.parent is not None:
        return
    staff = [m.row for m in members if not m.row.is_leader]
    chosen = staff[-1] if admin else staff[0]
    chosen.role = Role.ADMIN if admin else Role.REVIEWER
    demo_unit.reviewer = chosen


def _weighted(rng: random.Random, choices) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _log_rate(rng: random.Random) -> float:
    return 0.5 if rng.random() < 0.06 else rng.uniform(0.8, 0.97)


def _daily_hours(rng: random.Random) -> float:
    """Draw a member's usual logged hours a day: a few light and a few heavy loggers."""
    draw = rng.random()
    if draw < 0.07:
        return rng.uniform(3.0, 4.6)
    if draw < 0.2:
        return rng.uniform(5.0, 6.8)
    if draw < 0.92:
        return rng.uniform(7.0, 9.4)
    return rng.uniform(10.0, 12.0)
