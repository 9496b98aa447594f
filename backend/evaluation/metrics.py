"""Computed point values: the registry of metric keys and their values per unit over a period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from backend.models import SurveyResponse
from backend.models.evaluation import RoundSurvey, RoundSurveyKind
from backend.models.supervision import Rating, RatingLevel
from backend.reports.analytics import department_metrics
from backend.schedule.calendar import load_calendar


@dataclass(frozen=True)
class Metric:
    """A metric a computed point may use: Chinese name and formula."""

    key: str
    name: str
    formula: str


ANALYTICS_METRICS = (
    "reporting_rate",
    "review_rate",
    "duty_coverage",
    "workload_ratio",
    "core_focus",
)
METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("reporting_rate", "填报率", "已填报人次 ÷ 应填报人次"),
        Metric("review_rate", "审核率", "已审核条目 ÷ 全部条目"),
        Metric("duty_coverage", "职责覆盖率", "有填报的职责数 ÷ 职责总数"),
        Metric("workload_ratio", "工作饱和度", "填报工时 ÷ 应出勤工时"),
        Metric("core_focus", "核心职责聚焦度", "核心职责工时 ÷ 全部工时"),
        Metric("survey_self", "自评问卷得分率", "本轮自评问卷平均分 ÷ 100"),
        Metric("survey_mutual", "互评问卷得分率", "本轮互评问卷平均分 ÷ 100"),
        Metric("qr_satisfaction", "扫码评价满意率", "（非常满意 + 满意）÷ 全部评价"),
        Metric("output_per_post", "每编办件量比", "本单位每编办件量 ÷ 全县每编办件量"),
        Metric("output_on_time", "按时办结率", "按时办结件数 ÷ 办件总数"),
    )
}


def unit_values(
    session: Session,
    *,
    round_id: int,
    department_ids: list[int],
    metrics: Iterable[str],
    start: date,
    end: date,
) -> dict[str, dict[int, float | None]]:
    """Return metric key → department id → value for the metrics the tree uses."""
    wanted = set(metrics)
    values: dict[str, dict[int, float | None]] = {}
    if wanted & set(ANALYTICS_METRICS):
        values.update(_analytics(session, department_ids, wanted, start, end))
    for kind, key in (
        (RoundSurveyKind.SELF, "survey_self"),
        (RoundSurveyKind.MUTUAL, "survey_mutual"),
    ):
        if key in wanted:
            values[key] = _survey_share(session, round_id, kind, department_ids)
    if "qr_satisfaction" in wanted:
        values["qr_satisfaction"] = _satisfaction(session, department_ids, start, end)
    if wanted & {"output_per_post", "output_on_time"}:
        values.update(_output(session, department_ids, start, end))
    return values


def _analytics(session, department_ids, wanted, start, end):
    calendar = load_calendar(session)
    out: dict[str, dict[int, float | None]] = {k: {} for k in ANALYTICS_METRICS if k in wanted}
    for dept in department_ids:
        figures = department_metrics(
            session, department_id=dept, start=start, end=end, calendar=calendar
        ).figures
        for key in out:
            out[key][dept] = getattr(figures, key).value
    return out


def _survey_share(session, round_id, kind, department_ids) -> dict[int, float | None]:
    query = (
        select(col(SurveyResponse.evaluated_department_id), func.avg(SurveyResponse.score))
        .join(RoundSurvey, col(RoundSurvey.survey_id) == col(SurveyResponse.survey_id))
        .where(RoundSurvey.round_id == round_id, RoundSurvey.kind == kind)
        .where(col(SurveyResponse.score).is_not(None))
        .where(col(SurveyResponse.evaluated_department_id).in_(department_ids))
        .group_by(col(SurveyResponse.evaluated_department_id))
    )
    found = {d: float(avg) / 100 for d, avg in session.exec(query).all() if avg is not None}
    return {d: found.get(d) for d in department_ids}


def _satisfaction(session, department_ids, start, end) -> dict[int, float | None]:
    good = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED)
    query = (
        select(
            col(Rating.department_id),
            func.count(),
            func.sum(case((col(Rating.level).in_(good), 1), else_=0)),
        )
        .where(col(Rating.department_id).in_(department_ids), col(Rating.is_followup).is_(False))
        .where(Rating.rated_on >= start, Rating.rated_on <= end)
        .group_by(col(Rating.department_id))
    )
    found = {d: int(ok or 0) / n for d, n, ok in session.exec(query).all() if n}
    return {d: found.get(d) for d in department_ids}


def _output(session, department_ids, start, end) -> dict[str, dict[int, float | None]]:
    from backend.staffing import queries as staffing

    units, county = staffing.unit_output(
        session, start=start, end=end, department_ids=department_ids
    )
    by_id = {u.department_id: u for u in units}
    per_post: dict[int, float | None] = {}
    on_time: dict[int, float | None] = {}
    for dept in department_ids:
        unit = by_id.get(dept)
        ratio = unit.per_post if unit else None
        per_post[dept] = ratio / county.per_post if ratio is not None and county.per_post else None
        on_time[dept] = unit.on_time_rate if unit else None
    return {"output_per_post": per_post, "output_on_time": on_time}
