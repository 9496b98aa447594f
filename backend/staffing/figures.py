"""The staffing figures the console, the reports and the evaluation read (plain values)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from backend.models.org import StaffingType
from backend.models.staffing import Education, Gender

ESTABLISHED = (StaffingType.ADMINISTRATIVE, StaffingType.INSTITUTION, StaffingType.LOGISTICS)


def _ratio(numerator: float, divisor: int) -> float | None:
    return numerator / divisor if divisor else None


@dataclass(frozen=True)
class UnitStaffing:
    """A unit's approved posts (the quota in force) against its active staff."""

    department_id: int
    name: str
    kind: str  # a DepartmentKind value
    approved: Mapping[StaffingType, int]  # administrative, institution, logistics posts
    leadership_posts: int
    actual: Mapping[StaffingType, int]  # active staff by type, non_established counted apart
    leaders_actual: int
    quota_from: date | None  # effective_from of the quota in force; None = no quota entered

    @property
    def approved_total(self) -> int:
        """All approved posts (行政 + 事业 + 工勤)."""
        return sum(self.approved.get(kind, 0) for kind in ESTABLISHED)

    @property
    def actual_established(self) -> int:
        """Active staff holding a post (编外 excluded)."""
        return sum(self.actual.get(kind, 0) for kind in ESTABLISHED)

    @property
    def non_established(self) -> int:
        """Active staff outside the establishment (编外)."""
        return self.actual.get(StaffingType.NON_ESTABLISHED, 0)

    @property
    def vacancies(self) -> int:
        """Approved posts nobody holds (空编)."""
        return max(self.approved_total - self.actual_established, 0)

    @property
    def over_quota(self) -> dict[StaffingType, int]:
        """Staff beyond the approved posts, per type (超编)."""
        over = {kind: self.actual.get(kind, 0) - self.approved.get(kind, 0) for kind in ESTABLISHED}
        return {kind: n for kind, n in over.items() if n > 0}

    @property
    def over_leadership(self) -> int:
        """Leaders beyond the leadership posts (超职数)."""
        return max(self.leaders_actual - self.leadership_posts, 0)

    @property
    def has_warning(self) -> bool:
        """Whether the unit is over its quota or its leadership posts."""
        return bool(self.over_quota) or self.over_leadership > 0


@dataclass(frozen=True)
class UnitOutput:
    """A unit's cases in a period against its posts and staff."""

    department_id: int
    name: str
    cases: int
    on_time: int | None
    satisfaction: float | None  # case-weighted percent
    approved_total: int
    actual_established: int

    @property
    def per_post(self) -> float | None:
        """Cases per approved post."""
        return _ratio(self.cases, self.approved_total)

    @property
    def per_staff(self) -> float | None:
        """Cases per established staff member."""
        return _ratio(self.cases, self.actual_established)

    @property
    def on_time_rate(self) -> float | None:
        """Share of cases finished on time, 0–1."""
        return None if self.on_time is None else _ratio(self.on_time, self.cases)


@dataclass(frozen=True)
class CountyOutput:
    """The county's totals over the units with output records in the period."""

    cases: int
    approved_total: int
    actual_established: int

    @property
    def per_post(self) -> float | None:
        """Cases per approved post, county-wide."""
        return _ratio(self.cases, self.approved_total)

    @property
    def per_staff(self) -> float | None:
        """Cases per established staff member, county-wide."""
        return _ratio(self.cases, self.actual_established)


class AgeBand(StrEnum):
    """The age bands of the staff structure (completed years)."""

    UNDER_35 = "under_35"
    FROM_35 = "35_44"
    FROM_45 = "45_54"
    FROM_55 = "55_plus"


@dataclass(frozen=True)
class UnitStructure:
    """A unit's active staff by age, gender, education and staffing type (personal: admin only)."""

    department_id: int
    name: str
    kind: str
    staff: int
    average_age: float | None  # 1 decimal, over members with a birth date
    age_bands: Mapping[AgeBand, int]
    genders: Mapping[Gender, int]
    educations: Mapping[Education, int]
    staffing: Mapping[StaffingType, int]
    without_birth_date: int

    @property
    def without_gender(self) -> int:
        """Members whose gender is not recorded."""
        return self.staff - sum(self.genders.values())

    @property
    def without_education(self) -> int:
        """Members whose education is not recorded."""
        return self.staff - sum(self.educations.values())


@dataclass(frozen=True)
class Retiring:
    """A member reaching retirement age (personal: admin only)."""

    staff_id: int
    name: str
    department_id: int
    unit: str
    birth_date: date
    gender: Gender
    retirement_date: date
