"""A round walked in the browser: opened, self-evaluated, visited, two findings to the ledger.

The administrator (编办, bob behind an admin account) opens the round on the default tree; the
market bureau's head self-evaluates; the administrator scores the visit and records two findings;
the head commits a measure for both and uploads a rectification file; the deadline job reminds
the head through the emulator; the head reports; the administrator closes one finding and
reopens the other, and finishes the round.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from backend.models.ledger import Finding, FindingStatus
from backend.web.limits import limiter
from scheduled.ledger import check_ledger_deadlines
from tests.support.chat import Member, reply_text
from tests.support.console import add_market_head_and_admin, login

pytestmark = pytest.mark.browser
PASSWORD = "market-head-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROBLEMS = ("权责清单未按机构改革动态调整", "食品安全监管股与办公室职责交叉")


@pytest.fixture
def accounts(sqlite_stack):
    with Session(sqlite_stack.engine) as session:
        market = add_market_head_and_admin(session, PASSWORD)
        session.commit()
    limiter.reset()
    return market


def snap(page, artifacts, name: str) -> None:
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(artifacts / f"evaluation-{name}.png"), full_page=True)


def _signed_in(browser, stack, username: str):
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, stack.web_url, username, PASSWORD)
    return page


def _open_round(admin, stack) -> None:
    admin.goto(f"{stack.web_url}/console/evaluation/")
    admin.get_by_role("button", name="新建默认指标体系").click()
    assert "已创建指标体系" in admin.locator("main").inner_text()
    admin.get_by_role("link", name="评估", exact=True).click()
    admin.fill("input[name=name]", "2026年度履职评估")
    admin.fill("input[name=period_start]", "2026-01-01")
    admin.fill("input[name=period_end]", "2026-11-30")
    admin.get_by_role("button", name="开启轮次").click()
    assert "已开启评估轮次" in admin.locator("main").inner_text()


def _self_evaluate(head, stack) -> None:
    head.goto(f"{stack.web_url}/console/evaluation/")
    head.get_by_role("link", name="2026年度履职评估").click()
    head.get_by_role("link", name="县市场监督管理局").click()
    scores = head.locator("#self-form input[name^=self_]:not([name^=self_note])")
    scores.nth(0).fill("abc")
    head.fill("textarea[name=assessment]", "我局全面履行市场监管职责，权责清单动态调整仍有不足。")
    head.get_by_role("button", name="提交自评").click()
    assert "分数须为数字" in head.locator("main").inner_text()
    assert "动态调整仍有不足" in head.input_value("textarea[name=assessment]")
    for index in range(scores.count()):
        scores.nth(index).fill("1")
    head.get_by_role("button", name="提交自评").click()
    assert "自评已提交" in head.locator("main").inner_text()


def _visit(admin, stack, market: int) -> None:
    admin.goto(f"{stack.web_url}/console/evaluation/")
    admin.get_by_role("link", name="2026年度履职评估").click()
    admin.get_by_role("link", name="县市场监督管理局").click()
    admin.fill("input[name=visited_on]", "2026-11-20")
    scores = admin.locator("#onsite-form input[name^=onsite_]:not([name^=onsite_note])")
    for index in range(scores.count()):
        scores.nth(index).fill("0.5")
    admin.fill("textarea[name=visit_notes]", "查阅履职台账，座谈 6 人")
    admin.get_by_role("button", name="保存实地评估").click()
    assert "实地评估得分已保存" in admin.locator("main").inner_text()
    for problem in PROBLEMS:
        admin.get_by_role("link", name="记录发现的问题").click()
        admin.fill("textarea[name=problem]", problem)
        admin.get_by_role("button", name="记入台账").click()
        assert "已记入问题台账" in admin.locator("main").inner_text()
        admin.get_by_role("link", name="2026年度履职评估").click()


def _commit_both(head, stack, deadline: date, artifacts) -> None:
    for problem in PROBLEMS:
        head.goto(f"{stack.web_url}/console/ledger/")
        head.get_by_role("link", name=problem).click()
        head.fill("textarea[name=measure]", "对照三定方案修订清单，明确股室分工")
        head.fill("input[name=deadline]", deadline.isoformat())
        head.get_by_role("button", name="保存整改承诺").click()
        assert "整改中" in head.locator("#finding-status").inner_text()
    head.set_input_files(
        "input[name=file]",
        files=[{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    head.get_by_role("button", name="上传", exact=True).click()
    assert head.get_by_role("link", name="整改报告.pdf").is_visible()
    snap(head, artifacts, "1-head-committed")


def _report_both(head, stack) -> None:
    for problem in PROBLEMS:
        head.goto(f"{stack.web_url}/console/ledger/")
        head.get_by_role("link", name=problem).click()
        head.fill("textarea[name=report]", "已修订并在政府网站公开")
        head.get_by_role("button", name="提交整改报告").click()
        assert "待回头看" in head.locator("#finding-status").inner_text()


def _check(admin, stack, problem: str, note: str, button: str) -> str:
    admin.goto(f"{stack.web_url}/console/ledger/")
    admin.get_by_role("link", name=problem).click()
    admin.fill("textarea[name=note]", note)
    admin.get_by_role("button", name=button).click()
    return admin.locator("#finding-status").inner_text()


def test_a_round_from_opening_to_the_ledger(sqlite_stack, accounts, browser, artifacts):
    stack = sqlite_stack
    admin = _signed_in(browser, stack, "bianban")
    head = _signed_in(browser, stack, "markethead")
    _open_round(admin, stack)
    _self_evaluate(head, stack)
    _visit(admin, stack, accounts)
    snap(admin, artifacts, "2-round")
    deadline = date.today() + timedelta(days=2)
    _commit_both(head, stack, deadline, artifacts)

    stack.deliver()
    before = len(Member(stack.emulator.url, "dave").pushed_messages())
    now = datetime.now(stack.settings.timezone)
    assert check_ledger_deadlines(stack.engine, now=now) == 2
    stack.deliver()
    reminders = [
        reply_text(m) for m in Member(stack.emulator.url, "dave").pushed_messages()[before:]
    ]
    assert len(reminders) == 2 and all("整改提醒" in r for r in reminders)
    assert any(PROBLEMS[0] in r and deadline.isoformat() in r for r in reminders)

    _report_both(head, stack)
    assert _check(admin, stack, PROBLEMS[0], "核查属实", "销号") == "已销号"
    assert _check(admin, stack, PROBLEMS[1], "分工仍未明确", "未通过，重新整改") == "重新整改"
    snap(admin, artifacts, "3-reopened")
    with Session(stack.engine) as session:
        found = {f.problem: f.status for f in session.exec(select(Finding))}
    assert found == {PROBLEMS[0]: FindingStatus.CLOSED, PROBLEMS[1]: FindingStatus.REOPENED}

    admin.goto(f"{stack.web_url}/console/evaluation/")
    admin.get_by_role("link", name="2026年度履职评估").click()
    admin.get_by_role("button", name="结束轮次并冻结结果").click()
    assert "排名与等次" in admin.locator("main").inner_text()
    admin.get_by_role("button", name="生成专报（PDF）").click()
    assert stack.run_jobs() == 1
    admin.reload()
    assert "履职评估专报.pdf" in admin.locator("#download").inner_text()
    snap(admin, artifacts, "4-finished")
    head.context.close()
    admin.context.close()
