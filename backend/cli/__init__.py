"""The `lvzhi` command line: serve, scheduler, bot, emulator, db upgrade, seed-demo, demo."""

from __future__ import annotations

import os
import sys

import click

from backend.cli.runtime import command_runtime
from backend.cli.runtime import command_settings as _settings
from bot.redact import install_redaction


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """履职助手 (lvzhi): duty logging and evaluation through a WeCom bot."""
    install_redaction()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Gunicorn workers.")
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=int,
    help="Threads per worker (1 = sync workers, fastest for callbacks on SQLite).",
)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Run the web app (callback, console, API, public pages) under gunicorn."""
    from backend.cli.server import run_gunicorn
    from backend.common.metrics import enable_multiprocess, metrics_folder

    runtime = command_runtime(upgrade=True)  # migrate once here, before gunicorn forks
    enable_multiprocess(metrics_folder(runtime.settings))  # every worker adds to /metrics
    log_format = runtime.settings.LVZHI_LOG_FORMAT
    run_gunicorn(host=host, port=port, workers=workers, threads=threads, log_format=log_format)


@main.command()
def scheduler() -> None:
    """Run the scheduler process (outbox delivery, reminders, summaries, reports)."""
    _settings()
    # The scheduler package sits above backend in the import graph, so start it as its own module.
    os.execv(sys.executable, [sys.executable, "-m", "scheduled"])  # noqa: S606


@main.command()
def bot() -> None:
    """Run the intelligent bot's long connection (LVZHI_CHANNEL=longconn; one active process)."""
    settings = _settings()
    if settings.LVZHI_CHANNEL != "longconn":
        raise click.ClickException(
            "LVZHI_CHANNEL 不是 longconn：机器人通过回调接收消息，不需要此进程"
        )
    os.execv(sys.executable, [sys.executable, "-m", "scheduled.longconn"])  # noqa: S606


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=18080, show_default=True, type=int)
@click.option("--bot-port", default=18081, show_default=True, type=int, help="wss:// port.")
@click.option("--callback-url", default=None, help="Bot callback URL (default from settings).")
def emulator(host: str, port: int, bot_port: int, callback_url: str | None) -> None:
    """Run the local WeCom emulator (API, chat page, group chats, fault switches)."""
    from backend.demo.emulator_link import emulator_config
    from bot.emulator import run_emulator

    settings = _settings()
    config = emulator_config(settings, callback_url)
    run_emulator(config, host, port, bot_port, settings.WECOM_BOT_CA_FILE)


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest version."""
    command_runtime(upgrade=True)
    click.echo("数据库已是最新版本 (database is up to date)")


@main.command("seed-demo")
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--weeks", default=10, show_default=True, type=int)
@click.option("--staff", "staff_count", default=300, show_default=True, type=int)
@click.option("--replace", is_flag=True, help="Delete existing data first.")
def seed_demo(seed: int, weeks: int, staff_count: int, replace: bool) -> None:
    """Load the demo county: departments, staff, duties, key tasks and ten weeks of entries."""
    from backend.cli.demo import load_demo_county

    try:
        summary = load_demo_county(_settings(), seed, weeks, staff_count, replace)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"示范县数据已载入: {summary}")


@main.group("api-token")
def api_token() -> None:
    """JSON API tokens (Authorization: Bearer …) for reviewers and integrations."""


@api_token.command("create")
@click.argument("userid")
@click.option("--label", default="", help="What the token is for.")
def api_token_create(userid: str, label: str) -> None:
    """Create an API token for the member with this WeCom userid and print it once."""
    from backend.db import writing
    from backend.models import saved_id
    from backend.org.api_tokens import create_token
    from backend.org.queries import find_active_staff

    with writing(command_runtime().engine) as session:
        staff = find_active_staff(session, wecom_userid=userid)
        if staff is None:
            raise click.ClickException(f"找不到在职人员 {userid}")
        token = create_token(session, staff_id=saved_id(staff), label=label)
    click.echo(token)


@main.command()
@click.option("--web-port", default=8000, show_default=True, type=int)
@click.option("--emulator-port", default=18080, show_default=True, type=int)
@click.option("--bot-port", default=0, type=int, help="wss:// port [default: emulator port + 1]")
@click.option(
    "--channel",
    type=click.Choice(["callback", "longconn"]),
    default="callback",
    show_default=True,
    help="How members reach the bot: the app's callback or the intelligent bot's long connection.",
)
def demo(web_port: int, emulator_port: int, bot_port: int, channel: str) -> None:
    """Set up and run everything locally: database, demo county, web, scheduler, emulator."""
    from backend.cli.demo import run_demo

    ports = {"web_port": web_port, "emulator_port": emulator_port}
    run_demo(**ports, bot_port=bot_port or emulator_port + 1, channel=channel)


from backend.cli.console import account as _account_commands  # noqa: E402
from backend.cli.console import export as _export_commands  # noqa: E402

main.add_command(_account_commands)
main.add_command(_export_commands)

from backend.cli.report import report as _report_commands  # noqa: E402

main.add_command(_report_commands)

from backend.cli.schedule import calendar_group as _calendar_commands  # noqa: E402

main.add_command(_calendar_commands)

from backend.cli.supervision import supervision_group as _supervision_commands  # noqa: E402

main.add_command(_supervision_commands)

from backend.cli.setup import doctor as _doctor_command  # noqa: E402
from backend.cli.setup import init as _init_command  # noqa: E402

main.add_command(_init_command)
main.add_command(_doctor_command)

from backend.cli.backup import backup as _backup_command  # noqa: E402
from backend.cli.backup import restore as _restore_command  # noqa: E402

main.add_command(_backup_command)
main.add_command(_restore_command)

if __name__ == "__main__":
    main()
