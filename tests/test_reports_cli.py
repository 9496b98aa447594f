"""`lvzhi report …`: files written on demand, `--send` queues them, bad input explained."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from backend.cli import main
from backend.models import Department, Duty, DutyEntry, OutboxMessage, Staff
from tests.support.org import WEBHOOK_KEY, add_small_county
from tests.support.reports import pdf_text
from tests.support.stack import TEST_WECOM


@pytest.fixture
def county_env(engine, monkeypatch, tmp_path):
    """The small county with a week of entries, and the CLI's settings pointing at it."""
    with Session(engine) as session:
        people = add_small_county(session)["staff"]
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
        duty = session.exec(select(Duty).where(Duty.department_id == market.id)).first()
        for day in range(16, 21):
            session.add(
                DutyEntry(
                    staff_id=people["alice"].id,
                    department_id=market.id,
                    work_date=date(2026, 11, day),
                    duty_id=duty.id,
                    task_type_code="business",
                    hours=6.5,
                    description="检查城关镇餐饮店后厨卫生，责令两家整改",
                )
            )
        session.commit()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for name, value in TEST_WECOM.items():
        monkeypatch.setenv(name, str(value))
    return engine


def _run(*args: str):
    return CliRunner().invoke(main, ["report", *args])


@pytest.mark.parametrize("command", ["weekly", "monthly", "county", "half-year", "annual"])
def test_every_report_command_answers_help(command):
    result = _run(command, "--help")
    assert result.exit_code == 0 and "--period" in result.output


def test_weekly_and_monthly_files_are_written_for_one_department(county_env, tmp_path):
    result = _run("weekly", "-d", "县市场监督管理局", "-p", "2026-W47", "-o", "out")
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "out" / "县市场监督管理局履职周报-2026-W47.md").read_text()
    assert "本期填报 **5** 条，共 **32.5** 小时" in markdown
    assert (tmp_path / "out" / "县市场监督管理局履职周报-2026-W47.png").read_bytes()[
        :4
    ] == b"\x89PNG"
    result = _run("monthly", "-d", "县市场监督管理局", "-p", "2026-11", "-o", "out")
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "out" / "县市场监督管理局部门履职评估分析报告-2026-11.pdf").read_bytes()
    assert "县市场监督管理局部门履职评估分析报告" in pdf_text(pdf, tmp_path)
    with Session(county_env) as session:
        assert session.exec(select(OutboxMessage)).all() == []  # nothing sent without --send


def test_send_queues_the_files_to_the_department_group(county_env):
    result = _run("weekly", "-d", "县市场监督管理局", "-p", "2026-W47", "--send", "-o", "out")
    assert result.exit_code == 0, result.output
    with Session(county_env) as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert [(r.channel, r.msgtype) for r in rows] == [("webhook", "image"), ("webhook", "markdown")]
    assert all(WEBHOOK_KEY in r.target for r in rows)


def test_bad_input_gets_a_chinese_message(county_env):
    result = _run("weekly", "-d", "县民政局", "-p", "上周")
    assert result.exit_code != 0 and "无法识别的期间“上周”" in result.output
    result = _run("monthly", "-d", "县公安局", "-p", "2026-10")
    assert result.exit_code != 0 and "找不到部门“县公安局”" in result.output
    result = _run("monthly", "-d", "县食品药品检验所", "-p", "2026-10")
    assert "请指定其主管部门" in result.output
    result = _run("county", "-p", "2026-10", "--send")
    assert result.exit_code != 0 and "未设置管理员工作群（LVZHI_ADMIN_CHAT" in result.output
    with Session(county_env) as session:
        assert session.exec(select(Staff)).first() is not None


def test_admin_chat_setting_must_name_its_channel():
    from backend.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="LVZHI_ADMIN_CHAT"):
        load_settings(LVZHI_ADMIN_CHAT="group-42", **TEST_WECOM)
    settings = load_settings(LVZHI_ADMIN_CHAT=" webhook:abc ", **TEST_WECOM)
    assert settings.LVZHI_ADMIN_CHAT == "webhook:abc"
