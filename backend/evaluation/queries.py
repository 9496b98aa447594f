"""Reads of the evaluation area: points, round units, scores, settings, frozen results."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from backend.evaluation import texts
from backend.evaluation.rules import UnitScore
from backend.models import ConsoleSetting
from backend.models.evaluation import (
    EvaluationPoint,
    EvaluationRound,
    Indicator,
    IndicatorTree,
    PointScore,
    RoundResult,
    RoundSurvey,
    RoundUnit,
    ScoreSource,
)
from backend.reports.analytics import RatingThresholds


def points_of(session: Session, *, tree_id: int) -> list[EvaluationPoint]:
    """Return a tree's points in order."""
    query = select(EvaluationPoint).where(EvaluationPoint.tree_id == tree_id)
    return list(session.exec(query.order_by(col(EvaluationPoint.seq), col(EvaluationPoint.id))))


def indicators_of(session: Session, *, tree_id: int) -> list[Indicator]:
    """Return a tree's indicators in order (first and second level)."""
    query = select(Indicator).where(Indicator.tree_id == tree_id)
    return list(session.exec(query.order_by(col(Indicator.seq), col(Indicator.id))))


def list_trees(session: Session) -> list[IndicatorTree]:
    """Return all tree versions, newest first."""
    return list(session.exec(select(IndicatorTree).order_by(col(IndicatorTree.id).desc())))


def list_rounds(session: Session) -> list[EvaluationRound]:
    """Return all rounds, newest first."""
    return list(session.exec(select(EvaluationRound).order_by(col(EvaluationRound.id).desc())))


def round_by_id(session: Session, *, round_id: int) -> EvaluationRound | None:
    """Return one round, or None."""
    return session.get(EvaluationRound, round_id)


def tree_by_id(session: Session, *, tree_id: int) -> IndicatorTree | None:
    """Return one tree version, or None."""
    return session.get(IndicatorTree, tree_id)


def round_unit(session: Session, *, round_id: int, department_id: int) -> RoundUnit | None:
    """Return a unit's record in a round, or None when it does not take part."""
    query = select(RoundUnit).where(
        RoundUnit.round_id == round_id, RoundUnit.department_id == department_id
    )
    return session.exec(query).first()


def linked_surveys(session: Session, *, round_id: int) -> list[RoundSurvey]:
    """Return the surveys linked to a round."""
    query = select(RoundSurvey).where(RoundSurvey.round_id == round_id)
    return list(session.exec(query.order_by(col(RoundSurvey.survey_id))))


def round_units(session: Session, *, round_id: int) -> list[RoundUnit]:
    """Return the units of a round."""
    query = select(RoundUnit).where(RoundUnit.round_id == round_id)
    return list(session.exec(query.order_by(col(RoundUnit.department_id))))


def round_department_ids(session: Session, *, round_id: int) -> list[int]:
    """Return the department ids of a round's units."""
    return [u.department_id for u in round_units(session, round_id=round_id)]


def scores_by_unit(
    session: Session, *, round_id: int, source: ScoreSource
) -> dict[int, dict[int, float]]:
    """Return department id → point id → score for one source in a round."""
    query = select(PointScore.department_id, PointScore.point_id, PointScore.score).where(
        PointScore.round_id == round_id, PointScore.source == source
    )
    found: dict[int, dict[int, float]] = {}
    for dept, point, score in session.exec(query).all():
        found.setdefault(dept, {})[point] = score
    return found


def point_scores(
    session: Session, *, round_id: int, department_id: int | None = None
) -> list[PointScore]:
    """Return the stored point scores of a round (all sources), optionally for one unit."""
    query = select(PointScore).where(PointScore.round_id == round_id)
    if department_id is not None:
        query = query.where(PointScore.department_id == department_id)
    return list(
        session.exec(query.order_by(col(PointScore.department_id), col(PointScore.point_id)))
    )


def round_results(session: Session, *, round_id: int) -> list[RoundResult]:
    """Return a finished round's frozen results, best first."""
    query = select(RoundResult).where(RoundResult.round_id == round_id)
    return list(session.exec(query.order_by(col(RoundResult.rank), col(RoundResult.department_id))))


def frozen_scores(session: Session, *, round_id: int) -> list[UnitScore]:
    """Return a finished round's results as UnitScore rows."""
    return [
        UnitScore(r.department_id, r.score, r.rank, r.colour, r.measure)
        for r in round_results(session, round_id=round_id)
    ]


def compare_rounds(session: Session, *, round_ids: list[int]) -> dict[int, dict[int, RoundResult]]:
    """Return department id → round id → frozen result over the chosen rounds."""
    query = select(RoundResult).where(col(RoundResult.round_id).in_(round_ids))
    found: dict[int, dict[int, RoundResult]] = {}
    for r in session.exec(query).all():
        found.setdefault(r.department_id, {})[r.round_id] = r
    return found


def _setting(session: Session, key: str) -> dict | None:
    row = session.get(ConsoleSetting, key)
    try:
        return json.loads(row.value) if row else None
    except ValueError:
        return None


def thresholds(session: Session) -> RatingThresholds:
    """Return the evaluation colour thresholds (defaults 60 / 80)."""
    stored = _setting(session, texts.THRESHOLDS_KEY) or {}
    try:
        return RatingThresholds(**{k: float(v) for k, v in stored.items()})
    except (TypeError, ValueError):
        return RatingThresholds()


def measures(session: Session) -> dict[str, str]:
    """Return the measure per colour (defaults from texts)."""
    stored = _setting(session, texts.MEASURES_KEY) or {}
    return {c: str(stored.get(c) or m) for c, m in texts.DEFAULT_MEASURES.items()}
