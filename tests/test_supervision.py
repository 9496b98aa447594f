"""QR supervision service: codes, validated ratings, work orders and the monthly figures."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from backend.models import OutboxMessage, Staff
from backend.models.supervision import Rating, RatingLevel, SupervisionCode, WorkOrder
from backend.org.accounts import create_account
from backend.supervision import queries, texts, work_orders
from backend.supervision import service as supervision
from backend.supervision.errors import SupervisionError
from tests.support.org import add_small_county
from tests.support.supervision import add_codes, department_id, staff_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 20, 10, 30, tzinfo=SHANGHAI)
DEVICE = "d" * 32


@pytest.fixture
def county(session):
    add_small_county(session)
    codes = add_codes(session)
    session.commit()
    return codes


def code_of(session, value: str) -> SupervisionCode:
    return supervision.find_code(session, value)


def answers(level="satisfied", **fields):
    arguments = {"tags": [], "comment": "", **fields}
    return supervision.check_rating(texts.FIVE_LEVELS, level=level, **arguments)


def rate(session, code: str, level="satisfied", device=DEVICE, now=FRIDAY, **fields):
    return supervision.submit_rating(
        session,
        code=code_of(session, code),
        device=device,
        answers=answers(level, **fields),
        now=now,
    )


def test_every_department_and_the_window_post_get_one_code(session, county):
    assert set(county) == {"县市场监督管理局", "县民政局", "县食品药品检验所", "alice"}
    assert supervision.issue_codes(session) == 0
    assert len(set(county.values())) == 4


def test_post_codes_follow_staff_who_move_or_leave(session, county):
    alice = session.get(Staff, staff_id(session, "alice"))
    alice.department_id = department_id(session, "县民政局")
    supervision.issue_codes(session)
    assert code_of(session, county["alice"]).department_id == alice.department_id
    alice.active = False
    supervision.issue_codes(session)
    with pytest.raises(SupervisionError, match="二维码无效"):
        code_of(session, county["alice"])


def test_the_public_view_shows_duties_and_sections_but_nothing_private(session, county):
    view = queries.unit_view(session, code_of(session, county["alice"]))
    assert view.department == "县市场监督管理局"
    assert view.person == "李晓燕" and view.post == "食品经营许可窗口"
    assert view.person_section == "食品安全监管股"
    assert view.sections == ["办公室", "食品安全监管股"]
    assert view.duties[0].startswith("负责食品安全监督管理")
    assert "alice" not in repr(view)


def test_an_unknown_or_retired_code_is_refused(session, county):
    with pytest.raises(SupervisionError, match="二维码无效"):
        supervision.find_code(session, "NOSUCHCODE")
    code_of(session, county["县民政局"]).active = False
    with pytest.raises(SupervisionError, match="二维码无效"):
        supervision.find_code(session, county["县民政局"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"level": ""}, "请选择一个评价等级"),
        ({"level": "great"}, "评价等级无效"),
        ({"level": "satisfied", "tags": ["态度生硬"]}, "评价理由无效"),
        ({"level": "satisfied", "comment": "长" * 501}, "留言不能超过 500 字（现有 501 字）"),
        ({"level": "dissatisfied", "complaint": True}, "投诉请写明具体情况"),
        ({"level": "satisfied", "contact_phone": "12ab"}, "联系电话格式不正确"),
    ],
)
def test_bad_answers_get_a_clear_message(fields, message):
    arguments = {"tags": [], "comment": "", **fields}
    with pytest.raises(SupervisionError, match=message):
        supervision.check_rating(texts.FIVE_LEVELS, **arguments)


def test_the_pilots_four_level_scale_has_no_very_dissatisfied(session, county):
    supervision.set_rating_scale(session, levels=4)
    scale = supervision.rating_scale(session)
    assert [texts.LEVEL_LABELS[level] for level in scale] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
    ]
    with pytest.raises(SupervisionError, match="评价等级无效"):
        supervision.check_rating(scale, level="very_dissatisfied", tags=[], comment="")
    with pytest.raises(SupervisionError):
        supervision.set_rating_scale(session, levels=3)


def test_one_rating_per_device_per_unit_per_day(session, county):
    rate(session, county["县民政局"])
    with pytest.raises(SupervisionError, match="今天已经评价过") as refused:
        rate(session, county["县民政局"], level="basic")
    assert refused.value.status == 409
    rate(session, county["县市场监督管理局"])  # another unit
    rate(session, county["县民政局"], device="e" * 32)  # another device
    rate(session, county["县民政局"], now=FRIDAY.replace(day=21))  # the next day
    assert len(session.exec(select(Rating)).all()) == 4


def test_a_good_rating_opens_no_work_order(session, county):
    rating, order = rate(session, county["县民政局"], level="very_satisfied")
    assert order is None and rating.level == RatingLevel.VERY_SATISFIED


def test_a_complaint_becomes_a_work_order_announced_to_head_and_admins(session, county):
    create_account(
        session,
        username="bianban",
        password="secret-pass-1",
        role="admin",
        staff_id=staff_id(session, "bob"),
    )
    _, order = rate(
        session,
        county["alice"],
        level="very_dissatisfied",
        complaint=True,
        comment="办理许可证让我跑了三趟",
        contact_phone="13800001111",
    )
    assert order.staff_id == staff_id(session, "alice") and order.is_complaint
    assert (order.visit_due, order.rectify_due) == (date(2026, 11, 23), date(2026, 12, 11))
    assert order.contact_phone == "13800001111" and order.complaint == "办理许可证让我跑了三趟"
    message = session.exec(select(OutboxMessage)).one()
    assert json.loads(message.target) == {"users": ["dave", "bob"]}
    text = json.loads(message.payload)["content"]
    assert "县市场监督管理局收到投诉（非常不满意）" in text and order.ticket in text
    assert "2026-11-23 前完成回访" in text and "13800001111" not in text


def test_an_institutions_order_goes_to_its_parents_head(session, county):
    _, order = rate(session, county["县食品药品检验所"], level="dissatisfied")
    assert not order.is_complaint
    message = session.exec(select(OutboxMessage)).one()
    assert json.loads(message.target) == {"users": ["dave"]}


def test_the_order_steps_go_in_order_and_need_a_note(session, county):
    _, order = rate(session, county["县民政局"], level="dissatisfied")
    today = date(2026, 11, 23)
    with pytest.raises(SupervisionError, match="不能报送整改"):
        work_orders.report_rectification(session, order=order, note="已整改", today=today)
    with pytest.raises(SupervisionError, match="请填写回访情况"):
        work_orders.record_visit(session, order=order, note="  ", today=today)
    work_orders.record_visit(session, order=order, note="电话回访，群众表示理解", today=today)
    work_orders.report_rectification(session, order=order, note="已调整窗口排班", today=today)
    with pytest.raises(SupervisionError, match="工单尚未办结"):
        work_orders.submit_followup(session, order=order, answers=answers(), now=FRIDAY)
    work_orders.close_order(session, order=order, note="办结", today=today)
    work_orders.submit_followup(session, order=order, answers=answers("satisfied"), now=FRIDAY)
    with pytest.raises(SupervisionError, match="已对该工单作出再次评价"):
        work_orders.submit_followup(session, order=order, answers=answers(), now=FRIDAY)
    assert session.exec(select(WorkOrder)).one().followup_rating_id is not None


def test_rating_summary_counts_levels_bad_rate_and_timeliness(session, county):
    market = county["县市场监督管理局"]
    rate(session, market, level="very_satisfied", device="a" * 32)
    rate(session, market, level="satisfied", device="b" * 32)
    _, on_time = rate(session, market, level="dissatisfied", device="c" * 32)
    _, late = rate(session, market, level="very_dissatisfied", device="e" * 32)
    rate(session, county["县民政局"], level="very_dissatisfied", device="f" * 32)
    work_orders.record_visit(session, order=on_time, note="已回访", today=date(2026, 11, 23))
    work_orders.report_rectification(session, order=on_time, note="已整改", today=date(2026, 12, 1))
    work_orders.close_order(session, order=on_time, note="办结", today=date(2026, 12, 1))
    work_orders.submit_followup(session, order=on_time, answers=answers("basic"), now=FRIDAY)
    work_orders.record_visit(session, order=late, note="迟到的回访", today=date(2026, 11, 25))
    summary = supervision.rating_summary(
        session,
        department_id=department_id(session, "县市场监督管理局"),
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
    )
    assert summary["by_level"] == {
        "very_satisfied": 1,
        "satisfied": 1,
        "basic": 0,
        "dissatisfied": 1,
        "very_dissatisfied": 1,
    }
    assert (summary["total"], summary["bad"], summary["bad_rate"]) == (4, 2, 0.5)
    assert summary["work_orders"] == {"total": 2, "on_time": 1, "overdue": 1, "pending": 0}
