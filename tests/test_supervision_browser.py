"""A visitor on a phone rates through the QR pages; a head follows the work order to closure."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from backend.models.supervision import Rating, WorkOrder
from backend.web.limits import limiter
from tests.support.chat import Member, reply_text
from tests.support.console import add_market_head_and_admin, login
from tests.support.supervision import add_codes

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PASSWORD = "market-head-2026"


@pytest.fixture
def county(sqlite_stack):
    with Session(sqlite_stack.engine) as session:
        codes = add_codes(session)
        add_market_head_and_admin(session, PASSWORD)
        session.commit()
    limiter.reset()
    return codes


def snap(page, artifacts, name: str) -> None:
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(artifacts / f"supervision-{name}.png"), full_page=True)


def tag(page, name: str):
    """Return the reason tag of the chosen level (other levels' tags are hidden)."""
    return page.locator(".tagset:not([hidden])").get_by_label(name)


def open_code(page, stack, code: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{stack.web_url}/q/{code}")


def test_a_visitor_rates_a_department_on_a_phone(sqlite_stack, county, page, artifacts):
    open_code(page, sqlite_stack, county["县市场监督管理局"])
    assert page.locator("header h1").inner_text() == "县市场监督管理局"
    assert page.get_by_text("负责市场主体登记注册和信用监管").is_visible()
    snap(page, artifacts, "1-department-page")
    page.get_by_label("满意", exact=True).check()
    tag(page, "办事高效").check()
    page.fill("#comment", "十分钟就办好了")
    page.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in page.get_by_role("status").inner_text()
    with Session(sqlite_stack.engine) as session:
        rating = session.exec(select(Rating)).one()
    assert (rating.level, rating.tags) == ("satisfied", "办事高效")
    assert rating.comment == "十分钟就办好了"
    page.goto(f"{sqlite_stack.web_url}/q/{county['县市场监督管理局']}")
    assert "今天已经评价过该单位" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name="提交评价").count() == 0
    snap(page, artifacts, "2-second-rating-refused")


def test_bad_input_in_the_browser_gets_a_message_and_keeps_the_text(
    sqlite_stack, county, page, artifacts
):
    open_code(page, sqlite_stack, county["县民政局"])
    page.fill("#comment", "窗口没人")
    page.get_by_role("button", name="提交评价").click()
    assert page.get_by_role("alert").inner_text() == "请选择一个评价等级"
    assert page.input_value("#comment") == "窗口没人"
    page.get_by_label("不满意", exact=True).check()
    page.fill("#comment", "慢" * 501)
    page.get_by_role("button", name="提交评价").click()
    assert "留言不能超过 500 字" in page.get_by_role("alert").inner_text()
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'forged'")
    page.fill("#comment", "窗口没人")
    page.get_by_role("button", name="提交评价").click()
    assert "页面已过期或来源无法验证" in page.get_by_role("alert").inner_text()
    page.goto(f"{sqlite_stack.web_url}/q/NOSUCHCODE")
    assert "二维码无效" in page.get_by_role("alert").inner_text()
    snap(page, artifacts, "3-unknown-code")
    with Session(sqlite_stack.engine) as session:
        assert session.exec(select(Rating)).all() == []


def test_a_complaint_is_followed_to_closure_and_rated_again(
    sqlite_stack, county, page, browser, artifacts
):
    stack = sqlite_stack
    open_code(page, stack, county["alice"])
    assert page.get_by_text("李晓燕").first.is_visible()
    page.get_by_label("非常不满意").check()
    tag(page, "多次跑腿").check()
    page.fill("#comment", "办理食品经营许可跑了三趟，每次说法不一样")
    page.get_by_label("我要投诉").check()
    page.fill("#contact_phone", "13800001111")
    snap(page, artifacts, "4-complaint-form")
    page.get_by_role("button", name="提交评价").click()
    ticket = page.locator("#ticket").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{10}", ticket)
    snap(page, artifacts, "5-ticket")

    stack.deliver()
    opened = reply_text(Member(stack.emulator.url, "dave").pushed_messages()[-1])
    assert ticket in opened and "投诉（非常不满意）" in opened

    official = browser.new_context(locale="zh-CN").new_page()
    login(official, stack.web_url, "markethead", PASSWORD)
    official.goto(f"{stack.web_url}/console/supervision/orders")
    official.get_by_role("link", name=ticket).click()
    for note, button in (
        ("已电话回访，当面致歉并说明办理要求", "记录回访"),
        ("已印发一次性告知单，窗口统一答复口径", "报送整改"),
        ("整改完成，群众表示认可", "办结"),
    ):
        official.fill("textarea[name=note]", note)
        official.get_by_role("button", name=button, exact=True).click()
        assert note in official.locator("dl.facts").inner_text()
    assert "已办结" in official.locator("h1").inner_text()
    snap(official, artifacts, "6-console-closed")
    official.get_by_role("link", name="评价", exact=True).click()
    official.select_option("select[name=department_id]", label="县市场监督管理局")
    official.get_by_role("button", name="筛选").click()
    assert "差评率（1 条）" in official.locator("main").inner_text()
    snap(official, artifacts, "6b-console-ratings")
    official.get_by_role("link", name="二维码与桌牌").click()
    assert official.get_by_alt_text(f"{county['alice']} 的二维码").is_visible()
    snap(official, artifacts, "6c-console-codes")
    official.context.close()

    page.goto(f"{stack.web_url}/q/status?ticket={ticket}")
    assert "已办结" in page.locator("main").inner_text()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交再次评价").click()
    assert "您的再次评价：满意" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="提交再次评价").count() == 0
    snap(page, artifacts, "7-follow-up")
    with Session(stack.engine) as session:
        order = session.exec(select(WorkOrder)).one()
        assert order.status == "closed" and order.followup_rating_id is not None
