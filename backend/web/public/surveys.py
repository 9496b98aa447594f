"""The survey's mobile form behind its QR code and short link (/s/<token>): no login.

Only link surveys (audience "链接": anyone with the link) are answered here. A survey that asks
invited staff (departments, a filter, related departments) shows a page telling the member to
answer it in WeCom (`问卷 N`), where the signed callback says who they are and each member counts
once; an anonymous answer would otherwise count in a department's score.

One response per device: the device is a random id in a signed cookie and the response is keyed
by it. Every POST carries a CSRF token (Flask-WTF, app-wide) and is rate-limited per address.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests

from backend.common.values import parse_int
from backend.db import writing
from backend.models import Survey, SurveyQuestion, saved_id
from backend.models.surveys import QuestionKind
from backend.runtime import runtime
from backend.supervision.qr_images import qr_png, qr_svg
from backend.surveys import audience as audiences
from backend.surveys import links as qr
from backend.surveys import queries as survey_queries
from backend.surveys import questions as rules
from backend.surveys import service as surveys
from backend.surveys import texts
from backend.surveys.queries import reread_survey
from backend.web.devices import DeviceCookie
from backend.web.limits import limiter
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

blueprint = Blueprint("public_surveys", __name__, url_prefix="/s")
DEVICE = DeviceCookie("lvzhi_survey_device", salt="lvzhi-survey-device")
RATE_LIMIT = "30 per minute;300 per hour"
TEMPLATE = "surveys/public_form.html"


def _message(message: str, status: int, *, title: str = "问卷", ok: bool = False):
    html = render_template("surveys/public_message.html", title=title, message=message, ok=ok)
    return html, status


def _load(session: Session, token: str) -> Survey | None:
    return survey_queries.by_token(session, token=token) if len(token) <= 32 else None


def _refusal(survey: Survey | None, now):
    """Return the page saying why this survey cannot be answered here, or None."""
    reason = surveys.problem(survey, now=now)
    if reason:
        return _message(reason, 404 if survey is None else 410)
    if survey is not None and not surveys.answerable_by_link(survey):
        return _message(surveys.staff_only_text(survey), 403, title=survey.title)
    return None


def _page(session, survey: Survey, *, values=None, errors=None, status=200, error=None):
    questions = survey_queries.questions_of(session, survey_id=saved_id(survey))
    targets = audiences.evaluation_choices(session, survey=survey, staff=None)
    html = render_template(
        TEMPLATE,
        survey=survey,
        questions=questions,
        targets=targets,
        values=values or {},
        errors=errors or {},
        error=error,
        options={q.id: rules.options_of(q) for q in questions},
        kinds=QuestionKind,
        tops=rules.RATING_TOPS,
    )
    return html, status


def _answered(session: Session, survey: Survey, device: str | None) -> bool:
    if device is None:
        return False
    done = audiences.answered_targets(session, survey_id=saved_id(survey), key=f"device:{device}")
    targets = audiences.evaluation_choices(session, survey=survey, staff=None)
    return bool(done) and len(done) >= max(1, len(targets))


@blueprint.get("/<token>")
def form(token: str):
    """Show the survey's form (or why it cannot be answered)."""
    device, session = DEVICE.read(), request_session()
    survey = _load(session, token)
    refusal = _refusal(survey, runtime().clock())
    if refusal or survey is None:
        return refusal
    if _answered(session, survey, device):
        return _message(texts.DEVICE_DONE, 409, title=survey.title)
    html, status = _page(session, survey)
    return DEVICE.attach(Response(html, status), device or secrets.token_hex(16))


def _read(question: SurveyQuestion) -> Any:
    name = f"q{question.id}"
    if question.kind == QuestionKind.MULTIPLE:
        raw = request.form.getlist(name)
        numbers = [parse_int(v, 0, 9999) for v in raw]
        if None in numbers:
            raise rules.AnswerError(
                texts.MULTIPLE_HINT.format(count=len(rules.options_of(question)))
            )
        return rules.check(question, numbers)
    text = request.form.get(name, "").strip()
    return rules.read_text(question, text) if text else rules.check(question, None)


def _read_all(questions: list[SurveyQuestion]) -> tuple[dict[int, Any], dict[int, str]]:
    values: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for question in questions:
        try:
            values[saved_id(question)] = _read(question)
        except rules.AnswerError as problem:
            errors[saved_id(question)] = str(problem)
    return values, errors


def _target(session: Session, survey: Survey) -> tuple[int | None, str | None]:
    choices = audiences.evaluation_choices(session, survey=survey, staff=None)
    if len(choices) <= 1:
        return (choices[0].id if choices else None), None
    wanted = request.form.get("target", "")
    found = next((d.id for d in choices if str(d.id) == wanted), None)
    return found, None if found else texts.TARGET_UNKNOWN


def _invalid(session: Session, survey: Survey, errors: dict, target_error: str | None) -> str:
    shown = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
    message = target_error or texts.FIX_BELOW.format(count=len(errors))
    html, _ = _page(session, survey, values=shown, errors=errors, error=message)
    return html


@blueprint.post("/<token>")
@limiter.limit(RATE_LIMIT)
def submit(token: str):
    """Check and store the answers once per device; show problems beside their questions."""
    device, session = DEVICE.read() or secrets.token_hex(16), request_session()
    now = runtime().clock()
    survey = _load(session, token)
    refusal = _refusal(survey, now)
    if refusal or survey is None:
        return refusal
    values, errors = _read_all(survey_queries.questions_of(session, survey_id=saved_id(survey)))
    target, target_error = _target(session, survey)
    if errors or target_error:
        return DEVICE.attach(Response(_invalid(session, survey, errors, target_error), 400), device)
    try:
        with writing(runtime().engine) as db:  # only the store: checked above, rendered below
            surveys.submit_response(
                db,
                survey=reread_survey(db, survey=survey),
                values=values,
                channel="link",
                respondent_key=f"device:{device}",
                now=now,
                evaluated_department_id=target,
            )
    except surveys.AlreadyAnswered:
        return _message(texts.DEVICE_DONE, 409, title=survey.title)
    except surveys.StaffOnly as refused:  # the audience changed a moment ago
        return _message(str(refused), 403, title=survey.title)
    except surveys.SurveyUnavailable as gone:  # closed a moment ago, after the check above
        return _message(str(gone), 410)
    html, _ = _message(texts.THANKS, 200, title=survey.title, ok=True)
    return DEVICE.attach(Response(html, 200), device)


@blueprint.get("/<token>/qr.<kind>")
def qr_code(token: str, kind: str):
    """Return the survey's QR code as PNG or SVG."""
    survey = _load(request_session(), token)
    if survey is None or kind not in ("png", "svg"):
        return _message(texts.UNKNOWN_SURVEY, 404)
    link = qr.survey_link(runtime().settings.PUBLIC_BASE_URL, survey.token)
    data = qr_png(link) if kind == "png" else qr_svg(link)
    return Response(data, mimetype="image/png" if kind == "png" else "image/svg+xml")


@blueprint.errorhandler(CSRFError)
def _stale_form(_error: CSRFError):
    return _message(texts.SESSION_EXPIRED, 400)


@blueprint.errorhandler(TooManyRequests)
def _too_many(_error: TooManyRequests):
    return _message(texts.TOO_MANY, 429)
