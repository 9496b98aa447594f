"""A unit in a round: its self-evaluation (the unit), the on-site visit (admins), its files."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from backend.common.values import parse_day
from backend.evaluation import queries, texts
from backend.evaluation import rounds as service
from backend.evaluation.preview import computed_points
from backend.ledger import attachments
from backend.ledger import queries as ledger
from backend.ledger import texts as ledger_texts
from backend.models import saved_id
from backend.models.evaluation import AttachmentKind, PointMethod, RoundStatus, ScoreSource
from backend.org.queries import department_name
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.evaluation import blueprint
from backend.web.console.evaluation.common import find_round, point_values, save_or_show, write
from backend.web.console.uploads import uploaded_attachment
from backend.web.guards import accepts_upload
from backend.web.session import request_session


def _visible_unit(round_id: int, department_id: int):
    rnd = find_round(round_id)
    session = request_session()
    ensure_visible(session, signed_in_account(), department_id)
    unit = queries.round_unit(session, round_id=round_id, department_id=department_id)
    if unit is None:
        abort(404, description=texts.ERR_NOT_IN_ROUND)
    return rnd, unit


def _scores(session, round_id: int, department_id: int, source: ScoreSource) -> dict:
    stored = queries.point_scores(session, round_id=round_id, department_id=department_id)
    return {s.point_id: s for s in stored if s.source == source}


def _page(round_id: int, department_id: int, status: int = 200, typed=None):
    rnd, unit = _visible_unit(round_id, department_id)
    session = request_session()
    account = signed_in_account()
    indicators = queries.indicators_of(session, tree_id=rnd.tree_id)
    html = render_template(
        "evaluation/unit.html",
        rnd=rnd,
        unit=unit,
        name=department_name(session, department_id=department_id),
        first_level=[i for i in indicators if i.parent_id is None],
        second_level=[i for i in indicators if i.parent_id is not None],
        points=queries.points_of(session, tree_id=rnd.tree_id),
        self_scores=_scores(session, round_id, department_id, ScoreSource.SELF),
        onsite_scores=_scores(session, round_id, department_id, ScoreSource.ONSITE),
        computed=computed_points(session, rnd=rnd, department_id=department_id),
        files=attachments.attachments(
            session,
            kind=AttachmentKind.SELF_REPORT,
            department_id=department_id,
            round_id=round_id,
        ),
        findings=ledger.findings(session, department_ids=[department_id], round_id=round_id),
        statuses=ledger_texts.STATUS_LABELS,
        scored=PointMethod.SCORED,
        is_open=rnd.status == RoundStatus.OPEN,
        is_admin=account.role == "admin",
        typed=typed if typed is not None else {},
    )
    return html, status


@blueprint.get("/rounds/<int:round_id>/units/<int:department_id>")
@require_role("admin", "head")
def unit_page(round_id: int, department_id: int):
    """The unit's points, self and on-site scores, computed scores, files and findings."""
    return _page(round_id, department_id)


def _scored_point_ids(round_id: int) -> list[int]:
    rnd = find_round(round_id)
    points = queries.points_of(request_session(), tree_id=rnd.tree_id)
    return [saved_id(p) for p in points if p.method == PointMethod.SCORED]


def _save(round_id: int, department_id: int, work, done: str):
    """Save, then back to the unit page; a refused save shows the page again as typed."""
    return save_or_show(
        work,
        done=done,
        then=url_for(".unit_page", round_id=round_id, department_id=department_id),
        show=lambda status: _page(round_id, department_id, status, typed=request.form),
    )


@blueprint.post("/rounds/<int:round_id>/units/<int:department_id>/self")
@require_role("admin", "head")
def save_self(round_id: int, department_id: int):
    """Save (or submit) the unit's self-scores and written self-assessment."""
    _visible_unit(round_id, department_id)
    scores = point_values("self", _scored_point_ids(round_id))
    submit = request.form.get("submit") == "1"
    return _save(
        round_id,
        department_id,
        lambda s: service.save_self_evaluation(
            s,
            round_id=round_id,
            department_id=department_id,
            scores=scores,
            assessment=request.form.get("assessment", ""),
            submit=submit,
            account=signed_in_account(),
        ),
        "自评已提交" if submit else "自评已暂存",
    )


@blueprint.post("/rounds/<int:round_id>/units/<int:department_id>/onsite")
@require_role("admin")
def save_onsite(round_id: int, department_id: int):
    """Save the evaluators' on-site scores and visit record."""
    _visible_unit(round_id, department_id)
    raw_day = request.form.get("visited_on", "").strip()
    visited_on = parse_day(raw_day) if raw_day else None
    if raw_day and visited_on is None:
        flash("实地评估日期格式应为 2026-11-20", "error")
        return _page(round_id, department_id, 400, typed=request.form)
    scores = point_values("onsite", _scored_point_ids(round_id))
    return _save(
        round_id,
        department_id,
        lambda s: service.save_onsite_scores(
            s,
            round_id=round_id,
            department_id=department_id,
            scores=scores,
            visited_on=visited_on,
            notes=request.form.get("visit_notes", ""),
            account=signed_in_account(),
        ),
        "实地评估得分已保存",
    )


@blueprint.post("/rounds/<int:round_id>/units/<int:department_id>/files")
@require_role("admin", "head")
@accepts_upload
def upload_self_report(round_id: int, department_id: int):
    """Attach a file to the unit's self-assessment (while the round is open)."""
    rnd, _unit = _visible_unit(round_id, department_id)
    if rnd.status != RoundStatus.OPEN:
        abort(409, description=texts.ERR_ROUND_FINISHED)
    filename, data = uploaded_attachment()
    write(
        lambda s: attachments.save_attachment(
            s,
            kind=AttachmentKind.SELF_REPORT,
            department_id=department_id,
            round_id=round_id,
            filename=filename,
            data=data,
            account=signed_in_account(),
        )
    )
    flash("已上传自评材料", "success")
    return redirect(url_for(".unit_page", round_id=round_id, department_id=department_id))
