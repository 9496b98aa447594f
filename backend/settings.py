"""Typed settings shared by every process, read from the environment and `.env`."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'lvzhi.db'}"
REAL_WECOM_API = "https://qyapi.weixin.qq.com/cgi-bin/"


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    """Every setting the web app, the scheduler and the CLI read."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    WECOM_CORP_ID: str = Field(min_length=1)
    WECOM_AGENT_ID: int = Field(ge=1)
    WECOM_SECRET: str = Field(min_length=1)
    WECOM_TOKEN: str = Field(min_length=1, max_length=128)
    WECOM_AES_KEY: str
    WECOM_API_BASE: str = REAL_WECOM_API
    LVZHI_TIMEZONE: str = "Asia/Shanghai"
    SECRET_KEY: str = Field(min_length=16)
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"
    LVZHI_MAX_CALLBACK_BYTES: int = 64 * 1024
    LVZHI_HTTP_TIMEOUT: float = Field(default=8.0, gt=0, le=60)
    # Reports: the administrators' group ("appchat:<chatid>" or "webhook:<robot key>", empty =
    # no county posts), whether weekly summaries name members with missing days, and the
    # reporting rate under which a section counts as low in the monthly report.
    LVZHI_ADMIN_CHAT: str = ""
    LVZHI_WEEKLY_LIST_MISSING: bool = True
    LVZHI_LOW_REPORTING_RATE: float = Field(default=0.8, ge=0, le=1)

    @field_validator("WECOM_AES_KEY")
    @classmethod
    def _aes_key_is_43_base64_chars(cls, value: str) -> str:
        try:
            key = base64.b64decode(value + "=", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("must be 43 characters of Base64 (EncodingAESKey)") from exc
        if len(value) != 43 or len(key) != 32:
            raise ValueError("must be 43 characters of Base64 (EncodingAESKey)")
        return value

    @field_validator("LVZHI_TIMEZONE")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Shanghai") from exc
        return value

    @field_validator("WECOM_API_BASE", "PUBLIC_BASE_URL")
    @classmethod
    def _is_http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("WECOM_API_BASE")
    @classmethod
    def _api_base_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("LVZHI_ADMIN_CHAT")
    @classmethod
    def _admin_chat_has_channel(cls, value: str) -> str:
        channel, _, target = value.strip().partition(":")
        if value.strip() and (channel not in ("appchat", "webhook") or not target.strip()):
            raise ValueError("must be appchat:<chatid> or webhook:<robot key>, or empty")
        return value.strip()

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must be sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return value

    @property
    def timezone(self) -> ZoneInfo:
        """Return the local time zone used for work dates and schedules."""
        return ZoneInfo(self.LVZHI_TIMEZONE)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one message naming each bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("配置有误 (invalid settings): " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def cached_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return load_settings()
