"""The emulator's in-memory world, shared by all request threads under one lock."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.config import EmulatorConfig
from bot.emulator.directory import Directory

MEDIA_TTL = 3 * 24 * 3600
RESPONSE_CODE_TTL = 72 * 3600
OAUTH_CODE_TTL = 5 * 60
CALL_LOG_SIZE = 100_000
DEFAULT_FAULTS = {
    "api_down": False,
    "slow_seconds": 0.0,
    "http_5xx": False,
    "busy": False,
    "duplicate_callbacks": 1,
    # What WeCom answers a misconfigured app (wecom.md §9.1): gettoken refuses the corp id
    # (40013) or the secret (40001); every access-token call comes from an address not on the
    # trusted-IP list (60020) or is not permitted for the app (48002); appchat calls come from
    # an app not visible to the root department (60011).
    "wrong_corp_id": False,
    "wrong_secret": False,
    "untrusted_ip": False,
    "api_forbidden": False,
    "not_visible_to_root": False,
}
FAULT_TYPES = {
    "api_down": (bool,),
    "slow_seconds": (int, float),
    "http_5xx": (bool,),
    "busy": (bool,),
    "duplicate_callbacks": (int,),
    "wrong_corp_id": (bool,),
    "wrong_secret": (bool,),
    "untrusted_ip": (bool,),
    "api_forbidden": (bool,),
    "not_visible_to_root": (bool,),
}


@dataclass
class Media:
    """An uploaded temporary file (media_id valid three days)."""

    media_id: str
    kind: str
    data: bytes
    filename: str
    content_type: str
    owner: str
    created_at: int = field(default_factory=lambda: int(time.time()))

    def link(self) -> dict:
        """Describe the file for the page, with the emulator's own download URL."""
        return {
            "media_id": self.media_id,
            "url": f"/_emulator/media/{self.media_id}",
            "filename": self.filename,
            "size": len(self.data),
            "content_type": self.content_type,
        }


@dataclass
class ResponseCode:
    """A single-use code that lets the app update the cards it was issued for."""

    message_ids: list[int]
    expires_at: float
    used: bool = False


class SlidingWindow:
    """Count events per key over the last `span` seconds (a minute unless told)."""

    def __init__(self, span: float = 60) -> None:
        self.span = span
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def count(self, key: str, now: float) -> int:
        """Return how many events the key had in the span before now."""
        events = self._events[key]
        while events and events[0] <= now - self.span:
            events.popleft()
        return len(events)

    def add(self, key: str, now: float) -> None:
        """Record one event for the key."""
        self._events[key].append(now)


class EmulatorState:
    """Everything the emulator remembers: contacts, tokens, messages, calls, media, faults."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.directory = Directory()
        self.faults: dict = dict(DEFAULT_FAULTS)
        self.messages: list[dict] = []
        self._by_id: dict[int, dict] = {}
        self.calls: deque[dict] = deque(maxlen=CALL_LOG_SIZE)
        self.revision = 0
        self.tokens: dict[str, float] = {}
        self.current_token: str | None = None
        self.media: dict[str, Media] = {}
        self.response_codes: dict[str, ResponseCode] = {}
        self.oauth_codes: dict[str, tuple[str, float]] = {}
        self.member_window = SlidingWindow()
        self.member_hour_window = SlidingWindow(3600)
        self.robot_window = SlidingWindow()
        self.sent_contents: dict[str, float] = {}  # duplicate check: content key -> expiry
        self.approvals: dict[str, dict] = {}  # the 审批 app: sp_no -> getapprovaldetail "info"
        self._last_id = 0

    def now(self) -> float:
        """Return the emulator's clock: the frozen moment a test set, else real time."""
        frozen = self.config.clock_frozen_at
        return time.time() if frozen is None else float(frozen)

    def fault(self, name: str) -> Any:
        """Read one fault switch."""
        with self.lock:
            return self.faults[name]

    def record(self, **fields: object) -> dict:
        """Store one message shown on the page and return it."""
        with self.lock:
            self._last_id += 1
            self.revision += 1
            message: dict[str, Any] = {
                "id": self._last_id,
                "time": self.now(),
                "dropped": False,
                **fields,
            }
            media = fields.get("media")
            if isinstance(media, dict) and media.get("url"):  # flat aliases for quick lookups
                message.update(media_url=media["url"], filename=media["filename"])
            self.messages.append(message)
            self._by_id[message["id"]] = message
            return message

    def update_message(self, message_id: int, **changes: object) -> dict | None:
        """Change a stored message (a card whose buttons were replaced)."""
        with self.lock:
            message = self._by_id.get(message_id)
            if message is not None:
                message.update(changes, revised=time.time())
                self.revision += 1
            return message

    def log_call(self, path: str, errcode: int | None, http_status: int) -> None:
        """Remember one API call for tests and benchmarks."""
        entry = {"path": path, "errcode": errcode, "http_status": http_status, "time": time.time()}
        with self.lock:
            self.calls.append(entry)

    def reset(self) -> None:
        """Forget messages, calls, faults, rate counters and a frozen clock; keep the directory."""
        with self.lock:
            self.messages.clear()
            self._by_id.clear()
            self.calls.clear()
            self.faults = dict(DEFAULT_FAULTS)
            self.member_window = SlidingWindow()
            self.member_hour_window = SlidingWindow(3600)
            self.robot_window = SlidingWindow()
            self.sent_contents.clear()
            self.approvals.clear()
            self.config.clock_frozen_at = None
            self.revision += 1

    def first_within(self, key: str, interval: float, now: float) -> bool:
        """Tell whether `key` is new for the duplicate check, and remember it for `interval`."""
        with self.lock:
            if self.sent_contents.get(key, 0.0) > now:
                return False
            if len(self.sent_contents) > 100_000:  # forget expired keys now and then
                self.sent_contents = {k: t for k, t in self.sent_contents.items() if t > now}
            self.sent_contents[key] = now + interval
            return True

    def issue_token(self) -> str:
        """Return the valid token, or mint a new one when none is valid."""
        now = time.time()
        with self.lock:
            current = self.current_token
            if current and self.tokens.get(current, 0) > now:
                return current
            token = secrets.token_urlsafe(48)
            self.tokens[token] = now + self.config.token_ttl
            self.current_token = token
            return token

    def token_status(self, token: str) -> str:
        """Tell whether a token is 'valid', 'expired' or 'unknown'."""
        with self.lock:
            expires_at = self.tokens.get(token)
        if expires_at is None:
            return "unknown"
        return "valid" if expires_at > time.time() else "expired"

    def expire_tokens(self) -> int:
        """Revoke every token now; return how many were valid."""
        now = time.time()
        with self.lock:
            valid = [t for t, exp in self.tokens.items() if exp > now]
            for token in valid:
                self.tokens[token] = now
            self.current_token = None
            return len(valid)

    def store_media(self, kind: str, data: bytes, filename: str, content_type: str, owner: str):
        """Keep an uploaded file and return its Media record."""
        media = Media(secrets.token_urlsafe(32), kind, data, filename, content_type, owner)
        with self.lock:
            self.media[media.media_id] = media
        return media

    def find_media(self, media_id: str, owner: str | None = None) -> Media | None:
        """Find a media file that has not expired (and belongs to owner, if given)."""
        with self.lock:
            media = self.media.get(media_id)
        if media is None or media.created_at + MEDIA_TTL < time.time():
            return None
        return media if owner is None or media.owner == owner else None

    def issue_response_code(self, message_ids: list[int]) -> str:
        """Mint a response_code for updating the given card messages."""
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.response_codes[code] = ResponseCode(message_ids, time.time() + RESPONSE_CODE_TTL)
        return code

    def use_response_code(self, code: str) -> list[int] | None:
        """Spend a response_code; return its card message ids, or None if unusable."""
        with self.lock:
            entry = self.response_codes.get(code)
            if entry is None or entry.used or entry.expires_at < time.time():
                return None
            entry.used = True
            return list(entry.message_ids)

    def issue_oauth_code(self, userid: str) -> str:
        """Mint a single-use OAuth code for a member."""
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.oauth_codes[code] = (userid, time.time() + OAUTH_CODE_TTL)
        return code

    def use_oauth_code(self, code: str) -> str | None:
        """Spend an OAuth code; return the member's userid, or None if unusable."""
        with self.lock:
            userid, expires_at = self.oauth_codes.pop(code, ("", 0.0))
        return userid if expires_at > time.time() else None
