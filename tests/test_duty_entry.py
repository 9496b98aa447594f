"""The duty entry form over the emulator: every step, every bad input, cards, duplicates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import requests
from sqlmodel import Session, select

from backend.models import DutyEntry
from tests.support.chat import Member
from tests.support.org import add_entry_extras, add_long_catalogue
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def stored(stack) -> list[DutyEntry]:
    """Return every entry in the database, oldest first."""
    with Session(stack.engine) as session:
        return list(session.exec(select(DutyEntry).order_by(DutyEntry.id)).all())


def fill(member: Member, *answers: str) -> str:
    """Send each answer in turn; return the last reply."""
    for answer in answers:
        member.says(answer)
    return member.last_reply()


def test_a_whole_entry_step_by_step(stack, alice: Member):
    stack.clock.frozen = MONDAY
    assert "哪天" in alice.says("填报")[0]
    assert "11月23日" in alice.last_reply()
    alice.says("好")
    assert "哪项职责" in alice.last_reply() and "【核心职能】" in alice.last_reply()
    assert "任务类型" in fill(alice, "2")
    assert "工时" in fill(alice, "好")
    assert "几件" in fill(alice, "2.5小时")
    assert "描述" in fill(alice, "3")
    summary = fill(alice, "检查辖区内食品经营户12家，发现问题2处")
    assert "请核对" in summary and "2.5小时" in summary and "业务" in summary
    assert "已保存" in fill(alice, "确认") and "2.5小时" in alice.last_reply()
    [entry] = stored(stack)
    assert (entry.work_date, entry.hours, entry.items) == (date(2026, 11, 23), 2.5, 3)
    assert entry.task_type_code == "business" and entry.client_key.startswith("msg:")


def test_the_menu_click_opens_the_form(stack, alice: Member):
    assert "哪天" in alice.sends_event("click", event_key="log")[0]


def test_dates_in_every_spelling_and_the_limits(stack, alice: Member):
    stack.clock.frozen = MONDAY
    alice.says("记录")
    for bad, problem in [
        ("11-30", "未来"),
        ("2026-10-23", "7天"),
        ("abc", "没有看懂"),
        ("2026-02-30", "没有看懂"),
    ]:
        assert problem in fill(alice, bad), bad
    assert "哪项职责" in fill(alice, "11月20日")
    assert "哪天" in fill(alice, "返回")
    assert "哪项职责" in fill(alice, "2026-11-20")
    alice.says("返回")
    assert "11月21日（周六）不是工作日" in fill(alice, "前天")


def test_a_day_off_asks_for_confirmation(stack, alice: Member):
    stack.clock.frozen = MONDAY
    alice.says("填报")
    assert "不是工作日" in fill(alice, "昨天")
    assert "哪天" in fill(alice, "否")
    alice.says("昨天")
    assert "哪项职责" in fill(alice, "是")


def test_bad_duty_hours_items_and_description_are_re_asked(stack, alice: Member):
    stack.clock.frozen = MONDAY
    alice.says("填报")
    alice.says("好")
    assert "没有第9项" in fill(alice, "9")
    assert "没有找到" in fill(alice, "航天")
    assert "任务类型" in fill(alice, "登记注册")
    assert "请回复" in fill(alice, "9")
    alice.says("1")
    for bad in [" ", "abc", "25", "-1", "0.3", "2.7", "👍"]:
        assert "工时" in fill(alice, bad), bad
    assert "几件" in fill(alice, "两个半小时")
    assert "件数" in fill(alice, "很多")
    alice.says("跳过")
    for bad in ["👍👍👍👍👍", "开会", "x" * 5000]:
        assert "描述" in fill(alice, bad), bad
    assert "5000字" in alice.last_reply()
    assert "请核对" in fill(alice, "办理企业登记注册业务6件")
    alice.says("确认")
    [entry] = stored(stack)
    assert entry.items is None and entry.hours == 2.5


def test_odd_text_is_stored_verbatim(stack, alice: Member):
    stack.clock.frozen = MONDAY
    texts = [
        "'); DROP TABLE dutyentry; -- 检查记录",
        "=cmd|' /C calc'!A0 接待来访",
        "走访商户😀三家",
    ]
    for text in texts:
        fill(alice, "填报", "好", "3", "好", "1", "跳过", text, "确认")
        assert "已保存" in alice.last_reply()
    assert [e.description for e in stored(stack)] == texts


def test_edit_a_step_from_the_summary(stack, alice: Member):
    stack.clock.frozen = MONDAY
    fill(alice, "填报", "好", "2", "好", "2", "跳过", "办理企业登记注册业务")
    assert "工时" in fill(alice, "修改 工时")
    assert "请核对" in fill(alice, "4") and "4小时" in alice.last_reply()
    assert "没有“天气”" in fill(alice, "修改 天气")
    fill(alice, "确认")
    assert stored(stack)[0].hours == 4


def test_key_task_only_for_linked_duties(stack, alice: Member):
    with Session(stack.engine) as session:
        ids = add_entry_extras(session)
        session.commit()
    stack.clock.frozen = MONDAY
    assert "重点工作" in fill(alice, "填报", "好", "1")
    assert "跳过" in fill(alice, "7")
    assert "任务类型" in fill(alice, "1")
    fill(alice, "好", "1", "3", "检查食品经营户三家", "确认")
    assert "默认“信访投诉”" in fill(alice, "填报", "好", "5")
    fill(alice, "好", "1", "跳过", "接待来访群众5人次", "确认")
    first, second = stored(stack)
    assert first.key_task_id == ids["key_task"] and second.key_task_id is None
    assert second.task_type_code == "petition"


def test_a_long_catalogue_asks_for_a_keyword(stack):
    with Session(stack.engine) as session:
        add_long_catalogue(session)
        session.commit()
    stack.clock.frozen = MONDAY
    erin = Member(stack.emulator.url, "erin")
    prompt = fill(erin, "填报", "好")
    assert "共12项" in prompt and "关键词" in prompt and "【核心职能】" not in prompt
    assert "【一般职能】" in fill(erin, "全部")
    assert "找到" in fill(erin, "救助")
    assert "任务类型" in fill(erin, "婚姻")
    fill(erin, "好", "1", "跳过", "办理婚姻登记8对", "确认")
    assert "最近填过" in fill(erin, "填报", "好") and "5. 负责婚姻登记管理" in erin.last_reply()


def test_member_without_a_catalogue_is_told_so(stack):
    erin = Member(stack.emulator.url, "erin")
    assert "还没有职责清单" in erin.says("填报")[0]


def test_cards_are_sent_after_the_text_and_their_buttons_answer(stack, alice: Member):
    stack.clock.frozen = MONDAY
    fill(alice, "填报", "好", "2")
    stack.deliver()
    [card] = [m for m in alice.pushed_messages() if m["msgtype"] == "template_card"]
    keys = [b["key"] for b in card["card"]["button_list"]]
    assert len(keys) == 5 and keys[1] == "task_type|2"
    task_id = card["card"]["task_id"]
    replies = alice.sends_event("template_card_event", event_key=keys[1], task_id=task_id)
    assert "工时" in replies[0]
    stale = alice.sends_event("template_card_event", event_key=keys[0], task_id=task_id)
    assert "过期" in stale[0]
    fill(alice, "1", "跳过", "参加党支部主题党日活动")
    stack.deliver()
    confirm = [m for m in alice.pushed_messages() if m["msgtype"] == "template_card"][-1]
    key = confirm["card"]["button_list"][0]["key"]
    assert (
        "已保存"
        in alice.sends_event(
            "template_card_event", event_key=key, task_id=confirm["card"]["task_id"]
        )[0]
    )
    assert stored(stack)[0].task_type_code == "party"


def test_a_confirmation_delivered_three_times_saves_one_entry(stack, alice: Member):
    stack.clock.frozen = MONDAY
    fill(alice, "填报", "好", "2", "好", "2", "跳过", "办理企业登记注册业务")
    stack.emulator_call("PUT", "/_emulator/faults", json={"duplicate_callbacks": 3})
    result = requests.post(
        stack.emulator.url + "/_emulator/say", json={"userid": "alice", "text": "确认"}, timeout=30
    ).json()
    assert result["delivered"] == 3
    assert len(stored(stack)) == 1


def test_flags_from_the_automatic_check_are_shown_after_saving(stack, alice: Member):
    stack.clock.frozen = MONDAY
    fill(alice, "填报", "好", "4", "2", "12", "跳过", "组织党员学习党章并交流心得体会")
    reply = fill(alice, "确认")
    assert "已保存" in reply and "系统提示" in reply
    assert stored(stack)[0].flags
