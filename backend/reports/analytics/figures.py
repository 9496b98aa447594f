"""The figures analytics returns: plain frozen dataclasses with the metrics as properties."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from backend.models.org import FunctionType, StaffingType

BUSINESS = "business"
STANDARD_DAY_HOURS = 8.0
BUCKET_BOUNDS = (5.0, 7.0, 10.0)


@dataclass(frozen=True)
class Ratio:
    """A share as numerator over denominator; `value` is None when there is nothing to divide."""

    numerator: float
    denominator: float

    @property
    def value(self) -> float | None:
        """The plain quotient, or None for an empty denominator."""
        return self.numerator / self.denominator if self.denominator else None

    def percent(self, places: int = 2) -> float | None:
        """The share in percent, rounded half up to `places` decimals (71.21 for 94/132)."""
        if not self.denominator:
            return None
        exact = Fraction(self.numerator) / Fraction(self.denominator) * 100
        quantum = Decimal(1).scaleb(-places)
        decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
        return float(decimal.quantize(quantum, rounding=ROUND_HALF_UP))

    def label(self, places: int = 2) -> str:
        """The share as Chinese report text: "71.21%", or "—" when undefined."""
        value = self.percent(places)
        return "—" if value is None else f"{value:.{places}f}%"


@dataclass(frozen=True)
class HoursBuckets:
    """Members by average effective hours per workday: < 5, 5–7, 7–10, ≥ 10 h."""

    under_5: int = 0
    from_5_to_7: int = 0
    from_7_to_10: int = 0
    from_10: int = 0

    @property
    def counts(self) -> tuple[int, int, int, int]:
        """The four counts, lowest bucket first."""
        return (self.under_5, self.from_5_to_7, self.from_7_to_10, self.from_10)

    @property
    def total(self) -> int:
        """Members bucketed."""
        return sum(self.counts)

    @property
    def share_5_and_over(self) -> Ratio:
        """Share of members averaging 5 h or more per workday."""
        return Ratio(self.total - self.under_5, self.total)


def bucket_index(average_hours: float) -> int:
    """Return the bucket (0–3) of an average daily hours figure."""
    return sum(1 for bound in BUCKET_BOUNDS if average_hours >= bound)


@dataclass(frozen=True)
class Figures:
    """Aggregated counts for one group (department, section, staffing type or person).

    The metrics of domain.md are properties returning a `Ratio`. Mappings are read-only by
    convention: `hours_by_function` is keyed by `FunctionType`, the task-type mappings by
    task-type code ("business", "party", ...).
    """

    staff_count: int = 0
    expected_days: int = 0
    reported_days: int = 0
    entries: int = 0
    reviewed_entries: int = 0
    returned_entries: int = 0
    flagged_entries: int = 0
    hours: float = 0.0
    duties_total: int = 0
    duties_performed: int = 0
    participants: int = 0
    non_core_participants: int = 0
    hours_by_function: Mapping[FunctionType, float] = field(default_factory=dict)
    entries_by_task_type: Mapping[str, int] = field(default_factory=dict)
    hours_by_task_type: Mapping[str, float] = field(default_factory=dict)
    buckets: HoursBuckets = field(default_factory=HoursBuckets)

    @property
    def reporting_rate(self) -> Ratio:
        """填报率: staff-workdays with an entry ÷ staff-workdays expected.

        Expected: each member's working days since joining, less days on leave or a trip
        (请假/出差) on which they logged nothing.
        """
        return Ratio(self.reported_days, self.expected_days)

    @property
    def review_rate(self) -> Ratio:
        """审核率: entries reviewed (approved or returned) ÷ entries submitted."""
        return Ratio(self.reviewed_entries, self.entries)

    @property
    def duty_coverage(self) -> Ratio:
        """履职全面度: duties with at least one entry ÷ duties in the catalogue."""
        return Ratio(self.duties_performed, self.duties_total)

    @property
    def standard_hours(self) -> float:
        """Standard hours: 8 h × expected staff-workdays."""
        return STANDARD_DAY_HOURS * self.expected_days

    @property
    def workload_ratio(self) -> Ratio:
        """履职充分度: hours logged ÷ standard hours."""
        return Ratio(self.hours, self.standard_hours)

    def function_focus(self, function_type: FunctionType) -> Ratio:
        """Share of hours on duties of one function type."""
        return Ratio(self.hours_by_function.get(function_type, 0.0), self.hours)

    @property
    def core_focus(self) -> Ratio:
        """主责主业聚焦度: share of hours on core duties."""
        return self.function_focus(FunctionType.CORE)

    @property
    def general_focus(self) -> Ratio:
        """Share of hours on general duties."""
        return self.function_focus(FunctionType.GENERAL)

    @property
    def auxiliary_focus(self) -> Ratio:
        """Share of hours on auxiliary duties."""
        return self.function_focus(FunctionType.AUXILIARY)

    def task_type_entries_share(self, code: str) -> Ratio:
        """Share of entries of one task type."""
        return Ratio(self.entries_by_task_type.get(code, 0), self.entries)

    def task_type_hours_share(self, code: str) -> Ratio:
        """Share of hours of one task type."""
        return Ratio(self.hours_by_task_type.get(code, 0.0), self.hours)

    @property
    def business_entries_share(self) -> Ratio:
        """Share of entries that are business work (业务)."""
        return self.task_type_entries_share(BUSINESS)

    @property
    def business_hours_share(self) -> Ratio:
        """Share of hours that are business work (业务)."""
        return self.task_type_hours_share(BUSINESS)

    @property
    def non_core_hours_share(self) -> Ratio:
        """非主责主业时长占比: hours on work other than business ÷ all hours."""
        return Ratio(self.hours - self.hours_by_task_type.get(BUSINESS, 0.0), self.hours)

    @property
    def non_core_entries_share(self) -> Ratio:
        """非主责主业任务数占比: entries other than business ÷ all entries."""
        return Ratio(self.entries - self.entries_by_task_type.get(BUSINESS, 0), self.entries)

    @property
    def non_core_participants_share(self) -> Ratio:
        """非主责主业参与人员占比: members with non-business entries ÷ members with entries."""
        return Ratio(self.non_core_participants, self.participants)

    @property
    def share_5h_and_over(self) -> Ratio:
        """Share of members averaging 5 h or more per workday."""
        return self.buckets.share_5_and_over


@dataclass(frozen=True)
class DepartmentMetrics:
    """A department together with its affiliated institutions."""

    department_id: int
    name: str
    figures: Figures


@dataclass(frozen=True)
class SectionMetrics:
    """A section of a department; `section_id` None gathers members with no section (未分科室)."""

    department_id: int
    section_id: int | None
    name: str
    figures: Figures


@dataclass(frozen=True)
class StaffingTypeMetrics:
    """All evaluated members of one staffing type (in a department, or county-wide)."""

    staffing_type: StaffingType
    name: str
    figures: Figures


@dataclass(frozen=True)
class PersonMetrics:
    """One evaluated member."""

    staff_id: int
    name: str
    department_id: int
    section_id: int | None
    section_name: str
    staffing_type: StaffingType
    figures: Figures


@dataclass(frozen=True)
class DepartmentBreakdown:
    """A department's figures with every breakdown, from one set of queries."""

    department: DepartmentMetrics
    sections: list[SectionMetrics]
    staffing_types: list[StaffingTypeMetrics]
    people: list[PersonMetrics]
    start: date
    end: date


@dataclass(frozen=True)
class WeekPoint:
    """One week of a trend: Monday to Sunday."""

    start: date
    end: date
    figures: Figures
