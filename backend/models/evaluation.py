"""Evaluation rounds: the indicator tree, rounds, scores, results and uploaded files."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class PointMethod(StrEnum):
    """How an evaluation point is scored: computed from lvzhi's metrics, or by evaluators."""

    COMPUTED = "computed"
    SCORED = "scored"


class RoundStatus(StrEnum):
    """An open round takes self-evaluations and visit scores; a finished one is frozen."""

    OPEN = "open"
    FINISHED = "finished"


class ScoreSource(StrEnum):
    """Who gave a score: the unit itself (自评) or the evaluators on site (实地评)."""

    SELF = "self"
    ONSITE = "onsite"
    COMPUTED = "computed"


class RoundSurveyKind(StrEnum):
    """A survey linked to a round: the staff's self-evaluation or related units' mutual one."""

    SELF = "self"
    MUTUAL = "mutual"


class AttachmentKind(StrEnum):
    """A unit's self-assessment report, or a rectification report for a finding."""

    SELF_REPORT = "self_report"
    RECTIFICATION = "rectification"


class IndicatorTree(SQLModel, table=True):
    """One version of the indicator system (指标体系); a round keeps the version it used."""

    __table_args__ = (UniqueConstraint("name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    version: int = 1
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Indicator(SQLModel, table=True):
    """A first-level indicator (parent None) or a second-level one under it."""

    id: int | None = Field(default=None, primary_key=True)
    tree_id: int = Field(foreign_key="indicatortree.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="indicator.id", index=True)
    seq: int = 0
    name: str = Field(max_length=200)


class EvaluationPoint(SQLModel, table=True):
    """An evaluation point (评估要点) under a second-level indicator, worth `max_score`."""

    id: int | None = Field(default=None, primary_key=True)
    tree_id: int = Field(foreign_key="indicatortree.id", index=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    seq: int = 0
    name: str = Field(max_length=500)
    max_score: float
    method: PointMethod = Field(sa_type=enum_column())
    metric: str | None = Field(default=None, max_length=40, description="Computed points only")
    target: float | None = Field(default=None, description="Metric value that earns full marks")
    guidance: str = Field(default="", sa_column=Column(Text, nullable=False))


class EvaluationRound(SQLModel, table=True):
    """An evaluation round (评估轮次) over a period, units and one tree version."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    period_start: date
    period_end: date
    tree_id: int = Field(foreign_key="indicatortree.id", index=True)
    status: RoundStatus = Field(default=RoundStatus.OPEN, sa_type=enum_column())
    opened_by: int | None = Field(default=None, foreign_key="account.id")
    opened_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class RoundUnit(SQLModel, table=True):
    """A unit taking part in a round: its self-assessment and the evaluators' visit."""

    __table_args__ = (UniqueConstraint("round_id", "department_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluationround.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    self_assessment: str = Field(default="", sa_column=Column(Text, nullable=False))
    self_submitted_at: datetime | None = None
    visited_on: date | None = None
    visit_notes: str = Field(default="", sa_column=Column(Text, nullable=False))


class PointScore(SQLModel, table=True):
    """One score for one point of one unit in a round, by the unit or by the evaluators."""

    __table_args__ = (UniqueConstraint("round_id", "department_id", "point_id", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluationround.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    point_id: int = Field(foreign_key="evaluationpoint.id", index=True)
    source: ScoreSource = Field(sa_type=enum_column())
    score: float
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    account_id: int | None = Field(default=None, foreign_key="account.id")
    scored_at: datetime = Field(default_factory=utcnow)


class RoundSurvey(SQLModel, table=True):
    """A survey whose scores feed a round (the self- or the mutual-evaluation questionnaire)."""

    round_id: int = Field(foreign_key="evaluationround.id", primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    kind: RoundSurveyKind = Field(sa_type=enum_column())


class RoundResult(SQLModel, table=True):
    """A unit's frozen outcome of a finished round: score, rank, colour, proposed measure."""

    __table_args__ = (UniqueConstraint("round_id", "department_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluationround.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    score: float
    rank: int
    colour: str = Field(max_length=10)
    measure: str = Field(default="", max_length=200)
    computed_at: datetime = Field(default_factory=utcnow)


class Attachment(SQLModel, table=True):
    """An uploaded file: a unit's self-assessment report, or a finding's rectification report."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int | None = Field(default=None, foreign_key="evaluationround.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    finding_id: int | None = Field(default=None, foreign_key="finding.id", index=True)
    kind: AttachmentKind = Field(sa_type=enum_column())
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    account_id: int | None = Field(default=None, foreign_key="account.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
