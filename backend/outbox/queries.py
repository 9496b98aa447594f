"""Reads of the outbox for the console: how each group's latest post went."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.models import OutboxMessage, OutboxStatus
from backend.outbox.rules import stored_target


@dataclass(frozen=True)
class GroupPost:
    """The latest post queued for one group: its state, when, and why it failed."""

    status: OutboxStatus
    at: datetime
    error: str


def last_group_posts(
    session: Session, groups: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], GroupPost]:
    """Return the latest post of each (channel, target) group that has one."""
    wanted = {
        (channel, stored_target(channel, target)): (channel, target) for channel, target in groups
    }
    if not wanted:
        return {}
    latest = (
        select(func.max(OutboxMessage.id))
        .where(
            col(OutboxMessage.channel).in_({channel for channel, _ in wanted}),
            col(OutboxMessage.target).in_({stored for _, stored in wanted}),
        )
        .group_by(col(OutboxMessage.channel), col(OutboxMessage.target))
    )
    rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(latest))).all()
    found = {}
    for row in rows:
        group = wanted.get((row.channel, row.target))
        if group is not None:
            moment = row.sent_at or row.next_attempt_at or row.created_at
            found[group] = GroupPost(row.status, moment, row.last_error or "")
    return found
