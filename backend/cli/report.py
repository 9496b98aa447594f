"""`lvzhi report weekly|monthly|county|half-year|annual`: write report files; `--send` posts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from backend.cli.runtime import command_runtime
from backend.db import reading, writing
from backend.models import Department, saved_id
from backend.org import queries as org_queries
from backend.outbox.rules import group_route
from backend.reports import data, service
from backend.reports.periods import EXAMPLES, PeriodError, parse_period
from backend.reports.queries import reporting_departments
from backend.reports.service import ReportOptions
from backend.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

PERIOD_HELP = "期间，如 {example}；省略则为上一个完整期间。"


def _departments(session: Session, wanted: str | None) -> list[Department]:
    if not wanted:
        return reporting_departments(session)
    found = org_queries.department_called(session, wanted=wanted)
    if found is None:
        raise click.ClickException(f"找不到部门“{wanted}”（可用名称、简称或编号）")
    if found.parent_id is not None:
        raise click.ClickException(f"“{found.name}”是所属事业单位，请指定其主管部门")
    return [found]


def _period(kind: str, text: str | None, settings: Settings):
    try:
        return parse_period(kind, text, today=datetime.now(settings.timezone).date())
    except PeriodError as exc:
        raise click.ClickException(str(exc)) from None


def _write(out: Path, files: list[service.File]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, blob in files:
        (out / name).write_bytes(blob)
        click.echo(f"已生成 {out / name}（{len(blob) // 1024} KB）")


def _send(engine: Engine, target, files, what: str) -> None:
    if target is None:
        click.echo(f"{what}没有设置工作群，未发送", err=True)
        return
    with writing(engine) as session:
        count = service.post_files(session, target=target, files=files)
    click.echo(f"已加入发送队列：{what}，{count} 条消息")


NO_ADMIN_CHAT = "未设置管理员工作群（LVZHI_ADMIN_CHAT，如 webhook:机器人key），无法发送"


def _department_files(engine: Engine, kind: str, unit_id: int, period, today, options):
    """Load a department's report in a read snapshot, then render it without holding it."""
    with reading(engine) as session:
        report = data.department_report(
            session, department_id=unit_id, period=period, monthly=kind != "week"
        )
    if kind == "week":
        return service.weekly_files_of(report, options=options)
    return service.monthly_files_of(report, today=today, options=options)


@click.group("report")
def report() -> None:
    """Produce weekly summaries, monthly reports, county rankings and notices (通报)."""


def _department_command(kind: str):
    @click.option("--department", "-d", default=None, help="部门名称、简称或编号；省略为全部部门。")
    @click.option("--period", "-p", default=None, help=PERIOD_HELP.format(example=EXAMPLES[kind]))
    @click.option("--out", "-o", default=".", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--send", is_flag=True, help="同时发送到部门工作群（经发送队列）。")
    def command(department: str | None, period: str | None, out: Path, send: bool) -> None:
        runtime = command_runtime()
        settings, engine = runtime.settings, runtime.engine
        options = ReportOptions.from_settings(settings)
        chosen = _period(kind, period, settings)
        today = runtime.clock().date()
        with reading(engine) as session:
            units = [
                (saved_id(u), u.name, group_route(u)) for u in _departments(session, department)
            ]
        for unit_id, name, target in units:
            files = _department_files(engine, kind, unit_id, chosen, today, options)
            _write(out, files)
            if send:
                _send(engine, target, files, name)

    return command


def _county_command(kind: str):
    @click.option("--period", "-p", default=None, help=PERIOD_HELP.format(example=EXAMPLES[kind]))
    @click.option("--out", "-o", default=".", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--send", is_flag=True, help="同时发送到管理员工作群（LVZHI_ADMIN_CHAT）。")
    def command(period: str | None, out: Path, send: bool) -> None:
        runtime = command_runtime()
        settings, engine = runtime.settings, runtime.engine
        chosen = _period(kind, period, settings)
        today = runtime.clock().date()
        target = ReportOptions.from_settings(settings).admin_target
        if send and target is None:
            raise click.ClickException(NO_ADMIN_CHAT)
        with reading(engine) as session:
            county = data.county_report(session, period=chosen)
        files = service.county_files_of(county, today=today)
        _write(out, files)
        if send:
            _send(engine, target, files, "管理员工作群")

    return command


report.command("weekly", help="部门本周履职汇总（图片和文字）。")(_department_command("week"))
report.command("monthly", help="部门履职评估分析报告（PDF）和数据（Excel）。")(
    _department_command("month")
)
report.command("county", help="全县月度排名、三色管理表、核心职能报告和数据。")(
    _county_command("month")
)
report.command("half-year", help="半年通报：全县排名和核心职能报告。")(_county_command("half"))
report.command("annual", help="年度通报：全县排名和核心职能报告。")(_county_command("year"))
