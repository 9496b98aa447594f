"""`lvzhi init` (write `.env` with generated secrets) and `lvzhi doctor` (check an installation)."""

from __future__ import annotations

from pathlib import Path

import click

from backend.ops import setup_env
from backend.ops.doctor import failed, run_doctor
from backend.ops.doctor_types import Level
from backend.settings import SettingsError

ASKED = ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "PUBLIC_BASE_URL", "DATABASE_URL")
OPTIONS = {
    "WECOM_CORP_ID": "--corp-id",
    "WECOM_AGENT_ID": "--agent-id",
    "WECOM_SECRET": "--secret",
    "PUBLIC_BASE_URL": "--public-url",
    "DATABASE_URL": "--database-url",
}


def env_file_option(help_text: str):
    """Return the `--env-file` option both commands take (default ./.env)."""
    return click.option(
        "--env-file",
        "env_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path(".env"),
        show_default=True,
        help=help_text,
    )


@click.command("init")
@env_file_option("Where to write the settings.")
@click.option("--corp-id", help="WeCom corp id (企业ID).")
@click.option("--agent-id", help="The self-built app's AgentId.")
@click.option("--secret", help="The self-built app's Secret.")
@click.option("--public-url", help="Public https address, e.g. https://lvzhi.example.gov.cn.")
@click.option("--database-url", help="sqlite:///PATH or postgresql://USER:PASS@HOST/DB.")
@click.option("--force", is_flag=True, help="Overwrite an existing file without asking.")
@click.option("--non-interactive", is_flag=True, help="Never prompt; fail on a missing value.")
def init(env_path: Path, force: bool, non_interactive: bool, **given: str | None) -> None:
    """Write .env (mode 0600) with fresh secrets and the WeCom values, then say what comes next."""
    _confirm_overwrite(env_path, force, non_interactive)
    answers = {name: _value(name, given[_param(name)], non_interactive) for name in ASKED}
    values = setup_env.complete_values(answers, setup_env.existing_secrets(env_path))
    try:
        setup_env.check_all(values)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    setup_env.write_env(env_path, values)
    click.echo(setup_env.next_steps(values, env_path))


def _param(name: str) -> str:
    """Return the click parameter name of a setting's option (--corp-id: corp_id)."""
    return OPTIONS[name].removeprefix("--").replace("-", "_")


def _confirm_overwrite(path: Path, force: bool, non_interactive: bool) -> None:
    """Stop unless the file is new, --force is given, or the operator agrees to replace it."""
    if not path.exists() or force:
        return
    if non_interactive:
        raise click.ClickException(f"{path} 已存在；确认要覆盖请加 --force")
    question = f"{path} 已存在，覆盖吗？（原有的 Token、EncodingAESKey、SECRET_KEY 会保留）"
    if not click.confirm(question, default=False):
        raise click.ClickException("没有改动任何文件")


def _value(name: str, given: str | None, non_interactive: bool) -> str:
    """Return a checked value: the option's (failing when bad) or a prompt's (asked again)."""
    if given is not None:
        return _checked_option(name, given)
    default = setup_env.DEFAULTS.get(name)
    if non_interactive:
        if default is None:
            raise click.UsageError(f"缺少 {OPTIONS[name]}（{setup_env.LABELS[name]}）")
        return default
    while True:
        hidden = name == "WECOM_SECRET"
        answer = click.prompt(setup_env.LABELS[name], default=default, hide_input=hidden)
        value = setup_env.clean(name, answer)
        problem = setup_env.field_problem(name, value)
        if problem is None:
            _warn_about(name, value)
            return value
        click.echo(f"✗ {setup_env.LABELS[name]} 不正确：{problem}，请重新输入", err=True)


def _checked_option(name: str, given: str) -> str:
    """Return an option's cleaned value, or fail naming the option and the reason."""
    value = setup_env.clean(name, given)
    problem = setup_env.field_problem(name, value)
    if problem is not None:
        message = f"{setup_env.LABELS[name]} 不正确：{problem}"
        raise click.BadParameter(message, param_hint=OPTIONS[name])
    _warn_about(name, value)
    return value


def _warn_about(name: str, value: str) -> None:
    """Print the warning for a public address unfit for production (http, no host)."""
    if name == "PUBLIC_BASE_URL":
        warning = setup_env.public_url_warning(value)
        if warning:
            click.echo(f"! {value}：{warning}", err=True)


@click.command("doctor")
@env_file_option("Settings file to check.")
def doctor(env_path: Path) -> None:
    """Check settings, database, WeCom, the callback URL, groups, calendar and disk (zh-CN)."""
    findings = run_doctor(env_path)
    for finding in findings:
        for line in finding.lines():
            click.echo(line)
    counts = {level: sum(f.level == level for f in findings) for level in Level}
    ok, warn, fail = counts[Level.OK], counts[Level.WARN], counts[Level.FAIL]
    click.echo(f"\n共 {len(findings)} 项：✓ {ok}  ! {warn}  ✗ {fail}")
    if failed(findings):
        raise SystemExit(1)
