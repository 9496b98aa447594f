"""Typed settings shared by every process, read from the environment and `.env`."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.settings.secrets import setting_weakness

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CALLBACK_PATH = "/wecom/callback"  # what the WeCom console's 接收消息 URL ends with
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'lvzhi.db'}"
REAL_WECOM_API = "https://qyapi.weixin.qq.com/cgi-bin/"
DEFAULT_BOT_WS_URL = "wss://openws.work.weixin.qq.com"


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    """Every setting the web app, the scheduler and the CLI read."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    WECOM_CORP_ID: str = Field(min_length=1)
    WECOM_AGENT_ID: int = Field(ge=1)
    WECOM_SECRET: str = Field(min_length=1)
    # Callback secrets and the session key: refused when empty, published or guessable
    # (backend/settings/secrets.py says how each is generated).
    WECOM_TOKEN: str = Field(default="", max_length=128, validate_default=True)
    WECOM_AES_KEY: str = Field(default="", validate_default=True)
    WECOM_API_BASE: str = REAL_WECOM_API
    # How members reach the bot: "callback" (the self-built app's HTTPS callback) or "longconn"
    # (the intelligent bot's outbound WebSocket, run by `lvzhi bot`: no public address needed).
    LVZHI_CHANNEL: Literal["callback", "longconn"] = "callback"
    WECOM_BOT_ID: str = ""
    WECOM_BOT_SECRET: str = ""
    WECOM_BOT_WS_URL: str = DEFAULT_BOT_WS_URL
    # An extra CA certificate (PEM file) the long connection trusts besides the public ones:
    # the emulator's, or an e-government network's TLS proxy.
    WECOM_BOT_CA_FILE: str = ""
    LVZHI_BOT_LEASE_SECONDS: float = Field(default=20, gt=1, le=600)
    LVZHI_TIMEZONE: str = "Asia/Shanghai"
    SECRET_KEY: str = Field(default="", validate_default=True)
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"
    LVZHI_MAX_CALLBACK_BYTES: int = 64 * 1024
    # Largest request body any other page or API call accepts (uploads: LVZHI_UPLOAD_MAX_BYTES);
    # a larger one is refused with 413 before it is read.
    LVZHI_MAX_REQUEST_BYTES: int = Field(default=1024 * 1024, ge=64 * 1024, le=64 * 1024 * 1024)
    # Reverse proxies (nginx) in front of the app whose X-Forwarded-For/-Proto/-Host are trusted;
    # 0 = none: forwarded headers are ignored and the socket's address is the client's.
    LVZHI_TRUSTED_PROXIES: int = Field(default=0, ge=0, le=5)
    # Rate-limit counters shared by every worker and node: a Redis URL (redis://host:6379/0),
    # or empty for a table in the database (shared by every process on the same database).
    LVZHI_REDIS_URL: str = ""
    # Public QR pages, per local day: ratings one network (IPv4 /24, IPv6 /64) may leave on one
    # unit, and work orders (complaints and bad ratings) one unit takes from all networks.
    # Heads and administrators get the first new order at once, then a digest at most this often.
    LVZHI_PUBLIC_RATINGS_PER_NETWORK: int = Field(default=10, ge=1, le=10_000)
    LVZHI_PUBLIC_ORDERS_PER_UNIT: int = Field(default=30, ge=1, le=100_000)
    LVZHI_ORDER_DIGEST_MINUTES: int = Field(default=30, ge=1, le=24 * 60)
    # A signed callback older or newer than this (by its `timestamp`) is refused: a captured
    # callback cannot be replayed later. Processed keys are kept far longer (7 days).
    LVZHI_CALLBACK_MAX_AGE_SECONDS: int = Field(default=600, ge=30, le=86_400)
    LVZHI_HTTP_TIMEOUT: float = Field(default=8.0, gt=0, le=60)
    # Outbox: WeCom's own duplicate check on app messages (the same body to the same members
    # within this many seconds is delivered once: covers a resend after a timeout), and how
    # long sent and failed rows (with their files) are kept before the purge job deletes them.
    LVZHI_DUPLICATE_CHECK_SECONDS: int = Field(default=600, ge=1, le=4 * 3600)
    LVZHI_OUTBOX_KEEP_SENT_DAYS: int = Field(default=30, ge=1, le=3650)
    LVZHI_OUTBOX_KEEP_FAILED_DAYS: int = Field(default=90, ge=1, le=3650)
    # Finished jobs (their uploads, results and error reports) are deleted after this.
    LVZHI_JOBS_KEEP_DAYS: int = Field(default=7, ge=1, le=3650)
    # Reports: the administrators' group ("appchat:<chatid>" or "webhook:<robot key>", empty =
    # no county posts), whether weekly summaries name members with missing days, and the
    # reporting rate under which a section counts as low in the monthly report.
    LVZHI_ADMIN_CHAT: str = ""
    LVZHI_WEEKLY_LIST_MISSING: bool = True
    LVZHI_LOW_REPORTING_RATE: float = Field(default=0.8, ge=0, le=1)
    # Uploads (imported by the job runner): the file's size, its size once unzipped (checked
    # before the workbook is opened) and the data rows one import may hold.
    LVZHI_UPLOAD_MAX_BYTES: int = Field(default=30 * 1024 * 1024, ge=1024)
    LVZHI_UPLOAD_MAX_UNZIPPED_BYTES: int = Field(default=300 * 1024 * 1024, ge=1024)
    LVZHI_IMPORT_MAX_ROWS: int = Field(default=200_000, ge=1)
    # Scheduler: how long its lease lasts (renewed every third of it; a standby process takes
    # over once it lapses) and how often the reminder tick asks which rounds are due.
    LVZHI_SCHEDULER_LEASE_SECONDS: float = Field(default=30, gt=0, le=3600)
    LVZHI_SCHEDULER_TICK_SECONDS: float = Field(default=20, gt=0, le=3600)
    # /readyz answers 503 once a due reply has waited longer than this for the delivery worker.
    LVZHI_READY_OUTBOX_MAX_AGE_SECONDS: float = Field(default=600, gt=0, le=7 * 24 * 3600)
    # Nightly backups (the `backup` job and `lvzhi backup`): the folder they go to (empty =
    # var/backups beside the project) and how many of the newest are kept.
    LVZHI_BACKUP_DIR: str = ""
    LVZHI_BACKUP_KEEP: int = Field(default=14, ge=1, le=3650)
    # Logs: "text" (one readable line per record) or "json" (one JSON object per line).
    LVZHI_LOG_FORMAT: Literal["text", "json"] = "text"
    # Prometheus: the folder where every gunicorn worker and the scheduler keep their metric
    # files (empty = var/metrics; files of stopped processes are dropped when `lvzhi serve` or
    # `lvzhi scheduler` starts), and the networks allowed to read /metrics (comma-separated
    # CIDRs; everyone else gets 404).
    LVZHI_METRICS_DIR: str = ""
    LVZHI_METRICS_ALLOW: str = "127.0.0.1/32,::1/128"
    # Testing aid, never set in production: an ISO datetime (e.g. 2026-09-30T16:29:50+08:00) at
    # which the scheduler process starts its clock, which then runs on at real speed. Only the
    # scheduler's jobs follow it; the web app, the delivery worker and the leases keep real time.
    LVZHI_SCHEDULER_NOW: str = ""

    @field_validator("SECRET_KEY", "WECOM_TOKEN", "WECOM_AES_KEY")
    @classmethod
    def _secret_is_strong(cls, value: str, info: ValidationInfo) -> str:
        problem = setting_weakness(str(info.field_name), value)
        if problem:
            raise ValueError(problem)
        return value.strip()

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
        if value.strip() and (channel not in ("appchat", "webhook", "bot") or not target.strip()):
            raise ValueError(
                "must be appchat:<chatid>, webhook:<robot key> or bot:<chatid of the bot's group>,"
                " or empty"
            )
        return value.strip()

    @field_validator("LVZHI_SCHEDULER_NOW")
    @classmethod
    def _is_iso_datetime(cls, value: str) -> str:
        if value.strip():
            try:
                datetime.fromisoformat(value.strip())
            except ValueError as exc:
                raise ValueError("must be an ISO datetime, e.g. 2026-09-30T16:29:50+08:00") from exc
        return value.strip()

    @field_validator("LVZHI_METRICS_ALLOW")
    @classmethod
    def _are_networks(cls, value: str) -> str:
        for part in value.split(","):
            try:
                ipaddress.ip_network(part.strip())
            except ValueError as exc:
                raise ValueError(
                    "must be comma-separated networks, e.g. 127.0.0.1/32,10.0.0.0/8"
                ) from exc
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must be sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return value

    @field_validator("WECOM_BOT_WS_URL")
    @classmethod
    def _is_websocket_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with wss:// (or ws:// for the local emulator)")
        return value

    @model_validator(mode="after")
    def _long_connection_has_its_bot(self) -> Settings:
        if self.LVZHI_CHANNEL != "longconn":
            return self
        if not self.WECOM_BOT_ID.strip():
            raise ValueError("WECOM_BOT_ID: 长连接模式需要智能机器人的 Bot ID")
        problem = setting_weakness("WECOM_BOT_SECRET", self.WECOM_BOT_SECRET)
        if problem:
            raise ValueError(f"WECOM_BOT_SECRET: {problem}")
        return self

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
