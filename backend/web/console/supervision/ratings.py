"""Console pages for visitors' ratings and the work orders they open (/console/supervision)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import Response, abort, flash, redirect, render_template, request, url_for

from backend.db import writing
from backend.models import Department
from backend.models.supervision import RatingLevel, WorkOrderStatus
from backend.org.accounts import record_audit
from backend.org.queries import department_name, find_staff
from backend.runtime import runtime
from backend.supervision import queries, texts, work_orders
from backend.supervision import service as supervision
from backend.supervision.errors import SupervisionError
from backend.supervision.export import ratings_xlsx
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.access import visible_department_ids as _visible
from backend.web.console.area_forms import NoteForm, ScaleForm
from backend.web.console.supervision import blueprint
from backend.web.inputs import date_arg, int_arg
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.errorhandler(SupervisionError)
def _refused(error: SupervisionError):
    title = "找不到页面" if error.status == 404 else "无法办理"
    page = render_template(
        "console/error.html", code=error.status, title=title, message=error.message
    )
    return page, error.status


def _today() -> date:
    return runtime().clock().date()


def _rating_filter(session: Session) -> queries.RatingFilter:
    allowed = _visible(session, signed_in_account())
    department_id = int_arg("department_id", source=request.args)
    if department_id is not None:
        ensure_visible(session, signed_in_account(), department_id)
    level = request.args.get("level", "")
    if level and level not in RatingLevel.__members__.values():
        abort(400, description=texts.BAD_FILTER)
    kind = request.args.get("kind", "")
    return queries.RatingFilter(
        department_ids=allowed,
        department_id=department_id,
        level=RatingLevel(level) if level else None,
        start=date_arg("start", source=request.args),
        end=date_arg("end", source=request.args),
        followup={"first": False, "followup": True}.get(kind),
    )


@blueprint.get("")
@require_role()
def ratings():
    """List the ratings with filters (department, level, dates, first or follow-up)."""
    return _ratings_page()


def _ratings_page(failed: ScaleForm | None = None, status: int = 200):
    """Render the ratings page; `failed` is the scale form shown again with its error."""
    session = request_session()
    flt = _rating_filter(session)
    rows = list(queries.iter_ratings(session, flt, limit=queries.MAX_ROWS))
    return render_template(
        "supervision/console_ratings.html",
        summary=_summary(session, flt),
        rows=rows,
        args=request.args,
        departments=queries.visible_departments(session, flt.department_ids),
        level_labels=texts.LEVEL_LABELS,
        limit=queries.MAX_ROWS,
        scale=len(supervision.rating_scale(session)),
        zone=runtime().settings.timezone,
        failed=failed,
    ), status


def _summary(session: Session, flt: queries.RatingFilter) -> dict | None:
    """Return the monthly-report figures for the chosen department (this month by default)."""
    if flt.department_id is None:
        return None
    end = flt.end or _today()
    start = flt.start or end.replace(day=1)
    figures = supervision.rating_summary(
        session, department_id=flt.department_id, start=start, end=end, as_of=min(end, _today())
    )
    return {**figures, "start": start, "end": end}


@blueprint.get("/ratings.xlsx")
@require_role()
def export_ratings():
    """Download the filtered ratings as an Excel workbook."""
    session = request_session()
    flt = _rating_filter(session)
    data = ratings_xlsx(queries.iter_ratings(session, flt), zone=runtime().settings.timezone)
    headers = {"Content-Disposition": "attachment; filename=ratings.xlsx"}
    return Response(data, mimetype=XLSX, headers=headers)


@blueprint.post("/scale")
@require_role("admin")
def set_scale():
    """Switch between the national five-level scale and the pilot's four levels."""
    form = ScaleForm()
    if not form.validate():
        return _ratings_page(form, 400)
    levels = int(form.levels.data)  # one of the choices "4" and "5"
    with writing(runtime().engine) as session:
        supervision.set_rating_scale(session, levels=levels)
        record_audit(
            session, account=signed_in_account(), action="supervision.scale", target=str(levels)
        )
    flash(texts.SCALE_SAVED, "success")
    return redirect(url_for(".ratings"))


# --- work orders -------------------------------------------------------------------------------


@blueprint.get("/orders")
@require_role()
def orders():
    """List the work orders the account may see, optionally of one status."""
    status = request.args.get("status", "")
    if status and status not in WorkOrderStatus.__members__.values():
        abort(400, description=texts.BAD_FILTER)
    session = request_session()
    allowed = _visible(session, signed_in_account())
    rows = work_orders.list_orders(
        session, department_ids=allowed, status=WorkOrderStatus(status) if status else None
    )
    departments = queries.names_by_id(session, Department, {o.department_id for o in rows})
    return render_template(
        "supervision/console_orders.html",
        orders=rows,
        departments=departments,
        status=status,
        status_labels=texts.STATUS_LABELS,
        today=_today(),
    )


@blueprint.get("/orders/<int:order_id>")
@require_role()
def order(order_id: int):
    """Show one work order with the forms for its next step."""
    session = request_session()
    allowed = _visible(session, signed_in_account())
    found = work_orders.get_order(session, order_id=order_id, department_ids=allowed)
    return _order_page(session, found)


def _order_page(
    session: Session, found, *, error: str | None = None, note: str = "", status=200, failed=None
):
    followup_id = found.followup_rating_id
    person = find_staff(session, staff_id=found.staff_id)
    page = render_template(
        "supervision/console_order.html",
        order=found,
        rating=queries.find_rating(session, rating_id=found.rating_id),
        followup=queries.find_rating(session, rating_id=followup_id),
        department=department_name(session, department_id=found.department_id),
        person=person.name if person else None,
        level_labels=texts.LEVEL_LABELS,
        status_labels=texts.STATUS_LABELS,
        can_act=signed_in_account().role in ("admin", "head"),
        error=error,
        note=note,
        failed=failed,
    )
    return page, status


STEPS = {
    "visit": (work_orders.record_visit, texts.VISIT_DONE),
    "rectify": (work_orders.report_rectification, texts.RECTIFY_DONE),
    "close": (work_orders.close_order, texts.CLOSE_DONE),
}


@blueprint.post("/orders/<int:order_id>/<step>")
@require_role("admin", "head")
def advance(order_id: int, step: str):
    """Record the return visit, the rectification report, or close the order."""
    if step not in STEPS:
        abort(404)
    action, done = STEPS[step]
    account, form = signed_in_account(), NoteForm()
    allowed, note = _visible(request_session(), account), form.note.data
    if not form.validate():
        session = request_session()
        found = work_orders.get_order(session, order_id=order_id, department_ids=allowed)
        return _order_page(session, found, note=note, status=400, failed=form)
    try:
        with writing(runtime().engine) as session:
            found = work_orders.get_order(session, order_id=order_id, department_ids=allowed)
            action(session, order=found, note=note, today=_today())
            ticket = found.ticket
            record_audit(session, account=account, action=f"supervision.{step}", target=ticket)
    except SupervisionError as error:
        if error.status == 404:
            raise
        session = request_session()
        found = work_orders.get_order(session, order_id=order_id, department_ids=allowed)
        return _order_page(session, found, error=error.message, note=note, status=error.status)
    flash(done, "success")
    return redirect(url_for(".order", order_id=order_id))
