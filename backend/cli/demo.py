"""`lvzhi demo` and `lvzhi seed-demo`: a whole county on one machine."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
import requests

from backend.db import reading, writing
from backend.migrate import upgrade_database
from backend.ops.processes import ChildExited, ChildGroup, Stopping, stop_on_signals
from backend.runtime import build_runtime
from backend.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from backend.settings.environment import child_environment
from backend.settings.secrets import (
    new_aes_key,
    new_secret_key,
    new_wecom_token,
    write_private_text,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from backend.demo.posts import Delivery, DuePosts

ENV_FILE = PROJECT_ROOT / ".env"
BOT_MISSING = (
    "长连接演示需要 .env 里的 WECOM_BOT_ID 和 WECOM_BOT_SECRET（较早生成的演示配置没有）："
    "删除 .env 后重新运行，或补上这两项与 WECOM_BOT_WS_URL、WECOM_BOT_CA_FILE"
)
POSTING_SECONDS = 180.0  # at most this long for rendering last week's and last month's reports
DELIVERY_SECONDS = 60.0  # then at most this long for the scheduler to deliver them


def load_demo_county(settings: Settings, seed: int, weeks: int, staff: int, replace: bool):
    """Migrate the database and fill it with the deterministic demo county."""
    from backend.cli.console import echo_demo_admin, ensure_demo_admin
    from backend.demo import seed_demo

    engine = build_runtime(settings).engine
    upgrade_database(engine)
    with writing(engine) as session:
        summary = seed_demo(session, seed=seed, weeks=weeks, staff_count=staff, replace=replace)
        credentials = ensure_demo_admin(session)
    echo_demo_admin(credentials, settings.PUBLIC_BASE_URL)
    return summary


def write_demo_env(path: Path, *, web_port: int, emulator_port: int, bot_port: int = 0) -> None:
    """Write a `.env` (mode 0600) for a local demo against the emulator, with fresh secrets."""
    lines = [
        f"DATABASE_URL=sqlite:///{PROJECT_ROOT / 'var' / 'lvzhi.db'}",
        "WECOM_CORP_ID=wwdemo0000000001",
        "WECOM_AGENT_ID=1000002",
        f"WECOM_SECRET={secrets.token_urlsafe(32)}",
        f"WECOM_TOKEN={new_wecom_token()}",
        f"WECOM_AES_KEY={new_aes_key()}",
        f"WECOM_API_BASE=http://127.0.0.1:{emulator_port}/cgi-bin/",
        "LVZHI_TIMEZONE=Asia/Shanghai",
        f"SECRET_KEY={new_secret_key()}",
        f"PUBLIC_BASE_URL=http://127.0.0.1:{web_port}",
        "WECOM_BOT_ID=aibdemo0000000001",
        f"WECOM_BOT_SECRET={secrets.token_urlsafe(24)}",
        f"WECOM_BOT_WS_URL=wss://127.0.0.1:{bot_port or emulator_port + 1}",
        f"WECOM_BOT_CA_FILE={PROJECT_ROOT / 'var' / 'emulator-ca.pem'}",
    ]
    write_private_text(path, "\n".join(lines) + "\n")


def run_demo(
    *, web_port: int, emulator_port: int, bot_port: int = 0, channel: str = "callback"
) -> None:
    """Prepare the demo and run web, scheduler and emulator until Ctrl-C or SIGTERM."""
    os.chdir(PROJECT_ROOT)
    with stop_on_signals(), ChildGroup() as children:
        try:
            ports = {"web_port": web_port, "emulator_port": emulator_port}
            _prepare_and_run(children, **ports, bot_port=bot_port, channel=channel)
        except Stopping as stop:
            click.echo(f"收到 {stop.signal_name}，正在停止演示的各个进程… (stopping the demo)")
        except ChildExited as exited:
            click.echo(f"有进程意外退出，演示已停止 (a process exited; demo stopped): {exited}")
            raise SystemExit(1) from None
    click.echo("演示已停止 (the demo has stopped).")


def _prepare_and_run(
    children: ChildGroup, *, web_port: int, emulator_port: int, bot_port: int, channel: str
) -> None:
    bot_port = bot_port or emulator_port + 1
    settings = _demo_settings(web_port=web_port, emulator_port=emulator_port, bot_port=bot_port)
    if channel == "longconn" and not settings.WECOM_BOT_ID:
        raise click.ClickException(BOT_MISSING)
    settings = settings.model_copy(update={"LVZHI_CHANNEL": channel})
    engine = build_runtime(settings).engine
    upgrade_database(engine)
    _seed_if_empty(engine)
    _route_groups(engine, channel)
    from backend.cli.console import echo_demo_admin, ensure_demo_admin

    with writing(engine) as session:
        credentials = ensure_demo_admin(session)
    cli = [sys.executable, "-m", "backend.cli"]
    ports = ["--port", str(emulator_port), "--bot-port", str(bot_port)]
    env = child_environment(LVZHI_CHANNEL=channel)  # every process of the demo in one mode
    children.start([*cli, "emulator", *ports], env=env)
    children.start([*cli, "serve", "--port", str(web_port)], env=env)
    children.start([*cli, "scheduler"], env=env)
    _wait_until_up(f"http://127.0.0.1:{emulator_port}/_emulator/directory")
    if channel == "longconn":
        _start_long_connection(children, cli, f"http://127.0.0.1:{emulator_port}", env)
    _push_directory(engine, f"http://127.0.0.1:{emulator_port}")
    _fill_group_chats(engine, settings, children)  # renders while the web app boots
    _wait_until_up(f"http://127.0.0.1:{web_port}/api/v1/health")
    _announce(engine, web_port, emulator_port)
    echo_demo_admin(credentials, f"http://127.0.0.1:{web_port}")
    children.supervise()


def _start_long_connection(
    children: ChildGroup, cli: list[str], emulator_url: str, env: dict[str, str]
) -> None:
    """Start `lvzhi bot` and let the emulator's members talk through it."""
    children.start([*cli, "bot"], env=env)
    deadline = time.monotonic() + 30
    while not requests.get(emulator_url + "/_emulator/bot", timeout=5).json()["connected"]:
        if time.monotonic() > deadline:
            raise click.ClickException("智能机器人长连接未能连上模拟器")
        time.sleep(0.3)
    requests.put(emulator_url + "/_emulator/bot", json={"channel": "longconn"}, timeout=5)
    click.echo("成员消息经智能机器人长连接投递（群里@履职助手也会回答）。")


def _demo_settings(*, web_port: int, emulator_port: int, bot_port: int) -> Settings:
    """Read the settings; when nothing configures the app yet, write a demo `.env` first."""
    try:
        return load_settings()
    except SettingsError:
        if ENV_FILE.exists():
            raise
    write_demo_env(ENV_FILE, web_port=web_port, emulator_port=emulator_port, bot_port=bot_port)
    click.echo(f"已生成演示配置 {ENV_FILE}")
    return load_settings()


def _route_groups(engine, channel: str) -> None:
    from backend.demo.county import route_groups_for_channel

    with writing(engine) as session:
        moved = route_groups_for_channel(session, channel)
    if moved and channel == "longconn":
        click.echo(f"{moved} 个部门群改由智能机器人发送（图片和文件经群的消息推送）。")
    elif moved:
        click.echo(f"{moved} 个部门群改回应用群聊发送。")


def _seed_if_empty(engine) -> None:
    from backend.demo import seed_demo
    from backend.org import queries as org_queries

    with reading(engine) as session:
        empty = not org_queries.has_departments(session)
    if empty:
        click.echo("正在生成示范县数据…")
        with writing(engine) as session:
            summary = seed_demo(session)
        click.echo(f"示范县数据已载入: {summary}")


def _wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise click.ClickException(f"服务未能启动: {url}")


def _push_directory(engine, emulator_url: str) -> None:
    from backend.demo.emulator_link import push_directory

    with reading(engine) as session:
        push_directory(session, emulator_url)


def _fill_group_chats(engine: Engine, settings: Settings, children: ChildGroup) -> None:
    """Post last week's summaries and last month's reports through the scheduler's own jobs."""
    from backend.demo import posts

    now = datetime.now(settings.timezone)
    with reading(engine) as session:
        before = posts.due_posts(session, today=now.date())
        after_id = posts.last_outbox_id(session)
    if not before.jobs():
        for line in posts.outcome_lines(before, before, posts.Delivery(), seconds=0, problem=None):
            click.echo(line)
        return
    click.echo(posts.starting_line(before, limit=POSTING_SECONDS + DELIVERY_SECONDS))
    started = time.monotonic()
    problem = _run_report_jobs(before.jobs(), now)
    sent = _wait_delivered(engine, children, before, after_id)
    with reading(engine) as session:
        after = posts.due_posts(session, today=now.date())
    seconds = time.monotonic() - started
    for line in posts.outcome_lines(before, after, sent, seconds=seconds, problem=problem):
        click.echo(line)


def _run_report_jobs(jobs: list[str], now: datetime) -> str | None:
    """Run each job in its own process (one per core); return what went wrong, if anything."""
    command = [sys.executable, "-m", "scheduled.post_now", "--at", now.isoformat()]
    deadline = time.monotonic() + POSTING_SECONDS
    with ChildGroup(grace_seconds=5) as posters:
        running = [posters.start([*command, job]) for job in jobs]
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                return f"报告生成超过 {POSTING_SECONDS:.0f} 秒，已停止"
    failed = [str(p.returncode) for p in running if p.returncode]
    return f"生成报告的进程出错退出（退出码 {'、'.join(failed)}）" if failed else None


def _wait_delivered(engine: Engine, children: ChildGroup, due: DuePosts, after_id: int) -> Delivery:
    """Wait (bounded) until the scheduler has delivered this start-up's posts."""
    from backend.demo import posts

    deadline = time.monotonic() + DELIVERY_SECONDS
    while True:
        with reading(engine) as session:
            sent = posts.delivery(session, due=due, after_id=after_id)
        if not sent.pending or time.monotonic() > deadline:
            return sent
        for process in children.processes:  # a scheduler that died delivers nothing
            if process.poll() is not None:
                name = process.args[-1] if isinstance(process.args, list) else process.args
                raise ChildExited(f"{name!s} exited with {process.returncode}")
        time.sleep(0.3)


def _announce(engine, web_port: int, emulator_port: int) -> None:
    from backend.demo.public import demo_links
    from backend.supervision.links import public_url

    base = f"http://127.0.0.1:{web_port}"
    with reading(engine) as session:
        code, token = demo_links(session)
    click.echo("")
    click.echo("履职助手演示环境已启动 (lvzhi demo is running):")
    click.echo(f"  企业微信模拟器（聊天与群）: http://127.0.0.1:{emulator_port}/")
    click.echo(f"  后台与接口:               {base}/")
    if code:
        click.echo(f"  扫码评价（群众）:         {public_url(base, code)}")
    if token:
        click.echo(f"  问卷（手机作答）:         {base}/s/{token}")
    click.echo("按 Ctrl-C 停止 (press Ctrl-C to stop).")
