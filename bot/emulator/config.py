"""Settings of the local WeCom emulator."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

# Settings a running emulator lets the control API change (PUT /_emulator/config).
ADJUSTABLE = {
    "callback_url": (str, type(None)),
    "token_ttl": (int,),
    "member_limit_per_minute": (int,),
    "webhook_limit_per_minute": (int,),
    "callback_timeout": (int, float),
    "callback_retries": (int,),
    "verify_timeout": (int, float),
    "retry_on_http_error": (bool,),
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
    member_limit_per_minute: int = 30
    webhook_limit_per_minute: int = 20
    callback_timeout: float = 5.0
    callback_retries: int = 3
    image_max_bytes: int = 2 * MB
    file_max_bytes: int = 20 * MB
    voice_max_bytes: int = 2 * MB
    video_max_bytes: int = 10 * MB
    verify_timeout: float = 1.0
    retry_on_http_error: bool = False

    def public(self) -> dict:
        """Describe the settings without the secret and the keys."""
        return {
            "corp_id": self.corp_id,
            "agent_id": self.agent_id,
            **{name: getattr(self, name) for name in ADJUSTABLE},
        }
