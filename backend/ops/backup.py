"""Backups while the system runs, and restores: SQLite's online backup API, pg_dump/pg_restore.

SQLite: the copy holds one read transaction on the live file (a WAL snapshot, which never blocks
the bot's writers) and copies it in steps of `SQLITE_PAGES_PER_STEP` pages. Holding the snapshot
is what makes the copy consistent: without it SQLite restarts a stepped copy whenever another
connection writes, and under steady traffic it may never finish. Every backup is written under a
hidden temporary name, checked, flushed to disk and only then renamed to its final name.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from backend.db import BUSY_TIMEOUT_MS, reading
from backend.ops.backup_pg import BackupError, pg_dump, pg_restore
from backend.ops.readiness import scheduler_holder
from backend.settings import PROJECT_ROOT, Settings

SQLITE_PAGES_PER_STEP = 1024
NAME = re.compile(r"^lvzhi-\d{8}T\d{6}\.\d{6}Z\.(sqlite3|pgdump)$")
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class Backup:
    """A finished backup file, and the old ones retention removed after it."""

    path: Path
    size: int
    removed: list[Path] = field(default_factory=list)


def backup_folder(settings: Settings) -> Path:
    """Return the folder backups go to (LVZHI_BACKUP_DIR, else var/backups)."""
    folder = settings.LVZHI_BACKUP_DIR.strip()
    return Path(folder).expanduser() if folder else PROJECT_ROOT / "var" / "backups"


def backup_name(engine: Engine, now: datetime | None = None) -> str:
    """Name a backup after the UTC moment it was taken and the kind of database."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    suffix = "sqlite3" if engine.dialect.name == "sqlite" else "pgdump"
    return f"lvzhi-{moment:%Y%m%dT%H%M%S.%f}Z.{suffix}"


def backup_to_folder(engine: Engine, folder: Path, *, keep: int) -> Backup:
    """Back up into `folder` under a timestamped name, then keep only the newest `keep`."""
    made = backup_to_file(engine, folder / backup_name(engine))
    return Backup(made.path, made.size, prune_backups(folder, keep=keep))


def backup_to_file(engine: Engine, path: Path) -> Backup:
    """Write a checked backup of the database to `path` (mode 0600), via a temporary name."""
    temporary = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_private(temporary)
        if engine.dialect.name == "sqlite":
            _sqlite_backup(_sqlite_file(engine), temporary)
        else:
            pg_dump(engine, temporary)
        _flush(temporary)
        os.replace(temporary, path)
        _flush(path.parent)
    except OSError as exc:
        raise BackupError(f"备份写入失败：{exc}") from exc
    finally:
        _remove_quietly(temporary)
    return Backup(path, path.stat().st_size)


def prune_backups(folder: Path, *, keep: int) -> list[Path]:
    """Delete our own backups in `folder` beyond the newest `keep`; other files stay."""
    ours = sorted(p for p in folder.iterdir() if NAME.match(p.name) and p.is_file())
    old = ours[: max(len(ours) - keep, 0)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def newest_backup(folder: Path) -> tuple[Path, datetime] | None:
    """Return our newest backup in `folder` and the UTC moment in its name (None: no backup)."""
    if not folder.is_dir():
        return None
    ours = sorted(p for p in folder.iterdir() if NAME.match(p.name) and p.is_file())
    if not ours:
        return None
    stamp = ours[-1].name.removeprefix("lvzhi-").split("Z.")[0]
    return ours[-1], datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)


def running_scheduler(engine: Engine) -> str | None:
    """Return who holds a live scheduler lease on this database (None: nobody, or no schema)."""
    try:
        with reading(engine) as session:
            return scheduler_holder(session)
    except SQLAlchemyError:
        return None


def restore_database(engine: Engine, path: Path, *, force: bool = False) -> None:
    """Replace the database's contents with a checked backup (stop web and scheduler first)."""
    kind = _file_kind(path)
    holder = None if force else running_scheduler(engine)
    if holder:
        raise BackupError(
            f"定时任务进程（{holder}）正在运行。请先停止 lvzhi scheduler 和 lvzhi serve 再恢复；"
            "确认它已停止（租约尚未过期）时可加 --force"
        )
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _expect_kind(kind, "sqlite")
        _sqlite_restore(path, _sqlite_file(engine))
    else:
        _expect_kind(kind, "postgresql")
        pg_restore(engine, path)
    engine.dispose()


# SQLite


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复")
    return Path(database)


def _sqlite_backup(live: Path, target: Path) -> None:
    if not live.is_file():
        raise BackupError(f"找不到数据库文件 {live}")
    source = sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        source.execute("BEGIN")  # one snapshot for every step: consistent, never restarted
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        source.backup(copy, pages=SQLITE_PAGES_PER_STEP)
        source.execute("COMMIT")
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _check_integrity(copy, target)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 备份失败：{exc}") from exc
    finally:
        copy.close()
        source.close()


def _sqlite_restore(path: Path, live: Path) -> None:
    backup = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_integrity(backup, path)
        _check_is_lvzhi(backup, path)
        live.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            backup.backup(target)  # takes the live file's write lock; readers see old or new
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 恢复失败：{exc}") from exc
    finally:
        backup.close()


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 不是有效的 SQLite 数据库：{exc}") from exc
    if rows != ["ok"]:
        raise BackupError(f"{path} 已损坏（完整性检查未通过）：{'；'.join(rows[:5])}")


def _check_is_lvzhi(connection: sqlite3.Connection, path: Path) -> None:
    try:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        version = None
    if not version:
        raise BackupError(f"{path} 不是履职助手的数据库（缺少 alembic_version 表），未恢复")


# Files


def _create_private(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)  # whatever the umask: the file holds personal data


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):  # an unusable folder: its error was already raised
        path.unlink(missing_ok=True)


def _flush(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _file_kind(path: Path) -> str:
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} 不是履职助手的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）"
    )


def _expect_kind(kind: str, wanted: str) -> None:
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    if kind != wanted:
        raise BackupError(
            f"这是 {labels[kind]} 的备份，而当前数据库是 {labels[wanted]}，不能直接恢复"
        )
