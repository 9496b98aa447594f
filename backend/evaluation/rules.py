"""Pure scoring: points and metric values in, point scores, unit scores, ranks and colours out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backend.evaluation import texts
from backend.reports.analytics import RatingThresholds, rating_colour


@dataclass(frozen=True)
class PointSpec:
    """What scoring needs of a point: its id, worth, method and metric target."""

    point_id: int
    max_score: float
    computed: bool
    target: float | None = None


@dataclass(frozen=True)
class UnitScore:
    """A unit's total in a round, its rank, colour, measure and points without on-site scores."""

    department_id: int
    score: float
    rank: int
    colour: str
    measure: str
    missing_onsite: int = 0


def computed_score(max_score: float, value: float | None, target: float | None) -> float:
    """Return max × min(value ÷ target, 1); no value scores 0."""
    if value is None:
        return 0.0
    goal = target if target and target > 0 else 1.0
    return max_score * max(0.0, min(value / goal, 1.0))


def computed_note(value: float | None, target: float | None) -> str:
    """Describe the value and the formula that gave a computed score."""
    if value is None:
        return f"{texts.NO_DATA}；{texts.COMPUTED_FORMULA}"
    return f"指标值 {value:.4f}，目标值 {target or 1.0:g}；{texts.COMPUTED_FORMULA}"


def point_scores(
    points: Sequence[PointSpec],
    values: Mapping[int, float | None],
    onsite: Mapping[int, float],
) -> dict[int, float]:
    """Score every point: computed from `values`, scored from on-site scores (missing → 0)."""
    return {
        p.point_id: computed_score(p.max_score, values.get(p.point_id), p.target)
        if p.computed
        else min(max(onsite.get(p.point_id, 0.0), 0.0), p.max_score)
        for p in points
    }


def unit_total(scores: Mapping[int, float]) -> float:
    """Return the sum of point scores rounded to 2 places."""
    return round(sum(scores.values()), 2)


def ranks(totals: Mapping[int, float]) -> dict[int, int]:
    """Rank highest first; equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    result: dict[int, int] = {}
    for position, (unit, total) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        same = previous is not None and previous[1] == total
        result[unit] = result[previous[0]] if same and previous else position
    return result


def unit_scores(
    totals: Mapping[int, float],
    thresholds: RatingThresholds,
    measures: Mapping[str, str],
    missing: Mapping[int, int] | None = None,
) -> list[UnitScore]:
    """Turn unit totals into ranked, coloured results, best first."""
    placed = ranks(totals)
    rows = []
    for unit, total in totals.items():
        colour = str(rating_colour(total, thresholds))
        rows.append(
            UnitScore(
                unit,
                total,
                placed[unit],
                colour,
                measures.get(colour, ""),
                (missing or {}).get(unit, 0),
            )
        )
    return sorted(rows, key=lambda r: (r.rank, r.department_id))


def tree_total(max_scores: Sequence[float]) -> float:
    """Return the sum of points' max scores, rounded to 2 places."""
    return round(sum(max_scores), 2)


def check_score(raw: object, max_score: float, point: str) -> float:
    """Parse a score and bound it to 0..max_score, or raise a Chinese error."""
    from backend.evaluation.errors import EvaluationError

    try:
        value = float(str(raw).strip())
    except ValueError:
        raise EvaluationError(texts.ERR_SCORE_NUMBER.format(value=raw)) from None
    if value != value or not 0 <= value <= max_score:
        raise EvaluationError(texts.ERR_SCORE_RANGE.format(max=max_score, point=point))
    return value
