"""Hostile chat texts through the emulator (signed callbacks): every reply is a Chinese answer.

Never the apology for a crash ("系统繁忙"), never a failed callback, and each answer inside 1 s, for
a member outside any form and inside the duty-entry form, and for a reviewer's commands.
"""

from __future__ import annotations

import re
import time

import pytest

from backend.chat.inbox import SORRY
from tests.support.chat import Member
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)

CJK = re.compile(r"[\u4e00-\u9fff]")
LIMIT_SECONDS = 1.0
NUMBERS = ["¹", "²³", "١٢", "𝟙", "①", "１２", "-1", str(2**63), "9" * 30, "9" * 8000, "1e309",
           "nan", "inf", "-inf", "0"]  # fmt: skip
DATES = ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "12-32", "9999年12月31日"]
STRANGE = ["\t", "\u202e反转", "\ufeff", "😀" * 500, "中" * 5000, "a" * 10_000,
           "<a href='https://evil.example'>点此</a>", "@all", "' OR 1=1 --", "%s%n"]  # fmt: skip
COMMANDS = ["修改 ", "删除 ", "问卷 ", "问卷", "请假 ", "出差 11-24至", "谁管 ", "审核 ", "通过 ",
            "退回 ", "今天 ", "本周汇总 ", "2.5h 接待群众 处理", "0.5小时 处理"]  # fmt: skip
IN_FORM = [*NUMBERS, *DATES, *STRANGE, "返回", "继续", "2.5小时", "1e309小时", "nan小时"]


def _hostile_commands() -> list[str]:
    """Pair each command word with one value of each class (numbers, dates, strange text)."""
    values = ["²³", str(2**63), "9" * 8000, "9999-12-31", "0001-01-01", "nan", "中" * 3000]
    return [command + value for command in COMMANDS for value in values]


def _assert_answered(member: Member, text: str) -> None:
    started = time.perf_counter()
    replies = member.says(text)
    elapsed = time.perf_counter() - started
    shown = repr(text[:40])
    assert replies, f"no reply to {shown}"
    for reply in replies:
        assert SORRY not in reply and "系统繁忙" not in reply, f"{shown} crashed: {reply[:200]}"
        assert CJK.search(reply), f"{shown} got a reply without Chinese: {reply[:200]}"
    assert elapsed < LIMIT_SECONDS, f"{shown} took {elapsed:.2f} s"


@pytest.mark.parametrize("userid", ["alice", "carol"])
def test_hostile_commands_outside_a_form_get_a_chinese_answer(stack, userid):
    member = Member(stack.emulator.url, userid)
    for text in [*_hostile_commands(), *NUMBERS, *DATES, *STRANGE]:
        _assert_answered(member, text)
        if userid == "alice" and len(member.replies) % 20 == 0:
            member.says("取消")  # a quick entry may have opened a confirmation


def test_hostile_answers_inside_the_entry_form_get_a_chinese_answer(stack, alice: Member):
    for text in IN_FORM:
        alice.says("取消")
        assert CJK.search(alice.says("填报")[0])
        _assert_answered(alice, text)
        _assert_answered(alice, text)  # the next step too, when the first one was accepted
