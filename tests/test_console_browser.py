"""The console in a real browser (Debian chromium): sign in, import, review, export."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from backend.models import Department, DutyEntry, Staff
from tests.support.console import add_account, login
from tests.support.excel import DUTY_LIST, GOOD_ROSTER, add_sample_entries, filled_template

pytestmark = pytest.mark.browser
PASSWORD = "browser-pass-1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def admin(sqlite_stack):
    with Session(sqlite_stack.engine) as session:
        entries = add_sample_entries(session)
    add_account(sqlite_stack.engine, "admin", PASSWORD, "admin")
    return entries


def _upload(stack, page, form: str, name: str, data: bytes) -> None:
    page.set_input_files(
        f"{form} input[name=file]", files=[{"name": name, "mimeType": XLSX, "buffer": data}]
    )
    page.click(f"{form} button[type=submit]")
    _finish_job(stack, page)


def _finish_job(stack, page) -> None:
    """Wait for the job page, run the queued job (the scheduler's runner) and see its result."""
    page.wait_for_selector("#job", timeout=30_000)
    stack.run_jobs()
    page.wait_for_selector("#job[data-status=done], #job[data-status=failed]", timeout=30_000)


def test_sign_in_and_the_dashboard_on_laptop_and_phone(sqlite_stack, admin, page, artifacts):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, sqlite_stack.web_url, "admin", PASSWORD)
    assert page.locator("h1").first.inner_text().startswith("仪表盘")
    page.screenshot(path=str(artifacts / "console-dashboard.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.click(".nav-burger")
    page.locator(".nav a", has_text="填报记录").click()
    page.wait_for_url("**/console/entries")
    page.screenshot(path=str(artifacts / "console-entries-phone.png"), full_page=True)


def test_wrong_password_shows_a_message(sqlite_stack, admin, page):
    page.goto(sqlite_stack.web_url + "/console/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator(".flash-error").inner_text()


def test_roster_import_with_two_bad_rows_then_fixed(sqlite_stack, admin, page, artifacts):
    login(page, sqlite_stack.web_url, "admin", PASSWORD)
    page.goto(sqlite_stack.web_url + "/console/org")
    bad = [GOOD_ROSTER[0], ["县财政局", "", "钱多", "qianduo", "机关行政编制"], GOOD_ROSTER[1],
           ["县民政局", "", "韩梅", "hanmei", "合同工"]]  # fmt: skip
    _upload(sqlite_stack, page, "#roster-import", "名册.xlsx", filled_template("roster", bad))
    rows = page.locator("#import-errors tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t")[:2] == ["3", "部门"]
    assert rows.nth(1).inner_text().split("\t")[:2] == ["5", "编制类型"]
    page.screenshot(path=str(artifacts / "console-roster-errors.png"), full_page=True)
    with Session(sqlite_stack.engine) as session:
        assert session.exec(select(Staff).where(Staff.wecom_userid == "sunli")).first() is None
    page.goto(sqlite_stack.web_url + "/console/org")
    fixed = [GOOD_ROSTER[0], GOOD_ROSTER[1], GOOD_ROSTER[2]]
    _upload(sqlite_stack, page, "#roster-import", "名册.xlsx", filled_template("roster", fixed))
    assert "导入成功：共 3 行，新增 3" in page.locator(".flash-success").inner_text()
    page.screenshot(path=str(artifacts / "console-roster-imported.png"), full_page=True)
    with Session(sqlite_stack.engine) as session:
        assert session.exec(select(Staff).where(Staff.wecom_userid == "sunli")).one().public_facing


def test_duty_list_import(sqlite_stack, admin, page, artifacts):
    login(page, sqlite_stack.web_url, "admin", PASSWORD)
    page.goto(sqlite_stack.web_url + "/console/catalogue")
    _upload(
        sqlite_stack, page, "#duties-import", "三定职责.xlsx", filled_template("duties", DUTY_LIST)
    )
    assert "新增 4" in page.locator(".flash-success").inner_text()
    with Session(sqlite_stack.engine) as session:
        civil = session.exec(select(Department).where(Department.name == "县民政局")).one()
    page.goto(f"{sqlite_stack.web_url}/console/catalogue?department={civil.id}")
    assert page.locator("#duties tbody tr").count() == 4
    page.screenshot(path=str(artifacts / "console-duties.png"), full_page=True)


def test_review_a_flagged_entry(sqlite_stack, admin, page, artifacts):
    login(page, sqlite_stack.web_url, "admin", PASSWORD)
    page.goto(sqlite_stack.web_url + "/console/review?flagged=1")
    item = page.locator(f'.review-item[data-entry="{admin["bob"]}"]')
    assert "描述过短" in item.inner_text()
    page.screenshot(path=str(artifacts / "console-review.png"), full_page=True)
    item.locator("input[name=reason]").fill("请写明做了什么、结果如何")
    item.locator("button", has_text="退回").click()
    assert "已退回" in page.locator(".flash-success").inner_text()
    assert page.locator(f'.review-item[data-entry="{admin["bob"]}"]').count() == 0
    with Session(sqlite_stack.engine) as session:
        entry = session.get(DutyEntry, admin["bob"])
        assert (entry.status, entry.return_reason) == ("returned", "请写明做了什么、结果如何")


def test_download_an_export_and_read_it_back(sqlite_stack, admin, page, artifacts, tmp_path):
    login(page, sqlite_stack.web_url, "admin", PASSWORD)
    page.goto(sqlite_stack.web_url + "/console/exports")
    page.click("#export-form button[type=submit]")
    _finish_job(sqlite_stack, page)
    page.wait_for_selector("#download", timeout=30_000)
    page.screenshot(path=str(artifacts / "console-export.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#download")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    sheet = load_workbook(target).worksheets[0]
    texts = {row[3].value: row[12] for row in sheet.iter_rows(min_row=2) if row[3].value}
    assert texts["王建国"].value == "=1+1" and texts["王建国"].data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
