"""Typed outbound replies: passive callback XML and message/send bodies."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.messages import cdata

TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 2048
WEBHOOK_MARKDOWN_LIMIT = 4096
ELLIPSIS = "…"
_ELLIPSIS_BYTES = len(ELLIPSIS.encode("utf-8"))


@dataclass(frozen=True)
class TextReply:
    """Plain text (≤ 2048 UTF-8 bytes; longer text is cut)."""

    content: str


@dataclass(frozen=True)
class MarkdownReply:
    """WeCom markdown (sent through the outbox)."""

    content: str


@dataclass(frozen=True)
class ImageReply:
    """A PNG/JPG image (uploaded, then sent through the outbox)."""

    data: bytes = field(repr=False)
    filename: str = "image.png"


@dataclass(frozen=True)
class FileReply:
    """A file such as a report or an Excel export (uploaded, then sent through the outbox)."""

    data: bytes = field(repr=False)
    filename: str


@dataclass(frozen=True)
class TemplateCardReply:
    """A WeCom template_card JSON object (sent through the outbox)."""

    card: dict = field(hash=False)


@dataclass(frozen=True)
class UpdateButtonReply:
    """Grey out the clicked template card's buttons, showing replace_name (passive only)."""

    replace_name: str


Reply = TextReply | MarkdownReply | ImageReply | FileReply | TemplateCardReply | UpdateButtonReply


def utf8_truncate(text: str, max_bytes: int) -> str:
    """Cut text at a character boundary to at most max_bytes UTF-8 bytes, ending in "…" if cut."""
    encoded = text.encode("utf-8", "replace")
    if len(encoded) <= max_bytes:
        return text
    if max_bytes < _ELLIPSIS_BYTES:
        return encoded[: max(max_bytes, 0)].decode("utf-8", "ignore")
    return encoded[: max_bytes - _ELLIPSIS_BYTES].decode("utf-8", "ignore") + ELLIPSIS


def can_reply_passively(reply: Reply) -> bool:
    """Return True when the reply fits in the callback response itself."""
    return isinstance(reply, TextReply | UpdateButtonReply)


def render_passive(
    reply: Reply, *, to_user: str, corp_id: str, agent_id: int | None, create_time: int
) -> str:
    """Render the plaintext passive-reply XML (to be encrypted) for a text or update_button."""
    msg_type, body = _passive_body(reply)
    agent = "" if agent_id is None else f"<AgentID>{int(agent_id)}</AgentID>"
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(corp_id)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        f"<MsgType>{cdata(msg_type)}</MsgType>{body}{agent}</xml>"
    )


def _passive_body(reply: Reply) -> tuple[str, str]:
    if isinstance(reply, TextReply):
        return "text", f"<Content>{cdata(utf8_truncate(reply.content, TEXT_LIMIT))}</Content>"
    if isinstance(reply, UpdateButtonReply):
        return (
            "update_button",
            f"<Button><ReplaceName>{cdata(reply.replace_name)}</ReplaceName></Button>",
        )
    raise ValueError(f"{type(reply).__name__} cannot be a passive reply")


def to_api_message(reply: Reply) -> tuple[str, dict]:
    """Return (msgtype, body) for message/send; images and files must be uploaded first."""
    if isinstance(reply, TextReply):
        return "text", {"content": utf8_truncate(reply.content, TEXT_LIMIT)}
    if isinstance(reply, MarkdownReply):
        return "markdown", {"content": utf8_truncate(reply.content, MARKDOWN_LIMIT)}
    if isinstance(reply, TemplateCardReply):
        return "template_card", dict(reply.card)
    raise ValueError(f"{type(reply).__name__} needs an upload or a callback, not message/send")
