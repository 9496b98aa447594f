"""Console pages for QR codes and desk cards (/console/supervision/codes, /cards)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, abort, flash, redirect, render_template, request, url_for

from backend.db import writing
from backend.models import Staff, saved_id, saved_ids
from backend.models.supervision import SupervisionCode
from backend.org.accounts import record_audit
from backend.org.queries import active_staff_of, find_department
from backend.runtime import runtime
from backend.supervision import queries, texts
from backend.supervision import service as supervision
from backend.supervision.cards_pdf import DeskCard, desk_cards_pdf
from backend.supervision.links import public_url
from backend.supervision.qr_images import qr_png, qr_svg
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.access import visible_department_ids as _visible
from backend.web.console.area_forms import CodeForm
from backend.web.console.form_fields import filled
from backend.web.console.supervision import blueprint
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session


@blueprint.get("/codes")
@require_role()
def codes():
    """List each visible department's QR codes, with images and the desk-card sheet."""
    session = request_session()
    departments = queries.visible_departments(session, _visible(session, signed_in_account()))
    by_department = {
        d.id: supervision.codes_of_department(session, department_id=saved_id(d))
        for d in departments
    }
    people = queries.names_by_id(
        session, Staff, {c.staff_id for cs in by_department.values() for c in cs if c.staff_id}
    )
    base = runtime().settings.PUBLIC_BASE_URL
    return render_template(
        "supervision/console_codes.html",
        departments=departments,
        codes=by_department,
        people=people,
        url=lambda c: public_url(base, c.code),
        is_admin=signed_in_account().role == "admin",
        staff=active_staff_of(session, department_ids=saved_ids(d.id for d in departments)),
    )


@blueprint.post("/codes/issue")
@require_role("admin")
def issue_codes():
    """Create the missing codes: every department and every public-facing post."""
    with writing(runtime().engine) as session:
        count = supervision.issue_codes(session)
        record_audit(
            session, account=signed_in_account(), action="supervision.codes", target=str(count)
        )
    flash(texts.CODES_ISSUED.format(count=count), "success")
    return redirect(url_for(".codes"))


@blueprint.post("/codes/post")
@require_role("admin")
def designate_post():
    """Mark a staff member's post as public-facing (a window post) and give it a QR code."""
    form = CodeForm()
    if not form.validate():
        flash(f"{texts.POST_FORM_INVALID}（{form.first_error()}）", "error")
        return redirect(url_for(".codes"))
    staff_id, title = filled(form.staff_id.data), form.title.data
    with writing(runtime().engine) as session:
        code = supervision.designate_public_post(session, staff_id=staff_id, title=title)
        record_audit(
            session,
            account=signed_in_account(),
            action="supervision.post",
            target=code.code,
            detail=title,
        )
    flash(texts.POST_SAVED.format(title=title), "success")
    return redirect(url_for(".codes"))


def _visible_code(session: Session, code_id: int) -> SupervisionCode:
    code = queries.find_code(session, code_id=code_id)
    if code is None:
        abort(404)
    ensure_visible(session, signed_in_account(), code.department_id)
    return code


@blueprint.get("/codes/<int:code_id>.<fmt>")
@require_role()
def code_image(code_id: int, fmt: str):
    """Show (or with ?download=1 download) one QR code as PNG or SVG."""
    if fmt not in ("png", "svg"):
        abort(404)
    code = _visible_code(request_session(), code_id)
    url = public_url(runtime().settings.PUBLIC_BASE_URL, code.code)
    data = qr_png(url) if fmt == "png" else qr_svg(url)
    disposition = "attachment" if request.args.get("download") else "inline"
    headers = {"Content-Disposition": f"{disposition}; filename=qr-{code.code}.{fmt}"}
    return Response(
        data, mimetype="image/png" if fmt == "png" else "image/svg+xml", headers=headers
    )


@blueprint.get("/cards/<int:department_id>.pdf")
@require_role()
def desk_cards(department_id: int):
    """Download the printable A4 sheet of desk cards of one department."""
    base = runtime().settings.PUBLIC_BASE_URL
    session = request_session()
    ensure_visible(session, signed_in_account(), department_id)
    department = find_department(session, department_id=department_id)
    if department is None:
        abort(404)
    cards = [
        DeskCard(department.name, person, title, public_url(base, code), code)
        for code, person, title in supervision.card_facts(session, department_id=department_id)
    ]
    data = desk_cards_pdf(cards, title=f"{department.name} 码上监督桌牌")
    headers = {"Content-Disposition": f"attachment; filename=desk-cards-{department_id}.pdf"}
    return Response(data, mimetype="application/pdf", headers=headers)
