"""The chat commands as data: the words each answers, whether it writes, who uses it, its help.

A new command is a handler module and one entry in `COMMANDS`. The entries are tried in the
order listed; their conditions do not overlap, except the last (quick entry), which takes any
text the others left. The help text is generated from the entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.replies import Reply, TextReply
from handlers import absence, commands, duty_entry, texts, who_missing
from handlers.forms import texts as form_texts
from handlers.parsing import small_number
from handlers.quick_entry import quick_entry
from handlers.report_commands import REPORT_WORDS, report_command
from handlers.review_chat import review_command
from handlers.survey_chat import survey_command
from handlers.turn import Turn

HELP_WORDS = frozenset({"帮助", "help", "?", "？", "菜单"})
ENTRY_WORDS = frozenset({"填报", "记录", "填写", "日志"})
REVIEW_PREFIXES = ("审核", "通过", "退回")
EVERYONE, REVIEWERS, HEADS = "所有人", "审核人", "部门负责同志"

Run = Callable[[Turn, str], list[Reply] | None]  # None: not meant for this command after all


@dataclass(frozen=True)
class Command:
    """One chat command."""

    name: str
    applies: Callable[[str], bool]
    run: Run
    help: str
    writes: bool = False  # answering it records more than the member's form
    who: str = EVERYONE  # who it is for; the handler itself tells others politely


def _first_word_in(*words: str) -> Callable[[str], bool]:
    return lambda text: text.partition(" ")[0] in words


def _is_survey_command(text: str) -> bool:
    return text.partition(" ")[0] == "问卷" or small_number(text.removeprefix("问卷")) is not None


def _help(turn: Turn, text: str) -> list[Reply]:
    return [TextReply(help_text())]


def _nothing_open(turn: Turn, text: str) -> list[Reply]:
    words = form_texts.NOTHING_TO_CANCEL if text in form_texts.CANCEL_WORDS else None
    return [TextReply(words or form_texts.NOTHING_TO_RESUME)]


def _who(turn: Turn, text: str) -> list[Reply]:
    return commands.who_handles(turn.session, text)


COMMANDS: tuple[Command, ...] = (
    Command(
        "entry",
        ENTRY_WORDS.__contains__,
        lambda t, _: duty_entry.start_entry(t),
        "填报（或“记录”）—— 逐步填写今天的履职记录",
    ),
    Command(
        "my-entries",
        commands.is_period,
        lambda t, text: commands.my_entries(t.session, t.staff, text, now=t.now),
        "今天 / 本周（或“我的本周”）/ 上周 —— 查看我的记录、被标记的问题和未填的工作日",
    ),
    Command(
        "change",
        _first_word_in("修改", "删除"),
        lambda t, text: commands.change_entry(
            t, text.partition(" ")[2].strip(), delete=text.startswith("删除")
        ),
        "修改 / 删除 —— 改或删最近一条（“修改 2”改第2条），审核通过后不能再改",
    ),
    Command(
        "who-handles",
        lambda text: text.startswith(commands.WHO_PREFIXES),
        _who,
        "谁管 关键词 —— 查哪个部门负责某事，如“谁管 食品”",
    ),
    Command(
        "review",
        lambda text: text.startswith(REVIEW_PREFIXES),
        lambda t, text: review_command(t.session, t.staff, text, now=t.now),
        "审核 / 通过 / 退回 原因 —— 审核人处理待审记录",
        writes=True,
        who=REVIEWERS,
    ),
    Command(
        "absence",
        absence.is_absence_command,
        lambda t, text: absence.absence_command(t.session, t.staff, text, now=t.now),
        "请假 今天 / 出差 11-24至11-26 —— 登记后这几天不提醒填报",
        writes=True,
    ),
    Command(
        "survey",
        _is_survey_command,
        survey_command,
        "问卷 —— 查看待填写的问卷，“问卷 编号”开始填写",
    ),
    Command(
        "report",
        REPORT_WORDS.__contains__,
        lambda t, text: report_command(t.session, t.staff, text, now=t.now),
        "本周汇总 / 本月报告 —— 部门负责同志获取本部门的汇总图表或月度报告（发到部门工作群）",
        writes=True,
        who=HEADS,
    ),
    Command(
        "who-missing",
        who_missing.is_who_missing,
        lambda t, text: who_missing.who_missing(t.session, t.staff, text, now=t.now),
        "谁没填 / 谁没填 昨天 —— 部门负责同志查看本部门当天尚未填报的同志",
        who=HEADS,
    ),
    Command(
        "form-words",
        (form_texts.CANCEL_WORDS | form_texts.RESUME_WORDS).__contains__,
        _nothing_open,
        "取消 / 返回 / 继续 —— 退出、上一步、接着填未完成的表单",
    ),
    Command("help", lambda text: text.lower() in HELP_WORDS, _help, "帮助 —— 查看本说明"),
    Command(
        "quick-entry",
        lambda text: True,
        quick_entry,
        "一句话填报 —— 如“2.5h 接待群众来访 处理3件”；一天几项工作用“；”或换行分开，一次确认",
    ),
)


def run_command(turn: Turn, text: str) -> list[Reply]:
    """Answer a text outside any form with the first command that takes it, else a hint."""
    for command in COMMANDS:
        if command.applies(text):
            replies = command.run(turn, text)
            if replies is not None:
                return replies
    return [TextReply(_hint(text))]


def command_writes(text: str) -> bool:
    """Tell whether a command that may answer this text records more than the member's form."""
    return any(command.writes for command in COMMANDS if command.applies(text))


def help_text() -> str:
    """Return the help message: one line per command, in the order they are tried."""
    return "\n".join([texts.HELP_HEAD, *(f"· {command.help}" for command in COMMANDS)])


def _hint(text: str) -> str:
    preview = text[: texts.HINT_PREVIEW_CHARS]
    return texts.HINT.format(text=preview + ("…" if len(text) > len(preview) else ""))
