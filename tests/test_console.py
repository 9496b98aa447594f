"""The console through Flask's test client: imports, review, exports, department scope, WeCom."""

from __future__ import annotations

import re

import pytest
import requests
from sqlmodel import Session, select

from backend.models import Department, DutyEntry, Staff
from backend.models.accounts import AuditLog
from scheduled.work.runner import run_due_jobs
from tests.support.console import add_account, login_client
from tests.support.excel import (
    DUTY_LIST,
    GOOD_ROSTER,
    add_sample_entries,
    filled_template,
    read_back,
)

PASSWORD = "console-pass-1"


@pytest.fixture
def county(stack):
    with Session(stack.engine) as session:
        ids = {d.name: d.id for d in session.exec(select(Department))}
        entries = add_sample_entries(session)
    add_account(stack.engine, "admin", PASSWORD, "admin")
    add_account(stack.engine, "civilhead", PASSWORD, "head", ids["县民政局"])
    add_account(stack.engine, "markethead", PASSWORD, "head", ids["县市场监督管理局"])
    add_account(stack.engine, "checker", PASSWORD, "reviewer", ids["县市场监督管理局"])
    return {"departments": ids, "entries": entries}


def client_for(stack, username: str):
    client = stack.app.test_client()
    token = login_client(client, username, PASSWORD)
    return client, token


def finished_task(client, response) -> dict:
    """Follow a job redirect, run the queued jobs (the scheduler's runner) and read the state."""
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    job_url = response.headers["Location"]
    assert "/console/jobs/" in job_url
    assert client.get(job_url + ".json").get_json()["status"] == "queued"
    run_due_jobs(client.application.extensions["lvzhi"].engine,
                 settings=client.application.extensions["lvzhi"].settings)  # fmt: skip
    state = client.get(job_url + ".json").get_json()
    assert state["status"] in ("done", "failed"), state
    state["url"] = job_url
    return state


def upload(client, token, kind: str, data: bytes, name: str = "名册.xlsx"):
    import io

    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    return client.post(f"/console/imports/{kind}", data=form, content_type="multipart/form-data")


def test_every_console_page_renders_for_an_administrator(stack, county):
    client, _ = client_for(stack, "admin")
    for path in (
        "/console/",
        "/console/org",
        "/console/catalogue",
        "/console/entries",
        "/console/review",
        "/console/exports",
        "/console/accounts",
        "/console/settings",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "履职助手" in response.get_data(as_text=True)


def test_navigation_shows_only_registered_pages_the_role_may_open(stack, county):
    admin, _ = client_for(stack, "admin")
    html = admin.get("/console/").get_data(as_text=True)
    nav = re.search(r'<nav class="nav".*?</nav>', html, re.S).group(0)
    for label in ("仪表盘", "组织", "职责目录", "填报记录", "审核", "导出", "账号", "设置"):
        assert f">{label}<" in nav
    head, _ = client_for(stack, "civilhead")
    nav = re.search(
        r'<nav class="nav".*?</nav>', head.get("/console/").get_data(as_text=True), re.S
    )
    assert ">账号<" not in nav.group(0) and ">设置<" not in nav.group(0)
    hrefs = re.findall(r'href="([^"]+)"', nav.group(0))
    assert {href: head.get(href).status_code for href in hrefs} == dict.fromkeys(hrefs, 200)


def test_roster_import_reports_bad_rows_then_imports_when_fixed(stack, county):
    client, token = client_for(stack, "admin")
    bad = [*GOOD_ROSTER, ["县财政局", "", "钱多", "qianduo", "机关行政编制"],
           ["县民政局", "", "韩梅", "hanmei", "合同工"]]  # fmt: skip
    state = finished_task(client, upload(client, token, "roster", filled_template("roster", bad)))
    report = state["message"]["report"]
    assert not report["applied"]
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "部门"), (6, "编制类型")]
    page = client.get(state["url"]).get_data(as_text=True)
    assert "整个文件未导入" in page and "找不到部门“县财政局”" in page
    with Session(stack.engine) as session:
        assert session.exec(select(Staff).where(Staff.wecom_userid == "sunli")).first() is None
    good = filled_template("roster", GOOD_ROSTER)
    state = finished_task(client, upload(client, token, "roster", good))
    assert state["message"]["report"]["created"] == 3
    again = finished_task(client, upload(client, token, "roster", good))["message"]["report"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    with Session(stack.engine) as session:
        actions = [a.action for a in session.exec(select(AuditLog))]
    assert actions.count("import_roster") == 2


def test_upload_that_is_not_a_workbook_is_refused(stack, county):
    client, token = client_for(stack, "admin")
    assert upload(client, token, "roster", b"x", name="roster.csv").status_code == 400
    refused = upload(client, token, "roster", b"not a zip")
    assert refused.status_code == 400 and "无法读取文件" in refused.get_data(as_text=True)


def test_duty_list_import_and_template_download(stack, county):
    client, token = client_for(stack, "admin")
    template = client.get("/console/templates/duties.xlsx")
    assert template.status_code == 200
    assert read_back(template.data)["C1"].value == "职责内容*"
    state = finished_task(
        client, upload(client, token, "duties", filled_template("duties", DUTY_LIST))
    )
    assert state["message"]["report"]["created"] == 4
    civil = county["departments"]["县民政局"]
    page = client.get(f"/console/catalogue?department={civil}").get_data(as_text=True)
    assert "负责婚姻登记管理" in page


def test_review_queue_approve_and_return(stack, county):
    client, token = client_for(stack, "checker")
    page = client.get("/console/review").get_data(as_text=True)
    assert "=1+1" in page and "描述过短" in page
    assert "核查河西乡" not in page  # 县民政局 is not the reviewer's department
    bob_entry, alice_entry = county["entries"]["bob"], county["entries"]["alice"]
    returned = client.post(f"/console/review/{bob_entry}/return",
                           data={"csrf_token": token, "reason": "请写明具体工作内容"})  # fmt: skip
    assert returned.status_code == 302
    approved = client.post(f"/console/review/{alice_entry}/approve", data={"csrf_token": token})
    assert approved.status_code == 302
    again = client.post(f"/console/review/{alice_entry}/approve", data={"csrf_token": token})
    assert again.status_code == 400 and "已经审核过" in again.get_data(as_text=True)
    no_reason = client.post(f"/console/review/{bob_entry}/return", data={"csrf_token": token})
    assert no_reason.status_code == 400
    with Session(stack.engine) as session:
        statuses = {e.id: e.status for e in session.exec(select(DutyEntry))}
    assert statuses[bob_entry] == "returned" and statuses[alice_entry] == "approved"


def test_reviewer_cannot_act_on_another_departments_entry(stack, county):
    client, token = client_for(stack, "checker")
    erin_entry = county["entries"]["erin"]
    response = client.post(f"/console/review/{erin_entry}/approve", data={"csrf_token": token})
    assert response.status_code == 404


def test_heads_read_but_do_not_review(stack, county):
    client, token = client_for(stack, "markethead")
    assert "部门负责人可查看" in client.get("/console/review").get_data(as_text=True)
    entry = county["entries"]["alice"]
    response = client.post(f"/console/review/{entry}/approve", data={"csrf_token": token})
    assert response.status_code == 403


def test_export_download_is_formula_safe(stack, county):
    client, token = client_for(stack, "admin")
    response = client.post("/console/exports", data={"csrf_token": token, "kind": "entries"})
    state = finished_task(client, response)
    assert state["status"] == "done" and state["has_file"]
    download = client.get(state["url"] + "/download")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    sheet = read_back(download.data)
    texts = [row[12] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "=1+1" in texts


def test_summary_export_and_bad_filters(stack, county):
    client, token = client_for(stack, "admin")
    form = {"csrf_token": token, "kind": "section", "start": "2026-03-01", "end": "2026-03-31"}
    state = finished_task(client, client.post("/console/exports", data=form))
    sheet = read_back(client.get(state["url"] + "/download").data)
    assert [c.value for c in sheet[1]][:3] == ["部门", "科室", "填报条数"]
    bad = client.post("/console/exports", data={**form, "start": "yesterday"})
    assert bad.status_code == 400 and "开始日期格式" in bad.get_data(as_text=True)


def test_a_head_sees_only_their_department(stack, county):
    client, token = client_for(stack, "civilhead")
    market = county["departments"]["县市场监督管理局"]
    page = client.get("/console/entries").get_data(as_text=True)
    assert "刘芳" in page and "李晓燕" not in page
    assert client.get(f"/console/entries?department={market}").status_code == 404
    assert client.get(f"/console/org?department={market}").status_code == 404
    assert client.get(f"/console/catalogue?department={market}").status_code == 404
    response = client.post("/console/exports", data={"csrf_token": token, "department": market})
    assert response.status_code == 404
    state = finished_task(client, client.post("/console/exports", data={"csrf_token": token}))
    names = {r[3] for r in read_back(client.get(state["url"] + "/download").data).iter_rows(
        min_row=2, values_only=True)}  # fmt: skip
    assert names == {"刘芳", None}


def test_a_task_belongs_to_the_account_that_started_it(stack, county):
    admin, token = client_for(stack, "admin")
    state = finished_task(admin, admin.post("/console/exports", data={"csrf_token": token}))
    other, _ = client_for(stack, "civilhead")
    assert other.get(state["url"] + "/download").status_code == 404
    assert other.get(state["url"] + ".json").status_code == 404


def test_market_head_sees_the_institution_too(stack, county):
    client, _ = client_for(stack, "markethead")
    lab = county["departments"]["县食品药品检验所"]
    assert client.get(f"/console/org?department={lab}").status_code == 200


def test_admin_creates_and_disables_accounts(stack, county):
    client, token = client_for(stack, "admin")
    civil = county["departments"]["县民政局"]
    form = {"csrf_token": token, "username": "newreviewer", "password": "another-pass",
            "role": "reviewer", "department_id": str(civil)}  # fmt: skip
    assert client.post("/console/accounts", data=form).status_code == 302
    duplicate = client.post("/console/accounts", data=form)
    assert duplicate.status_code == 400 and "已存在" in duplicate.get_data(as_text=True)
    fresh = stack.app.test_client()
    login_client(fresh, "newreviewer", "another-pass")
    with Session(stack.engine) as session:
        from backend.org.accounts import find_account

        target = find_account(session, "newreviewer").id
    off = client.post(
        f"/console/accounts/{target}/active", data={"csrf_token": token, "active": "0"}
    )
    assert off.status_code == 302
    assert fresh.get("/console/").status_code == 302


def test_settings_save_scoring_and_group_targets(stack, county):
    client, token = client_for(stack, "admin")
    form = {
        "csrf_token": token,
        "yellow_from": "50",
        "green_from": "85",
        "weight_reporting_rate": "100",
    }
    assert client.post("/console/settings/scoring", data=form).status_code == 302
    bad = client.post("/console/settings/scoring", data={**form, "yellow_from": "90"})
    assert bad.status_code == 400
    civil = county["departments"]["县民政局"]
    target = {"csrf_token": token, "kind": "webhook", "target": "robot-key-1"}
    assert client.post(f"/console/settings/targets/{civil}", data=target).status_code == 302
    with Session(stack.engine) as session:
        department = session.get(Department, civil)
        assert (department.chat_target_kind, department.chat_target) == ("webhook", "robot-key-1")
        from backend.reports.analytics.config import load_scoring

        assert load_scoring(session).thresholds.green_from == 85


def test_wecom_sync_adds_new_members_and_changes_nothing_twice(stack, county):
    directory = stack.emulator_call("GET", "/_emulator/directory").json()
    directory["users"].append({"userid": "newbie", "name": "新同事", "department": [3],
                               "position": "科员"})  # fmt: skip
    stack.emulator_call("PUT", "/_emulator/directory", json=directory)
    client, token = client_for(stack, "admin")
    first = finished_task(client, client.post("/console/org/sync", data={"csrf_token": token}))
    assert "新增人员 1 人" in client.get(first["url"]).get_data(as_text=True)
    with Session(stack.engine) as session:
        newbie = session.exec(select(Staff).where(Staff.wecom_userid == "newbie")).one()
        assert session.get(Department, newbie.department_id).name == "县民政局"
    second = finished_task(client, client.post("/console/org/sync", data={"csrf_token": token}))
    assert "新增部门 0 个，更新 0 个；新增人员 0 人，更新 0 人" in second["message"]["text"]
    assert "同步企业微信通讯录" in client.get("/console/jobs").get_data(as_text=True)


def test_wecom_oauth_signs_a_head_in_and_refuses_plain_staff(stack, county):
    browser = requests.Session()
    start = browser.get(stack.web_url + "/console/login/wecom", allow_redirects=False)
    authorize = start.headers["Location"].split("#")[0]
    assert authorize.startswith(stack.emulator.url + "/connect/oauth2/authorize?")
    back = browser.get(authorize + "&userid=dave", allow_redirects=False)
    landed = browser.get(back.headers["Location"], allow_redirects=False)
    assert landed.status_code == 302 and landed.headers["Location"].endswith("/console/")
    assert browser.get(stack.web_url + "/console/entries").status_code == 200
    replay = browser.get(back.headers["Location"], allow_redirects=False)
    assert replay.status_code == 403
    staff = requests.Session()
    start = staff.get(stack.web_url + "/console/login/wecom", allow_redirects=False)
    back = staff.get(
        start.headers["Location"].split("#")[0] + "&userid=alice", allow_redirects=False
    )
    refused = staff.get(back.headers["Location"], allow_redirects=False)
    assert refused.status_code == 403 and "没有后台权限" in refused.text


def test_dashboard_ranks_departments_and_draws_charts_within_scope(stack, county):
    admin, _ = client_for(stack, "admin")
    page = admin.get("/console/").get_data(as_text=True)
    assert 'id="ranking"' in page and "县民政局" in page
    civil, market = county["departments"]["县民政局"], county["departments"]["县市场监督管理局"]
    chart = admin.get(f"/console/dashboard/trend.png?department={market}")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")
    head, _ = client_for(stack, "civilhead")
    assert head.get(f"/console/dashboard/function.png?department={civil}").status_code == 200
    assert head.get(f"/console/dashboard/function.png?department={market}").status_code == 404
    assert "县市场监督管理局" not in head.get("/console/").get_data(as_text=True)


def test_an_account_linked_to_a_member_never_reviews_their_own_entries(stack, county):
    admin, token = client_for(stack, "admin")
    market = county["departments"]["县市场监督管理局"]
    form = {"csrf_token": token, "username": "bobreviews", "password": "bob-pass-123",
            "role": "reviewer", "department_id": str(market), "staff_userid": "bob"}  # fmt: skip
    unknown = admin.post("/console/accounts", data={**form, "staff_userid": "nobody"})
    assert unknown.status_code == 400 and "找不到在职人员 nobody" in unknown.get_data(as_text=True)
    assert admin.post("/console/accounts", data=form).status_code == 302
    bob = stack.app.test_client()
    bob_token = login_client(bob, "bobreviews", "bob-pass-123")
    page = bob.get("/console/review").get_data(as_text=True)
    assert "=1+1" not in page and "检查城关镇" in page
    own = bob.post(
        f"/console/review/{county['entries']['bob']}/approve", data={"csrf_token": bob_token}
    )
    assert own.status_code == 403


def test_settings_show_how_each_groups_last_post_went(stack, county):
    from backend.db import writing
    from backend.outbox import service as outbox
    from backend.outbox.service import OutgoingContent
    from tests.support.org import APPCHAT_ID, WEBHOOK_KEY

    client, _ = client_for(stack, "admin")
    page = client.get("/console/settings").get_data(as_text=True)
    assert page.count("还没有发过") == 2 and "使用上级部门的群" in page
    with writing(stack.engine) as session:
        for channel, target in (("webhook", WEBHOOK_KEY), ("appchat", APPCHAT_ID)):
            content = OutgoingContent("markdown", {"content": "本周履职概况"})
            outbox.enqueue_to_group(session, channel=channel, target=target, content=content)
    stack.emulator_call("PUT", "/_emulator/faults", json={"not_visible_to_root": True})
    try:
        stack.deliver()
    finally:
        stack.emulator_call("PUT", "/_emulator/faults", json={"not_visible_to_root": False})
    cells = re.findall(
        r'<td class="last-post">(.*?)</td>',
        client.get("/console/settings").get_data(as_text=True),
        re.S,
    )
    market, civil = cells[0], cells[1]
    assert "群机器人 · 已送达" in market
    assert (
        "应用群聊 ·" in civil and ("发送失败" in civil or "等待发送" in civil) and "60011" in civil
    )
