"""Which route a message takes: members' messages and group posts, by channel setting and type.

In long-connection mode (`LVZHI_CHANNEL=longconn`) an office may have no trusted IP for the app,
so what the intelligent bot can push (text as markdown, markdown, template cards) goes to a
member as a "bot" row, delivered over the connection; images and files stay on the app. A
department group on the bot route gets markdown and cards through the bot, and images and
files through its message-push webhook, or a note saying where to download them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from backend.models import ChatTargetKind, Department, OutboxMessage
from backend.outbox import texts
from bot.aibot_push import PUSH_MSGTYPES, as_pushable
from bot.neutral import for_markdown_line

GROUP_CHANNELS = {
    ChatTargetKind.APPCHAT: "appchat",
    ChatTargetKind.WEBHOOK: "webhook",
    ChatTargetKind.BOT: "bot",
}
FILE_TYPES = ("image", "file")


@dataclass(frozen=True)
class OutgoingContent:
    """What to send, independent of where: a WeCom msgtype with its JSON body or file bytes."""

    msgtype: str
    body: dict
    data: bytes | None = None
    filename: str | None = None


@dataclass
class MemberRoute:
    """How this process sends members' messages; set once from the settings by the runtime."""

    through_bot: bool = False


MEMBER_ROUTE = MemberRoute()


def use_channel(channel: str) -> None:
    """Route members' pushable messages through the bot when the channel is the long connection."""
    MEMBER_ROUTE.through_bot = channel == "longconn"


def for_members(content: OutgoingContent) -> tuple[str, OutgoingContent]:
    """Return the channel of a message to members ("bot" or "app") and its content there."""
    if not (MEMBER_ROUTE.through_bot and content.msgtype in PUSH_MSGTYPES):
        return "app", content
    return "bot", OutgoingContent(*as_pushable(content.msgtype, content.body))


def member_target(channel: str, user_ids: list[str]) -> dict:
    """Return the stored target of a row to members: an app batch, or one push's chatid."""
    return {"chatid": user_ids[0]} if channel == "bot" else {"users": user_ids}


def rows_by_member(rows: Sequence[OutboxMessage]) -> dict[str, OutboxMessage]:
    """Map each member's userid to the row that carries their message (app batch or push)."""
    found = {}
    for row in rows:
        target = json.loads(row.target)
        found.update({userid: row for userid in target.get("users") or [target.get("chatid")]})
    return found


@dataclass(frozen=True)
class GroupRoute:
    """Where a group's posts go; a bot group may name a message-push key for images and files."""

    channel: str  # appchat | webhook | bot
    target: str
    files_key: str = ""

    def targets(self) -> list[tuple[str, str]]:
        """List the (channel, target) pairs this route posts through."""
        files = [("webhook", self.files_key)] if self.channel == "bot" and self.files_key else []
        return [(self.channel, self.target), *files]


def group_route(department: Department) -> GroupRoute | None:
    """Return the department's own group route, or None when it has none."""
    kind, target = department.chat_target_kind, department.chat_target
    if not target or kind is None:
        return None
    files_key = department.chat_webhook_key or ""
    return GroupRoute(GROUP_CHANNELS[ChatTargetKind(kind)], target, files_key)


def group_target(channel: str, target: str) -> dict:
    """Return the outbox target of a group post (a bot row names a chatid)."""
    return {"chatid" if channel == "bot" else "target": target}


def stored_target(channel: str, target: str) -> str:
    """Return a group post's target as the outbox stores it (what the console looks up)."""
    return json.dumps(group_target(channel, target), ensure_ascii=False)


@dataclass(frozen=True)
class Part:
    """One outbox row of a group post: its channel, target, msgtype, body and file."""

    channel: str
    target: str
    msgtype: str
    body: dict
    data: bytes | None = None
    filename: str | None = None


def group_part(
    route: GroupRoute, msgtype: str, body: dict, data: bytes | None, filename: str | None
) -> Part:
    """Choose how one message reaches the route's group (a bot group's files: webhook or note)."""
    if route.channel != "bot":
        return Part(route.channel, route.target, msgtype, body, data, filename)
    if msgtype in FILE_TYPES and route.files_key:
        return Part("webhook", route.files_key, msgtype, body, data, filename)
    if msgtype in FILE_TYPES:
        note = texts.FILE_NOT_PUSHED.format(
            what=texts.FILE_KINDS[msgtype], name=for_markdown_line(filename or "")
        )
        return Part("bot", route.target, "markdown", {"content": note})
    pushed_type, pushed_body = as_pushable(msgtype, body)
    return Part("bot", route.target, pushed_type, pushed_body)
