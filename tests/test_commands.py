"""General commands over the emulator: help, my entries, change and delete, who handles what."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from backend.models import Conversation, DutyEntry, EntryStatus
from handlers.registry import COMMANDS, command_writes
from tests.support.chat import Member
from tests.support.org import KEY_TASK, add_entry_extras
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
WEDNESDAY = datetime(2026, 11, 25, 18, 0, tzinfo=SHANGHAI)


def _entries(stack) -> list[DutyEntry]:
    with Session(stack.engine) as session:
        return list(session.exec(select(DutyEntry).order_by(DutyEntry.id)).all())


def _set_status(stack, entry_id: int, status: EntryStatus) -> None:
    with Session(stack.engine) as session:
        entry = session.get(DutyEntry, entry_id)
        entry.status = status
        session.add(entry)
        session.commit()


def _log(member: Member, hours: str, description: str) -> None:
    member.says(f"{hours}小时 {description}")
    if "哪项职责" in member.last_reply():
        member.says("2")
        member.says("好")
    member.says("确认")
    assert "已保存" in member.last_reply()


def test_help_lists_every_command_one_per_line(alice: Member):
    reply = alice.says("帮助")[0]
    for word in ["填报", "今天", "本周", "修改", "删除", "谁管", "取消"]:
        assert word in reply
    assert all(len(line) < 60 for line in reply.splitlines())
    assert [line for line in reply.splitlines() if line.startswith("·")] == [
        f"· {command.help}" for command in COMMANDS
    ]  # generated from the registry, one line per command


def test_commands_that_record_something_are_declared_as_writing():
    assert [c.name for c in COMMANDS if c.writes] == ["review", "absence", "report"]
    assert command_writes("请假 今天") and command_writes("通过") and command_writes("本月报告")
    assert not command_writes("本周") and not command_writes("2小时 接待群众来访")


def test_unknown_text_gets_a_short_hint(alice: Member):
    assert "帮助" in alice.says("今天天气不错")[0]


def test_outsider_is_refused_and_nothing_is_stored(stack):
    stranger = Member(stack.emulator.url, "stranger")
    for text in ["填报", "2小时 接待来访群众"]:
        assert "不在本单位" in stranger.says(text)[0]
    with Session(stack.engine) as session:
        assert session.exec(select(func.count()).select_from(Conversation)).one() == 0
    assert _entries(stack) == []


def test_today_and_this_week_show_hours_and_missing_workdays(stack, alice: Member):
    stack.clock.frozen = MONDAY
    _log(alice, "2.5", "办理企业登记注册业务")
    _log(alice, "3", "核查企业信用信息")
    stack.clock.frozen = WEDNESDAY
    today = alice.says("今天")[0]
    assert "还没有记录" in today and "11月25日" in today
    week = alice.says("本周")[0]
    assert "共5.5小时" in week and "11月23日：5.5小时" in week
    assert "未填的工作日：11月24日、11月25日" in week
    assert "[1]" in week and "[2]" in week
    assert "11月16日" in alice.says("上周")[0]
    for alias in ("我的本周", "本周记录", "我的记录"):
        assert alice.says(alias)[0] == week, alias
    assert "11月16日" in alice.says("我的上周")[0]


def test_change_the_last_entry_and_a_listed_one(stack, alice: Member):
    stack.clock.frozen = MONDAY
    _log(alice, "2", "办理企业登记注册业务")
    _log(alice, "3", "核查企业信用信息")
    assert "请核对" in alice.says("修改")[0] and "3小时" in alice.last_reply()
    alice.says("修改 工时")
    alice.says("4")
    assert "已修改" in alice.says("确认")[0] and "共填报6小时" in alice.last_reply()
    assert "2小时" in alice.says("修改 2")[0]
    alice.says("取消")
    assert "没有第9条" in alice.says("修改 9")[0]
    assert [e.hours for e in _entries(stack)] == [2, 4]


def test_approved_entries_are_locked_and_returned_ones_can_be_fixed(stack, alice: Member):
    stack.clock.frozen = MONDAY
    _log(alice, "2", "办理企业登记注册业务")
    entry = _entries(stack)[0]
    _set_status(stack, entry.id, EntryStatus.APPROVED)
    assert "不能再修改" in alice.says("修改")[0]
    assert "不能再修改" in alice.says("删除")[0]
    _set_status(stack, entry.id, EntryStatus.RETURNED)
    alice.says("修改")
    alice.says("修改 描述")
    alice.says("办理企业登记注册业务6件，材料已补齐")
    alice.says("确认")
    fixed = _entries(stack)[0]
    assert fixed.status == EntryStatus.SUBMITTED and "补齐" in fixed.description


def test_delete_asks_first(stack, alice: Member):
    stack.clock.frozen = MONDAY
    _log(alice, "2", "办理企业登记注册业务")
    assert "要删除" in alice.says("删除")[0]
    alice.says("取消")
    assert len(_entries(stack)) == 1
    alice.says("删除 1")
    assert "已删除" in alice.says("确认")[0]
    assert _entries(stack) == []
    assert "还没有" in alice.says("删除")[0]


def test_who_handles_searches_every_catalogue(stack, alice: Member):
    with Session(stack.engine) as session:
        add_entry_extras(session)
        session.commit()
    reply = alice.says("谁管 食品安全")[0]
    assert "县市场监督管理局" in reply and "食品安全监督管理" in reply and KEY_TASK in reply
    assert reply.splitlines()[1].startswith("1. ")
    assert "没有找到" in alice.says("谁管 航天发射")[0]
    assert "关键词" in alice.says("谁管")[0]


def test_review_words_reach_the_review_flow(stack):
    carol = Member(stack.emulator.url, "carol")
    assert "没有听懂" not in carol.says("审核")[0]


def test_who_handles_takes_several_words(stack, alice: Member):
    reply = alice.says("谁管 投诉 举报")[0]
    assert "县市场监督管理局" in reply and "消费者权益保护" in reply
    assert "没有找到" in alice.says("谁管 100%_")[0]
