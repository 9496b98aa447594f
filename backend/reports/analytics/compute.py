"""Pure roll-ups: aggregated SQL rows → per-member facts → Figures for any group of members."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from backend.models.org import FunctionType
from backend.reports.analytics.figures import BUSINESS, Figures, HoursBuckets, bucket_index
from backend.reports.analytics.queries import EntryCell, Member


@dataclass
class PersonFacts:
    """One member's sums over the period (an accumulator, filled from EntryCell rows)."""

    member: Member
    expected_days: int
    reported_days: int
    entries: int = 0
    reviewed: int = 0
    returned: int = 0
    flagged: int = 0
    hours: float = 0.0
    hours_by_function: dict[FunctionType, float] = field(default_factory=lambda: defaultdict(float))
    entries_by_task: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hours_by_task: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    duty_ids: set[int] = field(default_factory=set)

    def add(self, cell: EntryCell, function_type: FunctionType | None) -> None:
        """Add one aggregated row of this member's entries."""
        self.entries += cell.entries
        self.reviewed += cell.reviewed
        self.returned += cell.returned
        self.flagged += cell.flagged
        self.hours += cell.hours
        if function_type is not None:
            self.hours_by_function[function_type] += cell.hours
        self.entries_by_task[cell.task_type_code] += cell.entries
        self.hours_by_task[cell.task_type_code] += cell.hours
        self.duty_ids.add(cell.duty_id)


def expected_days(
    workdays: Sequence[date], joined_on: date | None, excused: Collection[date] = ()
) -> int:
    """Count the sorted working days from the day the member joined, less excused ones."""
    first = 0 if joined_on is None else bisect_left(workdays, joined_on)
    return (
        len(workdays) - first - sum(1 for day in excused if joined_on is None or day >= joined_on)
    )


def person_facts(
    members: Iterable[Member],
    cells: Iterable[EntryCell],
    reported: Mapping[int, int],
    workdays: Sequence[date],
    duty_types: Mapping[int, FunctionType],
    excused: Mapping[int, Collection[date]] | None = None,
) -> dict[int, PersonFacts]:
    """Build every evaluated member's facts; rows of other members are left out.

    `excused` holds, per member, working days away on leave or a trip with no entry: they are
    not expected. Reported days are capped at expected days (entries logged before joining).
    """
    excused = excused or {}
    people: dict[int, PersonFacts] = {}
    for member in members:
        expected = expected_days(workdays, member.joined_on, excused.get(member.staff_id, ()))
        logged = min(reported.get(member.staff_id, 0), expected)
        people[member.staff_id] = PersonFacts(member, expected, logged)
    for cell in cells:
        facts = people.get(cell.staff_id)
        if facts is not None:
            facts.add(cell, duty_types.get(cell.duty_id))
    return people


def figures_of(people: Iterable[PersonFacts], catalogue: Collection[int]) -> Figures:
    """Sum members' facts into Figures; duty coverage counts only duties in `catalogue`."""
    people = list(people)
    hours_by_function: dict[FunctionType, float] = defaultdict(float)
    entries_by_task: dict[str, int] = defaultdict(int)
    hours_by_task: dict[str, float] = defaultdict(float)
    duty_ids: set[int] = set()
    for facts in people:
        _merge(hours_by_function, facts.hours_by_function)
        _merge(entries_by_task, facts.entries_by_task)
        _merge(hours_by_task, facts.hours_by_task)
        duty_ids |= facts.duty_ids
    return Figures(
        staff_count=len(people),
        expected_days=sum(p.expected_days for p in people),
        reported_days=sum(p.reported_days for p in people),
        entries=sum(p.entries for p in people),
        reviewed_entries=sum(p.reviewed for p in people),
        returned_entries=sum(p.returned for p in people),
        flagged_entries=sum(p.flagged for p in people),
        hours=sum(p.hours for p in people),
        duties_total=len(catalogue),
        duties_performed=len(duty_ids.intersection(catalogue)),
        participants=sum(1 for p in people if p.entries),
        non_core_participants=sum(
            1 for p in people if p.entries > p.entries_by_task.get(BUSINESS, 0)
        ),
        hours_by_function=dict(hours_by_function),
        entries_by_task_type=dict(entries_by_task),
        hours_by_task_type=dict(hours_by_task),
        buckets=buckets_of(people),
    )


def buckets_of(people: Iterable[PersonFacts]) -> HoursBuckets:
    """Bucket members by average hours per expected working day (members with none skipped)."""
    counts = [0, 0, 0, 0]
    for facts in people:
        if facts.expected_days:
            counts[bucket_index(facts.hours / facts.expected_days)] += 1
    return HoursBuckets(*counts)


def group_by(people: Iterable[PersonFacts], key) -> dict:
    """Group members' facts by a key function of the Member, keeping first-seen order."""
    groups: dict = {}
    for facts in people:
        groups.setdefault(key(facts.member), []).append(facts)
    return groups


def _merge(total: dict, part: Mapping) -> None:
    for key, value in part.items():
        total[key] += value
