"""Review services: approve, return (with a chat notice), lock, bulk-approve, close and reopen."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from backend.entries import service as entries
from backend.entries.review import flag_entries, flag_entry
from backend.entries.review import service as review
from backend.entries.review.errors import InvalidRequest, Locked, NotAllowed, NotFound
from backend.models import DutyEntry, EntryStatus, OutboxMessage, Role
from backend.models.review import MonthReopening
from backend.org import api_tokens as auth_tokens
from tests.test_review_rules import MONDAY, OTHER, add_entry, duty_of, make_county

NOW = datetime(2026, 3, 9, 9, 30, tzinfo=UTC)


@pytest.fixture
def county(session):
    """The small county with duties in every unit."""
    return make_county(session)


@pytest.fixture
def people(county):
    """The county's people by name, with erin made an administrator."""
    staff = county["staff"]
    staff["erin"].role = Role.ADMIN
    return staff


def test_a_reviewer_approves_an_entry_and_it_locks(session, county, people):
    entry = add_entry(session, county)
    assert not review.is_locked(session, entry)
    review.approve_entry(session, reviewer=people["carol"], entry_id=entry.id, now=NOW)
    assert entry.status == EntryStatus.APPROVED
    assert entry.reviewer_id == people["carol"].id
    assert entry.reviewed_at == NOW
    assert review.is_locked(session, entry)
    with pytest.raises(Locked):
        review.ensure_editable(session, entry)


def test_an_entry_is_reviewed_only_once(session, county, people):
    entry = add_entry(session, county)
    review.approve_entry(session, reviewer=people["carol"], entry_id=entry.id, now=NOW)
    with pytest.raises(InvalidRequest):
        review.return_entry(
            session, reviewer=people["carol"], entry_id=entry.id, reason="再看看", now=NOW
        )


def test_returning_tells_the_author_why_and_how_to_fix_it(session, county, people):
    entry = add_entry(session, county)
    review.return_entry(
        session, reviewer=people["dave"], entry_id=entry.id, reason="请写明整改结果", now=NOW
    )
    assert entry.status == EntryStatus.RETURNED
    assert entry.return_reason == "请写明整改结果"
    assert not review.is_locked(session, entry)
    message = session.exec(select(OutboxMessage)).one()
    assert json.loads(message.target) == {"users": ["alice"]}
    text = json.loads(message.payload)["content"]
    assert "2026-03-02" in text and "请写明整改结果" in text and "发送“修改”进行更正" in text


def test_a_return_needs_a_reason(session, county, people):
    entry = add_entry(session, county)
    with pytest.raises(InvalidRequest):
        review.return_entry(
            session, reviewer=people["carol"], entry_id=entry.id, reason=" ", now=NOW
        )
    assert entry.status == EntryStatus.SUBMITTED


def test_only_reviewers_of_the_department_may_act(session, county, people):
    entry = add_entry(session, county)
    frank_entry = add_entry(session, county, "frank", text=OTHER)
    with pytest.raises(NotAllowed):
        review.approve_entry(session, reviewer=people["bob"], entry_id=entry.id, now=NOW)
    people["frank"].role = Role.REVIEWER
    with pytest.raises(NotAllowed):
        review.approve_entry(session, reviewer=people["frank"], entry_id=entry.id, now=NOW)
    review.approve_entry(session, reviewer=people["carol"], entry_id=frank_entry.id, now=NOW)
    review.approve_entry(session, reviewer=people["erin"], entry_id=entry.id, now=NOW)


def test_an_unknown_entry_is_not_found(session, county, people):
    with pytest.raises(NotFound):
        review.approve_entry(session, reviewer=people["carol"], entry_id=999, now=NOW)


def test_bulk_approval_skips_flagged_entries(session, county, people):
    plain = add_entry(session, county)
    flagged = add_entry(session, county, "bob", hours=9, text=OTHER)
    later = add_entry(session, county, day=date(2026, 3, 20), text="约谈两家超市负责人")
    count = review.bulk_approve_unflagged(
        session,
        reviewer=people["carol"],
        department_id=plain.department_id,
        start=MONDAY,
        end=date(2026, 3, 8),
        now=NOW,
    )
    assert count == 1
    session.expire_all()
    assert session.get(DutyEntry, plain.id).status == EntryStatus.APPROVED
    assert session.get(DutyEntry, flagged.id).status == EntryStatus.SUBMITTED
    assert session.get(DutyEntry, later.id).status == EntryStatus.SUBMITTED


def test_bulk_approval_needs_the_right_department(session, county, people):
    civil = county["departments"][1]
    with pytest.raises(NotAllowed):
        review.bulk_approve_unflagged(
            session,
            reviewer=people["carol"],
            department_id=civil.id,
            start=MONDAY,
            end=MONDAY,
            now=NOW,
        )


def test_a_closed_month_locks_every_entry_until_reopened(session, county, people):
    entry = add_entry(session, county)
    review.close_month(session, admin=people["erin"], month="2026-03", now=NOW)
    assert review.month_is_closed(session, MONDAY)
    assert not review.month_is_closed(session, date(2026, 4, 1))
    assert review.is_locked(session, entry)
    with pytest.raises(Locked):
        review.approve_entry(session, reviewer=people["carol"], entry_id=entry.id, now=NOW)
    review.reopen_month(session, admin=people["erin"], month="2026-03", reason="更正工时", now=NOW)
    assert not review.is_locked(session, entry)
    record = session.exec(select(MonthReopening)).one()
    assert (record.reopened_by, record.reason, record.closed_by) == (
        people["erin"].id,
        "更正工时",
        people["erin"].id,
    )


def test_bulk_approval_leaves_closed_months_alone(session, county, people):
    march = add_entry(session, county, day=date(2026, 3, 31))
    april = add_entry(session, county, day=date(2026, 4, 1), text=OTHER)
    review.close_month(session, admin=people["erin"], month="2026-03", now=NOW)
    count = review.bulk_approve_unflagged(
        session,
        reviewer=people["carol"],
        department_id=march.department_id,
        start=march.work_date,
        end=april.work_date,
        now=NOW,
    )
    assert count == 1
    session.expire_all()
    assert session.get(DutyEntry, march.id).status == EntryStatus.SUBMITTED


@pytest.mark.parametrize("month", ["2026-3", "2026-13", "march", ""])
def test_months_are_checked(session, people, month):
    with pytest.raises(InvalidRequest):
        review.close_month(session, admin=people["erin"], month=month, now=NOW)


def test_only_administrators_close_or_reopen_months(session, people):
    with pytest.raises(NotAllowed):
        review.close_month(session, admin=people["dave"], month="2026-03", now=NOW)
    with pytest.raises(InvalidRequest):
        review.reopen_month(session, admin=people["erin"], month="2026-03", reason="x", now=NOW)
    review.close_month(session, admin=people["erin"], month="2026-03", now=NOW)
    with pytest.raises(InvalidRequest):
        review.close_month(session, admin=people["erin"], month="2026-03", now=NOW)
    with pytest.raises(InvalidRequest):
        review.reopen_month(session, admin=people["erin"], month="2026-03", reason="", now=NOW)


def test_flags_of_a_closed_month_stay_as_they_were(session, county, people):
    entry = add_entry(session, county, hours=9)
    review.close_month(session, admin=people["erin"], month="2026-03", now=NOW)
    assert flag_entry(session, entry=entry) == ["over_standard"]
    assert flag_entries(session, start=MONDAY, end=MONDAY) == {entry.id: ["over_standard"]}
    session.expire_all()
    assert session.get(DutyEntry, entry.id).flags == ""


def test_tokens_of_inactive_members_are_refused(session, people):
    token = auth_tokens.create_token(session, staff_id=people["carol"].id, label="console")
    assert auth_tokens.verify_token(session, token).id == people["carol"].id
    people["carol"].active = False
    assert auth_tokens.verify_token(session, token) is None
    assert auth_tokens.verify_token(session, "") is None
    assert not auth_tokens.revoke_token(session, "unknown")


def test_nobody_reviews_their_own_entries(session, county, people):
    own = add_entry(session, county, "carol")
    with pytest.raises(NotAllowed):
        review.approve_entry(session, reviewer=people["carol"], entry_id=own.id, now=NOW)
    count = review.bulk_approve_unflagged(
        session,
        reviewer=people["carol"],
        department_id=own.department_id,
        start=MONDAY,
        end=MONDAY,
        now=NOW,
    )
    assert count == 0
    review.approve_entry(session, reviewer=people["dave"], entry_id=own.id, now=NOW)


def _fields(county, session, *, hours: float = 2.0) -> entries.EntryFields:
    duty = duty_of(session, county["departments"][0])
    return entries.EntryFields(
        work_date=MONDAY,
        duty_id=duty.id,
        key_task_id=None,
        task_type_code="business",
        hours=hours,
        items=None,
        description="检查辖区内食品经营户12家，发现问题2处",
    )


def test_a_saved_entry_is_flagged_and_a_repeat_of_its_message_returns_it(session, county, people):
    fields = _fields(county, session, hours=14.0)
    first = entries.create_entry(session, staff=people["alice"], fields=fields, client_key="m:1")
    assert first.flags == "over_standard,day_over_limit"
    again = entries.create_entry(session, staff=people["alice"], fields=fields, client_key="m:1")
    assert again.id == first.id
    rows = session.exec(select(DutyEntry).where(DutyEntry.staff_id == people["alice"].id)).all()
    assert len(rows) == 1


def test_no_entry_is_saved_into_a_closed_month(session, county, people):
    review.close_month(session, admin=people["erin"], month="2026-03", now=NOW)
    with pytest.raises(entries.EntryLocked):
        entries.create_entry(
            session, staff=people["alice"], fields=_fields(county, session), client_key="m:2"
        )
    assert session.exec(select(DutyEntry)).all() == []
