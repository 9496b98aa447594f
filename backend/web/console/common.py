"""Small helpers the console views share: scoped look-ups, filters, audit with the account."""

from __future__ import annotations

from flask import abort, request
from sqlmodel import Session, col, select

from backend.common.values import parse_int
from backend.entries.filters import EntryFilters, FilterError, parse_filters
from backend.models import Department, Section, Staff, TaskType
from backend.org.accounts import record_audit
from backend.web.console.access import current_account, visible_department_ids

PAGE_SIZE = 50


def visible_departments(db: Session) -> list[Department]:
    """Return the departments the signed-in account may see, parents before institutions."""
    allowed = visible_department_ids(db, current_account())
    stmt = select(Department).order_by(col(Department.sort_order), col(Department.id))
    if allowed is not None:
        stmt = stmt.where(col(Department.id).in_(allowed or {-1}))
    return list(db.exec(stmt))


def scoped_filters(db: Session, args) -> EntryFilters:
    """Parse entry filters from a request and limit them to the account's departments."""
    try:
        filters = parse_filters(args)
    except FilterError as exc:
        abort(400, description=str(exc))
    allowed = visible_department_ids(db, current_account())
    outside = allowed is not None and filters.department_id not in (allowed | {None})
    if outside:
        abort(404, description="找不到该部门的数据")
    return filters.scoped(allowed)


def filter_choices(db: Session) -> dict:
    """Return the departments, sections and task types offered in filter forms."""
    departments = visible_departments(db)
    ids = [d.id for d in departments] or [-1]
    sections = db.exec(select(Section).where(col(Section.department_id).in_(ids))).all()
    return {
        "departments": departments,
        "sections": sections,
        "task_types": db.exec(select(TaskType).order_by(col(TaskType.sort_order))).all(),
    }


def visible_staff(db: Session, staff_id: int) -> Staff:
    """Return a member the account may see, or 404."""
    staff = db.get(Staff, staff_id)
    allowed = visible_department_ids(db, current_account())
    if staff is None or (allowed is not None and staff.department_id not in allowed):
        abort(404, description="找不到该人员")
    return staff


def audit(db: Session, action: str, target: str, detail: str = "") -> None:
    """Record a change by the signed-in account."""
    record_audit(db, account=current_account(), action=action, target=target, detail=detail)


def page_number() -> int:
    """Return the requested page (1-based, bad values read as 1)."""
    return parse_int(request.args.get("page", ""), 1, 100_000) or 1
