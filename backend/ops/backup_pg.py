"""The PostgreSQL half of backups: pg_dump and pg_restore of the newest fitting version.

The tools run with an environment of our own (`_tool_env`), not the process's.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import SQLAlchemyError

PG_TOOL_FOLDERS = "/usr/lib/postgresql/*/bin"
CONNECT_TIMEOUT_SECONDS = 10


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why, in Chinese."""


def pg_dump(engine: Engine, target: Path) -> None:
    """Dump the database to `target` in pg_dump's custom format, then check it is readable."""
    tool = pg_tool("pg_dump", _server_major(engine))
    conninfo, env = _libpq(engine.url)
    command = [tool, "--format=custom", "--no-password", f"--file={target}", f"--dbname={conninfo}"]
    _run(command, env, "pg_dump 备份失败")
    _pg_contents(pg_tool("pg_restore", _server_major(engine)), target)  # readable, ours


def pg_restore(engine: Engine, path: Path) -> None:
    """Replace the database's contents with a checked dump (the schema is upgraded after)."""
    tool = pg_tool("pg_restore", _server_major(engine))
    tables = _pg_contents(tool, path)
    _drop_tables_not_in(engine, tables)  # else an older backup's missing tables block upgrade
    conninfo, env = _libpq(engine.url)
    command = [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    command += ["--exit-on-error", "--no-password", f"--dbname={conninfo}", str(path)]
    _run(command, env, "pg_restore 恢复失败")


def _pg_contents(tool: str, path: Path) -> set[str]:
    listing = _run([tool, "--list", str(path)], _tool_env(), f"{path} 不是有效的 pg_dump 备份")
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE))
    if "alembic_version" not in tables:
        raise BackupError(f"{path} 不是履职助手的数据库备份（缺少 alembic_version 表），未恢复")
    return tables


def _drop_tables_not_in(engine: Engine, tables: set[str]) -> None:
    extra = sorted(set(inspect(engine).get_table_names()) - tables)
    if extra:
        with engine.begin() as connection:
            names = ", ".join(f'"{name}"' for name in extra)
            connection.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
    engine.dispose()


def pg_tool(name: str, server_major: int) -> str:
    """Find the newest `pg_dump`/`pg_restore` whose version is at least the server's."""
    found: dict[str, int] = {}
    for candidate in [*sorted(glob.glob(f"{PG_TOOL_FOLDERS}/{name}")), shutil.which(name)]:
        if candidate and candidate not in found:
            found[candidate] = _tool_major(candidate)
    usable = [(major, path) for path, major in found.items() if major >= server_major]
    if not usable:
        raise BackupError(
            f"找不到版本不低于 {server_major} 的 {name}，请安装 postgresql-client-{server_major}"
            f"（已找到：{', '.join(f'{p}（{m}）' for p, m in found.items()) or '无'}）"
        )
    return max(usable, key=lambda pair: pair[0])[1]


def _tool_major(path: str) -> int:
    try:
        result = subprocess.run(  # noqa: S603  (a PostgreSQL tool we found)
            [path, "--version"], env=_tool_env(), capture_output=True, text=True, timeout=30
        )
    except OSError:
        return 0
    match = re.search(r"\)\s*(\d+)", result.stdout)
    return int(match.group(1)) if match else 0


def _server_major(engine: Engine) -> int:
    try:
        with engine.connect() as connection:
            number = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one())
    except SQLAlchemyError as exc:
        raise BackupError(f"无法连接 PostgreSQL 数据库：{exc.__class__.__name__}") from exc
    return number // 10000


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq connection string without the password, and an env carrying it."""
    parts: dict[str, object] = {"host": url.host, "port": url.port, "user": url.username}
    parts["dbname"] = url.database
    parts.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    conninfo = " ".join(f"{k}={_quoted(str(v))}" for k, v in parts.items() if v not in (None, ""))
    return conninfo, _tool_env(str(url.password) if url.password else None)


def _tool_env(password: str | None = None) -> dict[str, str]:
    """Return the tools' whole environment: nothing inherited but what we choose.

    An inherited PGHOST, PGDATABASE, PGOPTIONS or PGSERVICE would change what the tools reach
    or do; only DATABASE_URL says where the data is. The password travels here, never in argv.
    """
    env = {"LC_ALL": "C.UTF-8", "PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS)}
    if password:
        env["PGPASSWORD"] = password
    return env


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _run(command: list[str], env: dict[str, str], failure: str) -> str:
    try:
        result = subprocess.run(  # noqa: S603  (our own arguments, no shell)
            command, env=env, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"{failure}：无法运行 {command[0]}（{exc}）") from exc
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-3:]
        raise BackupError(f"{failure}：{' '.join(detail) or result.returncode}")
    return result.stdout
