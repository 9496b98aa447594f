"""Surveys (问卷): the questionnaire, its questions, the departments it evaluates, the answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class SurveyKind(StrEnum):
    """What the survey is for."""

    SELF = "self"
    MUTUAL = "mutual"
    SATISFACTION = "satisfaction"
    CUSTOM = "custom"


SURVEY_KIND_LABELS = {
    SurveyKind.SELF: "自评",
    SurveyKind.MUTUAL: "互评",
    SurveyKind.SATISFACTION: "满意度",
    SurveyKind.CUSTOM: "自定义",
}


class AudienceKind(StrEnum):
    """Who is asked: chosen departments, a staff filter, related departments, or the link."""

    DEPARTMENTS = "departments"
    FILTER = "filter"
    RELATED = "related"
    LINK = "link"


AUDIENCE_LABELS = {
    AudienceKind.DEPARTMENTS: "指定部门",
    AudienceKind.FILTER: "按条件",
    AudienceKind.RELATED: "相关部门",
    AudienceKind.LINK: "链接",
}


class SurveyStatus(StrEnum):
    """Draft (editable), published (invitations sent) or closed early by an administrator."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class QuestionKind(StrEnum):
    """The kinds of question a survey may ask."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    RATING5 = "rating5"
    RATING10 = "rating10"
    SCORE = "score"
    TEXT = "text"


QUESTION_KIND_LABELS = {
    QuestionKind.SINGLE: "单选",
    QuestionKind.MULTIPLE: "多选",
    QuestionKind.RATING5: "评分1-5",
    QuestionKind.RATING10: "评分1-10",
    QuestionKind.SCORE: "打分0-100",
    QuestionKind.TEXT: "填空",
}


class Survey(SQLModel, table=True):
    """A questionnaire with its audience, its open period and its short-link token."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    introduction: str = Field(default="", sa_column=Column(Text, nullable=False))
    kind: SurveyKind = Field(default=SurveyKind.CUSTOM, sa_type=enum_column())
    audience_kind: AudienceKind = Field(default=AudienceKind.DEPARTMENTS, sa_type=enum_column())
    audience: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    anonymous: bool = False
    opens_at: datetime
    closes_at: datetime
    status: SurveyStatus = Field(default=SurveyStatus.DRAFT, sa_type=enum_column())
    token: str = Field(max_length=32, unique=True)
    published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SurveyTarget(SQLModel, table=True):
    """A department the survey evaluates."""

    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    department_id: int = Field(foreign_key="department.id", primary_key=True, index=True)


class SurveyQuestion(SQLModel, table=True):
    """One question: its kind, options (JSON list of {label, score}), weight, required."""

    __table_args__ = (UniqueConstraint("survey_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    seq: int
    text: str = Field(max_length=500)
    kind: QuestionKind = Field(sa_type=enum_column())
    options: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    required: bool = True
    weight: float = 0.0


class SurveyResponse(SQLModel, table=True):
    """One submitted questionnaire; unique per respondent and evaluated department."""

    __table_args__ = (
        UniqueConstraint("survey_id", "respondent_key", "evaluated_department_id"),
        Index("ix_surveyresponse_survey_evaluated", "survey_id", "evaluated_department_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    respondent_key: str = Field(max_length=100)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    evaluated_department_id: int | None = Field(default=None, foreign_key="department.id")
    channel: str = Field(max_length=10, description="chat | link")
    score: float | None = None
    submitted_at: datetime = Field(default_factory=utcnow)


class SurveyAnswer(SQLModel, table=True):
    """One answer value: a chosen option (one row per option), a number or a text."""

    # Covers the distribution query (GROUP BY question, option, number) without table reads.
    __table_args__ = (Index("ix_surveyanswer_question_values", "question_id", "option", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="surveyresponse.id", index=True)
    question_id: int = Field(foreign_key="surveyquestion.id")
    option: int | None = None
    number: float | None = None
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
