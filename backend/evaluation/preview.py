"""A unit's computed points before the round is finished (what finishing would freeze)."""

from __future__ import annotations

from sqlmodel import Session

from backend.evaluation import metrics, queries, rules
from backend.models import saved_id
from backend.models.evaluation import EvaluationRound, PointMethod, RoundStatus, ScoreSource


def computed_points(session: Session, *, rnd: EvaluationRound, department_id: int) -> dict:
    """Return point id → (score, note) of a unit's computed points (frozen once finished)."""
    round_id = saved_id(rnd)
    if rnd.status == RoundStatus.FINISHED:
        stored = queries.point_scores(session, round_id=round_id, department_id=department_id)
        return {s.point_id: (s.score, s.note) for s in stored if s.source == ScoreSource.COMPUTED}
    points = [
        p
        for p in queries.points_of(session, tree_id=rnd.tree_id)
        if p.method == PointMethod.COMPUTED and p.metric
    ]
    wanted = {p.metric for p in points if p.metric}
    own = wanted & set(metrics.ANALYTICS_METRICS)  # one unit's own figures: only this unit's
    everyone = queries.round_department_ids(session, round_id=round_id)  # county-relative ones
    values: dict[str, dict[int, float | None]] = {}
    for units, keys in (([department_id], own), (everyone, wanted - own)):
        values |= metrics.unit_values(
            session,
            round_id=round_id,
            department_ids=units,
            metrics=keys,
            start=rnd.period_start,
            end=rnd.period_end,
        )
    found = {}
    for p in points:
        value = values.get(p.metric or "", {}).get(department_id)
        score = rules.computed_score(p.max_score, value, p.target)
        found[saved_id(p)] = (round(score, 4), rules.computed_note(value, p.target))
    return found
