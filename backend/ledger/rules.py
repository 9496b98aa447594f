"""Pure rules of the ledger: which step each status allows, and which deadline alert is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend.models.ledger import FindingStatus

COMMITTABLE = frozenset({FindingStatus.OPEN, FindingStatus.COMMITTED, FindingStatus.REOPENED})
REPORTABLE = frozenset({FindingStatus.COMMITTED})
CHECKABLE = frozenset({FindingStatus.REPORTED})
UNRESOLVED = frozenset(
    {FindingStatus.OPEN, FindingStatus.COMMITTED, FindingStatus.REPORTED, FindingStatus.REOPENED}
)


@dataclass(frozen=True)
class DeadlineAlert:
    """A reminder before (or on) a deadline, or the notice that it has passed."""

    stage: str  # "remind" or "overdue"
    deadline: date
    left: int


def deadline_alert(
    *,
    status: FindingStatus,
    deadline: date | None,
    reminded_for: date | None,
    overdue_for: date | None,
    today: date,
    remind_days: int,
) -> DeadlineAlert | None:
    """Return the alert due today for a committed finding, at most one of each per deadline."""
    if status != FindingStatus.COMMITTED or deadline is None:
        return None
    left = (deadline - today).days
    if left < 0:
        return None if overdue_for == deadline else DeadlineAlert("overdue", deadline, left)
    if left <= remind_days and reminded_for != deadline:
        return DeadlineAlert("remind", deadline, left)
    return None


def is_overdue(status: FindingStatus, deadline: date | None, today: date) -> bool:
    """Return whether a finding still waiting for its report is past its deadline."""
    return status == FindingStatus.COMMITTED and deadline is not None and deadline < today
