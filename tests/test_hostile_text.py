"""What users type reaches WeCom neutralised and Excel cleaned; staff who left stop showing.

A complaint carrying an `<a href>` phishing link and a member named like a markdown link go
through the real public page, the outbox and the emulator; control characters typed into the
public forms are stored cleaned, and every Excel writer copes with those stored before.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert
from sqlmodel import Session, select

from backend.db import writing
from backend.excel.writer import Column, TableWriter, new_workbook, save
from backend.models import Rating, Staff, SurveyAnswer, SurveyResponse
from backend.models.supervision import RatingLevel
from backend.reports.xlsx import Sheet, render_xlsx
from backend.supervision import service as supervision
from backend.supervision.export import ratings_xlsx
from backend.supervision.queries import RatingRow
from backend.surveys import export as survey_export
from backend.surveys import queries as survey_queries
from backend.surveys.results import survey_results
from backend.web.limits import limiter
from bot.neutral import for_markdown, for_text
from scheduled.reports import weekly_summaries
from tests.support.chat import Member, reply_text
from tests.support.console import console_app
from tests.support.org import add_small_county
from tests.support.supervision import add_codes, visitor_rates
from tests.support.surveys import NOW, add_link_survey, department

PHISHING = '<a href="http://evil.example/login">点此</a>领取补贴'
LINK_NAME = "**[x](http://evil)**"
# NUL is refused for the whole request (400, tests/test_inputs.py); the others are cleaned.
CONTROLS = "".join(chr(c) for c in range(1, 0x20) if c not in (9, 10, 13))
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_the_neutralisers_break_tags_links_mentions_and_markup():
    text = for_text(PHISHING + " 详见 www.evil.cn @all <@dave>")
    assert "<" not in text and ">" not in text and "http://" not in text
    assert "www.evil.cn" not in text and "@" not in text and "点此" in text
    markdown = for_markdown(LINK_NAME + ' <font color="info">绿</font> # 标题\n> 引用 `x`')
    assert not set("[]()*<>#`") & set(markdown) and "http://" not in markdown
    assert "x" in markdown and "绿" in markdown and "\n" in markdown
    assert for_text("3.5小时 接待群众\t处理2件\n") == "3.5小时 接待群众\t处理2件\n"


@pytest.fixture
def county(stack):
    with Session(stack.engine) as session:
        codes = add_codes(session)
        session.commit()
    limiter.reset()
    return codes


def test_a_phishing_complaint_reaches_the_head_neutralised(stack, county):
    stack.clock.frozen = datetime(2026, 11, 20, 10, 0, tzinfo=stack.settings.timezone)
    done = visitor_rates(stack.app.test_client(), county["alice"], level="very_dissatisfied",
                         complaint="1", comment=PHISHING)  # fmt: skip
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    stack.deliver()
    [message] = [reply_text(m) for m in Member(stack.emulator.url, "dave").pushed_messages()]
    assert "【码上监督·新工单】" in message and "点此" in message and "领取补贴" in message
    assert "<a" not in message and "href" in message  # shown as typed, never a tag
    assert "http://" not in message and "evil.example" not in message


def test_a_member_named_like_a_link_is_posted_to_the_group_as_plain_text(sqlite_stack):
    stack = sqlite_stack
    with writing(stack.engine) as session:
        bob = session.exec(select(Staff).where(Staff.wecom_userid == "bob")).one()
        bob.name = LINK_NAME
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=stack.settings.timezone)
    assert weekly_summaries(stack.engine, now=monday, settings=stack.settings) >= 1
    while stack.deliver().sent:
        pass
    messages = stack.emulator_call("GET", "/_emulator/messages").json()["messages"]
    posts = [m["markdown"] for m in messages if m.get("msgtype") == "markdown"]
    [market] = [p for p in posts if "县市场监督管理局 · 履职周报" in p]
    assert "缺报" in market and for_markdown(LINK_NAME) in market
    assert "[x]" not in market and "](http" not in market and "http://" not in market


@pytest.fixture
def web(engine):
    with Session(engine) as session:
        add_small_county(session)
        session.commit()
    app = console_app(engine)
    app.extensions["lvzhi"].clock = lambda: NOW
    limiter.reset()
    return app


def _post_survey(client, survey, data: dict):
    page = client.get(f"/s/{survey.token}").get_data(as_text=True)
    return client.post(f"/s/{survey.token}", data={**data, "csrf_token": CSRF.search(page)[1]})


def test_control_characters_typed_into_a_survey_are_stored_cleaned(web, engine):
    with Session(engine, expire_on_commit=False) as session:
        survey = add_link_survey(session)
        session.commit()
        ids = [q.id for q in survey_queries.questions_of(session, survey_id=survey.id)]
        market = department(session, "县市场监督管理局").id
    answers = {f"q{ids[0]}": "1", f"q{ids[1]}": "5", f"q{ids[3]}": f"很{CONTROLS}好\t\n谢谢"}
    done = _post_survey(web.test_client(), survey, {**answers, "target": str(market)})
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    with Session(engine) as session:
        texts = session.exec(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None))).all()
    assert texts == ["很好\t\n谢谢"]


def test_control_characters_typed_into_a_rating_are_stored_cleaned(web, engine):
    with Session(engine) as session:
        codes = add_codes(session)
        session.commit()
    client = web.test_client()
    comment = f"窗口{CONTROLS}没人"
    done = visitor_rates(client, codes["县民政局"], level="dissatisfied", comment=comment,
                         contact_name=f"张{CONTROLS}三")  # fmt: skip
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    with Session(engine) as session:
        rating = session.exec(select(Rating)).one()
    assert rating.comment == "窗口没人"


def test_every_excel_writer_drops_control_characters_stored_before(web, engine):
    dirty = f"={CONTROLS}旧数据"
    with Session(engine, expire_on_commit=False) as session:
        survey = add_link_survey(session)
        question = survey_queries.questions_of(session, survey_id=survey.id)[3]
        response = SurveyResponse(survey_id=survey.id, respondent_key="device:old",
                                  channel="link", submitted_at=NOW)  # fmt: skip
        session.add(response)
        session.flush()
        stored = dirty.replace("\x00", "")  # PostgreSQL refuses NUL in text; SQLite kept it
        row = {"response_id": response.id, "question_id": question.id, "text": stored}
        session.execute(insert(SurveyAnswer), [row])
        session.commit()
        books = [survey_export.export_xlsx(session, survey_results(session, survey=survey))]
    row = RatingRow(1, datetime(2026, 11, 20, tzinfo=UTC), dirty, dirty, RatingLevel.DISSATISFIED,
                    dirty, dirty, False, None)  # fmt: skip
    books.append(ratings_xlsx([row], zone=UTC))
    books.append(render_xlsx([Sheet(dirty, [dirty], [[dirty, 1]])]))
    workbook = new_workbook()
    table = TableWriter(workbook, "明细", [Column(dirty), Column("数", kind="number")])
    table.append([dirty, 2])
    table.finish()
    buffer = io.BytesIO()
    save(workbook, buffer)
    books.append(buffer.getvalue())
    for data in books:
        values = [c for s in load_workbook(io.BytesIO(data)) for r in s.values for c in r]
        assert "=旧数据" in values  # cleaned, and still text rather than a formula
        assert not any(isinstance(v, str) and set(v) & set(CONTROLS) for v in values)


def test_the_code_of_a_member_who_left_shows_the_unit_only(web, engine):
    with Session(engine) as session:
        codes = add_codes(session)
        session.commit()
    client = web.test_client()
    assert "李晓燕" in client.get(f"/q/{codes['alice']}").get_data(as_text=True)
    with writing(engine) as session:
        alice = session.exec(select(Staff).where(Staff.wecom_userid == "alice")).one()
        alice.active = False
    for _ in ("before the codes are renewed", "after"):
        page = client.get(f"/q/{codes['alice']}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "该岗位人员已调整" in html
        assert "李晓燕" not in html and "食品经营许可窗口" not in html
        assert f"/q/{codes['县市场监督管理局']}" in html  # the form rates the unit itself
        with writing(engine) as session:
            supervision.issue_codes(session)  # retires the post's code
