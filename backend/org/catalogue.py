"""Look-ups over duty catalogues, key tasks and task types."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import BindParameter, Select, String, bindparam
from sqlmodel import Session, col, func, select

from backend.models import Department, Duty, DutyEntry, KeyTask, KeyTaskDuty, TaskType

FUNCTION_ORDER = {"core": 0, "general": 1, "auxiliary": 2}
LIKE_ESCAPE = "/"

# Built once: the duty form asks these on most messages.
_DUTIES = select(Duty).where(Duty.department_id == bindparam("department_id"), Duty.active)
_RECENT_DUTIES = (
    select(DutyEntry.duty_id, func.max(DutyEntry.id).label("last"))
    .where(DutyEntry.staff_id == bindparam("staff_id"))
    .group_by(col(DutyEntry.duty_id))
    .order_by(func.max(DutyEntry.id).desc())
    .limit(bindparam("limit"))
)
_KEY_TASKS = (
    select(KeyTask)
    .join(KeyTaskDuty, col(KeyTaskDuty.key_task_id) == KeyTask.id)
    .where(KeyTaskDuty.duty_id == bindparam("duty_id"))
    .order_by(col(KeyTask.year).desc(), col(KeyTask.id))
)
_TASK_TYPES = select(TaskType).order_by(col(TaskType.sort_order))


def duties_of(session: Session, *, department_id: int) -> list[Duty]:
    """Return the department's active duties, core first, then by number."""
    duties = session.execute(_DUTIES, {"department_id": department_id}).scalars().all()
    return sorted(duties, key=lambda d: (FUNCTION_ORDER.get(d.function_type, 9), d.seq))


def recent_duty_ids(session: Session, *, staff_id: int, limit: int = 3) -> list[int]:
    """Return the duties the member logged most recently, newest first."""
    rows = session.execute(_RECENT_DUTIES, {"staff_id": staff_id, "limit": limit})
    return [row[0] for row in rows]


def key_tasks_for_duty(session: Session, *, duty_id: int) -> list[KeyTask]:
    """Return the key tasks linked to a duty, newest year first."""
    return list(session.execute(_KEY_TASKS, {"duty_id": duty_id}).scalars())


def task_types(session: Session) -> list[TaskType]:
    """Return the five task types in their usual order."""
    return list(session.execute(_TASK_TYPES).scalars())


@dataclass(frozen=True)
class Responsible:
    """A department that handles something, with the duty or key task that says so."""

    department: str
    text: str
    score: int


def who_handles(session: Session, *, keyword: str, limit: int = 5) -> list[Responsible]:
    """Search every duty catalogue and key task for all the words; best match first."""
    words = keyword.split() or [keyword]
    duties_stmt, tasks_stmt = _who_statements(len(words))
    params = {f"word{i}": _like_escaped(word) for i, word in enumerate(words)}
    duties = session.execute(duties_stmt, params).all()
    tasks = session.execute(tasks_stmt, params).all()
    found = [Responsible(n, t, _score(t, words) + 1) for n, t in duties]
    found += [Responsible(n, t, _score(t, words)) for n, t in tasks]
    return sorted(found, key=lambda r: (-r.score, len(r.text)))[:limit]


@lru_cache(maxsize=8)
def _who_statements(count: int) -> tuple[Select, Select]:
    """Return the two searches for `count` words, built once per count."""
    words: list[BindParameter[str]] = [bindparam(f"word{i}", type_=String) for i in range(count)]
    duties = (
        select(Department.name, Duty.title)
        .join(Duty, col(Duty.department_id) == Department.id)
        .where(Duty.active, *[col(Duty.title).contains(w, escape=LIKE_ESCAPE) for w in words])
    )
    tasks = (
        select(Department.name, KeyTask.title)
        .join(KeyTask, col(KeyTask.department_id) == Department.id)
        .where(*[col(KeyTask.title).contains(w, escape=LIKE_ESCAPE) for w in words])
    )
    return duties, tasks


def _like_escaped(word: str) -> str:
    """Escape LIKE's wildcards, so that a word matches only itself."""
    for special in (LIKE_ESCAPE, "%", "_"):
        word = word.replace(special, LIKE_ESCAPE + special)
    return word


def _score(text: str, words: list[str]) -> int:
    return sum(text.count(w) * 10 - text.find(w) // 10 for w in words)
