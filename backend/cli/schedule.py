"""`lvzhi calendar`: import a year's holiday list from Excel, show the working-day overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from backend.cli.runtime import command_runtime
from backend.db import reading, writing
from backend.schedule import calendar


@click.group("calendar")
def calendar_group() -> None:
    """Working-day calendar: statutory holidays plus the administrator's overrides."""


@calendar_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_holidays(path: Path) -> None:
    """Import an Excel list (日期 | 放假/上班 | 说明), e.g. the State Council's 2027 schedule."""
    data = path.read_bytes()
    with writing(command_runtime().engine) as session:
        try:
            result = calendar.import_holiday_workbook(session, data=data)
        except calendar.CalendarError as exc:
            raise click.ClickException(str(exc)) from None
    years = "、".join(str(y) for y in sorted(result.years))
    click.echo(f"已导入{result.saved}天（{years}年）")


@calendar_group.command("show")
@click.option("--year", type=int, default=None, help="Year to list (default: this year).")
def show(year: int | None) -> None:
    """List a year's overrides and warn about years without a holiday list."""
    today = date.today()
    with reading(command_runtime().engine) as session:
        for warning in calendar.calendar_warnings(session, today=today):
            click.echo(f"警告：{warning}")
        rows = calendar.list_overrides(session, year=year or today.year)
        for row in rows:
            click.echo(f"{row.day} {'上班' if row.is_workday else '放假'} {row.note}".rstrip())
        if not rows:
            click.echo(f"{year or today.year}年没有自定义的日期")
