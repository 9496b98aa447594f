"""Who a survey asks, which department each respondent evaluates, who has not answered yet."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.models import (
    Department,
    Staff,
    Survey,
    SurveyResponse,
    SurveyTarget,
    saved_id,
    saved_ids,
)
from backend.models.surveys import AudienceKind, SurveyKind
from backend.surveys.spec import Audience


def audience_of(survey: Survey) -> Audience:
    """Return the survey's audience settings."""
    return Audience.from_json(survey.audience_kind, json.loads(survey.audience or "{}"))


def target_departments(session: Session, *, survey_id: int) -> list[Department]:
    """Return the departments the survey evaluates, in display order."""
    query = (
        select(Department)
        .join(SurveyTarget, col(SurveyTarget.department_id) == Department.id)
        .where(col(SurveyTarget.survey_id) == survey_id)
        .order_by(col(Department.sort_order), col(Department.id))
    )
    return list(session.exec(query).all())


def surveys_about(session: Session, *, department_ids: set[int]) -> set[int]:
    """Return the ids of the surveys about these departments: evaluating them or asking them.

    A survey is about a department when it evaluates it (a SurveyTarget row) or when its audience
    names it (audience department ids, of any audience kind); a link survey evaluating nobody
    among them is about none of them.
    """
    evaluating = select(SurveyTarget.survey_id).where(
        col(SurveyTarget.department_id).in_(department_ids)
    )
    found = set(session.exec(evaluating).all())
    for survey in session.exec(select(Survey).where(col(Survey.id).not_in(found or {0}))).all():
        if department_ids & set(audience_of(survey).department_ids):
            found.add(saved_id(survey))
    return found


def _related_department_ids(session: Session, survey: Survey) -> list[int]:
    targets = {d.id for d in target_departments(session, survey_id=saved_id(survey))}
    rows = session.exec(select(col(Department.id), col(Department.parent_id))).all()
    return saved_ids(i for i, parent in rows if i not in targets and parent not in targets)


def audience_query(session: Session, survey: Survey):
    """Return the SELECT of the active staff the survey invites (none for link-only surveys)."""
    audience = audience_of(survey)
    query = select(Staff).where(col(Staff.active).is_(True))
    if audience.kind == AudienceKind.LINK:
        return query.where(col(Staff.id).is_(None))
    departments = list(audience.department_ids)
    if audience.kind == AudienceKind.RELATED and not departments:
        departments = _related_department_ids(session, survey)
    if departments or audience.kind != AudienceKind.FILTER:
        query = query.where(col(Staff.department_id).in_(departments))
    if audience.section_ids:
        query = query.where(col(Staff.section_id).in_(audience.section_ids))
    if audience.staffing_types:
        query = query.where(col(Staff.staffing_type).in_(audience.staffing_types))
    if audience.exclude_leaders:
        query = query.where(col(Staff.is_leader).is_(False))
    return query.order_by(col(Staff.id))


def audience_staff(session: Session, *, survey: Survey) -> list[Staff]:
    """Return the staff the survey invites."""
    return list(session.exec(audience_query(session, survey)).all())


def in_audience(session: Session, *, survey: Survey, staff: Staff) -> bool:
    """Tell whether the member may answer the survey in chat."""
    if survey.audience_kind == AudienceKind.LINK:
        return True
    query = audience_query(session, survey).where(Staff.id == staff.id)
    return session.exec(query).first() is not None


def respondent_key(survey: Survey, staff: Staff) -> str:
    """Return the member's respondent key (a pseudonym when the survey is anonymous)."""
    if not survey.anonymous:
        return f"staff:{staff.id}"
    digest = hashlib.sha256(f"{survey.token}:{survey.id}:{staff.id}".encode()).hexdigest()
    return f"anon:{digest[:32]}"


def evaluation_choices(
    session: Session, *, survey: Survey, staff: Staff | None
) -> list[Department]:
    """Return the departments this respondent may evaluate (one: no need to ask)."""
    targets = target_departments(session, survey_id=saved_id(survey))
    if len(targets) <= 1 or staff is None:
        return targets
    own = {staff.department_id, _parent_of(session, staff.department_id)}
    if survey.kind == SurveyKind.SELF:
        mine = [t for t in targets if t.id in own]
        return mine[:1] or targets
    if survey.kind == SurveyKind.MUTUAL:
        return [t for t in targets if t.id not in own] or targets
    return targets


def _parent_of(session: Session, department_id: int) -> int | None:
    department = session.get(Department, department_id)
    return department.parent_id if department else None


def answered_targets(session: Session, *, survey_id: int, key: str) -> set[int | None]:
    """Return the evaluated departments this respondent has already answered for."""
    query = select(SurveyResponse.evaluated_department_id).where(
        SurveyResponse.survey_id == survey_id, SurveyResponse.respondent_key == key
    )
    return set(session.exec(query).all())


def non_respondents(session: Session, *, survey: Survey) -> list[Staff]:
    """Return the invited staff who have not submitted any response yet."""
    query = select(SurveyResponse.respondent_key).where(SurveyResponse.survey_id == survey.id)
    done = set(session.exec(query).all())
    return [
        s for s in audience_staff(session, survey=survey) if respondent_key(survey, s) not in done
    ]


def audience_by_department(session: Session, *, survey: Survey) -> dict[int, int]:
    """Return {department id: number invited}."""
    sub = audience_query(session, survey).subquery()
    query = select(sub.c.department_id, func.count()).group_by(sub.c.department_id)
    return {department: count for department, count in session.exec(query).all()}
