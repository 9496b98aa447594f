"""Console pages for staffing (/console/staffing): quotas, vacancies, structure, retirements."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from backend.db import writing
from backend.models.org import StaffingType
from backend.models.staffing import EDUCATION_LABELS, GENDER_LABELS
from backend.runtime import runtime
from backend.staffing import queries, texts
from backend.staffing import service as staffing
from backend.staffing.errors import StaffingError
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.access import visible_department_ids as _visible
from backend.web.console.form_fields import (
    Day,
    TextField,
    WebForm,
    WholeNumber,
    at_most,
    filled,
    required,
)
from backend.web.session import request_session

blueprint = Blueprint("console_staffing", __name__, url_prefix="/console/staffing")


TYPE_LABELS = {
    StaffingType.ADMINISTRATIVE: "行政",
    StaffingType.INSTITUTION: "事业",
    StaffingType.LOGISTICS: "工勤",
    StaffingType.NON_ESTABLISHED: "编外",
}


def _posts(name: str) -> WholeNumber:
    label = texts.POST_LABELS[name]
    message = texts.COUNT_INVALID.format(label=label)
    return WholeNumber(label, [required(label, message)], lo=0, hi=10000, message=message)


class QuotaForm(WebForm):
    """Add (or replace) a unit's approved posts from a date on."""

    effective_from = Day("生效日期", [required("生效日期")])
    administrative_posts = _posts("administrative_posts")
    institution_posts = _posts("institution_posts")
    logistics_posts = _posts("logistics_posts")
    leadership_posts = _posts("leadership_posts")
    note = TextField("备注", [at_most(200, "备注", texts.NOTE_TOO_LONG)])


def _day(name: str, default: date) -> date:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=texts.DATE_INVALID)


def _period() -> tuple[date, date]:
    year = runtime().clock().date().year - 1
    start, end = _day("start", date(year, 1, 1)), _day("end", date(year, 12, 31))
    if start > end:
        abort(400, description=texts.PERIOD_INVALID)
    return start, end


@blueprint.get("/")
@require_role("admin", "head")
def overview():
    """Approved posts against actual staff per unit, and output per post for a period."""
    session = request_session()
    allowed = _visible(session, signed_in_account())
    start, end = _period()
    units = queries.unit_staffing(session, on=runtime().clock().date(), department_ids=allowed)
    output, county = queries.unit_output(session, start=start, end=end, department_ids=allowed)
    return render_template(
        "staffing/overview.html",
        units=units,
        totals={k: sum(u.approved.get(k, 0) for u in units) for k in TYPE_LABELS},
        actual_totals={k: sum(u.actual.get(k, 0) for u in units) for k in TYPE_LABELS},
        output=output,
        county=county,
        start=start,
        end=end,
        labels=TYPE_LABELS,
        texts=texts,
        is_admin=signed_in_account().role == "admin",
    )


def _unit_page(department_id: int, form: QuotaForm | None = None, status: int = 200):
    session = request_session()
    account = signed_in_account()
    ensure_visible(session, account, department_id)
    structure = queries.staff_structure(
        session, department_ids=[department_id], on=runtime().clock().date()
    )
    if not structure:
        abort(404, description=texts.UNIT_MISSING)
    html = render_template(
        "staffing/unit.html",
        unit=structure[0],
        history=queries.quota_history(session, department_id=department_id),
        is_admin=account.role == "admin",
        form=form,
        labels=TYPE_LABELS,
        genders=GENDER_LABELS,
        educations=EDUCATION_LABELS,
    )
    return html, status


@blueprint.get("/units/<int:department_id>")
@require_role("admin", "head")
def unit(department_id: int):
    """A unit's quota history and staff structure."""
    return _unit_page(department_id)


@blueprint.post("/units/<int:department_id>/quota")
@require_role("admin")
def add_quota(department_id: int):
    """Record the unit's approved posts from a date on."""
    form = QuotaForm()
    if not form.validate():
        flash(form.first_error(), "error")
        return _unit_page(department_id, form, 400)
    try:
        with writing(runtime().engine) as session:
            staffing.set_quota(
                session,
                department_id=department_id,
                effective_from=filled(form.effective_from.data),
                administrative_posts=filled(form.administrative_posts.data),
                institution_posts=filled(form.institution_posts.data),
                logistics_posts=filled(form.logistics_posts.data),
                leadership_posts=filled(form.leadership_posts.data),
                note=form.note.data or "",
            )
    except StaffingError as error:
        abort(error.status, description=error.message)
    flash(texts.QUOTA_SAVED, "success")
    return redirect(url_for(".unit", department_id=department_id))


@blueprint.post("/quotas/<int:quota_id>/delete")
@require_role("admin")
def delete_quota(quota_id: int):
    """Delete one quota record."""
    try:
        with writing(runtime().engine) as session:
            department_id = staffing.delete_quota(session, quota_id=quota_id)
    except StaffingError as error:
        abort(error.status, description=error.message)
    flash(texts.QUOTA_DELETED, "success")
    return redirect(url_for(".unit", department_id=department_id))


@blueprint.get("/retirements")
@require_role("admin")
def retirements():
    """Members reaching retirement in the next 12 months (personal data: admin only)."""
    found = queries.retirements(request_session(), on=runtime().clock().date())
    return render_template("staffing/retirements.html", found=found, genders=GENDER_LABELS)
