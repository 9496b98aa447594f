"""Reading the ledger: findings by unit, round and status, one finding's history, counts."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, func, select

from backend.models.ledger import Finding, FindingEvent, FindingStatus


def findings(
    session: Session,
    *,
    department_ids: Collection[int] | None = None,
    round_id: int | None = None,
    statuses: Collection[FindingStatus] | None = None,
) -> list[Finding]:
    """Return findings, oldest first, narrowed by units (None = all), round and statuses."""
    query = select(Finding)
    if department_ids is not None:
        query = query.where(col(Finding.department_id).in_(list(department_ids)))
    if round_id is not None:
        query = query.where(Finding.round_id == round_id)
    if statuses is not None:
        query = query.where(col(Finding.status).in_(list(statuses)))
    return list(session.exec(query.order_by(col(Finding.found_on), col(Finding.id))))


def finding(session: Session, *, finding_id: int) -> Finding | None:
    """Return one finding, or None."""
    return session.get(Finding, finding_id)


def events(session: Session, *, finding_id: int) -> list[FindingEvent]:
    """Return a finding's history, oldest first."""
    query = select(FindingEvent).where(FindingEvent.finding_id == finding_id)
    return list(session.exec(query.order_by(col(FindingEvent.at), col(FindingEvent.id))))


def status_counts(
    session: Session, *, round_id: int | None = None, department_ids: Collection[int] | None = None
) -> dict[int, dict[FindingStatus, int]]:
    """Return department id → status → number of findings."""
    query = select(Finding.department_id, Finding.status, func.count()).group_by(
        col(Finding.department_id), col(Finding.status)
    )
    if round_id is not None:
        query = query.where(Finding.round_id == round_id)
    if department_ids is not None:
        query = query.where(col(Finding.department_id).in_(list(department_ids)))
    found: dict[int, dict[FindingStatus, int]] = {}
    for dept, status, count in session.exec(query).all():
        found.setdefault(dept, {})[FindingStatus(status)] = count
    return found
