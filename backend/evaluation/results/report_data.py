"""The figures behind a finished round's 专报 and a unit's feedback report (reads only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from backend.evaluation import queries
from backend.evaluation import texts as evaluation_texts
from backend.evaluation.errors import EvaluationError
from backend.evaluation.results import texts
from backend.ledger import queries as ledger_queries
from backend.ledger.rules import UNRESOLVED
from backend.ledger.texts import STATUS_LABELS
from backend.models.evaluation import (
    EvaluationRound,
    PointMethod,
    RoundResult,
    RoundStatus,
    ScoreSource,
)
from backend.models.ledger import Finding
from backend.org.queries import department_names
from backend.staffing import queries as staffing_queries
from backend.staffing.figures import UnitStructure

COLOURS = ("green", "yellow", "red")


@dataclass(frozen=True)
class StaffingUse:
    """A unit's posts against its staff, and its output per post against the county's."""

    approved: int
    actual: int
    vacancies: int
    over_quota: int
    cases: int | None
    per_post: float | None
    county_per_post: float | None


@dataclass(frozen=True)
class Problem:
    """One ledger finding as the reports print it."""

    department_id: int
    unit: str
    problem: str
    found_on: date
    status: str
    measure: str
    deadline: date | None
    open: bool


@dataclass(frozen=True)
class UnitRow:
    """One unit's frozen result with its staffing use and its open problems."""

    department_id: int
    unit: str
    rank: int
    score: float
    colour: str
    colour_label: str
    measure: str
    staffing: StaffingUse
    problems: list[Problem]


@dataclass(frozen=True)
class RoundReport:
    """What the 专报 shows: the units best first, the county summary, the open problems."""

    round: EvaluationRound
    units: list[UnitRow]
    colour_counts: dict[str, int]
    average: float | None
    problems: list[Problem]
    structure: list[UnitStructure]


@dataclass(frozen=True)
class PointRow:
    """One evaluation point of a unit: its worth, the self score and the score that counts."""

    seq: int
    name: str
    max_score: float
    self_score: float | None
    score: float | None


@dataclass(frozen=True)
class UnitFeedback:
    """What a unit's feedback report shows."""

    round: EvaluationRound
    unit: UnitRow
    total_units: int
    points: list[PointRow]
    findings: list[Problem]


def finished_round(session: Session, round_id: int) -> EvaluationRound:
    """Return a finished round; 404 when missing, 409 while still open."""
    rnd = session.get(EvaluationRound, round_id)
    if rnd is None:
        raise EvaluationError(evaluation_texts.ERR_ROUND_MISSING, 404)
    if rnd.status != RoundStatus.FINISHED:
        raise EvaluationError(texts.ERR_NOT_FINISHED, 409)
    return rnd


def _staffing(session: Session, rnd: EvaluationRound, ids: list[int]) -> dict[int, StaffingUse]:
    staffing = staffing_queries.unit_staffing(session, on=rnd.period_end, department_ids=ids)
    output, county = staffing_queries.unit_output(
        session, start=rnd.period_start, end=rnd.period_end, department_ids=ids
    )
    by_unit = {o.department_id: o for o in output}
    found = {}
    for unit in staffing:
        out = by_unit.get(unit.department_id)
        found[unit.department_id] = StaffingUse(
            approved=unit.approved_total,
            actual=unit.actual_established,
            vacancies=unit.vacancies,
            over_quota=sum(unit.over_quota.values()),
            cases=out.cases if out else None,
            per_post=out.per_post if out else None,
            county_per_post=county.per_post,
        )
    return found


def _problem(finding: Finding, names: dict[int, str]) -> Problem:
    return Problem(
        department_id=finding.department_id,
        unit=names.get(finding.department_id, ""),
        problem=finding.problem,
        found_on=finding.found_on,
        status=STATUS_LABELS.get(finding.status, str(finding.status)),
        measure=finding.measure,
        deadline=finding.deadline,
        open=finding.status in UNRESOLVED,
    )


def _row(result: RoundResult, names, staffing, problems: list[Problem]) -> UnitRow:
    name = names.get(result.department_id, "")
    return UnitRow(
        department_id=result.department_id,
        unit=name,
        rank=result.rank,
        score=result.score,
        colour=result.colour,
        colour_label=evaluation_texts.COLOUR_LABELS.get(result.colour, result.colour),
        measure=result.measure,
        staffing=staffing.get(result.department_id, StaffingUse(0, 0, 0, 0, None, None, None)),
        problems=[p for p in problems if p.department_id == result.department_id],
    )


def round_report(session: Session, *, round_id: int) -> RoundReport:
    """Load a finished round's results, staffing use and the units' unresolved problems."""
    rnd = finished_round(session, round_id)
    results = queries.round_results(session, round_id=round_id)
    ids = [r.department_id for r in results]
    names = department_names(session)
    found = ledger_queries.findings(session, department_ids=ids, statuses=UNRESOLVED)
    problems = [_problem(f, names) for f in found]
    staffing = _staffing(session, rnd, ids)
    units = [_row(r, names, staffing, problems) for r in results]
    counts = {c: sum(1 for u in units if u.colour == c) for c in COLOURS}
    average = round(sum(u.score for u in units) / len(units), 2) if units else None
    structure = staffing_queries.staff_structure(session, department_ids=ids, on=rnd.period_end)
    return RoundReport(rnd, units, counts, average, problems, structure)


def _points(session: Session, rnd: EvaluationRound, department_id: int) -> list[PointRow]:
    scores: dict[tuple[int, ScoreSource], float] = {
        (s.point_id, ScoreSource(s.source)): s.score
        for s in queries.point_scores(session, round_id=rnd.id or 0, department_id=department_id)
    }
    rows = []
    for seq, point in enumerate(queries.points_of(session, tree_id=rnd.tree_id), start=1):
        pid = point.id or 0
        counted = scores.get((pid, ScoreSource.ONSITE), scores.get((pid, ScoreSource.COMPUTED)))
        if counted is None and point.method == PointMethod.SCORED:
            counted = 0.0
        rows.append(
            PointRow(seq, point.name, point.max_score, scores.get((pid, ScoreSource.SELF)), counted)
        )
    return rows


def unit_feedback(session: Session, *, round_id: int, department_id: int) -> UnitFeedback:
    """Load one unit's result, its points and its findings (this round's or unresolved)."""
    rnd = finished_round(session, round_id)
    results = queries.round_results(session, round_id=round_id)
    mine = next((r for r in results if r.department_id == department_id), None)
    if mine is None:
        raise EvaluationError(evaluation_texts.ERR_NOT_IN_ROUND, 404)
    names = department_names(session)
    found = [
        f
        for f in ledger_queries.findings(session, department_ids=[department_id])
        if f.round_id == round_id or f.status in UNRESOLVED
    ]
    problems = [_problem(f, names) for f in found]
    staffing = _staffing(session, rnd, [department_id])
    unit = _row(mine, names, staffing, [p for p in problems if p.open])
    points = _points(session, rnd, department_id)
    return UnitFeedback(rnd, unit, len(results), points, problems)


def _safe(name: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in name).strip() or "评估"


def download_name(
    session: Session, *, round_id: int, ext: str, department_id: int | None = None
) -> str:
    """Return the Chinese file name of a round's report (or a unit's feedback report)."""
    rnd = finished_round(session, round_id)
    if department_id is None:
        return texts.REPORT_FILE.format(name=_safe(rnd.name), ext=ext)
    unit = department_names(session).get(department_id, "")
    return texts.FEEDBACK_FILE.format(name=_safe(rnd.name), unit=_safe(unit))
