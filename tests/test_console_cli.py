"""`lvzhi account …`, `lvzhi export …` and the demo administrator."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from backend.cli import main
from backend.cli.console import ensure_demo_admin
from backend.models import AuditLog
from backend.org.accounts import authenticate, find_account
from tests.support.excel import add_sample_entries, read_back


@pytest.fixture
def engine(cli_county):
    with Session(cli_county) as session:
        add_sample_entries(session)
    return cli_county


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.mark.parametrize("command", [["account"], ["account", "create"], ["export"],
                                     ["export", "entries"], ["export", "summary"]])  # fmt: skip
def test_help(command):
    assert run(*command, "--help").exit_code == 0


def test_account_create_with_prompted_password(engine):
    result = run("account", "create", "civilhead", "--role", "head", "--department", "县民政局",
                 input="head-pass-123\nhead-pass-123\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "已创建账号 civilhead" in result.output
    with Session(engine) as session:
        account = authenticate(session, username="civilhead", password="head-pass-123")
        assert account.role == "head" and account.department_id is not None
        assert session.exec(select(AuditLog.action)).all() == ["account_create"]


def test_account_linked_to_a_member(engine):
    result = run("account", "create", "carol-r", "--role", "reviewer", "--department", "2",
                 "--staff", "carol", "--password", "carol-pass-1")  # fmt: skip
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert find_account(session, "carol-r").staff_id is not None
    missing = run("account", "create", "x-r", "--role", "admin", "--staff", "nobody",
                  "--password", "long-pass-1")  # fmt: skip
    assert missing.exit_code != 0 and "找不到在职人员 nobody" in missing.output


def test_account_create_refuses_bad_input_in_chinese(engine):
    no_department = run(
        "account", "create", "x-head", "--role", "head", "--password", "long-pass-1"
    )
    assert no_department.exit_code != 0 and "必须指定所属部门" in no_department.output
    unknown = run("account", "create", "y-head", "--role", "head", "--department", "县财政局",
                  "--password", "long-pass-1")  # fmt: skip
    assert unknown.exit_code != 0 and "找不到部门 县财政局" in unknown.output


def test_generated_password_is_printed_once_and_works(engine):
    result = run("account", "create", "boss", "--role", "admin", "--password", "-")
    password = result.output.split("密码: ")[1].strip()
    with Session(engine) as session:
        assert authenticate(session, username="boss", password=password) is not None


def test_export_entries_and_summary(engine, tmp_path):
    out = tmp_path / "entries.xlsx"
    result = run("export", "entries", str(out), "--department", "县市场监督管理局")
    assert result.exit_code == 0, result.output
    assert "已导出 2 条" in result.output
    assert "=1+1" in [row[12] for row in read_back(out.read_bytes()).iter_rows(values_only=True)]
    summary = tmp_path / "summary.xlsx"
    assert run("export", "summary", str(summary), "--by", "person").exit_code == 0
    assert read_back(summary.read_bytes())["C1"].value == "姓名"
    bad = run("export", "entries", str(tmp_path / "x.csv"))
    assert bad.exit_code != 0 and ".xlsx" in bad.output
    bad_date = run("export", "entries", str(out), "--start", "tomorrow")
    assert bad_date.exit_code != 0 and "开始日期格式" in bad_date.output


def test_demo_admin_gets_a_fresh_password_each_time(engine):
    with Session(engine) as session:
        first = ensure_demo_admin(session)
        session.commit()
        second = ensure_demo_admin(session)
        session.commit()
        assert first[0] == second[0] == "admin" and first[1] != second[1]
        assert authenticate(session, username="admin", password=second[1]) is not None
        assert find_account(session, "admin").role == "admin"
