"""Settings of the local WeCom emulator."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

# Settings a running emulator lets the control API change (PUT /_emulator/config).
ADJUSTABLE = {
    "callback_url": (str, type(None)),
    "token_ttl": (int,),
    "member_limit_per_minute": (int,),
    "member_limit_per_hour": (int,),
    "webhook_limit_per_minute": (int,),
    "callback_timeout": (int, float),
    "callback_retries": (int,),
    "verify_timeout": (int, float),
    "retry_on_http_error": (bool,),
    "bot_reply_wait": (int, float),
    "clock_frozen_at": (int, float, type(None)),
}


@dataclass
class EmulatorConfig:
    """The corp, app and keys the emulator plays, plus its limits and timings."""

    corp_id: str
    agent_id: int
    secret: str
    token: str
    aes_key: str
    callback_url: str | None = None
    token_ttl: int = 7200
    member_limit_per_minute: int = 30  # app messages to one member (wecom.md §9.2)
    member_limit_per_hour: int = 1000
    webhook_limit_per_minute: int = 20
    callback_timeout: float = 5.0
    callback_retries: int = 3
    image_max_bytes: int = 2 * MB
    file_max_bytes: int = 20 * MB
    voice_max_bytes: int = 2 * MB
    video_max_bytes: int = 10 * MB
    verify_timeout: float = 1.0
    retry_on_http_error: bool = False
    # The intelligent bot whose long connection the emulator serves ("" id: none).
    bot_id: str = ""
    bot_secret: str = ""
    bot_reply_wait: float = 10.0  # seconds a member's message waits for the bot's first reply
    # Unix time the per-member limits and the message log read as "now" (None: real time);
    # tests freeze it to walk through minutes and hours in a moment.
    clock_frozen_at: float | None = None

    def public(self) -> dict:
        """Describe the settings without the secret and the keys."""
        return {
            "corp_id": self.corp_id,
            "agent_id": self.agent_id,
            **{name: getattr(self, name) for name in ADJUSTABLE},
        }
