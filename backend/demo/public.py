"""The demo's public side, ready at start-up: QR codes for every unit and post, an open survey."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from sqlmodel import Session, col, select

from backend.demo.county import Period, local_time
from backend.models import Department, Staff, saved_id
from backend.models.supervision import SupervisionCode
from backend.models.surveys import (
    AudienceKind,
    QuestionKind,
    Survey,
    SurveyKind,
    SurveyQuestion,
    SurveyStatus,
)
from backend.supervision.random_codes import CODE_ALPHABET

SURVEY_TITLE = "政务服务群众满意度调查"  # public link: anyone answers on a phone
STAFF_SURVEY_TITLE = "机关作风建设自查问卷"  # the staff answer in chat
QUESTIONS = (
    ("您对窗口服务的总体评价", QuestionKind.RATING5, 2.0),
    ("您对办事流程便捷程度的评价", QuestionKind.RATING5, 1.0),
    ("对改进工作作风的意见和建议", QuestionKind.TEXT, 0.0),
)
STAFF_QUESTIONS = (
    ("本部门落实首问负责、一次性告知等制度的情况", QuestionKind.RATING5, 1.0),
    ("本部门在精简会议文件、减轻基层负担方面的成效", QuestionKind.RATING5, 1.0),
    ("您对改进本部门作风的建议", QuestionKind.TEXT, 0.0),
)


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(10))


def add_public(session: Session, rng: random.Random, period: Period) -> None:
    """Issue a QR code to every unit and public-facing member, and open a survey for all."""
    issued = local_time(period.end - timedelta(days=20), 10)
    units = list(session.exec(select(Department).order_by(col(Department.id))))
    for unit in units:
        session.add(
            SupervisionCode(code=_code(rng), department_id=saved_id(unit), created_at=issued)
        )
    facing = select(Staff).where(col(Staff.public_facing).is_(True), col(Staff.active).is_(True))
    for member in session.exec(facing.order_by(col(Staff.id))):
        session.add(
            SupervisionCode(
                code=_code(rng),
                department_id=member.department_id,
                staff_id=member.id,
                post_title=(member.post or "窗口岗位")[:50],
                created_at=issued,
            )
        )
    departments = {"department_ids": [saved_id(u) for u in units]}
    _open_survey(session, rng, period, SURVEY_TITLE, AudienceKind.LINK, {}, QUESTIONS)
    _open_survey(
        session,
        rng,
        period,
        STAFF_SURVEY_TITLE,
        AudienceKind.DEPARTMENTS,
        departments,
        STAFF_QUESTIONS,
    )
    session.flush()


def _open_survey(session: Session, rng, period: Period, title, audience_kind, audience, questions):
    """A survey opened the day before the demo's last day, for two weeks, not yet answered."""
    opens = local_time(period.end - timedelta(days=1), 9)
    survey = Survey(
        title=title,
        kind=SurveyKind.SATISFACTION if audience_kind == AudienceKind.LINK else SurveyKind.SELF,
        audience_kind=audience_kind,
        audience=json.dumps(audience),
        opens_at=opens,
        closes_at=local_time(period.end + timedelta(days=14), 18),
        status=SurveyStatus.PUBLISHED,
        token=f"{rng.getrandbits(128):032x}",
        published_at=opens,
        created_at=opens - timedelta(hours=1),
    )
    session.add(survey)
    session.flush()
    for seq, (text, kind, weight) in enumerate(questions, start=1):
        session.add(
            SurveyQuestion(
                survey_id=saved_id(survey),
                seq=seq,
                text=text,
                kind=kind,
                weight=weight,
                required=kind != QuestionKind.TEXT,
            )
        )


def demo_links(session: Session) -> tuple[str | None, str | None]:
    """Return the first unit's QR code and the open survey's token (for the start-up lines)."""
    code = session.exec(
        select(SupervisionCode.code)
        .where(col(SupervisionCode.staff_id).is_(None))
        .order_by(col(SupervisionCode.department_id))
    ).first()
    token = session.exec(select(Survey.token).where(Survey.title == SURVEY_TITLE)).first()
    return code, token
