"""Survey fixtures: a 25-question self-evaluation and a small mutual evaluation scored by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from backend.models import Department, Staff, Survey
from backend.models.surveys import AudienceKind, QuestionKind, SurveyKind
from backend.surveys import service as surveys
from backend.surveys.spec import Audience, QuestionSpec, SurveySpec

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
GRADES = (("很好", 100.0), ("较好", 80.0), ("一般", 60.0), ("较差", 0.0))
HELPS = (("政策指导", 50.0), ("业务协同", 30.0), ("信息共享", 20.0), ("没有", 0.0))


def department(session: Session, name: str) -> Department:
    """Return the department with this name."""
    return session.exec(select(Department).where(Department.name == name)).one()


def staff_named(session: Session, userid: str) -> Staff:
    """Return the staff member with this WeCom userid."""
    return session.exec(select(Staff).where(Staff.wecom_userid == userid)).one()


def self_evaluation_questions() -> tuple[QuestionSpec, ...]:
    """Return 25 questions of every kind whose weights add up to 100."""
    single = [QuestionSpec(f"本部门第{i}项职责履行情况如何？", QuestionKind.SINGLE, GRADES,
                           weight=4) for i in range(1, 11)]  # fmt: skip
    ratings = [
        QuestionSpec(f"内设机构运转评价{i}", QuestionKind.RATING5, weight=4) for i in range(1, 6)
    ]
    tens = [QuestionSpec(f"人员配备评价{i}", QuestionKind.RATING10, weight=5) for i in range(1, 4)]
    scores = [QuestionSpec(f"日常工作量打分{i}", QuestionKind.SCORE, weight=5) for i in range(1, 4)]
    multiple = [
        QuestionSpec(f"上级给予的支持{i}", QuestionKind.MULTIPLE, HELPS, weight=5) for i in (1, 2)
    ]
    texts = [
        QuestionSpec("对履职工作的意见建议", QuestionKind.TEXT, required=False),
        QuestionSpec("最需要改进的一件事", QuestionKind.TEXT),
    ]
    return tuple(single + ratings + tens + scores + multiple + texts)


def add_self_evaluation(
    session: Session, *, publish: bool = True, now: datetime = NOW, audience: Audience | None = None
) -> Survey:
    """Create (and publish) the 25-question self-evaluation of 县市场监督管理局 by its staff."""
    market = department(session, "县市场监督管理局")
    spec = SurveySpec(
        title="2026年度部门履职自评",
        kind=SurveyKind.SELF,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        target_department_ids=(market.id,),
        audience=audience or Audience(AudienceKind.DEPARTMENTS, department_ids=(market.id,)),
        introduction="请如实评价本部门履职情况。",
        questions=self_evaluation_questions(),
    )
    survey = surveys.create_survey(session, spec=spec)
    if publish:
        surveys.publish(session, survey=survey, now=now)
    session.flush()
    return survey


def small_questions() -> tuple[QuestionSpec, ...]:
    """Return the four questions of the hand-scored fixture (weights 50, 30, 20, 0)."""
    levels = (("满意", 100.0), ("基本满意", 60.0), ("不满意", 0.0))
    return (
        QuestionSpec("配合工作是否满意？", QuestionKind.SINGLE, levels, weight=50),
        QuestionSpec("沟通效率评分", QuestionKind.RATING5, weight=30),
        QuestionSpec("综合打分", QuestionKind.SCORE, required=False, weight=20),
        QuestionSpec("其他意见", QuestionKind.TEXT, required=False),
    )


def add_mutual_evaluation(
    session: Session,
    *,
    now: datetime = NOW,
    anonymous: bool = False,
    kind=SurveyKind.MUTUAL,
    audience: Audience | None = None,
) -> Survey:
    """Create a published evaluation of 县市场监督管理局 and 县民政局 by all staff."""
    market, civil = department(session, "县市场监督管理局"), department(session, "县民政局")
    spec = SurveySpec(
        title="部门互评",
        kind=kind,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=3),
        target_department_ids=(market.id, civil.id),
        audience=audience or Audience(AudienceKind.FILTER),
        anonymous=anonymous,
        questions=small_questions(),
    )
    survey = surveys.create_survey(session, spec=spec)
    surveys.publish(session, survey=survey, now=now)
    session.flush()
    return survey


def add_link_survey(session: Session, builder=add_mutual_evaluation, **options) -> Survey:
    """Create a published survey answerable by anyone with its link (audience 链接)."""
    return builder(session, audience=Audience(AudienceKind.LINK), **options)
