"""`lvzhi doctor` against the running test stack: the real emulator, real signatures, real HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlmodel import func, select

from backend.cli import main
from backend.db import reading, writing
from backend.models import Department, WeComToken
from backend.ops.doctor import (
    backup_finding,
    bounded_url,
    calendar_findings,
    diagnose,
    disk_findings,
    failed,
    rate_limit_store_finding,
)
from backend.ops.doctor_types import Level
from backend.ops.doctor_wecom import url_verification
from backend.schedule import calendar
from backend.settings.secrets import new_aes_key, new_wecom_token
from bot.emulator.state import DEFAULT_FAULTS
from scheduled import lease
from tests.support.org import APPCHAT_ID, WEBHOOK_KEY
from tests.support.redis import RedisServer

ENV_KEYS = (
    "DATABASE_URL",
    "WECOM_CORP_ID",
    "WECOM_AGENT_ID",
    "WECOM_SECRET",
    "WECOM_TOKEN",
    "WECOM_AES_KEY",
    "SECRET_KEY",
    "PUBLIC_BASE_URL",
    "WECOM_API_BASE",
    "LVZHI_ADMIN_CHAT",
)
HOLDER = "doctor-test"


@pytest.fixture
def live(sqlite_stack):
    """The SQLite stack with a live scheduler lease; faults switched off again afterwards."""
    assert lease.try_acquire(sqlite_stack.engine, holder=HOLDER, seconds=60)
    yield sqlite_stack
    sqlite_stack.emulator_call("PUT", "/_emulator/faults", json=DEFAULT_FAULTS)
    lease.release(sqlite_stack.engine, holder=HOLDER)


def doctor_cli(settings, tmp_path: Path, monkeypatch, **changes) -> tuple[int, str]:
    """Run `lvzhi doctor` on a .env written from these settings; return its exit code and text."""
    monkeypatch.chdir(tmp_path)
    for name in ENV_KEYS:
        monkeypatch.delenv(name, raising=False)
    values = {**settings.model_dump(include=set(ENV_KEYS)), **changes}
    env = tmp_path / "doctor.env"
    env.write_text("".join(f"{k}='{v}'\n" for k, v in values.items()), encoding="utf-8")
    result = CliRunner().invoke(main, ["doctor", "--env-file", str(env)])
    return result.exit_code, result.output


def by_label(findings, label: str):
    """Return the findings with this label."""
    return [f for f in findings if f.label == label]


def test_all_green_against_the_running_stack(stack, tmp_path, monkeypatch):
    lease.try_acquire(stack.engine, holder=HOLDER, seconds=60)
    try:
        code, output = doctor_cli(stack.settings, tmp_path, monkeypatch)
    finally:
        lease.release(stack.engine, holder=HOLDER)
    assert code == 0, output
    assert "\n✗" not in output
    for line in (
        "✓ 数据库结构",
        "✓ 定时任务进程",
        "✓ 企业微信 gettoken",
        "✓ 企业微信接口调用",
        "✓ 回调地址验证",
        "✓ 群聊：2 个群都可以使用",
        "✓ 待发消息",
    ):
        assert line in output
    assert "! 企业微信接口地址" in output  # the emulator, not qyapi.weixin.qq.com
    with reading(stack.engine) as session:  # the doctor's token stayed in memory
        assert session.exec(select(func.count()).select_from(WeComToken)).one() == 0


FAULTS = [
    ("wrong_corp_id", "errcode 40013", "我的企业 → 企业信息"),
    ("wrong_secret", "errcode 40001", "WECOM_SECRET"),
    ("untrusted_ip", "errcode 60020", "企业可信IP → 配置，加入 127.0.0.1"),
    ("api_forbidden", "errcode 48002", "接口未授权"),
    ("not_visible_to_root", "errcode 60011", "可见范围，加入最上级部门"),
]


@pytest.mark.parametrize(("fault", "code", "fix"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_wecom_fault_fails_with_its_explanation(live, tmp_path, monkeypatch, fault, code, fix):
    live.emulator_call("PUT", "/_emulator/faults", json={fault: True})
    exit_code, output = doctor_cli(live.settings, tmp_path, monkeypatch)
    assert exit_code == 1, output
    assert code in output and fix in output
    assert "✓ 回调地址验证" in output  # the callback does not depend on the API


def test_untrusted_ip_names_the_address_and_skips_the_groups(live):
    live.emulator_call("PUT", "/_emulator/faults", json={"untrusted_ip": True})
    findings = diagnose(live.settings)
    assert "✓" in by_label(findings, "企业微信 gettoken")[0].lines()[0]
    api = by_label(findings, "企业微信接口调用")[0]
    assert api.level == Level.FAIL and "出口IP 127.0.0.1 不在" in api.detail
    assert by_label(findings, "群聊") == []


def test_visibility_fault_names_the_app_chat_but_not_the_robot(live):
    live.emulator_call("PUT", "/_emulator/faults", json={"not_visible_to_root": True})
    groups = by_label(diagnose(live.settings), "群聊")
    assert len(groups) == 1 and APPCHAT_ID in groups[0].detail and "60011" in groups[0].detail


def test_a_wrong_token_fails_the_url_verification(live):
    assert url_verification(live.settings).level == Level.OK
    other = live.settings.model_copy(update={"WECOM_TOKEN": new_wecom_token()})
    finding = url_verification(other)
    assert finding.level == Level.FAIL and "HTTP 403" in finding.detail
    assert "WECOM_TOKEN" in finding.detail and "restart lvzhi-web" in finding.fix
    other = live.settings.model_copy(update={"WECOM_AES_KEY": new_aes_key()})
    assert "HTTP 400" in url_verification(other).detail


def test_an_unreachable_public_address_fails(live):
    closed = live.settings.model_copy(update={"PUBLIC_BASE_URL": "http://127.0.0.1:9"})
    finding = url_verification(closed)
    assert (
        finding.level == Level.FAIL
        and "无法访问 http://127.0.0.1:9/wecom/callback" in finding.detail
    )


def test_bad_group_targets_are_named_with_their_fix(live):
    with writing(live.engine) as session:
        for department in session.exec(select(Department)).all():
            if department.chat_target == APPCHAT_ID:
                department.chat_target = "nosuchchat"
            session.add(department)
    settings = live.settings.model_copy(update={"LVZHI_ADMIN_CHAT": "webhook:not-a-robot"})
    groups = by_label(diagnose(settings), "群聊")
    details = " ".join(g.detail for g in groups)
    assert len(groups) == 2 and all(g.level == Level.FAIL for g in groups)
    assert "nosuchchat" in details and "errcode 86003" in details
    assert "管理员群" in details and "errcode 93000" in details
    assert WEBHOOK_KEY not in details and "not-a-robot" not in details  # keys stay hidden


def test_the_admin_chat_is_probed_too(live):
    settings = live.settings.model_copy(update={"LVZHI_ADMIN_CHAT": f"webhook:{WEBHOOK_KEY}"})
    assert by_label(diagnose(settings), "群聊")[0].level == Level.OK
    calls = live.emulator_call("GET", "/_emulator/calls").json()["calls"]
    assert [c["path"] for c in calls].count("/cgi-bin/webhook/upload_media") == 1  # one per key
    assert live.emulator_call("GET", "/_emulator/messages").json()["messages"] == []


def test_missing_calendar_years_fail_this_year_and_warn_next(live):
    with reading(live.engine) as session:
        found = calendar_findings(session, date(2027, 1, 10))
    assert [(f.level, f.detail[:5]) for f in found] == [
        (Level.FAIL, "2027年"),
        (Level.WARN, "2028年"),
    ]
    assert "lvzhi calendar import" in found[0].fix
    with writing(live.engine) as session:
        for offset in range(7):  # a State Council list: a week of weekdays off
            day = date(2027, 10, 1) + timedelta(days=offset)
            calendar.set_override(session, day=day, is_workday=False, note="国庆节")
    with reading(live.engine) as session:
        found = calendar_findings(session, date(2027, 1, 10))
    assert [f.level for f in found] == [Level.WARN]


def test_no_scheduler_fails_and_says_how_to_start_it(sqlite_stack):
    found = by_label(diagnose(sqlite_stack.settings), "定时任务进程")
    assert found[0].level == Level.FAIL and "lvzhi-scheduler" in found[0].fix


def test_low_disk_warns_then_fails(tmp_path):
    huge = 10**18
    assert disk_findings([tmp_path])[0].level == Level.OK
    assert disk_findings([tmp_path], warn_below=huge)[0].level == Level.WARN
    assert disk_findings([tmp_path / "not" / "yet"], fail_below=huge)[0].level == Level.FAIL


def test_a_missing_database_file_is_reported_and_not_created(live, tmp_path):
    missing = tmp_path / "none" / "lvzhi.db"
    settings = live.settings.model_copy(update={"DATABASE_URL": f"sqlite:///{missing}"})
    findings = diagnose(settings)
    assert failed(findings)
    assert "数据库文件不存在" in by_label(findings, "数据库连接")[0].detail
    assert not missing.exists() and not missing.parent.exists()


def test_a_database_without_tables_says_to_upgrade(live, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    settings = live.settings.model_copy(update={"DATABASE_URL": f"sqlite:///{empty}"})
    schema = by_label(diagnose(settings), "数据库结构")
    assert schema[0].level == Level.FAIL and "lvzhi db upgrade" in schema[0].fix


def test_postgresql_connections_are_bounded():
    url = bounded_url("postgresql+psycopg://lvzhi:pa55@db.example/lvzhi")
    assert url == "postgresql+psycopg://lvzhi:pa55@db.example/lvzhi?connect_timeout=5"
    assert bounded_url("sqlite:///var/lvzhi.db") == "sqlite:///var/lvzhi.db"


def test_invalid_settings_are_shown_and_fail(live, tmp_path, monkeypatch):
    code, output = doctor_cli(live.settings, tmp_path, monkeypatch, WECOM_AES_KEY="nope")
    assert code == 1 and "✗ 配置" in output and "WECOM_AES_KEY" in output


# ---------- the emulator's fault switches, on the wire ----------


def _get(stack, path: str, **params) -> dict:
    return requests.get(stack.emulator.api_base + path, params=params, timeout=10).json()


def test_untrusted_ip_answers_60020_with_wecoms_text_on_token_calls_only(live):
    token = _get(
        live, "gettoken", corpid=live.settings.WECOM_CORP_ID, corpsecret=live.settings.WECOM_SECRET
    )["access_token"]
    live.emulator_call("PUT", "/_emulator/faults", json={"untrusted_ip": True})
    answer = _get(live, "department/list", access_token=token)
    assert answer["errcode"] == 60020
    assert answer["errmsg"].startswith("not allow to access from your ip, hint: [")
    assert "from ip: 127.0.0.1" in answer["errmsg"]
    again = _get(
        live, "gettoken", corpid=live.settings.WECOM_CORP_ID, corpsecret=live.settings.WECOM_SECRET
    )
    assert again["errcode"] == 0
    upload = requests.post(
        live.emulator.api_base + "webhook/upload_media",
        params={"key": WEBHOOK_KEY, "type": "file"},
        files={"media": ("a.txt", b"hello world", "text/plain")},
        timeout=10,
    ).json()
    assert upload["errcode"] == 0  # group robots answer by key from any address


def test_gettoken_faults_answer_40013_and_40001(live):
    ids = {"corpid": live.settings.WECOM_CORP_ID, "corpsecret": live.settings.WECOM_SECRET}
    live.emulator_call("PUT", "/_emulator/faults", json={"wrong_corp_id": True})
    assert _get(live, "gettoken", **ids)["errmsg"].startswith("invalid corpid")
    live.emulator_call(
        "PUT", "/_emulator/faults", json={"wrong_corp_id": False, "wrong_secret": True}
    )
    assert _get(live, "gettoken", **ids)["errcode"] == 40001


def test_visibility_and_permission_faults(live):
    ids = {"corpid": live.settings.WECOM_CORP_ID, "corpsecret": live.settings.WECOM_SECRET}
    token = _get(live, "gettoken", **ids)["access_token"]
    live.emulator_call("PUT", "/_emulator/faults", json={"not_visible_to_root": True})
    chat = _get(live, "appchat/get", access_token=token, chatid=APPCHAT_ID)
    assert chat["errcode"] == 60011 and chat["errmsg"].startswith("no privilege to access/modify")
    assert _get(live, "department/list", access_token=token)["errcode"] == 0
    live.emulator_call("PUT", "/_emulator/faults", json={"api_forbidden": True})
    answer = _get(live, "department/list", access_token=token)
    assert answer["errcode"] == 48002 and answer["errmsg"].startswith("api forbidden")


def test_fault_switches_refuse_non_booleans(live):
    response = requests.put(
        live.emulator.url + "/_emulator/faults", json={"untrusted_ip": "yes"}, timeout=10
    )
    assert response.status_code == 400


def test_backups_older_than_two_days_or_none_warn(tmp_path):
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    missing = backup_finding(tmp_path / "backups", now)
    assert missing.level == Level.WARN and "还没有备份" in missing.detail
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "lvzhi-20261129T022300.000000Z.sqlite3").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup")  # someone else's file: ignored
    stale = backup_finding(folder, now)
    assert stale.level == Level.WARN and "已超过两天" in stale.detail
    assert "lvzhi backup" in stale.fix
    (folder / "lvzhi-20261201T182300.000000Z.sqlite3").write_bytes(b"new")
    fresh = backup_finding(folder, now)
    assert fresh.level == Level.OK and "14 小时前" in fresh.detail


def test_the_rate_limit_store_is_checked_without_showing_its_password(tmp_path):
    assert rate_limit_store_finding("").level == Level.OK  # counters in the database
    server = RedisServer(tmp_path).start()
    try:
        host_port = f"127.0.0.1:{server.port}"
        reachable = rate_limit_store_finding(f"redis://:s3cret-pass@{host_port}/0")
        assert reachable.level == Level.OK and host_port in reachable.detail
    finally:
        server.stop()
    down = rate_limit_store_finding(f"redis://:s3cret-pass@{host_port}/0")
    assert down.level == Level.FAIL and "频率限制不起作用" in down.detail
    assert "LVZHI_REDIS_URL" in down.fix
    assert "s3cret-pass" not in down.detail + down.fix


def test_long_connection_mode_checks_that_a_bot_holds_the_connection(sqlite_stack):
    assert by_label(diagnose(sqlite_stack.settings), "长连接机器人") == []  # callback mode
    settings = sqlite_stack.settings.model_copy(update={"LVZHI_CHANNEL": "longconn"})
    [missing] = by_label(diagnose(settings), "长连接机器人")
    assert missing.level == Level.FAIL and "lvzhi bot" in missing.fix
    try:
        sqlite_stack.use_channel("longconn")  # a bot process takes the lease and connects
        _wait_for_bot_lease(sqlite_stack)
        [running] = by_label(diagnose(settings), "长连接机器人")
        assert running.level == Level.OK and "lvzhi bot 在运行" in running.detail
    finally:
        sqlite_stack.use_channel("callback")


def _wait_for_bot_lease(stack, timeout: float = 10.0) -> None:
    """Wait until the bot holds its lease again (each test starts from a wiped database)."""
    import time

    from sqlmodel import Session

    from backend.models import BOT_LEASE
    from backend.ops.readiness import scheduler_holder

    deadline = time.monotonic() + timeout
    while True:
        with Session(stack.engine) as session:
            if scheduler_holder(session, BOT_LEASE) is not None:
                return
        assert time.monotonic() < deadline, "the bot did not take its lease"
        time.sleep(0.1)
