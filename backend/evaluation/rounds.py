"""The round service: open, self-evaluate, on-site scores, preview and finish (freeze)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import Session, col, delete, select

from backend.evaluation import metrics, queries, rules, texts
from backend.evaluation.errors import EvaluationError
from backend.evaluation.tree import check_total
from backend.models import Department, saved_id, utcnow
from backend.models.evaluation import (
    EvaluationRound,
    PointMethod,
    PointScore,
    RoundResult,
    RoundStatus,
    RoundSurvey,
    RoundSurveyKind,
    RoundUnit,
    ScoreSource,
)


def open_round(
    session: Session,
    *,
    name: str,
    period_start: date,
    period_end: date,
    tree_id: int,
    department_ids: list[int],
    account=None,
) -> EvaluationRound:
    """Open a round on a tree totalling 100 for the given units."""
    if period_start > period_end:
        raise EvaluationError(texts.ERR_DATES)
    if not department_ids:
        raise EvaluationError(texts.ERR_NO_UNITS)
    for dept in department_ids:
        if session.get(Department, dept) is None:
            raise EvaluationError(texts.ERR_UNIT_MISSING.format(unit=dept))
    check_total(session, tree_id=tree_id)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise EvaluationError(texts.ERR_NAME.format(limit=100))
    rnd = EvaluationRound(
        name=name,
        period_start=period_start,
        period_end=period_end,
        tree_id=tree_id,
        opened_by=getattr(account, "id", None),
    )
    session.add(rnd)
    session.flush()
    for dept in sorted(set(department_ids)):
        session.add(RoundUnit(round_id=saved_id(rnd), department_id=dept))
    session.flush()
    return rnd


def _open(session: Session, round_id: int) -> EvaluationRound:
    rnd = session.get(EvaluationRound, round_id)
    if rnd is None:
        raise EvaluationError(texts.ERR_ROUND_MISSING, 404)
    if rnd.status == RoundStatus.FINISHED:
        raise EvaluationError(texts.ERR_ROUND_FINISHED, 409)
    return rnd


def _unit(session: Session, round_id: int, department_id: int) -> RoundUnit:
    unit = session.exec(
        select(RoundUnit).where(
            RoundUnit.round_id == round_id, RoundUnit.department_id == department_id
        )
    ).first()
    if unit is None:
        raise EvaluationError(texts.ERR_NOT_IN_ROUND, 404)
    return unit


def link_survey(session: Session, *, round_id: int, survey_id: int, kind: str) -> None:
    """Link a self- or mutual-evaluation survey to an open round."""
    from backend.models import Survey

    _open(session, round_id)
    if session.get(Survey, survey_id) is None:
        raise EvaluationError(texts.ERR_SURVEY_MISSING, 404)
    try:
        survey_kind = RoundSurveyKind(kind)
    except ValueError:
        raise EvaluationError(texts.ERR_SURVEY_KIND) from None
    link = session.get(RoundSurvey, (round_id, survey_id))
    if link is None:
        link = RoundSurvey(round_id=round_id, survey_id=survey_id, kind=survey_kind)
    link.kind = survey_kind  # linking again changes the kind, never a duplicate row
    session.add(link)
    session.flush()


def _save_scores(session, rnd, department_id, scores, source, account) -> None:
    points = {saved_id(p): p for p in queries.points_of(session, tree_id=rnd.tree_id)}
    checked = []
    for point_id, (raw, note) in scores.items():
        point = points.get(int(point_id))
        if point is None:
            raise EvaluationError(texts.ERR_POINT_UNKNOWN.format(point=point_id))
        if point.method != PointMethod.SCORED:
            raise EvaluationError(texts.ERR_NOT_SCORED.format(point=point.name))
        if len(note or "") > texts.NOTE_LIMIT:
            raise EvaluationError(texts.ERR_TEXT_LONG.format(limit=texts.NOTE_LIMIT))
        checked.append(
            (saved_id(point), rules.check_score(raw, point.max_score, point.name), note or "")
        )
    round_id = saved_id(rnd)
    ids = [pid for pid, _, _ in checked]
    session.exec(
        delete(PointScore).where(
            col(PointScore.round_id) == round_id,
            col(PointScore.department_id) == department_id,
            col(PointScore.source) == source,
            col(PointScore.point_id).in_(ids),
        )
    )
    for pid, value, note in checked:
        session.add(
            PointScore(
                round_id=round_id,
                department_id=department_id,
                point_id=pid,
                source=source,
                score=value,
                note=note,
                account_id=getattr(account, "id", None),
            )
        )
    session.flush()


def save_self_evaluation(
    session: Session,
    *,
    round_id: int,
    department_id: int,
    scores: Mapping[int, tuple[object, str]],
    assessment: str,
    submit: bool,
    account=None,
) -> RoundUnit:
    """Save a unit's self-scores and self-assessment (submitted when `submit`)."""
    rnd = _open(session, round_id)
    unit = _unit(session, round_id, department_id)
    if len(assessment or "") > texts.ASSESSMENT_LIMIT:
        raise EvaluationError(texts.ERR_TEXT_LONG.format(limit=texts.ASSESSMENT_LIMIT))
    _save_scores(session, rnd, department_id, scores, ScoreSource.SELF, account)
    unit.self_assessment = assessment or ""
    if submit:
        unit.self_submitted_at = utcnow()
    session.add(unit)
    return unit


def save_onsite_scores(
    session: Session,
    *,
    round_id: int,
    department_id: int,
    scores: Mapping[int, tuple[object, str]],
    visited_on: date | None,
    notes: str,
    account=None,
) -> RoundUnit:
    """Save the evaluators' on-site scores and visit record for a unit."""
    rnd = _open(session, round_id)
    unit = _unit(session, round_id, department_id)
    if len(notes or "") > texts.ASSESSMENT_LIMIT:
        raise EvaluationError(texts.ERR_TEXT_LONG.format(limit=texts.ASSESSMENT_LIMIT))
    _save_scores(session, rnd, department_id, scores, ScoreSource.ONSITE, account)
    unit.visited_on, unit.visit_notes = visited_on, notes or ""
    session.add(unit)
    return unit


def _compute(session: Session, rnd: EvaluationRound):
    """Return (points, values per dept, point scores per dept, unit scores) — no writes."""
    round_id = saved_id(rnd)
    points = queries.points_of(session, tree_id=rnd.tree_id)
    depts = queries.round_department_ids(session, round_id=round_id)
    metric_of = {saved_id(p): p.metric for p in points if p.metric}
    values = metrics.unit_values(
        session,
        round_id=round_id,
        department_ids=depts,
        metrics=set(metric_of.values()),
        start=rnd.period_start,
        end=rnd.period_end,
    )
    onsite = queries.scores_by_unit(session, round_id=round_id, source=ScoreSource.ONSITE)
    specs = [
        rules.PointSpec(saved_id(p), p.max_score, p.method == PointMethod.COMPUTED, p.target)
        for p in points
    ]
    scored_ids = {s.point_id for s in specs if not s.computed}
    per_unit, missing, unit_values = {}, {}, {}
    for dept in depts:
        unit_values[dept] = {pid: values.get(m, {}).get(dept) for pid, m in metric_of.items()}
        per_unit[dept] = rules.point_scores(specs, unit_values[dept], onsite.get(dept, {}))
        missing[dept] = len(scored_ids - set(onsite.get(dept, {})))
    totals = {d: rules.unit_total(s) for d, s in per_unit.items()}
    thresholds, measures = queries.thresholds(session), queries.measures(session)
    return points, unit_values, rules.unit_scores(totals, thresholds, measures, missing)


def preview_scores(session: Session, *, round_id: int) -> list[rules.UnitScore]:
    """Return live unit scores of a round (frozen results for a finished one)."""
    rnd = session.get(EvaluationRound, round_id)
    if rnd is None:
        raise EvaluationError(texts.ERR_ROUND_MISSING, 404)
    if rnd.status == RoundStatus.FINISHED:
        return queries.frozen_scores(session, round_id=round_id)
    return _compute(session, rnd)[2]


def finish_round(session: Session, *, round_id: int, account=None) -> list[rules.UnitScore]:
    """Freeze the round: computed points' scores and each unit's result."""
    rnd = _open(session, round_id)
    points, values, results = _compute(session, rnd)
    for dept, by_point in values.items():
        for p in points:
            if p.method == PointMethod.COMPUTED:
                value = by_point.get(saved_id(p))
                session.add(
                    PointScore(
                        round_id=round_id,
                        department_id=dept,
                        point_id=saved_id(p),
                        source=ScoreSource.COMPUTED,
                        score=round(rules.computed_score(p.max_score, value, p.target), 4),
                        note=rules.computed_note(value, p.target),
                    )
                )
    for r in results:
        session.add(
            RoundResult(
                round_id=round_id,
                department_id=r.department_id,
                score=r.score,
                rank=r.rank,
                colour=r.colour,
                measure=r.measure,
            )
        )
    rnd.status, rnd.finished_at = RoundStatus.FINISHED, utcnow()
    session.add(rnd)
    session.flush()
    return results


def save_settings(
    session: Session, *, yellow_from: float, green_from: float, measures: Mapping[str, str]
) -> None:
    """Store the colour thresholds and the measure per colour (the caller commits)."""
    import json

    from backend.models import ConsoleSetting
    from backend.reports.analytics import RatingThresholds

    try:
        RatingThresholds(yellow_from=yellow_from, green_from=green_from)
    except ValueError:
        raise EvaluationError(texts.ERR_THRESHOLDS) from None
    cleaned = {c: (measures.get(c) or "").strip() for c in texts.DEFAULT_MEASURES}
    if any(not m or len(m) > 200 for m in cleaned.values()):
        raise EvaluationError(texts.ERR_MEASURE)
    for key, value in (
        (texts.THRESHOLDS_KEY, {"yellow_from": yellow_from, "green_from": green_from}),
        (texts.MEASURES_KEY, cleaned),
    ):
        row = session.get(ConsoleSetting, key) or ConsoleSetting(key=key, value="")
        row.value, row.updated_at = json.dumps(value, ensure_ascii=False), utcnow()
        session.add(row)
