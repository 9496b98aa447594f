"""A phone answers the 25-question self-evaluation through its QR link, in a real browser."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from backend.models import SurveyResponse
from backend.surveys import links as qr
from tests.support.surveys import NOW, add_link_survey, add_self_evaluation

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def choose(page, seq: int, value: str) -> None:
    page.locator(f"#q-{seq} input[value='{value}']").check()


def test_a_phone_answers_through_the_qr_link_once(sqlite_stack, page, artifacts):
    stack = sqlite_stack
    stack.clock.frozen = NOW
    with Session(stack.engine) as session:
        survey = add_link_survey(session, add_self_evaluation)  # anyone with the link
        session.commit()
        link = qr.survey_link(stack.settings.PUBLIC_BASE_URL, survey.token)
    page.set_viewport_size(PHONE)
    page.goto(link)
    assert page.locator("h1").inner_text() == "2026年度部门履职自评"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for seq in range(1, 11):
        choose(page, seq, "1")
    page.fill("#q-19 input", "150")  # out of range; 11–18 and the rest left empty
    page.click("button[type=submit]")
    assert "需要修改" in page.locator("#form-error").inner_text()
    assert "1–5" not in page.locator("#q-1").inner_text()
    assert "必答" in page.locator("#q-11 .field-error").inner_text()
    assert "0–100" in page.locator("#q-19 .field-error").inner_text()
    assert page.locator("#q-1 input[value='1']").is_checked()  # answers given are kept
    page.screenshot(path=str(artifacts / "survey-phone-errors.png"), full_page=True)
    for seq in range(11, 16):
        choose(page, seq, "4")
    for seq in range(16, 19):
        choose(page, seq, "8")
    for seq in (19, 20, 21):
        page.fill(f"#q-{seq} input", "85")
    choose(page, 22, "1")
    choose(page, 22, "2")
    choose(page, 23, "3")
    page.fill("#q-25 textarea", "希望减少重复填报")
    page.click("button[type=submit]")
    assert "提交成功" in page.locator("#message").inner_text()
    page.screenshot(path=str(artifacts / "survey-phone-done.png"))
    page.goto(link)
    assert "已经填写过" in page.locator("#message").inner_text()
    with Session(stack.engine) as session:
        [response] = session.exec(select(SurveyResponse)).all()
    # 40×100 + 20×75 + 15×(7/9×100) + 15×85 + 5×80 + 5×20 = 8441.67 / 100
    assert response.channel == "link" and round(response.score, 2) == 84.42
