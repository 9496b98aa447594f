"""`lvzhi backup` and `lvzhi restore`: copy the database while it runs, and put a copy back."""

from __future__ import annotations

from pathlib import Path

import click

from backend.cli.runtime import command_runtime
from backend.migrate import upgrade_database
from backend.ops.backup import (
    BackupError,
    backup_folder,
    backup_to_file,
    backup_to_folder,
    restore_database,
)

STOP_FIRST = "恢复前请先停止 lvzhi serve 和 lvzhi scheduler（以及长连接机器人进程），恢复后再启动。"
TO_HELP = (
    "备份到此文件夹（按时间命名，只保留最新 LVZHI_BACKUP_KEEP 个）或此文件；默认 LVZHI_BACKUP_DIR。"
)
FORCE_HELP = "即使定时任务进程的租约仍有效也恢复（确认它已停止时）。"
CONFIRM = "将用备份 {path} 覆盖数据库 {where}，其中现有数据会丢失。确定恢复吗？"
CANCELLED = "已取消，数据库没有改动"
UPGRADE_FAILED = "数据已恢复，但升级数据库结构失败（{error}）：请运行 lvzhi db upgrade 查看原因"
RESTORED = (
    "已从 {path} 恢复数据库，并已升级到最新的数据库结构。"
    "现在可以启动 lvzhi serve 和 lvzhi scheduler。"
)


def human_size(size: int) -> str:
    """Format a byte count for people (KB, MB, GB)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


@click.command("backup")
@click.option(
    "--to",
    "target",
    default=None,
    type=click.Path(path_type=Path),
    help=TO_HELP,
)
def backup(target: Path | None) -> None:
    """Back up the database while the system runs (SQLite online backup, or pg_dump)."""
    runtime = command_runtime()
    keep = runtime.settings.LVZHI_BACKUP_KEEP
    folder = backup_folder(runtime.settings) if target is None else target
    try:
        if target is None or target.is_dir() or str(target).endswith(("/", "\\")):
            made = backup_to_folder(runtime.engine, folder, keep=keep)
        else:
            made = backup_to_file(runtime.engine, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.engine.dispose()
    click.echo(f"备份完成：{made.path}（{human_size(made.size)}）")
    for old in made.removed:
        click.echo(f"已删除超出保留数量的旧备份：{old.name}")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="不再询问，直接恢复。")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def restore(path: Path, yes: bool, force: bool) -> None:
    """Replace the database with a backup, then upgrade its schema to the newest version."""
    runtime = command_runtime()
    engine = runtime.engine
    where = engine.url.render_as_string(hide_password=True)
    click.echo(STOP_FIRST)
    if not yes and not click.confirm(CONFIRM.format(path=path, where=where)):
        engine.dispose()
        raise click.ClickException(CANCELLED)
    try:
        restore_database(engine, path, force=force)
    except BackupError as exc:
        engine.dispose()
        raise click.ClickException(str(exc)) from None
    try:
        upgrade_database(engine)
    except Exception as exc:  # the data is back; say so, and how to retry the upgrade
        error = exc.__class__.__name__
        raise click.ClickException(UPGRADE_FAILED.format(error=error)) from exc
    finally:
        engine.dispose()
    click.echo(RESTORED.format(path=path))
