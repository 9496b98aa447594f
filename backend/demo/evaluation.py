"""The demo county's evaluation: default tree, one finished round, surveys and a problem ledger."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, delete, select

from backend.demo import evaluation_texts as texts
from backend.demo.catalogue import STAFFING_OFFICE
from backend.demo.county import DemoUnit, Period, local_time
from backend.evaluation import queries, rounds
from backend.evaluation.default_tree import create_default_tree
from backend.ledger import service as ledger
from backend.models import OutboxMessage, Staff, saved_id
from backend.models.evaluation import (
    EvaluationPoint,
    EvaluationRound,
    PointMethod,
    PointScore,
    RoundResult,
    ScoreSource,
)
from backend.models.ledger import FindingEvent, FindingStatus
from backend.models.surveys import (
    AudienceKind,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
    SurveyTarget,
)

ROUND_NAME = "{year}年度部门履职和编制资源使用效益评估"
# On-site share of each point's maximum, and survey scores, by how well a unit does.
ONSITE = {"weak": (0.42, 0.62), "normal": (0.62, 0.95), "strong": (0.92, 1.0)}
SURVEY = {"weak": (66, 82), "normal": (80, 95), "strong": (93, 99)}
RESPONDENTS = 5


def add_evaluation(
    session: Session, rng: random.Random, units: list[DemoUnit], period: Period
) -> EvaluationRound:
    """Create the default tree and one finished round over the demo period, with a ledger."""
    today = period.end
    tree = create_default_tree(session)
    tree.created_at = local_time(period.start - timedelta(days=20), 10)
    staffed = set(session.exec(select(Staff.department_id).distinct()))
    taking = [u for u in units if u.spec is not STAFFING_OFFICE and u.row.id in staffed]
    rnd = rounds.open_round(
        session,
        name=ROUND_NAME.format(year=period.end.year),
        period_start=period.start,
        period_end=period.end,
        tree_id=saved_id(tree),
        department_ids=[saved_id(u.row) for u in taking],
    )
    rnd.opened_at = local_time(today - timedelta(days=28), 9)
    level = _levels(rng, taking)
    _add_surveys(session, rng, rnd, taking, level, today)
    points = [
        p for p in queries.points_of(session, tree_id=rnd.tree_id) if p.method == PointMethod.SCORED
    ]
    for unit in taking:
        _score_unit(session, rng, rnd, unit, points, level[unit.row.id], today)
    finished = local_time(today - timedelta(days=6), 17)
    rounds.finish_round(session, round_id=saved_id(rnd))
    rnd.finished_at = finished
    _stamp(session, rnd, finished)
    _add_findings(session, rng, rnd, taking, level, today)
    session.flush()
    return rnd


def _levels(rng: random.Random, taking: list[DemoUnit]) -> dict[int | None, str]:
    """Pick 2 weak units among the least diligent and 3 strong among the most diligent."""
    ordered = sorted(taking, key=lambda u: (u.diligence, saved_id(u.row)))
    weak = rng.sample(ordered[:5], 2)
    strong = rng.sample(ordered[-6:], 3)
    return {
        u.row.id: "weak" if u in weak else "strong" if u in strong else "normal" for u in taking
    }


def _half(value: float) -> float:
    return round(value * 2) / 2


def _score_unit(session, rng, rnd, unit, points, level: str, today: date) -> None:
    dept, round_id = saved_id(unit.row), saved_id(rnd)
    low, high = ONSITE[level]
    own, onsite = {}, {}
    for point in points:
        found = min(_half(point.max_score * rng.uniform(low, high)), point.max_score)
        claimed = max(_half(point.max_score * rng.uniform(0.7, 1.0)), found)
        own[saved_id(point)] = (min(claimed, point.max_score), rng.choice(texts.SELF_NOTES))
        onsite[saved_id(point)] = (
            found,
            "" if found == point.max_score else rng.choice(texts.ONSITE_NOTES),
        )
    name = unit.row.short_name or unit.row.name
    assessment = (
        rng.choice(texts.OPENINGS).format(name=name)
        + rng.choice(texts.STRENGTHS)
        + rng.choice(texts.GAPS)
        + rng.choice(texts.PLANS)
    )
    rounds.save_self_evaluation(
        session,
        round_id=round_id,
        department_id=dept,
        scores=own,
        assessment=assessment,
        submit=True,
    )
    visited = today - timedelta(days=rng.randint(8, 18))
    notes = rng.choice(texts.VISITS).format(n=rng.randint(3, 8))
    rounds.save_onsite_scores(
        session,
        round_id=round_id,
        department_id=dept,
        scores=onsite,
        visited_on=visited,
        notes=notes,
    )


def _stamp(session: Session, rnd: EvaluationRound, finished: datetime) -> None:
    """Give the round's rows fixed times (the services stamp them with the clock)."""
    round_id = saved_id(rnd)
    visits = {}
    for unit in queries.round_units(session, round_id=round_id):
        assert unit.visited_on is not None
        unit.self_submitted_at = local_time(unit.visited_on - timedelta(days=5), 16)
        visits[unit.department_id] = (unit.self_submitted_at, local_time(unit.visited_on, 15))
        session.add(unit)
    for score in session.exec(select(PointScore).where(PointScore.round_id == round_id)):
        own, onsite = visits[score.department_id]
        picked = {ScoreSource.SELF: own, ScoreSource.ONSITE: onsite}
        score.scored_at = picked.get(score.source, finished)
        session.add(score)
    for result in session.exec(select(RoundResult).where(RoundResult.round_id == round_id)):
        result.computed_at = finished
        session.add(result)
    session.add(rnd)
    session.flush()


def _add_surveys(session, rng, rnd, taking, level, today: date) -> None:
    """Add the round's self- and mutual-evaluation surveys with their answered scores."""
    members: dict[int, list[int]] = {}
    for staff_id, dept in session.exec(
        select(Staff.id, Staff.department_id).order_by(col(Staff.id))
    ):
        members.setdefault(dept, []).append(staff_id)
    depts = [saved_id(u.row) for u in taking]
    year = today.year
    for kind, title, text in (
        (SurveyKind.SELF, f"{year}年度部门履职自评问卷", "请对本单位履职情况总体打分"),
        (SurveyKind.MUTUAL, f"{year}年度部门履职互评问卷", "请对该单位履职和协作配合情况打分"),
    ):
        opens = local_time(today - timedelta(days=26), 9)
        survey = Survey(
            title=title,
            kind=kind,
            audience_kind=AudienceKind.DEPARTMENTS,
            audience=json.dumps({"department_ids": depts}),
            opens_at=opens,
            closes_at=local_time(today - timedelta(days=12), 18),
            status=SurveyStatus.PUBLISHED,
            token=f"{rng.getrandbits(128):032x}",
            published_at=opens,
            created_at=opens - timedelta(days=1),
        )
        session.add(survey)
        session.flush()
        question = SurveyQuestion(
            survey_id=saved_id(survey), seq=1, text=text, kind=QuestionKind.SCORE, weight=1.0
        )
        session.add(question)
        session.add_all(SurveyTarget(survey_id=saved_id(survey), department_id=d) for d in depts)
        session.flush()
        for dept in depts:
            if kind == SurveyKind.SELF:
                pool = [(s, dept) for s in members.get(dept, [])]
            else:
                pool = [(s, d) for d in depts if d != dept for s in members.get(d, [])[:3]]
            low, high = SURVEY[level[dept]]
            for staff_id, home in rng.sample(pool, min(RESPONDENTS, len(pool))):
                score = float(rng.randint(low, high))
                response = SurveyResponse(
                    survey_id=saved_id(survey),
                    respondent_key=f"staff:{staff_id}",
                    staff_id=staff_id,
                    department_id=home,
                    evaluated_department_id=dept,
                    channel="chat",
                    score=score,
                    submitted_at=opens
                    + timedelta(days=rng.randint(0, 12), hours=rng.randint(0, 8)),
                )
                session.add(response)
                session.flush()
                session.add(
                    SurveyAnswer(
                        response_id=saved_id(response), question_id=saved_id(question), number=score
                    )
                )
        rounds.link_survey(session, round_id=saved_id(rnd), survey_id=saved_id(survey), kind=kind)


def _add_findings(session, rng, rnd, taking, level, today: date) -> None:
    """Record 2–3 findings for weak units and 1 for some others; walk them through the ledger."""
    points = {
        p.name: saved_id(p)
        for p in session.exec(select(EvaluationPoint).where(EvaluationPoint.tree_id == rnd.tree_id))
    }
    weak = [u for u in taking if level[u.row.id] == "weak"]
    others = rng.sample([u for u in taking if level[u.row.id] == "normal"], 5)
    plan = [(u, n) for u in weak for n in (rng.randint(2, 3),)] + [(u, 1) for u in others]
    statuses = list(FindingStatus)
    wanted = statuses + [rng.choice(statuses) for _ in range(sum(n for _, n in plan) - 5)]
    rng.shuffle(wanted)
    near = True  # the first committed finding is due within the reminder window
    for unit, count in plan:
        visited = queries.round_unit(session, round_id=saved_id(rnd), department_id=unit.row.id)
        assert visited is not None and visited.visited_on is not None
        for spec in rng.sample(texts.PROBLEMS, count):
            status = wanted.pop()
            due = rng.randint(1, 3) if near and status == FindingStatus.COMMITTED else None
            near = near and due is None
            _walk(session, rng, rnd, unit, spec, points, visited.visited_on, status, today, due)
    session.exec(delete(OutboxMessage).where(col(OutboxMessage.dedupe_key).like("ledger:%")))


def _walk(session, rng, rnd, unit, spec, points, found, status, today, due) -> None:
    problem, suggestion, measure, report, point = spec
    names = [s.name for s in unit.sections] + ["办公室", "业务股"]
    finding = ledger.record_finding(
        session,
        department_id=saved_id(unit.row),
        problem=problem.format(a=names[0], b=names[1]),
        found_on=found,
        suggestion=suggestion,
        round_id=saved_id(rnd),
        point_id=points[point],
    )
    fid, day = saved_id(finding), found
    stamps = [local_time(found, 16)]
    if status != FindingStatus.OPEN:
        day = found + timedelta(days=rng.randint(1, 2))
        days = due if due is not None else rng.choice((5, 7, 10, 20, 30))
        deadline = today + timedelta(days=days) if status == FindingStatus.COMMITTED else None
        deadline = deadline or day + timedelta(days=rng.randint(3, 6))
        ledger.commit_measure(
            session, finding_id=fid, measure=measure, deadline=deadline, today=day
        )
        finding.committed_at = local_time(day, 10)
        stamps.append(finding.committed_at)
    if status in {FindingStatus.REPORTED, FindingStatus.CLOSED, FindingStatus.REOPENED}:
        day = min(day + timedelta(days=rng.randint(2, 3)), today)
        ledger.file_report(session, finding_id=fid, report=report)
        finding.reported_at = local_time(day, 11)
        stamps.append(finding.reported_at)
    if status in {FindingStatus.CLOSED, FindingStatus.REOPENED}:
        day = min(day + timedelta(days=1), today)
        passed = status == FindingStatus.CLOSED
        note = texts.CHECK_PASSED if passed else texts.CHECK_FAILED
        ledger.check_finding(session, finding_id=fid, passed=passed, note=note)
        finding.checked_at = local_time(day, 15)
        finding.closed_at = finding.checked_at if passed else None
        stamps.append(finding.checked_at)
    finding.created_at, finding.updated_at = stamps[0], stamps[-1]
    events = session.exec(
        select(FindingEvent).where(FindingEvent.finding_id == fid).order_by(col(FindingEvent.id))
    )
    for event, at in zip(events, stamps, strict=True):
        event.at = at
        session.add(event)
    session.add(finding)
    session.flush()
