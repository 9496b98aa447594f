"""Leave and business trips approved in WeCom's 审批 app become absences, and go when revoked.

The callback (`sys_approval_change`) only queues a job (`queue_sync`); the job reads the
approval's detail from WeCom and calls `apply_approval`, which makes the absences of that
approval match what WeCom now says: approved (2) → one absence per leave or trip control;
any other status (pending, rejected, revoked, revoked after approval, deleted) → none.
Applying the same detail twice changes nothing, so repeated or reordered events are harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from backend.jobs.service import enqueue, open_job
from backend.models import Absence, AbsenceKind, AbsenceSource, Staff, saved_id
from backend.schedule.absences import MAX_ABSENCE_DAYS

JOB_KIND = "approval_sync"
APPROVED = 2
# WeCom's attendance types inside a leave (Vacation) or attendance (Attendance) control.
KINDS = {1: AbsenceKind.LEAVE, 3: AbsenceKind.TRIP}
# A leave taken by the hour shorter than half a working day leaves the member at work that day.
MIN_HOURLY_SECONDS = 4 * 3600
MAX_CONTROLS = 50  # controls read per approval (tables nest); more is not a leave form


@dataclass(frozen=True)
class Span:
    """One stretch of days away that an approval grants."""

    kind: AbsenceKind
    start: date
    end: date


@dataclass(frozen=True)
class Outcome:
    """What applying one approval did."""

    sp_no: str
    recorded: int
    removed: int
    reason: str = ""

    def summary(self) -> str:
        """Say it in Chinese for the job page."""
        text = f"审批单{self.sp_no}：登记{self.recorded}条，撤销{self.removed}条"
        return f"{text}（{self.reason}）" if self.reason else text


def queue_sync(session: Session, *, sp_no: str, status: int) -> None:
    """Queue reading one approval from WeCom (unless the same read is already queued)."""
    key = f"{JOB_KIND}:{sp_no}:{status}"
    if open_job(session, dedupe_key=key) is None:
        enqueue(session, kind=JOB_KIND, payload={"sp_no": sp_no}, dedupe_key=key)


def apply_approval(session: Session, detail: dict[str, Any], *, zone: tzinfo) -> Outcome:
    """Make the absences of this approval match its detail (the getapprovaldetail "info")."""
    sp_no = str(detail.get("sp_no") or "")[:64]
    if not sp_no:
        return Outcome("", 0, 0, "审批单号为空")
    stored = list(session.exec(select(Absence).where(col(Absence.approval_sp_no) == sp_no)))
    staff_id = _applicant_id(session, detail)
    wanted, reason = _wanted(detail, staff_id, zone)
    if sorted((a.kind, a.start_date, a.end_date) for a in stored) == sorted(wanted):
        return Outcome(sp_no, 0, 0, reason or "没有变化")
    for row in stored:
        session.delete(row)
    if staff_id is not None:
        _record(session, staff_id, wanted, _note(detail, sp_no), sp_no)
    session.flush()
    return Outcome(sp_no, len(wanted), len(stored), reason)


def _record(
    session: Session,
    staff_id: int,
    wanted: list[tuple[AbsenceKind, date, date]],
    note: str,
    sp_no: str,
) -> None:
    for kind, start, end in wanted:
        session.add(
            Absence(
                staff_id=staff_id,
                kind=kind,
                start_date=start,
                end_date=end,
                note=note,
                source=AbsenceSource.APPROVAL,
                approval_sp_no=sp_no,
            )
        )


def _wanted(
    detail: dict[str, Any], staff_id: int | None, zone: tzinfo
) -> tuple[list[tuple[AbsenceKind, date, date]], str]:
    if _int(detail.get("sp_status")) != APPROVED:
        return [], "未通过或已撤销"
    if staff_id is None:
        return [], "申请人不在人员名册中"
    spans = spans_of(detail, zone)
    if not spans:
        return [], "不含请假或出差"
    return [(s.kind, s.start, s.end) for s in spans], ""


def _applicant_id(session: Session, detail: dict[str, Any]) -> int | None:
    applyer = detail.get("applyer")
    userid = str(applyer.get("userid") or "") if isinstance(applyer, dict) else ""
    if not userid:
        return None
    staff = session.exec(select(Staff).where(Staff.wecom_userid == userid)).first()
    return saved_id(staff) if staff else None


def _note(detail: dict[str, Any], sp_no: str) -> str:
    name = str(detail.get("sp_name") or "审批")
    return f"{name}（审批单{sp_no}）"[:200]


def spans_of(detail: dict[str, Any], zone: tzinfo) -> list[Span]:
    """Return the leave and trip stretches in an approval's form, in the office's time zone."""
    data = detail.get("apply_data")
    contents = data.get("contents") if isinstance(data, dict) else None
    spans = []
    for control in _controls(contents):
        span = _span(control, zone)
        if span is not None and span not in spans:
            spans.append(span)
    return spans


def _controls(contents: Any) -> list[dict[str, Any]]:
    """Flatten the form's controls, including those inside detail tables (明细)."""
    found: list[dict[str, Any]] = []
    pending = list(contents) if isinstance(contents, list) else []
    while pending and len(found) < MAX_CONTROLS:
        control = pending.pop(0)
        if not isinstance(control, dict):
            continue
        found.append(control)
        value = control.get("value")
        children = value.get("children") if isinstance(value, dict) else None
        for child in children if isinstance(children, list) else []:
            rows = child.get("list") if isinstance(child, dict) else None
            pending.extend(rows if isinstance(rows, list) else [])
    return found


def _span(control: dict[str, Any], zone: tzinfo) -> Span | None:
    value = control.get("value")
    if not isinstance(value, dict):
        return None
    if control.get("control") == "Vacation":
        vacation = value.get("vacation")
        attendance = vacation.get("attendance") if isinstance(vacation, dict) else None
    elif control.get("control") == "Attendance":
        attendance = value.get("attendance")
    else:
        return None
    if not isinstance(attendance, dict) or _int(attendance.get("type")) not in KINDS:
        return None
    days = _days(attendance.get("date_range"), zone)
    return Span(KINDS[_int(attendance.get("type"))], *days) if days else None


def _days(date_range: Any, zone: tzinfo) -> tuple[date, date] | None:
    if not isinstance(date_range, dict):
        return None
    begin, end = _int(date_range.get("new_begin")), _int(date_range.get("new_end"))
    if begin <= 0 or end < begin:
        return None
    hourly = date_range.get("type") == "hour"
    if hourly and _int(date_range.get("new_duration")) < MIN_HOURLY_SECONDS:
        return None
    first = datetime.fromtimestamp(begin, zone).date()
    last = datetime.fromtimestamp(end, zone).date()
    return first, min(last, first + timedelta(days=MAX_ABSENCE_DAYS - 1))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
