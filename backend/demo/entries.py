"""Weeks of plausible duty entries for the demo county, inserted in bulk."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from backend.demo import names
from backend.demo.county import DemoDuty, Period, local_time
from backend.demo.staff import Member
from backend.models import DutyEntry, EntryStatus
from backend.models.entries import DEFAULT_TASK_TYPES
from backend.schedule.workdays import workdays_between

KIND_WEIGHTS = {"core": 49, "general": 33, "auxiliary": 18}
OTHER_TASK_TYPES = {"general": 50, "party": 20, "finance_hr": 15, "petition": 15}
TASK_STANDARD_HOURS = {code: hours for code, _, _, hours in DEFAULT_TASK_TYPES}
CHUNK = 5000
REVIEW_DAYS = 6  # entries older than this are mostly reviewed
# Shares of vague, repeated (own) and copied (a colleague's) descriptions, by copier or not.
HABITS = {False: (0.025, 0.02, 0.012), True: (0.08, 0.25, 0.12)}


def add_entries(session: Session, rng: random.Random, members: list[Member], period: Period) -> int:
    """Insert the entries of every member who is not a leader; return how many."""
    days = workdays_between(period.start, period.end)
    rows: list[dict] = []
    board: dict[tuple[int, int], list[str]] = {}  # (department, week) -> texts written
    count = 0
    for member in members:
        if member.row.is_leader or not member.row.active:
            continue
        rows += Diary(rng, member, period, board).write(days)
        if len(rows) >= CHUNK:
            count += _insert(session, rows)
            rows = []
    return count + _insert(session, rows)


def _insert(session: Session, rows: list[dict]) -> int:
    if rows:
        session.exec(insert(DutyEntry).execution_options(render_nulls=True), params=rows)
    return len(rows)


class Diary:
    """One member's entries: which days, which duties, how many hours, what text."""

    def __init__(self, rng: random.Random, member: Member, period: Period, board: dict) -> None:
        self.rng = rng
        self.member = member
        self.period = period
        self.pools = _duty_pools(member)
        self.board = board
        self.last_text: str | None = None

    def write(self, days: list[date]) -> list[dict]:
        """Return the rows of every day the member logged."""
        rows: list[dict] = []
        joined = self.member.row.joined_on or self.period.start
        for day in days:
            if day >= joined and self.rng.random() < self.member.log_rate:
                rows += self.day(day)
        return rows

    def day(self, day: date) -> list[dict]:
        """Return one day's rows."""
        total = self.day_total()
        picks = [self.pick() for _ in range(self.entry_count(total))]
        hours = _split_hours(self.rng, total, len(picks))
        return [
            self.row(day, duty, task, self.fit(duty, task, h))
            for (duty, task), h in zip(picks, hours, strict=True)
        ]

    def day_total(self) -> float:
        """Draw the day's logged hours in half-hour steps."""
        hours = self.rng.gauss(self.member.daily_hours, 1.1)
        if self.rng.random() < 0.02:  # a half day off
            hours = self.rng.uniform(1.5, 3.5)
        return min(14.0, max(1.0, round(hours * 2) / 2))

    def entry_count(self, total: float) -> int:
        """Return how many entries the day's hours are spread over."""
        if total < 3:
            return 1
        if total < 6:
            return self.rng.choice((1, 2))
        if total < 8.5:
            return self.rng.choices((1, 2, 3), (25, 45, 30))[0]
        return self.rng.choices((1, 2, 3), (5, 50, 45))[0]

    def fit(self, duty: DemoDuty, task: str, hours: float) -> float:
        """Mostly keep within the standard hours; now and then not, for the review to flag."""
        standard = duty.standard_hours or TASK_STANDARD_HOURS[task]
        return standard if hours > standard and self.rng.random() < 0.85 else hours

    def pick(self) -> tuple[DemoDuty, str]:
        """Choose a duty (by function type first) and the task type of an entry."""
        rng = self.rng
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        home, pool = self.pools[kind]
        duty = rng.choice(home) if home and rng.random() < 0.7 else rng.choice(pool)
        return duty, self.task_type(duty)

    def task_type(self, duty: DemoDuty) -> str:
        """Mostly the duty's own task type; now and then another one."""
        draw = self.rng.random()
        usual = duty.spec.task or "business"
        if draw < (0.88 if duty.spec.task else 0.93):
            return usual
        if duty.spec.task and draw < 0.95:
            return "business"
        others = {k: w for k, w in OTHER_TASK_TYPES.items() if k != usual}
        return self.rng.choices(list(others), list(others.values()))[0]

    def row(self, day: date, duty: DemoDuty, task: str, hours: float) -> dict:
        """Build one entry row with its description, review status and timestamps."""
        text, items = self.describe(day, duty, task)
        key_task = self.key_task(duty, task)
        status, reason = self.status(day, text)
        created = self.created_at(day)
        reviewed = None if status == EntryStatus.SUBMITTED else self.reviewed_at(created)
        reviewer = self.member.unit.top.reviewer
        return {
            "staff_id": self.member.row.id,
            "department_id": self.member.row.department_id,
            "section_id": self.member.row.section_id,
            "work_date": day,
            "duty_id": duty.id,
            "key_task_id": key_task,
            "task_type_code": task,
            "hours": hours,
            "items": items,
            "description": text,
            "status": status.value,
            "flags": "",
            "reviewer_id": reviewer.id if reviewed and reviewer else None,
            "reviewed_at": reviewed,
            "return_reason": reason,
            "source": "demo",
            "client_key": None,
            "created_at": created,
            "updated_at": reviewed or created,
        }

    def describe(self, day: date, duty: DemoDuty, task: str) -> tuple[str, int | None]:
        """Return a description and the count of items handled: now and then vague or copied."""
        vague, repeat, copy = HABITS[self.member.copier]
        draw = self.rng.random()
        posted = self.board.setdefault((self.member.row.department_id, day.toordinal() // 7), [])
        if draw < vague:
            return self.rng.choice(names.VAGUE_DESCRIPTIONS), None
        if self.last_text and draw < vague + repeat:
            return self.last_text, None
        if posted and draw < vague + repeat + copy:
            return self.rng.choice(posted), None
        text, items = self.compose(day, duty, task)
        posted.append(text)
        self.last_text = text
        return text, items

    def compose(self, day: date, duty: DemoDuty, task: str) -> tuple[str, int | None]:
        """Fill a template with specifics, and sometimes say what came of the work."""
        rng = self.rng
        template = self.template(duty, task)
        n, m = rng.randint(2, 30), rng.randint(1, 8)
        text = template.format(
            n=n,
            m=m,
            town=rng.choice(names.TOWNS),
            obj=rng.choice(self.objects()),
            subject=duty.spec.subject,
            month=day.month,
            doc=rng.choice(names.STUDY_TOPICS),
            unit=self.member.unit.spec.short,
        )
        if rng.random() < 0.8:
            detail = rng.choice(names.DETAILS)
            text += detail.format(k=rng.randint(1, 9), town=rng.choice(names.TOWNS))
        items = n if "{n}" in template and rng.random() < 0.6 else None
        return text, items

    def template(self, duty: DemoDuty, task: str) -> str:
        """Prefer the duty's own wording when the entry is the duty's usual kind of work."""
        own_share = 0.3 if duty.spec.task else 0.6  # shared party wording: less often
        usual = duty.spec.work and task == (duty.spec.task or "business")
        if usual and self.rng.random() < own_share:
            return duty.spec.work
        return self.rng.choice(names.WORK_TEMPLATES[task])

    def objects(self) -> tuple[str, ...]:
        """Return what the unit deals with: enterprises, schools, families…"""
        unit = self.member.unit
        return unit.spec.objects or unit.top.spec.objects or ("单位",)

    def key_task(self, duty: DemoDuty, task: str) -> int | None:
        """Link a business entry now and then to a key task its duty serves."""
        if task != "business" or not duty.key_task_ids or self.rng.random() >= 0.4:
            return None
        return self.rng.choice(duty.key_task_ids)

    def status(self, day: date, text: str) -> tuple[EntryStatus, str | None]:
        """Older entries are mostly approved, vague ones often returned; recent ones wait."""
        draw = self.rng.random()
        if (self.period.end - day).days <= REVIEW_DAYS:
            return (EntryStatus.APPROVED if draw < 0.35 else EntryStatus.SUBMITTED), None
        if text in names.VAGUE_DESCRIPTIONS and draw < 0.45:
            return EntryStatus.RETURNED, names.RETURN_REASONS[0]
        if draw < 0.012:
            return EntryStatus.RETURNED, self.rng.choice(names.RETURN_REASONS[1:])
        if draw < 0.012 + self.member.unit.top.backlog:
            return EntryStatus.SUBMITTED, None
        return EntryStatus.APPROVED, None

    def created_at(self, day: date) -> datetime:
        """Most log in the late afternoon or evening; a few days later; today in the morning."""
        rng = self.rng
        minute = rng.choice((0, 10, 20, 30, 40, 50))
        if day >= self.period.end:
            return local_time(day, rng.randint(8, 11), minute)
        if rng.random() < 0.08:
            late = min(day + timedelta(days=rng.randint(1, 3)), self.period.end)
            return local_time(late, rng.randint(8, 10), minute)
        return local_time(day, rng.randint(16, 21), minute)

    def reviewed_at(self, created: datetime) -> datetime:
        """Return when the reviewer acted: within a few days, never after the period."""
        reviewed = created + timedelta(hours=self.rng.randint(14, 60))
        reviewed = min(reviewed, local_time(self.period.end, 17, 30))
        return max(reviewed, created + timedelta(hours=1))


def _duty_pools(member: Member) -> dict[str, tuple[list[DemoDuty], list[DemoDuty]]]:
    """For each function type: the member's section duties and the unit's (or parent's)."""
    unit = member.unit
    active = [d for d in unit.duties if not d.dormant]
    inherited = [d for d in unit.top.duties if not d.dormant]
    pools = {}
    for kind in KIND_WEIGHTS:
        own = [d for d in active if d.spec.kind == kind]
        pool = own or [d for d in inherited if d.spec.kind == kind] or active
        home = [d for d in own if d.section_id == member.row.section_id]
        pools[kind] = (home, pool)
    return pools


def _split_hours(rng: random.Random, total: float, parts: int) -> list[float]:
    """Split `total` hours into `parts` half-hour multiples."""
    halves = int(total * 2)
    cuts = sorted(rng.sample(range(1, halves), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, halves]
    return [(b - a) / 2 for a, b in itertools.pairwise(bounds)]
