"""`lvzhi account …` and `lvzhi export …`: console accounts and Excel exports from the shell."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

GENERATE = "-"


def _engine():
    from backend.cli.runtime import command_runtime

    return command_runtime(upgrade=True).engine


def find_department(session, name_or_id: str):
    """Return the department named (full or short name) or numbered, or fail with a message."""
    from backend.org import queries as org_queries

    found = org_queries.department_called(session, wanted=name_or_id)
    if found is None:
        raise click.ClickException(f"找不到部门 {name_or_id}")
    return found


@click.group("account")
def account() -> None:
    """Console accounts (administrators, department heads, reviewers)."""


@account.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "head", "reviewer"]), required=True)
@click.option("--department", default=None, help="Department name or id (head and reviewer).")
@click.option("--password", default=None, help="Omit to be prompted; '-' to generate one.")
@click.option("--staff", "staff_userid", default=None, help="WeCom userid of the member it is.")
def account_create(
    username: str, role: str, department: str | None, password: str | None, staff_userid: str | None
):
    """Create a console account (linked to a member: never reviews their own entries)."""
    from backend.db import writing
    from backend.org.accounts import AccountError, create_account, record_audit

    if password is None:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    generated = password == GENERATE
    if generated:
        password = secrets.token_urlsafe(12)
    with writing(_engine()) as session:
        department_id = find_department(session, department).id if department else None
        staff_id = _staff_id(session, staff_userid) if staff_userid else None
        try:
            created = create_account(
                session,
                username=username,
                password=password,
                role=role,
                department_id=department_id,
                staff_id=staff_id,
            )
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        record_audit(session, account=None, action="account_create", target=username, detail=role)
    click.echo(f"已创建账号 {created.username}（{role}）")
    if generated:
        click.echo(f"密码: {password}")


def _staff_id(session, userid: str) -> int:
    from backend.models import saved_id
    from backend.org.queries import find_active_staff

    staff = find_active_staff(session, wecom_userid=userid)
    if staff is None:
        raise click.ClickException(f"找不到在职人员 {userid}")
    return saved_id(staff)


@account.command("password")
@click.argument("username")
@click.option("--password", default=None, help="Omit to be prompted.")
def account_password(username: str, password: str | None) -> None:
    """Set a new password for an account."""
    from backend.db import writing
    from backend.org.accounts import AccountError, find_account, record_audit, set_password

    if password is None:
        password = click.prompt("新密码", hide_input=True, confirmation_prompt=True)
    with writing(_engine()) as session:
        found = find_account(session, username)
        if found is None:
            raise click.ClickException(f"找不到账号 {username}")
        try:
            set_password(session, account=found, password=password)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        record_audit(session, account=None, action="account_password", target=username)
    click.echo(f"已更新 {username} 的密码")


@account.command("list")
def account_list() -> None:
    """List console accounts."""
    from backend.db import reading
    from backend.org.accounts import list_accounts

    with reading(_engine()) as session:
        for row in list_accounts(session):
            state = "" if row.active else "（已停用）"
            click.echo(f"{row.username}\t{row.role}\t{row.department_id or '-'}{state}")


def export_path(path: str) -> Path:
    """Check an output path ends in .xlsx."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise click.ClickException("输出文件须以 .xlsx 结尾")
    return target


DEMO_ADMIN = "admin"


def ensure_demo_admin(session) -> tuple[str, str]:
    """Create the demo administrator, or give it a fresh password; return the credentials."""
    from backend.org.accounts import create_account, find_account, record_audit, set_password

    password = secrets.token_urlsafe(9)
    existing = find_account(session, DEMO_ADMIN)
    if existing is None:
        create_account(session, username=DEMO_ADMIN, password=password, role="admin")
    else:
        set_password(session, account=existing, password=password)
        existing.active = True
    record_audit(session, account=None, action="demo_admin", target=DEMO_ADMIN)
    return DEMO_ADMIN, password


def echo_demo_admin(credentials: tuple[str, str], base_url: str) -> None:
    """Print where and how to sign in to the console."""
    username, password = credentials
    click.echo(f"  后台登录: {base_url.rstrip('/')}/console/  用户名 {username}  密码 {password}")


@click.group("export")
def export() -> None:
    """Excel exports (the same workbooks the console produces)."""


def _filter_options(command):
    options = [
        click.option("--start", default=None, help="First work date, YYYY-MM-DD."),
        click.option("--end", default=None, help="Last work date, YYYY-MM-DD."),
        click.option("--department", default=None, help="Department name or id."),
        click.option("--status", type=click.Choice(["submitted", "approved", "returned"])),
        click.option("--flagged", is_flag=True, help="Only entries with review flags."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filters(session, start, end, department, status, flagged):
    from backend.entries.filters import FilterError, parse_filters

    args = {"start": start, "end": end, "status": status, "flagged": "1" if flagged else ""}
    if department:
        args["department"] = str(find_department(session, department).id)
    try:
        return parse_filters(args)
    except FilterError as exc:
        raise click.ClickException(str(exc)) from None


def _write(out: str, kind: str, options: dict) -> int:
    from backend.cli.runtime import command_runtime
    from backend.db import reading
    from backend.entries.export import export_entries, export_summary

    target, runtime = export_path(out), command_runtime(upgrade=True)
    with reading(runtime.engine) as session:  # a read snapshot: the bot keeps writing meanwhile
        filters = _filters(session, **options)
        if kind == "entries":
            zone = runtime.settings.timezone
            return export_entries(session, filters, str(target), zone=zone)
        return export_summary(session, filters, kind, str(target))


@export.command("entries")
@click.argument("out")
@_filter_options
def export_entries_command(out: str, **options) -> None:
    """Write duty entries to OUT (.xlsx)."""
    rows = _write(out, "entries", options)
    click.echo(f"已导出 {rows} 条履职记录到 {out}")


@export.command("summary")
@click.argument("out")
@click.option("--by", type=click.Choice(["department", "section", "person"]), default="department")
@_filter_options
def export_summary_command(out: str, by: str, **options) -> None:
    """Write a summary by department, section or person to OUT (.xlsx)."""
    rows = _write(out, by, options)
    click.echo(f"已导出 {rows} 行汇总到 {out}")
