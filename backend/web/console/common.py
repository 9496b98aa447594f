"""Small helpers the console views share: scoped look-ups, filters, audit with the account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, request

from backend.common.values import parse_int
from backend.entries.filters import EntryFilters, FilterError, parse_filters
from backend.models import Department, Staff, saved_ids
from backend.org.accounts import record_audit
from backend.org.catalogue import task_types
from backend.org.queries import departments_in_order, find_staff, sections_of
from backend.web.console.access import signed_in_account, visible_department_ids

if TYPE_CHECKING:
    from sqlmodel import Session

PAGE_SIZE = 50


def visible_departments(db: Session) -> list[Department]:
    """Return the departments the signed-in account may see, parents before institutions."""
    allowed = visible_department_ids(db, signed_in_account())
    return departments_in_order(db, allowed=allowed)


def scoped_filters(db: Session, args) -> EntryFilters:
    """Parse entry filters from a request and limit them to the account's departments."""
    try:
        filters = parse_filters(args)
    except FilterError as exc:
        abort(400, description=str(exc))
    allowed = visible_department_ids(db, signed_in_account())
    outside = allowed is not None and filters.department_id not in (allowed | {None})
    if outside:
        abort(404, description="找不到该部门的数据")
    return filters.scoped(allowed)


def filter_choices(db: Session) -> dict[str, Any]:
    """Return the departments, sections and task types offered in filter forms."""
    departments = visible_departments(db)
    ids = saved_ids(d.id for d in departments)
    return {
        "departments": departments,
        "sections": sections_of(db, department_ids=ids),
        "task_types": task_types(db),
    }


def visible_staff(db: Session, staff_id: int) -> Staff:
    """Return a member the account may see, or 404."""
    staff = find_staff(db, staff_id=staff_id)
    allowed = visible_department_ids(db, signed_in_account())
    if staff is None or (allowed is not None and staff.department_id not in allowed):
        abort(404, description="找不到该人员")
    return staff


def audit(db: Session, action: str, target: str, detail: str = "") -> None:
    """Record a change by the signed-in account."""
    record_audit(db, account=signed_in_account(), action=action, target=target, detail=detail)


def page_number() -> int:
    """Return the requested page (1-based, bad values read as 1)."""
    return parse_int(request.args.get("page", ""), 1, 100_000) or 1
