"""The demo's group chats at start-up: last week's summaries and last month's reports.

The scheduler's own report jobs post them (`python -m scheduled.post_now`) under their usual run
keys, so neither the scheduler nor a restarted demo posts the same period twice. This module
says what is still due, how far delivery has got, and the lines the start-up prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from backend.models import OutboxMessage, OutboxStatus, saved_id
from backend.outbox.rules import group_route
from backend.reports import posting
from backend.reports.periods import Period, last_complete
from backend.schedule.job_runs import run_exists

WEEKLY_JOB = "weekly-summaries"  # the job names in scheduled/reports.py
MONTHLY_JOB = "monthly-reports"
RESTART_NOTE = "模拟器重启后不保留以前的群消息"


@dataclass(frozen=True)
class DuePosts:
    """The two periods, and how many departments with a group chat still wait for each."""

    week: Period
    month: Period
    month_open: bool  # the first working day after last month has come: its reports may go out
    groups: int
    weekly: int
    monthly: int  # 0 while the month is not open

    def jobs(self) -> list[str]:
        """Return the scheduled jobs that still have something to post."""
        todo = ((WEEKLY_JOB, self.weekly), (MONTHLY_JOB, self.monthly))
        return [name for name, waiting in todo if waiting]


@dataclass(frozen=True)
class Delivery:
    """Outbox rows of the two periods queued during this start-up, by delivery state."""

    pending: int = 0
    sent: int = 0
    failed: int = 0


def due_posts(session: Session, *, today: date) -> DuePosts:
    """Tell which of last week's and last month's group posts have not been made yet."""
    week, month = last_complete("week", today), last_complete("month", today)
    groups = [saved_id(d) for d in posting.departments(session) if group_route(d) is not None]
    month_open = posting.first_workday_reached(session, period=month, today=today)

    def waiting(period: Period) -> int:
        keys = (posting.run_key(period, f"dept-{unit}") for unit in groups)
        return sum(not run_exists(session, key=key) for key in keys)

    monthly = waiting(month) if month_open else 0
    return DuePosts(week, month, month_open, len(groups), waiting(week), monthly)


def last_outbox_id(session: Session) -> int:
    """Return the newest outbox row's id (0 when empty): rows queued later are this start-up's."""
    return session.exec(select(func.max(OutboxMessage.id))).one() or 0


def delivery(session: Session, *, due: DuePosts, after_id: int) -> Delivery:
    """Count this start-up's outbox rows of the two periods by state."""
    prefixes = [f"{posting.JOB_NAMES[p.kind]}:{p.key}:" for p in (due.week, due.month)]
    key = col(OutboxMessage.dedupe_key)
    rows = session.exec(
        select(OutboxMessage.status, func.count())
        .where(col(OutboxMessage.id) > after_id)
        .where(or_(*(key.startswith(prefix, autoescape=True) for prefix in prefixes)))
        .group_by(col(OutboxMessage.status))
    ).all()
    counts = {str(status): count for status, count in rows}
    waiting = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
    sent, failed = counts.get(OutboxStatus.SENT, 0), counts.get(OutboxStatus.FAILED, 0)
    return Delivery(pending=waiting, sent=sent, failed=failed)


# --- what the start-up prints --------------------------------------------------------------


def _wanted(due: DuePosts) -> str:
    parts = [_weekly(due)] if due.weekly else []
    if due.monthly:
        parts.append(_monthly(due))
    return "和".join(parts)


def _weekly(due: DuePosts) -> str:
    return f"{due.week.label}的周汇总"


def _monthly(due: DuePosts) -> str:
    return f"{due.month.label}的月度报告"


def starting_line(due: DuePosts, *, limit: float) -> str:
    """Say what is being rendered and posted now, and how long the start-up waits at most."""
    return f"正在生成{_wanted(due)}并发到各部门群，请稍候（最多等待 {limit:.0f} 秒）…"


def outcome_lines(
    before: DuePosts, after: DuePosts, sent: Delivery, *, seconds: float, problem: str | None
) -> list[str]:
    """Say what reached the group chats, what is still on its way and what did not work."""
    lines = []
    posted = _posted(before, after)
    if posted:
        lines.append(
            f"已发到各部门群：{posted}，{sent.sent} 条消息已送达（用时 {seconds:.0f} 秒）。"
        )
    if sent.pending:
        lines.append(f"还有 {sent.pending} 条消息在排队发送，稍后会陆续出现在群里。")
    if sent.failed:
        lines.append(f"有 {sent.failed} 条消息未能送达，原因见上面的日志。")
    if problem:
        lines.append(f"{problem}；重新启动演示会补发没发出的部分。")
    return lines + _settled_lines(before, after)


def _posted(before: DuePosts, after: DuePosts) -> str:
    parts = []
    if before.weekly > after.weekly:
        parts.append(f"{_weekly(before)} {before.weekly - after.weekly} 个群")
    if before.monthly > after.monthly:
        parts.append(f"{_monthly(before)} {before.monthly - after.monthly} 个群")
    return "，".join(parts)


def _settled_lines(before: DuePosts, after: DuePosts) -> list[str]:
    """Say which periods were posted by an earlier run, and when last month's reports go out."""
    earlier = []
    if before.groups and before.weekly == 0:
        earlier.append(_weekly(before))
    if before.groups and before.month_open and before.monthly == 0:
        earlier.append(_monthly(before))
    lines = []
    if earlier:
        lines.append(f"{'和'.join(earlier)}此前已发到各部门群，不再重发（{RESTART_NOTE}）。")
    if not after.month_open:
        lines.append(f"{_monthly(after)}将在本月第一个工作日发到各部门群。")
    if not before.groups:
        lines.append("没有部门设置工作群，周汇总和月度报告无处可发。")
    return lines
