"""Console forms (WTForms): bad input shows the page again with the error beside the field, a 4xx,
and writes nothing.

For each converted form: an empty required field, an over-long value and a value of the wrong
type. The database is compared table by table before and after each refused post.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from backend.db import make_engine
from backend.migrate import upgrade_database
from backend.models import Department, Duty, DutyEntry, TaskType, WorkOrder
from backend.models.accounts import Account
from backend.web.limits import limiter
from tests.support.console import add_account, console_app, csrf_token, login_client
from tests.support.excel import add_sample_entries
from tests.support.org import add_small_county
from tests.support.stack import wipe_database
from tests.support.supervision import add_codes, visitor_rates
from tests.support.surveys import add_self_evaluation

PASSWORD = "forms-pass-2026"
VOLATILE = {"ratelimitcounter", "schedulerlease", "wecomtoken"}
FIELD_ERROR = re.compile(r'<span class="field-error" role="alert">([^<]*)</span>')


@pytest.fixture
def engine(sqlite_url):
    """Forms do not depend on the database backend: SQLite is enough."""
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    wipe_database(engine)
    with Session(engine) as session:
        add_small_county(session)
        session.commit()
        add_sample_entries(session)
    add_account(engine, "forms-admin", PASSWORD, "admin")
    add_account(engine, "forms-other", PASSWORD, "admin")
    yield engine
    engine.dispose()


@pytest.fixture
def admin(engine):
    app = console_app(engine)
    limiter.reset()
    client = app.test_client()
    token = login_client(client, "forms-admin", PASSWORD)
    return client, token


def snapshot(engine) -> dict[str, list]:
    """Every row of every table but the counters and leases."""
    with Session(engine) as session:
        return {
            name: sorted(map(repr, session.execute(sa_select(table)).all()))
            for name, table in SQLModel.metadata.tables.items()
            if name not in VOLATILE
        }


def refused(client, engine, path: str, data: dict, message: str, status: int = 400) -> None:
    """Post `data`; expect `status`, `message` beside its field, and no change in the database."""
    before = snapshot(engine)
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == status, (path, data, html[-600:])
    errors = FIELD_ERROR.findall(html)
    assert any(message in error for error in errors), (path, data, errors)
    assert snapshot(engine) == before, (path, data)


def _ids(engine) -> dict[str, object]:
    with Session(engine) as session:
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
        other = session.exec(select(Account).where(Account.username == "forms-other")).one()
        entry = session.exec(select(DutyEntry.id)).first()
        task_type = session.exec(select(TaskType.code)).first()
        duty = session.exec(select(Duty.id).where(Duty.department_id == market.id)).first()
    return {"market": market.id, "other": other.id, "entry": entry, "type": task_type, "duty": duty}


def test_the_login_form_shows_its_errors(engine):
    app = console_app(engine)
    limiter.reset()
    client = app.test_client()
    token = csrf_token(client)
    base = {"csrf_token": token, "password": "whatever-pass"}
    refused(client, engine, "/console/login", {**base, "username": " "}, "请填写用户名")
    refused(client, engine, "/console/login", {**base, "username": "u" * 65}, "用户名不能超过64字")
    data = {"csrf_token": token, "username": "forms-admin", "password": ""}
    refused(client, engine, "/console/login", data, "请填写密码")


def test_the_organisation_forms_show_their_errors(admin, engine):
    client, token = admin
    path = "/console/org/departments"
    refused(client, engine, path, {"csrf_token": token, "name": ""}, "请填写部门名称")
    refused(
        client, engine, path, {"csrf_token": token, "name": "部" * 101}, "部门名称不能超过100字"
    )
    data = {"csrf_token": token, "name": "县新部门", "parent_id": "第一"}
    refused(client, engine, path, data, "上级部门须为")
    data = {"csrf_token": token, "name": "县民政局"}
    refused(client, engine, path, data, "已存在")
    path, market = "/console/org/sections", _ids(engine)["market"]
    refused(client, engine, path, {"csrf_token": token, "department_id": market}, "请填写科室名称")
    data = {"csrf_token": token, "department_id": market, "name": "股" * 101}
    refused(client, engine, path, data, "科室名称不能超过100字")
    data = {"csrf_token": token, "department_id": "²", "name": "新股"}
    refused(client, engine, path, data, "部门须为")


def test_the_catalogue_forms_show_their_errors(admin, engine):
    client, token = admin
    ids = _ids(engine)
    path = f"/console/catalogue/task-types/{ids['type']}"
    refused(client, engine, path, {"csrf_token": token, "standard_hours": ""}, "请填写标准工时")
    refused(client, engine, path, {"csrf_token": token, "standard_hours": "9" * 30}, "标准工时须为")
    refused(client, engine, path, {"csrf_token": token, "standard_hours": "两小时"}, "标准工时须为")
    path = f"/console/catalogue/duties/{ids['duty']}"
    data = {"csrf_token": token, "function_type": "core", "standard_hours": "一"}
    refused(client, engine, path, data, "标准工时须为")
    data = {"csrf_token": token, "function_type": "", "standard_hours": "1"}
    refused(client, engine, path, data, "请选择有效的职能类型")
    data = {"csrf_token": token, "function_type": "core", "default_task_type_code": "nope"}
    refused(client, engine, path, data, "请选择有效的默认任务类型")
    path = "/console/catalogue/key-tasks"
    base = {"csrf_token": token, "department_id": ids["market"], "year": "2026"}
    refused(client, engine, path, {**base, "title": ""}, "请填写重点工作内容")
    refused(client, engine, path, {**base, "title": "长" * 501}, "重点工作内容不能超过500字")
    refused(client, engine, path, {**base, "title": "工作", "year": "明年"}, "年度须为")
    refused(client, engine, path, {**base, "title": "工作", "duty_seqs": "一,二"}, "职责序号")
    refused(client, engine, path, {**base, "title": "工作", "duty_seqs": "99"}, "没有序号为 99")


def test_the_settings_forms_show_their_errors(admin, engine):
    client, token = admin
    path = "/console/settings/scoring"
    base = {"csrf_token": token, "weight_reporting_rate": "1", "yellow_from": "60"}
    refused(client, engine, path, {**base, "green_from": "abc"}, "绿色起点须为")
    refused(client, engine, path, {**base, "green_from": "9" * 40}, "绿色起点须为")
    refused(client, engine, path, {**base, "green_from": "50"}, "黄色起点 ≤ 绿色起点")
    refused(client, engine, path, {**base, "weight_reporting_rate": "-1"}, "权重须为非负数")
    path = f"/console/settings/targets/{_ids(engine)['market']}"
    refused(client, engine, path, {"csrf_token": token, "kind": "email"}, "请选择有效的群类型")
    data = {"csrf_token": token, "kind": "webhook", "target": ""}
    refused(client, engine, path, data, "请填写群聊 ID 或机器人 key")
    data = {"csrf_token": token, "kind": "webhook", "target": "k" * 201}
    refused(client, engine, path, data, "不能超过200字")


def test_the_account_forms_show_their_errors(admin, engine):
    client, token = admin
    path = "/console/accounts"
    base = {"csrf_token": token, "password": "long-enough-1", "role": "admin"}
    refused(client, engine, path, {**base, "username": ""}, "请填写用户名")
    refused(client, engine, path, {**base, "username": "u" * 65}, "用户名不能超过64字")
    refused(
        client, engine, path, {**base, "username": "newone", "role": "boss"}, "请选择有效的角色"
    )
    data = {**base, "username": "newone", "department_id": "县局"}
    refused(client, engine, path, data, "部门须为")
    path = f"/console/accounts/{_ids(engine)['other']}/password"
    refused(client, engine, path, {"csrf_token": token, "password": ""}, "请填写新密码")
    refused(client, engine, path, {"csrf_token": token, "password": "short"}, "密码至少 8 位")
    refused(client, engine, path, {"csrf_token": token, "password": "p" * 201}, "密码过长")


def test_the_review_forms_show_their_errors(admin, engine):
    client, token = admin
    path = f"/console/review/{_ids(engine)['entry']}/return"
    refused(client, engine, path, {"csrf_token": token, "reason": " "}, "请填写退回原因")
    refused(
        client, engine, path, {"csrf_token": token, "reason": "因" * 501}, "退回原因不能超过500字"
    )
    path = "/console/review/bulk-approve"
    base = {"csrf_token": token, "department_id": _ids(engine)["market"], "end": "2026-01-31"}
    refused(client, engine, path, {**base, "start": ""}, "请填写开始日期")
    refused(client, engine, path, {**base, "start": "2026-02-30"}, "开始日期格式不对")
    refused(client, engine, path, {**base, "start": "2026-01-01", "department_id": "x"}, "部门须为")


def test_the_schedule_forms_show_their_errors(admin, engine):
    client, token = admin
    path = "/console/schedule/notices"
    base = {"csrf_token": token, "body": "正文", "to_staff": "1"}
    refused(client, engine, path, {**base, "title": ""}, "标题须为1–60字")
    refused(client, engine, path, {**base, "title": "题" * 61}, "标题须为1–60字")
    refused(client, engine, path, {**base, "title": "通知", "department_id": "x"}, "部门的取值无效")
    path = "/console/schedule/calendar/overrides"
    refused(client, engine, path, {"csrf_token": token, "kind": "holiday"}, "请填写日期")
    data = {"csrf_token": token, "day": "2026-12-18", "kind": "holiday", "note": "长" * 101}
    refused(client, engine, path, data, "说明不能超过100字")
    refused(client, engine, path, {"csrf_token": token, "day": "明天"}, "日期格式不对")
    path = "/console/schedule/reminders"
    times = {"first_at": "16:00", "second_at": "17:30", "third_at": "09:00", "notice_at": "10:00"}
    base = {"csrf_token": token, **times}
    refused(client, engine, path, {**base, "review_deadline_days": ""}, "请填写审核期限")
    refused(client, engine, path, {**base, "review_deadline_days": "两天"}, "审核期限请填")
    data = {**base, "review_deadline_days": "2", "first_at": "1" * 11}
    refused(client, engine, path, data, "第一次提醒不能超过10字")


def test_the_report_and_supervision_forms_show_their_errors(admin, engine):
    client, token = admin
    path = "/console/reports/download"
    base = {"csrf_token": token, "kind": "monthly_pdf"}
    refused(client, engine, path, {**base, "department": ""}, "请选择部门")
    refused(client, engine, path, {**base, "department": "市场局"}, "部门须为")
    data = {**base, "department": _ids(engine)["market"], "period": "2" * 21}
    refused(client, engine, path, data, "期间不能超过20字")
    path = "/console/supervision/scale"
    refused(
        client, engine, path, {"csrf_token": token, "levels": "3"}, "评价等级只能是 4 级或 5 级"
    )
    refused(client, engine, path, {"csrf_token": token}, "评价等级只能是 4 级或 5 级")


def test_the_export_form_shows_its_errors(admin, engine):
    client, token = admin
    data = {"csrf_token": token, "kind": "everything"}
    refused(client, engine, "/console/exports", data, "请选择有效的导出内容")


def test_the_survey_settings_form_shows_its_errors(admin, engine):
    client, token = admin
    with Session(engine) as session:
        survey_id = add_self_evaluation(session, publish=False).id
        session.commit()
    path = f"/console/surveys/{survey_id}/settings"
    base = {"csrf_token": token, "opens_at": "2026-11-22T09:00", "closes_at": "2026-12-01T18:00"}
    refused(client, engine, path, {**base, "title": ""}, "请填写标题")
    refused(client, engine, path, {**base, "title": "题" * 201}, "标题不能超过200字")
    data = {**base, "title": "新标题", "opens_at": "下周一"}
    refused(client, engine, path, data, "开始时间格式不对")
    data = {**base, "title": "新标题", "closes_at": "9999-12-31T00:00"}
    refused(client, engine, path, data, "截止时间格式不对")


def test_the_work_order_note_shows_its_errors(engine):
    with Session(engine) as session:
        codes = add_codes(session)
        session.commit()
    app = console_app(engine)
    limiter.reset()
    visitor_rates(app.test_client(), codes["alice"], level="very_dissatisfied")
    with Session(engine) as session:
        order_id = session.exec(select(WorkOrder.id)).one()
    client = app.test_client()
    token = login_client(client, "forms-admin", PASSWORD)
    path = f"/console/supervision/orders/{order_id}/visit"
    data = {"csrf_token": token, "note": "回" * 2001}
    refused(client, engine, path, data, "说明不能超过2000字")
