"""Entry filters shared by the console's entry list, the Excel export and `lvzhi export`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Mapped
from sqlmodel import col

from backend.common.values import parse_day, parse_int
from backend.models import DutyEntry, EntryStatus

STATUSES = {s.value for s in EntryStatus}


class FilterError(ValueError):
    """A filter value is malformed; the message says which (Chinese)."""


@dataclass(frozen=True)
class EntryFilters:
    """Which entries to show or export; `allowed` is the account's department scope."""

    start: date | None = None
    end: date | None = None
    department_id: int | None = None
    section_id: int | None = None
    staff_id: int | None = None
    status: str | None = None
    task_type: str | None = None
    flagged_only: bool = False
    text: str = ""
    allowed: frozenset[int] | None = None

    def scoped(self, allowed: set[int] | None) -> EntryFilters:
        """Return these filters limited to the departments an account may see."""
        return replace(self, allowed=None if allowed is None else frozenset(allowed))

    def apply(self, stmt):
        """Add the WHERE clauses to a statement over DutyEntry."""
        for clause in self._clauses():
            stmt = stmt.where(clause)
        return stmt

    def _clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.allowed is not None:
            clauses.append(col(DutyEntry.department_id).in_(self.allowed or {-1}))
        if self.start:
            clauses.append(col(DutyEntry.work_date) >= self.start)
        if self.end:
            clauses.append(col(DutyEntry.work_date) <= self.end)
        for column, value in self._equalities():
            if value is not None:
                clauses.append(column == value)
        if self.flagged_only:
            clauses.append(col(DutyEntry.flags) != "")
        if self.text:
            clauses.append(col(DutyEntry.description).contains(self.text))
        return clauses

    def _equalities(self) -> list[tuple[Mapped[Any], object]]:
        return [
            (col(DutyEntry.department_id), self.department_id),
            (col(DutyEntry.section_id), self.section_id),
            (col(DutyEntry.staff_id), self.staff_id),
            (col(DutyEntry.status), self.status),
            (col(DutyEntry.task_type_code), self.task_type),
        ]

    def query_args(self) -> dict[str, str]:
        """Return the filters as query-string arguments (for links and exports)."""
        args = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "department": str(self.department_id or ""),
            "section": str(self.section_id or ""),
            "staff": str(self.staff_id or ""),
            "status": self.status or "",
            "task_type": self.task_type or "",
            "flagged": "1" if self.flagged_only else "",
            "q": self.text,
        }
        return {k: v for k, v in args.items() if v}


def parse_filters(args) -> EntryFilters:
    """Read filters from a query-string mapping, refusing malformed values with a message."""
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        raise FilterError("状态只能是 submitted、approved 或 returned")
    filters = EntryFilters(
        start=_date(args.get("start"), "开始日期"),
        end=_date(args.get("end"), "结束日期"),
        department_id=_int(args.get("department"), "部门"),
        section_id=_int(args.get("section"), "科室"),
        staff_id=_int(args.get("staff"), "人员"),
        status=status,
        task_type=args.get("task_type") or None,
        flagged_only=args.get("flagged") in ("1", "on", "true"),
        text=(args.get("q") or "").strip()[:100],
    )
    if filters.start and filters.end and filters.start > filters.end:
        raise FilterError("开始日期不能晚于结束日期")
    return filters


def _date(raw: str | None, label: str) -> date | None:
    if not raw:
        return None
    day = parse_day(raw)
    if day is None:
        raise FilterError(f"{label}格式应为 YYYY-MM-DD（2000–2100 年）")
    return day


def _int(raw: str | None, label: str) -> int | None:
    if not raw:
        return None
    number = parse_int(raw)
    if number is None:
        raise FilterError(f"{label}编号须为数字")
    return number


__all__ = ["EntryFilters", "FilterError", "parse_filters"]


DATES = ("start", "end")


def filters_payload(filters: EntryFilters) -> dict:
    """Return entry filters as JSON-ready data (for a job's payload)."""
    data = dataclasses.asdict(filters)
    for name in DATES:
        data[name] = data[name].isoformat() if data[name] else None
    data["allowed"] = None if filters.allowed is None else sorted(filters.allowed)
    return data


def filters_from(data: dict) -> EntryFilters:
    """Rebuild entry filters from a job's payload."""
    values = dict(data)
    for name in DATES:
        values[name] = date.fromisoformat(values[name]) if values.get(name) else None
    allowed = values.get("allowed")
    values["allowed"] = None if allowed is None else frozenset(allowed)
    return EntryFilters(**values)
