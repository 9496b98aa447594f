"""Conversation helpers: `alice.says("帮助")`, `assert "…" in alice.last_reply()`."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests


@dataclass
class Member:
    """A staff member chatting with the bot through the emulator's WeCom client."""

    emulator_url: str
    userid: str
    replies: list[str] = field(default_factory=list)

    def says(self, text: str) -> list[str]:
        """Send a text message; return the passive reply texts it got."""
        result = self._post("/_emulator/say", {"userid": self.userid, "text": text})
        return self._collect(result)

    def says_in_group(self, chatid: str, text: str) -> list[str]:
        """@-mention the bot in a group chat (the long connection); return its replies there."""
        body = {"userid": self.userid, "text": text, "chatid": chatid}
        return [reply_text(reply) for reply in self._post("/_emulator/say", body)["replies"]]

    def sends_event(self, event: str, **fields) -> list[str]:
        """Send an event (enter_agent, click, template_card_event…)."""
        result = self._post("/_emulator/event", {"userid": self.userid, "event": event, **fields})
        return self._collect(result)

    def last_reply(self) -> str:
        """Return the latest reply text the member saw ("" if none)."""
        return self.replies[-1] if self.replies else ""

    def pushed_messages(self) -> list[dict]:
        """Return the messages the bot sent this member besides its replies in the chat: the
        app's message/send, or in long-connection mode a push over the connection."""
        response = requests.get(
            self.emulator_url + "/_emulator/messages", params={"userid": self.userid}, timeout=10
        )
        response.raise_for_status()
        messages = response.json()["messages"]
        return [m for m in messages if m["channel"] == "app" or m.get("pushed")]

    def _post(self, path: str, payload: dict) -> dict:
        response = requests.post(self.emulator_url + path, json=payload, timeout=60)
        response.raise_for_status()
        return response.json()

    def _collect(self, result: dict) -> list[str]:
        texts = [reply_text(reply) for reply in result["replies"]]
        self.replies.extend(texts)
        return texts


def reply_text(message: dict) -> str:
    """Return the readable text of a recorded emulator message."""
    for key in ("content", "text", "markdown"):
        value = message.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and "content" in value:
            return value["content"]
    return ""
