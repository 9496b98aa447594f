"""`lvzhi demo` and `lvzhi seed-demo`: a whole county on one machine."""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

import click
import requests

from backend.db import reading, writing
from backend.migrate import upgrade_database
from backend.ops.processes import ChildExited, ChildGroup, Stopping, stop_on_signals
from backend.runtime import build_runtime
from backend.settings import PROJECT_ROOT, Settings, load_settings
from backend.settings.secrets import (
    new_aes_key,
    new_secret_key,
    new_wecom_token,
    write_private_text,
)

ENV_FILE = PROJECT_ROOT / ".env"


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


def write_demo_env(path: Path, *, web_port: int, emulator_port: int) -> None:
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
    ]
    write_private_text(path, "\n".join(lines) + "\n")


def run_demo(*, web_port: int, emulator_port: int) -> None:
    """Prepare the demo and run web, scheduler and emulator until Ctrl-C or SIGTERM."""
    os.chdir(PROJECT_ROOT)
    with stop_on_signals(), ChildGroup() as children:
        try:
            _prepare_and_run(children, web_port=web_port, emulator_port=emulator_port)
        except Stopping as stop:
            click.echo(f"收到 {stop.signal_name}，正在停止演示的各个进程… (stopping the demo)")
        except ChildExited as exited:
            click.echo(f"有进程意外退出，演示已停止 (a process exited; demo stopped): {exited}")
            raise SystemExit(1) from None
    click.echo("演示已停止 (the demo has stopped).")


def _prepare_and_run(children: ChildGroup, *, web_port: int, emulator_port: int) -> None:
    if not ENV_FILE.exists():
        write_demo_env(ENV_FILE, web_port=web_port, emulator_port=emulator_port)
        click.echo(f"已生成演示配置 {ENV_FILE}")
    engine = build_runtime(load_settings()).engine
    upgrade_database(engine)
    _seed_if_empty(engine)
    from backend.cli.console import echo_demo_admin, ensure_demo_admin

    with writing(engine) as session:
        credentials = ensure_demo_admin(session)
    cli = [sys.executable, "-m", "backend.cli"]
    children.start([*cli, "emulator", "--port", str(emulator_port)])
    children.start([*cli, "serve", "--port", str(web_port)])
    children.start([*cli, "scheduler"])
    _wait_until_up(f"http://127.0.0.1:{emulator_port}/_emulator/directory")
    _wait_until_up(f"http://127.0.0.1:{web_port}/api/v1/health")
    _push_directory(engine, f"http://127.0.0.1:{emulator_port}")
    _announce(engine, web_port, emulator_port)
    echo_demo_admin(credentials, f"http://127.0.0.1:{web_port}")
    children.supervise()


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
