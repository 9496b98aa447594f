"""WeCom-style API errors: HTTP 200 with errcode and errmsg."""

from __future__ import annotations

import secrets
import time

ERRMSG = {
    -1: "system busy",
    40001: "invalid credential, access_token is invalid or not latest",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid file size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40011: "invalid video size",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40029: "invalid code",
    40056: "invalid agentid",
    40058: "invalid Request Parameter",
    41001: "access_token missing",
    41009: "missing userid",
    41016: "missing title",
    41019: "missing department",
    41033: "missing description",
    42001: "access_token expired",
    44001: "empty media data",
    44004: "empty content",
    45008: "invalid article count",
    45009: "api freq out of limit",
    47001: "data format error",
    48002: "api forbidden",
    60011: "no privilege to access/modify contact/party/agent",
    60020: "not allow to access from your ip",
    60111: "userid not found",
    60123: "invalid party id",
    81013: "user & party & tag all invalid",
    82002: "invalid party list size",
    82003: "invalid tag list size",
    86001: "invalid chatid",
    86003: "chatid not found",
    86004: "invalid chat name",
    86005: "invalid chat owner",
    86006: "invalid chat member count",
    86007: "invalid chat member",
    86215: "chatid already exists",
    93000: "invalid webhook url",
}

MORE_INFO = "https://open.work.weixin.qq.com/devtool/query?e="


class ApiError(Exception):
    """A WeCom error answer; raised inside an API view and rendered as JSON."""

    def __init__(self, errcode: int, detail: str = "", *, from_ip: str | None = None) -> None:
        super().__init__(errcode, detail)
        self.errcode = errcode
        self.detail = detail
        self.from_ip = from_ip

    def body(self) -> dict:
        """Render the error as WeCom does, with a hint so nobody matches on text."""
        text = ERRMSG.get(self.errcode, "error")
        if self.detail:
            text = f"{text}: {self.detail}"
        text = f"{text}, hint: [{_hint()}]"
        if self.from_ip:  # WeCom names the caller's address, e.g. on 60020
            text += f", from ip: {self.from_ip}, more info at {MORE_INFO}{self.errcode}"
        return {"errcode": self.errcode, "errmsg": text}


def _hint() -> str:
    return f"{int(time.time())}_{secrets.randbelow(100)}_{secrets.token_hex(16)}"


def ok(**fields: object) -> dict:
    """Build a success answer with extra fields."""
    return {"errcode": 0, "errmsg": "ok", **fields}
