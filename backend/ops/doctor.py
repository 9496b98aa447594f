"""`lvzhi doctor`: check settings, database, WeCom, the public callback, groups, calendar, disk.

Every check reads only: the database through read-only sessions (the readiness checks of
backend/ops/readiness.py), WeCom through a client whose access token stays in memory, the callback
through one signed GET. Every network call has a timeout, and the group checks share a budget.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import redis
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from backend.db import make_engine, reading
from backend.models import BOT_LEASE, Department
from backend.ops.backup import backup_folder, newest_backup
from backend.ops.doctor_types import Finding, Level
from backend.ops.doctor_wecom import (
    ChatTarget,
    doctor_client,
    target_findings,
    url_verification,
    wecom_findings,
)
from backend.ops.readiness import Backlog, backlog_figures, readiness_checks, scheduler_holder
from backend.ops.setup_env import public_url_warning
from backend.schedule.calendar import load_calendar
from backend.settings import PROJECT_ROOT, REAL_WECOM_API, Settings, SettingsError, load_settings
from bot.client import WeComClient

GIB = 1024**3
DISK_WARN_BYTES = GIB
DISK_FAIL_BYTES = 200 * 1024**2
CONNECT_TIMEOUT_SECONDS = 5
BACKUP_STALE_AFTER = timedelta(days=2)
REDIS_TIMEOUT_SECONDS = 3
READINESS = {
    "database": ("数据库连接", "检查 DATABASE_URL（主机、端口、用户、密码）和数据库服务是否在运行"),
    "migrations": ("数据库结构", "运行 lvzhi db upgrade"),
    "scheduler": (
        "定时任务进程",
        "sudo systemctl start lvzhi-scheduler（或前台运行 lvzhi scheduler）",
    ),
    "outbox": ("待发消息", "确认定时任务在运行，再看上面的企业微信检查和日志里的 errcode"),
}


def run_doctor(env_file: Path | None, *, today: date | None = None) -> list[Finding]:
    """Read the settings (from `env_file` and the environment) and run every check."""
    try:
        settings = load_settings(_env_file=env_file)
    except SettingsError as exc:
        fix = "按提示改正 .env 中的这些设置（或重新运行 lvzhi init）"
        return [Finding("配置", Level.FAIL, str(exc), fix)]
    findings = diagnose(settings, today=today)
    if env_file is not None and not env_file.is_file():
        note = f"没有找到 {env_file}，只用了环境变量中的设置"
        findings.insert(0, Finding("配置文件", Level.WARN, note, "运行 lvzhi init 生成"))
    return findings


def diagnose(settings: Settings, *, today: date | None = None) -> list[Finding]:
    """Run every check for these settings; the database is only read."""
    today = today or datetime.now(settings.timezone).date()
    findings = settings_findings(settings)
    engine, database = open_database(settings)
    findings += database
    client = doctor_client(settings)
    wecom, api_ok = wecom_findings(client)
    findings += wecom
    findings.append(url_verification(settings))
    if engine is not None:
        findings += stored_findings(engine, settings, client if api_ok else None, today)
        engine.dispose()
    findings.append(rate_limit_store_finding(settings.LVZHI_REDIS_URL))
    findings.append(backup_finding(backup_folder(settings), datetime.now(UTC)))
    return findings + disk_findings(disk_paths(settings))


def rate_limit_store_finding(redis_url: str) -> Finding:
    """Check the rate limiter's shared store: the database, or a Redis that must answer."""
    if not redis_url:
        return Finding("频率限制", Level.OK, "计数存放在数据库中，所有进程共享")
    address = _redis_address(redis_url)
    try:
        redis.Redis.from_url(redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS).ping()
    except (redis.RedisError, ValueError) as exc:
        detail = f"Redis（{address}）无法连接：{type(exc).__name__}；此时频率限制不起作用"
        fix = "检查 LVZHI_REDIS_URL（主机、端口、密码）和 redis-server 是否在运行"
        return Finding("频率限制", Level.FAIL, detail, fix)
    return Finding("频率限制", Level.OK, f"计数存放在 Redis（{address}），可以连接")


def _redis_address(redis_url: str) -> str:
    """Return a Redis URL's host and port, never its password."""
    parts = urlsplit(redis_url)
    return f"{parts.hostname or '?'}:{parts.port or 6379}"


def backup_finding(folder: Path, now: datetime) -> Finding:
    """Warn when no backup is newer than two days (the scheduler takes one every night)."""
    newest = newest_backup(folder)
    fix = "确认 lvzhi scheduler 在运行（每天 02:23 自动备份），或手动运行 lvzhi backup"
    if newest is None:
        return Finding("备份", Level.WARN, f"{folder} 中还没有备份", fix)
    path, taken = newest
    age = now - taken
    detail = f"最新备份 {path.name}（{age.total_seconds() / 3600:.0f} 小时前）"
    if age > BACKUP_STALE_AFTER:
        return Finding("备份", Level.WARN, detail + "，已超过两天", fix)
    return Finding("备份", Level.OK, detail)


def settings_findings(settings: Settings) -> list[Finding]:
    """Report valid settings, warning about addresses unfit for production."""
    found = [Finding("配置", Level.OK, "所有设置有效")]
    warning = public_url_warning(settings.PUBLIC_BASE_URL)
    if warning:
        fix = "正式使用时把 PUBLIC_BASE_URL 改为 https://你的域名，并按 deploy/nginx 配置证书"
        found.append(Finding("对外地址", Level.WARN, f"{settings.PUBLIC_BASE_URL}：{warning}", fix))
    if settings.WECOM_API_BASE != REAL_WECOM_API:
        detail = f"接口地址是 {settings.WECOM_API_BASE}（模拟器或代理），不是正式的企业微信"
        fix = "正式使用时删除 .env 中的 WECOM_API_BASE"
        found.append(Finding("企业微信接口地址", Level.WARN, detail, fix))
    return found


def open_database(settings: Settings) -> tuple[Engine | None, list[Finding]]:
    """Connect (bounded) and run the readiness checks; None when the checks cannot go on."""
    path = sqlite_file(settings.DATABASE_URL)
    if path is not None and not path.is_file():
        detail = f"数据库文件不存在：{path}"
        return None, [Finding("数据库连接", Level.FAIL, detail, "运行 lvzhi db upgrade 创建")]
    engine = make_engine(bounded_url(settings.DATABASE_URL))
    try:
        with reading(engine) as session:
            found, usable = _readiness(session, settings.LVZHI_READY_OUTBOX_MAX_AGE_SECONDS)
    except SQLAlchemyError:  # reachable, but the tables are missing
        detail = "数据库可以连接，但表不全（尚未初始化或版本过旧）"
        found, usable = (
            [Finding("数据库结构", Level.FAIL, detail, READINESS["migrations"][1])],
            False,
        )
    if not usable:
        engine.dispose()
        return None, found
    return engine, found


def _readiness(session: Session, max_age: float) -> tuple[list[Finding], bool]:
    """Run the readiness checks; say whether the schema can be read (connected, at head)."""
    checks = readiness_checks(lambda: session, outbox_max_age_seconds=max_age)
    usable = all(check.ok for check in checks if check.name in ("database", "migrations"))
    found = [_from_check(check.name, check.ok, check.detail) for check in checks]
    if usable:
        backlog = backlog_figures(session)
        found = [_with_backlog(f, backlog) if f.label == "待发消息" else f for f in found]
    return found, usable


def _from_check(name: str, ok: bool, detail: str) -> Finding:
    """Turn one readiness check into a finding with its label and fix."""
    label, fix = READINESS.get(name, (name, ""))
    return Finding(label, Level.OK if ok else Level.FAIL, detail, "" if ok else fix)


def _with_backlog(finding: Finding, backlog: Backlog) -> Finding:
    """Add how many messages wait and how long the oldest due one has waited."""
    pending, waited = backlog.outbox_pending, backlog.outbox_oldest_due_seconds
    extra = f"（待发 {pending} 条，最早到期的已等 {waited:.0f} 秒）" if pending else ""
    return Finding(finding.label, finding.level, finding.detail + extra, finding.fix)


def sqlite_file(database_url: str) -> Path | None:
    """Return the SQLite file of a database URL (None for PostgreSQL or memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def bounded_url(database_url: str) -> str:
    """Give a PostgreSQL URL a connect timeout, so an unreachable server fails fast."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql" or "connect_timeout" in url.query:
        return database_url
    timeout = str(CONNECT_TIMEOUT_SECONDS)
    return url.update_query_dict({"connect_timeout": timeout}).render_as_string(hide_password=False)


def stored_findings(
    engine: Engine, settings: Settings, client: WeComClient | None, today: date
) -> list[Finding]:
    """Check what the database holds: the calendar, then the group targets (when WeCom works)."""
    with reading(engine) as session:
        found = calendar_findings(session, today)
        targets = chat_targets(session, settings)
        if settings.LVZHI_CHANNEL == "longconn":
            found.append(long_connection_finding(session))
    if client is not None:
        found += target_findings(client, targets)
    return found


def long_connection_finding(session: Session) -> Finding:
    """Say whether a `lvzhi bot` process holds the intelligent bot's long connection now."""
    holder = scheduler_holder(session, BOT_LEASE)
    if holder is None:
        return Finding(
            "长连接机器人",
            Level.FAIL,
            "没有进程持有智能机器人长连接，成员发的消息没人接收",
            "启动 lvzhi bot（或 systemctl start lvzhi-bot），并确认服务器能连到 WECOM_BOT_WS_URL",
        )
    return Finding("长连接机器人", Level.OK, f"lvzhi bot 在运行（{holder}）")


def calendar_findings(session: Session, today: date) -> list[Finding]:
    """Fail when this year's holidays are unknown, warn for next year's."""
    unknown = set(load_calendar(session).unknown_years([today.year, today.year + 1]))
    fix = "在控制台“工作日历”导入国务院放假安排，或 lvzhi calendar import 放假安排.xlsx"
    found = []
    for year, level in ((today.year, Level.FAIL), (today.year + 1, Level.WARN)):
        if year in unknown:
            detail = f"{year}年的节假日和调休尚未导入，目前按周一至周五计算"
            found.append(Finding("工作日历", level, detail, fix))
    if not found:
        found.append(Finding("工作日历", Level.OK, f"{today.year}、{today.year + 1}年的节假日已知"))
    return found


def chat_targets(session: Session, settings: Settings) -> list[ChatTarget]:
    """Return every group the system posts to: departments' chats and the administrators'."""
    rows = session.exec(
        select(Department)
        .where(col(Department.chat_target).is_not(None))
        .order_by(col(Department.id))
    ).all()
    targets = [ChatTarget(d.name, str(d.chat_target_kind), d.chat_target or "") for d in rows]
    # A bot group's images and files go through its message-push key: probe that too.
    targets += [
        ChatTarget(d.name, "webhook", d.chat_webhook_key) for d in rows if d.chat_webhook_key
    ]
    if settings.LVZHI_ADMIN_CHAT:
        kind, _, target = settings.LVZHI_ADMIN_CHAT.partition(":")
        targets.append(ChatTarget("管理员群 (LVZHI_ADMIN_CHAT)", kind, target.strip()))
    return targets


def disk_paths(settings: Settings) -> list[Path]:
    """Return the folders whose disk must have room: the SQLite file's and var/."""
    database = sqlite_file(settings.DATABASE_URL)
    return [
        *([database.parent] if database else []),
        PROJECT_ROOT / "var",
        backup_folder(settings),
    ]


def disk_findings(
    paths: Iterable[Path], *, warn_below: int = DISK_WARN_BYTES, fail_below: int = DISK_FAIL_BYTES
) -> list[Finding]:
    """Report free space once per file system holding one of these folders."""
    found, seen = [], set()
    for path in paths:
        existing = _nearest_existing(path)
        if existing.stat().st_dev in seen:
            continue
        seen.add(existing.stat().st_dev)
        free = shutil.disk_usage(existing).free
        level = Level.FAIL if free < fail_below else Level.WARN if free < warn_below else Level.OK
        detail = f"{path} 所在磁盘剩余 {free / GIB:.1f} GiB"
        fix = "" if level == Level.OK else "清理旧备份和日志，或扩容磁盘（数据库写满会停止服务）"
        found.append(Finding("磁盘空间", level, detail, fix))
    return found


def _nearest_existing(path: Path) -> Path:
    """Return the path or its closest ancestor that exists."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def failed(findings: Iterable[Finding]) -> bool:
    """Tell whether any check failed (warnings do not count)."""
    return any(f.level == Level.FAIL for f in findings)
