"""Role grants from imports: recorded as pending, in force only once an administrator confirms.

A roster may name reviewers, heads and administrators, but a file is not an administrator's
decision: an import sets a member's role only to plain staff (or keeps the role they hold) and
asks for every other role here; the console's 角色授权 page confirms or rejects each request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.models import Department, GrantStatus, Role, RoleGrant, Staff, saved_ids, utcnow
from backend.models.accounts import Account, AccountRole

DECIDED_SHOWN = 50


class GrantError(ValueError):
    """A grant cannot be decided as asked; the message says why (Chinese)."""


def held_role(requested: str, current: str | None) -> Role:
    """Return the role an import may set by itself: plain staff, or the role already held."""
    if requested == Role.STAFF or requested == current:
        return Role(requested)
    return Role(current or Role.STAFF)


def request_grants(
    session: Session, *, wanted: Mapping[int, str], requested_by: int | None, source: str
) -> int:
    """Record a pending grant per member whose wanted role is beyond the one held; return count.

    A member's older pending request for another role (or for none) is superseded, and a
    request already pending is not asked twice, so importing one file again changes nothing.
    """
    if not wanted:
        return 0
    stmt = select(Staff.id, Staff.role).where(col(Staff.id).in_(list(wanted)))
    held = dict(session.exec(stmt).all())
    pending = _pending_of(session, saved_ids(held))
    for grant in pending:
        if grant.role != wanted[grant.staff_id] or held[grant.staff_id] == grant.role:
            grant.status = GrantStatus.SUPERSEDED
    asked = {(g.staff_id, g.role) for g in pending if g.status == GrantStatus.PENDING}
    created = 0
    for staff_id, role in wanted.items():
        beyond = staff_id in held and held_role(role, held[staff_id]) != role
        if beyond and (staff_id, role) not in asked:
            grant = RoleGrant(
                staff_id=staff_id, role=Role(role), source=source, requested_by=requested_by
            )
            session.add(grant)
            created += 1
    session.flush()
    return created


def pending_userids(session: Session) -> set[str]:
    """Return the WeCom userids of members with a grant waiting for a decision (a read)."""
    stmt = (
        select(Staff.wecom_userid)
        .join(RoleGrant, col(RoleGrant.staff_id) == Staff.id)
        .where(RoleGrant.status == GrantStatus.PENDING)
    )
    return set(session.exec(stmt).all())


def _pending_of(session: Session, staff_ids: list[int]) -> list[RoleGrant]:
    stmt = select(RoleGrant).where(
        col(RoleGrant.staff_id).in_(staff_ids), RoleGrant.status == GrantStatus.PENDING
    )
    return list(session.exec(stmt))


def grant_rows(session: Session, *, pending: bool) -> list[tuple]:
    """Return (grant, member, department name, requester) rows: pending, or recently decided."""
    stmt = (
        select(RoleGrant, Staff, Department.name, Account.username)
        .join(Staff, col(Staff.id) == RoleGrant.staff_id)
        .join(Department, col(Department.id) == Staff.department_id)
        .join(Account, col(Account.id) == RoleGrant.requested_by, isouter=True)
    )
    if pending:
        stmt = stmt.where(RoleGrant.status == GrantStatus.PENDING).order_by(col(RoleGrant.id))
    else:
        stmt = stmt.where(RoleGrant.status != GrantStatus.PENDING)
        stmt = stmt.order_by(col(RoleGrant.id).desc()).limit(DECIDED_SHOWN)
    return list(session.exec(stmt))


def pending_count(session: Session) -> int:
    """Return how many grants wait for a decision."""
    stmt = select(func.count()).where(RoleGrant.status == GrantStatus.PENDING)
    return int(session.exec(stmt).one())


def confirm_grant(
    session: Session, *, grant_id: int, account: Account, now: datetime | None = None
) -> RoleGrant:
    """Give the member the requested role (an administrator's decision)."""
    grant = _pending(session, grant_id, account)
    session.get_one(Staff, grant.staff_id).role = grant.role
    return _decide(session, grant, GrantStatus.CONFIRMED, account, now)


def reject_grant(
    session: Session, *, grant_id: int, account: Account, now: datetime | None = None
) -> RoleGrant:
    """Refuse a requested role; the member keeps the role they hold."""
    return _decide(
        session, _pending(session, grant_id, account), GrantStatus.REJECTED, account, now
    )


def _pending(session: Session, grant_id: int, account: Account) -> RoleGrant:
    if account.role != AccountRole.ADMIN:
        raise GrantError("只有管理员可以确认或拒绝角色授权")
    grant = session.get(RoleGrant, grant_id)
    if grant is None:
        raise GrantError("找不到该授权申请")
    if grant.status != GrantStatus.PENDING:
        raise GrantError("该授权申请已处理，请刷新页面")
    return grant


def _decide(
    session: Session, grant: RoleGrant, status: GrantStatus, account: Account, now
) -> RoleGrant:
    grant.status, grant.decided_by, grant.decided_at = status, account.id, now or utcnow()
    session.flush()
    return grant
