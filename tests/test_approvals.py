"""Leave and trips from WeCom's 审批 app: the event, the detail API, absences, reminders, console.

The emulator plays the approvals app: a member applies, an approver decides, the member revokes;
each change reaches the bot as a sys_approval_change event from "sys", and the job reads the
detail through oa/getapprovaldetail. The week of Monday 2026-11-23.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from backend.models import Absence, AbsenceKind, AbsenceSource, Job, Staff
from backend.schedule.approvals import apply_approval, spans_of
from scheduled.reminders import run_reminders
from tests.support.chat import Member
from tests.support.console import add_account, login_client

ZONE = ZoneInfo("Asia/Shanghai")
TUESDAY, WEDNESDAY = date(2026, 11, 24), date(2026, 11, 25)


def _at(stack, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=stack.settings.timezone)


def _apply(stack, userid: str, kind: str, start: date, end: date, **extra) -> str:
    body = {"userid": userid, "kind": kind, "start": start.isoformat(), "end": end.isoformat()}
    answer = stack.emulator_call("POST", "/_emulator/approvals", json=body | extra).json()
    assert answer["delivery"]["delivered"] >= 1 and not answer["delivery"]["errors"]
    stack.run_jobs()
    return answer["sp_no"]


def _decide(stack, sp_no: str, status: int) -> dict:
    path = f"/_emulator/approvals/{sp_no}"
    delivery = stack.emulator_call("POST", path, json={"status": status}).json()["delivery"]
    stack.run_jobs()
    return delivery


def _absences(stack, userid: str) -> list[tuple]:
    with Session(stack.engine) as session:
        staff = session.exec(select(Staff).where(Staff.wecom_userid == userid)).one()
        rows = session.exec(select(Absence).where(Absence.staff_id == staff.id)).all()
        return [(r.kind, r.start_date, r.end_date, r.source, r.approval_sp_no) for r in rows]


def _reminded_days(member: Member) -> list[str]:
    cards = [m["card"] for m in member.pushed_messages() if "card" in m]
    descs = [c["main_title"]["desc"] for c in cards if str(c["task_id"]).startswith("reminder")]
    return [re.search(r"\d{1,2}月\d{1,2}日", desc).group() for desc in descs]


def _jobs(stack) -> list[Job]:
    with Session(stack.engine) as session:
        return list(session.exec(select(Job).where(Job.kind == "approval_sync")).all())


def test_an_approved_then_revoked_leave(stack):
    stack.clock.frozen = _at(stack, TUESDAY, 9, 0)
    sp_no = _apply(stack, "bob", "leave", TUESDAY, WEDNESDAY)
    assert _absences(stack, "bob") == []  # pending: nothing yet
    _decide(stack, sp_no, 2)
    leave = (AbsenceKind.LEAVE, TUESDAY, WEDNESDAY, AbsenceSource.APPROVAL, sp_no)
    assert _absences(stack, "bob") == [leave]

    bob, alice = Member(stack.emulator.url, "bob"), Member(stack.emulator.url, "alice")
    stack.clock.frozen = _at(stack, TUESDAY, 16, 31)
    assert "reminder:2026-11-24:1" in run_reminders(stack.engine, now=stack.clock.frozen)
    stack.deliver()
    assert _reminded_days(bob) == [] and _reminded_days(alice) == ["11月24日"]

    _decide(stack, sp_no, 6)  # revoked after approval (通过后撤销)
    assert _absences(stack, "bob") == []
    stack.clock.frozen = _at(stack, WEDNESDAY, 16, 31)
    run_reminders(stack.engine, now=stack.clock.frozen)
    stack.deliver()
    assert _reminded_days(bob) == ["11月25日"]
    assert [job.status for job in _jobs(stack)] == ["done", "done", "done"]


def test_a_trip_and_a_rejected_leave(stack):
    stack.clock.frozen = _at(stack, TUESDAY, 9, 0)
    trip = _apply(stack, "alice", "trip", TUESDAY, date(2026, 11, 27), unit="halfday")
    _decide(stack, trip, 2)
    leave = _apply(stack, "alice", "leave", date(2026, 11, 30), date(2026, 11, 30))
    _decide(stack, leave, 3)  # rejected
    assert _absences(stack, "alice") == [
        (AbsenceKind.TRIP, TUESDAY, date(2026, 11, 27), AbsenceSource.APPROVAL, trip)
    ]


def test_duplicate_deliveries_record_one_absence(stack):
    stack.clock.frozen = _at(stack, TUESDAY, 9, 0)
    sp_no = _apply(stack, "bob", "leave", TUESDAY, TUESDAY)
    stack.emulator_call("PUT", "/_emulator/faults", json={"duplicate_callbacks": 3})
    try:
        delivery = _decide(stack, sp_no, 2)
    finally:
        stack.emulator_call("PUT", "/_emulator/faults", json={"duplicate_callbacks": 1})
    assert delivery["delivered"] == 3
    assert len(_absences(stack, "bob")) == 1
    assert len(_jobs(stack)) == 2  # submitted, approved: the repeats were answered once


def test_a_short_leave_by_the_hour_leaves_the_member_at_work(stack):
    stack.clock.frozen = _at(stack, TUESDAY, 9, 0)
    short = _apply(stack, "bob", "leave", TUESDAY, TUESDAY, unit="hour", hours=2)
    _decide(stack, short, 2)
    assert _absences(stack, "bob") == []
    long = _apply(stack, "bob", "leave", WEDNESDAY, WEDNESDAY, unit="hour", hours=8)
    _decide(stack, long, 2)
    assert [row[1:3] for row in _absences(stack, "bob")] == [(WEDNESDAY, WEDNESDAY)]


def test_an_office_without_approval_access_loses_nothing(stack):
    stack.clock.frozen = _at(stack, TUESDAY, 9, 0)
    stack.emulator_call("PUT", "/_emulator/faults", json={"api_forbidden": True})
    try:
        body = {"userid": "bob", "kind": "leave", "start": "2026-11-24", "end": "2026-11-24"}
        stack.emulator_call("POST", "/_emulator/approvals", json=body)
        stack.run_jobs()
    finally:
        stack.emulator_call("PUT", "/_emulator/faults", json={"api_forbidden": False})
    [job] = _jobs(stack)
    assert job.status == "failed" and "无法读取企业微信审批单" in job.message
    assert _absences(stack, "bob") == []
    assert "已保存" in _log_one(Member(stack.emulator.url, "bob"))  # the bot still works


def _log_one(member: Member) -> str:
    member.says("2小时 检查农贸市场食品安全")
    while "已保存" not in member.last_reply() and "确认" in member.last_reply():
        member.says("1" if "哪项职责" in member.last_reply() else "确认")
    return member.last_reply()


def test_events_from_sys_are_never_answered(stack):
    stack.clock.frozen = _at(stack, TUESDAY, 9, 0)
    answer = stack.emulator_call(
        "POST", "/_emulator/event", json={"userid": "sys", "event": "sys_approval_change"}
    ).json()
    assert answer["replies"] == [] and not answer["errors"]
    assert _jobs(stack) == []


def test_the_console_lists_absences_with_their_source(sqlite_stack):
    stack = sqlite_stack
    stack.clock.frozen = _at(stack, TUESDAY, 9, 0)
    Member(stack.emulator.url, "alice").says("请假 今天")
    sp_no = _apply(stack, "bob", "trip", TUESDAY, WEDNESDAY)
    _decide(stack, sp_no, 2)
    add_account(stack.engine, "admin", "admin-pass-123", "admin")
    client = stack.app.test_client()
    login_client(client, "admin", "admin-pass-123")
    page = client.get("/console/schedule/absences").get_data(as_text=True)
    assert "李晓燕" in page and "王建国" in page
    assert "企业微信审批" in page and f"审批单 {sp_no}" in page and "登记" in page
    only = client.get("/console/schedule/absences?source=approval").get_data(as_text=True)
    assert "王建国" in only and "李晓燕" not in only
    assert client.get("/console/schedule/absences?source=x").status_code == 200


def _stamp(day: date, hour: int = 0) -> int:
    return int(datetime.combine(day, time(hour), ZONE).timestamp())


@pytest.mark.parametrize(
    "contents",
    [
        None,
        "garbage",
        [{"control": "Vacation", "value": "x"}],
        [{"control": "Vacation", "value": {"vacation": {"attendance": {"type": 1}}}}],
        [{"control": "Attendance", "value": {"attendance": {"type": 5, "date_range": {}}}}],
        [
            {
                "control": "Attendance",
                "value": {"attendance": {"type": 3, "date_range": {"new_begin": "x"}}},
            }
        ],
        [{"control": "Table", "value": {"children": [{"list": "nope"}, None]}}],
    ],
)
def test_odd_forms_give_no_absence_and_no_crash(contents):
    assert spans_of({"apply_data": {"contents": contents}}, ZONE) == []


def test_a_leave_inside_a_detail_table_counts_and_long_ones_are_capped():
    date_range = {"type": "day", "new_begin": _stamp(TUESDAY), "new_end": _stamp(date(2027, 6, 1))}
    leave = {"vacation": {"attendance": {"type": 1, "date_range": date_range}}}
    table = {"children": [{"list": [{"control": "Vacation", "value": leave}]}]}
    [span] = spans_of({"apply_data": {"contents": [{"control": "Table", "value": table}]}}, ZONE)
    assert span.kind == AbsenceKind.LEAVE and span.start == TUESDAY
    assert span.end == TUESDAY + timedelta(days=91)


def test_an_unknown_applicant_or_number_records_nothing(session):
    outcome = apply_approval(session, {"sp_no": "", "sp_status": 2}, zone=ZONE)
    assert outcome.recorded == 0 and "为空" in outcome.summary()
    detail = {"sp_no": "202611240001", "sp_status": 2, "applyer": {"userid": "nobody"}}
    assert "不在人员名册" in apply_approval(session, detail, zone=ZONE).summary()
