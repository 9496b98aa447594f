"""The calendar console page: the 2027 fallback warning, single-day overrides, Excel import."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from backend.models import AuditLog
from backend.schedule.calendar import load_calendar
from tests.support.console import add_account, login_client
from tests.test_calendar import HOLIDAYS_2027, _workbook

WARNING = "2027年的法定节假日和调休安排尚未导入"


@pytest.fixture
def admin(sqlite_stack):
    sqlite_stack.clock.frozen = datetime(2026, 12, 1, 9, 0, tzinfo=sqlite_stack.settings.timezone)
    add_account(sqlite_stack.engine, "admin", "admin-pass-123", "admin")
    client = sqlite_stack.app.test_client()
    return client, login_client(client, "admin", "admin-pass-123")


def test_2027_warning_until_the_year_is_imported(sqlite_stack, admin):
    client, token = admin
    page = client.get("/console/schedule/calendar?year=2027").get_data(as_text=True)
    assert WARNING in page and "2027年没有自定义的日期" in page
    response = client.post(
        "/console/schedule/calendar/import",
        data={"csrf_token": token, "file": (_bytes_io(_workbook(HOLIDAYS_2027)), "2027.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert sqlite_stack.run_jobs() == 1  # the import runs as a job of the scheduler
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入10天（2027年）" in job_page
    page = client.get("/console/schedule/calendar?year=2027").get_data(as_text=True)
    assert WARNING not in page
    assert "2027-02-14（周日）</td><td>上班" in page
    with Session(sqlite_stack.engine) as session:
        assert not load_calendar(session).is_workday(date(2027, 2, 8))
        audit = session.exec(select(AuditLog).where(AuditLog.action == "calendar.import")).all()
        assert len(audit) == 1


def test_set_and_remove_a_local_holiday(sqlite_stack, admin):
    client, token = admin
    response = client.post(
        "/console/schedule/calendar/overrides",
        data={"csrf_token": token, "day": "2026-12-18", "kind": "holiday", "note": "县庆"},
    )
    assert response.status_code == 302
    with Session(sqlite_stack.engine) as session:
        assert not load_calendar(session).is_workday(date(2026, 12, 18))
    page = client.get("/console/schedule/calendar").get_data(as_text=True)
    assert "县庆" in page
    client.post(
        "/console/schedule/calendar/overrides/2026-12-18/delete", data={"csrf_token": token}
    )
    with Session(sqlite_stack.engine) as session:
        assert load_calendar(session).is_workday(date(2026, 12, 18))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-13-01", "kind": "holiday"}, "日期格式不对"),
        ({"day": "2026-12-18", "kind": "maybe"}, "请选择“上班”或“放假”"),
        ({"day": "2026-12-18", "kind": "holiday", "note": "长" * 101}, "说明不能超过100字"),
    ],
)
def test_bad_overrides_are_refused(sqlite_stack, admin, data, message):
    client, token = admin
    response = client.post(
        "/console/schedule/calendar/overrides", data={"csrf_token": token, **data}
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_bad_upload_is_refused_with_its_reason(sqlite_stack, admin):
    client, token = admin
    rows = [("2027-01-01", "放假", "元旦"), ("2027-01-32", "放假", "")]
    response = client.post(
        "/console/schedule/calendar/import",
        data={"csrf_token": token, "file": (_bytes_io(_workbook(rows)), "bad.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    sqlite_stack.run_jobs()
    state = client.get(response.headers["Location"] + ".json").get_json()
    assert state["status"] == "failed"
    assert "第3行：日期“2027-01-32”无法识别" in state["message"]["error"]
    with Session(sqlite_stack.engine) as session:
        assert load_calendar(session).overrides == {}  # nothing half-imported
    response = client.post(
        "/console/schedule/calendar/import",
        data={"csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "请选择要导入的Excel文件" in response.get_data(
        as_text=True
    )


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


@pytest.mark.browser
def test_the_calendar_page_in_a_browser(sqlite_stack, admin, page, artifacts):
    from tests.support.console import login

    login(page, sqlite_stack.web_url, "admin", "admin-pass-123")
    page.goto(sqlite_stack.web_url + "/console/schedule/calendar?year=2027")
    assert WARNING in page.locator(".calendar-warning").first.inner_text()
    page.fill("input[name=day]", "2027-01-04")
    page.select_option("select[name=kind]", "holiday")
    page.fill("input[name=note]", "县庆放假")
    page.click("form[aria-label=设置一天] button[type=submit]")
    page.wait_for_selector("text=2027-01-04 已设为放假")
    assert "县庆放假" in page.locator("table").inner_text()
    # One local holiday is not a year's list: the warning stays until the list is imported.
    assert page.locator(".calendar-warning").count() == 1
    page.screenshot(path=str(artifacts / "schedule-calendar.png"), full_page=True)
