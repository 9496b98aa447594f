"""Console pages for surveys (/console/surveys): import, edit, publish, close, results, export.

Administrators see every survey; a department head sees only the surveys about their departments
(their own and its institutions): those evaluating one of them or whose audience names one
(`audience.surveys_about`). Any other survey answers 404 on every page, chart and export.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for

from backend.db import writing
from backend.models import Survey, saved_id
from backend.models.surveys import (
    AUDIENCE_LABELS,
    QUESTION_KIND_LABELS,
    SURVEY_KIND_LABELS,
    SurveyStatus,
)
from backend.org import accounts
from backend.org.queries import department_names
from backend.runtime import runtime
from backend.surveys import audience as audiences
from backend.surveys import excel, export
from backend.surveys import links as qr
from backend.surveys import queries as survey_queries
from backend.surveys import questions as rules
from backend.surveys import result_charts as charts
from backend.surveys import service as surveys
from backend.surveys.queries import find_survey
from backend.surveys.results import survey_results
from backend.web.console.access import require_role, signed_in_account, visible_department_ids
from backend.web.console.area_forms import SurveySettingsForm
from backend.web.console.form_fields import filled
from backend.web.console.jobs import start_job
from backend.web.console.uploads import uploaded_workbook
from backend.web.guards import accepts_upload
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

blueprint = Blueprint("console_surveys", __name__, url_prefix="/console/surveys")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {
    "kinds": SURVEY_KIND_LABELS,
    "audiences": AUDIENCE_LABELS,
    "question_kinds": QUESTION_KIND_LABELS,
}
STATUS_LABELS = {"draft": "草稿", "published": "已发布", "closed": "已关闭"}
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def _now() -> datetime:
    return runtime().clock()


def _visible_ids(session: Session) -> set[int] | None:
    """Return the surveys the signed-in account may open (None = all, for administrators)."""
    departments = visible_department_ids(session, signed_in_account())
    if departments is None:
        return None
    return audiences.surveys_about(session, department_ids=departments) if departments else set()


def _survey(session: Session, survey_id: int) -> Survey:
    survey = find_survey(session, survey_id=survey_id)
    visible = _visible_ids(request_session())
    if survey is None or (visible is not None and survey.id not in visible):
        abort(404, description="没有这份问卷，或它与您的部门无关")
    return survey


def _xlsx(data: bytes, name: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@blueprint.get("/")
@require_role("admin", "head")
def index():
    """List the surveys and offer the template and the import."""
    return _index_page()


def _index_page(problems: list[str] | None = None, status: int = 200):
    session = request_session()
    visible = _visible_ids(session)
    rows = [
        (s, survey_queries.response_count(session, survey_id=saved_id(s)))
        for s in survey_queries.list_surveys(session)
        if visible is None or s.id in visible
    ]
    html = render_template(
        "surveys/console_index.html",
        rows=rows,
        problems=problems or [],
        statuses=STATUS_LABELS,
        now=_now(),
        **LABELS,
    )
    return html, status


@blueprint.get("/template.xlsx")
@require_role("admin")
def template():
    """Download the Excel template."""
    return _xlsx(excel.template_xlsx(), "%E9%97%AE%E5%8D%B7%E6%A8%A1%E6%9D%BF.xlsx")


@blueprint.post("/import")
@accepts_upload
@require_role("admin")
def import_survey():
    """Queue a job that creates a draft survey from an uploaded template."""
    return start_job("import_survey", {}, uploaded_workbook(surveys.texts.NOT_A_WORKBOOK))


def _audit(session: Session, action: str, survey: Survey, detail: str = "") -> None:
    accounts.record_audit(
        session,
        account=signed_in_account(),
        action=action,
        target=f"survey:{survey.id} {survey.title}",
        detail=detail,
    )


@blueprint.get("/<int:survey_id>")
@require_role("admin", "head")
def detail(survey_id: int):
    """Show a survey's settings, questions, link and QR code."""
    return _detail_page(survey_id)


def _detail_page(survey_id: int, problems: list[str] | None = None, status: int = 200, failed=None):
    session = request_session()
    survey = _survey(session, survey_id)
    spec = survey_queries.spec_of(session, survey=survey)
    questions = survey_queries.questions_of(session, survey_id=saved_id(survey))
    names = department_names(session)
    link = qr.survey_link(runtime().settings.PUBLIC_BASE_URL, survey.token)
    html = render_template(
        "surveys/console_detail.html",
        survey=survey,
        spec=spec,
        questions=questions,
        options={q.id: rules.options_of(q) for q in questions},
        names=names,
        link=link,
        problems=problems or [],
        statuses=STATUS_LABELS,
        time_format=TIME_FORMAT,
        zone=runtime().settings.timezone,
        responses=survey_queries.response_count(session, survey_id=saved_id(survey)),
        failed=failed,
        **LABELS,
    )
    return html, status


def _settings_spec(spec, form: SurveySettingsForm, zone):
    """Return the survey's spec with the form's settings (times in the site's zone)."""
    return dataclasses.replace(
        spec,
        title=form.title.data,
        introduction=form.introduction.data,
        opens_at=filled(form.opens_at.data).replace(tzinfo=zone),
        closes_at=filled(form.closes_at.data).replace(tzinfo=zone),
        anonymous=form.anonymous.data,
    )


def _change(survey_id: int, change, message: str):
    """Run `change(session, survey)` in one transaction; show its problem (text, status) if any."""
    with writing(runtime().engine) as session:
        problem = change(session, _survey(session, survey_id))
        if problem:
            session.rollback()
    if problem:
        return _detail_page(survey_id, problem[0], problem[1])
    flash(message, "success")
    return redirect(url_for(".detail", survey_id=survey_id))


@blueprint.post("/<int:survey_id>/settings")
@require_role("admin")
def edit_settings(survey_id: int):
    """Change the title, introduction, open period and anonymity."""
    form = SurveySettingsForm()
    if not form.validate():
        return _detail_page(survey_id, status=400, failed=form)

    def change(session: Session, survey: Survey):
        zone = runtime().settings.timezone
        spec = _settings_spec(survey_queries.spec_of(session, survey=survey), form, zone)
        surveys.update_survey(session, survey=survey, spec=spec, questions=False)
        _audit(session, "survey.edit", survey)
        return None

    return _change(survey_id, change, "已保存。")


@blueprint.post("/<int:survey_id>/questions")
@accepts_upload
@require_role("admin")
def replace_questions(survey_id: int):
    """Queue a job replacing the survey (settings and questions) from a new template."""
    _survey(request_session(), survey_id)
    data = uploaded_workbook(surveys.texts.NOT_A_WORKBOOK)
    return start_job("import_survey", {"survey_id": survey_id}, data)


@blueprint.post("/<int:survey_id>/publish")
@require_role("admin")
def publish(survey_id: int):
    """Publish the survey and queue the invitations."""

    def change(session: Session, survey: Survey):
        if survey.status != SurveyStatus.DRAFT:
            return ["问卷已经发布过了。"], 409
        count = surveys.publish(session, survey=survey, now=_now())
        _audit(session, "survey.publish", survey, f"{count} invited")
        return None

    return _change(survey_id, change, "已发布，邀请已发出。")


@blueprint.post("/<int:survey_id>/close")
@require_role("admin")
def close(survey_id: int):
    """Close the survey now."""

    def change(session: Session, survey: Survey):
        surveys.close_survey(session, survey=survey)
        _audit(session, "survey.close", survey)
        return None

    return _change(survey_id, change, "问卷已关闭，不再接受填写。")


@blueprint.get("/<int:survey_id>/results")
@require_role("admin", "head")
def results(survey_id: int):
    """Show response rates, scores, distributions with charts and free-text answers."""
    session = request_session()
    found = survey_results(session, survey=_survey(session, survey_id))
    return render_template(
        "surveys/console_results.html", results=found, survey=found.survey, **LABELS
    )


@blueprint.get("/<int:survey_id>/chart/<int:question_id>.png")
@require_role("admin", "head")
def chart(survey_id: int, question_id: int):
    """Draw one question's distribution."""
    session = request_session()
    found = survey_results(session, survey=_survey(session, survey_id))
    result = next((r for r in found.questions if r.question.id == question_id), None)
    if result is None:
        abort(404, description="没有这道题")
    title = f"{result.question.seq}. {result.question.text}"
    return Response(charts.distribution_png(title, result.counts), mimetype="image/png")


@blueprint.get("/<int:survey_id>/scores.png")
@require_role("admin", "head")
def scores_chart(survey_id: int):
    """Draw the evaluated departments' scores."""
    session = request_session()
    found = survey_results(session, survey=_survey(session, survey_id))
    rows = [(r.department, r.score) for r in found.scores if r.score is not None]
    return Response(charts.scores_png(rows), mimetype="image/png")


@blueprint.get("/<int:survey_id>/export.xlsx")
@require_role("admin", "head")
def export_xlsx(survey_id: int):
    """Download every response and the summary as Excel."""
    session = request_session()
    data = export.export_xlsx(session, survey_results(session, survey=_survey(session, survey_id)))
    return _xlsx(data, f"survey-{survey_id}.xlsx")
