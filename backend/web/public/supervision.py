"""The public pages behind the QR codes (/q/…): unit facts, rating, complaint, work-order status.

No login. One rating per device, unit and day: the device is a random id in a signed cookie.
Every POST carries a CSRF token (Flask-WTF, app-wide) and is rate-limited per address (shared
counters); the database bounds ratings per unit and network (/24, /64) and work orders per unit
each day, whatever the cookie says.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound, TooManyRequests

from backend.db import writing
from backend.models.supervision import SupervisionCode, WorkOrderStatus
from backend.org.queries import department_name
from backend.runtime import runtime
from backend.supervision import queries, texts
from backend.supervision import service as supervision
from backend.supervision.errors import SupervisionError
from backend.supervision.rules import PublicBounds, network_of
from backend.supervision.work_orders import find_order, submit_followup
from backend.web.devices import DeviceCookie
from backend.web.limits import limiter
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

blueprint = Blueprint("public_supervision", __name__, url_prefix="/q")
DEVICE = DeviceCookie("lvzhi_device", salt="lvzhi-supervision-device")
RATE_LIMIT = "20 per minute;200 per hour"


# --- the device cookie ------------------------------------------------------------------------


def _device_or_new() -> tuple[str, bool]:
    """Return this browser's device id, or a new one (True) to be remembered."""
    current = DEVICE.read()
    return (current, False) if current else (secrets.token_hex(16), True)


def _remember(response, device: str, fresh: bool):
    return DEVICE.attach(response, device) if fresh else response


# --- pages --------------------------------------------------------------------------------------


def _form() -> dict:
    return {
        "level": request.form.get("level", ""),
        "tags": request.form.getlist("tags"),
        "comment": request.form.get("comment", ""),
        "complaint": request.form.get("complaint") == "1",
        "contact_name": request.form.get("contact_name", ""),
        "contact_phone": request.form.get("contact_phone", ""),
    }


def _scale_context(session: Session, form: dict) -> dict:
    return {
        "levels": supervision.rating_scale(session),
        "level_labels": texts.LEVEL_LABELS,
        "level_tags": texts.LEVEL_TAGS,
        "max_comment": supervision.MAX_COMMENT,
        "form": form,
    }


def _unit_page(
    session,
    code,
    *,
    form: dict,
    error: str | None = None,
    status: int = 200,
    post_changed: bool = False,
):
    device, fresh = _device_or_new()
    today = runtime().clock().date()
    rated = supervision.already_rated(session, code=code, device=device, day=today)
    page = render_template(
        "supervision/public_unit.html",
        unit=queries.unit_view(session, code, post_changed=post_changed),
        code=code.code,
        rated=texts.ALREADY_RATED if rated else None,
        error=error,
        **_scale_context(session, form),
    )
    return _remember(make_response((page, status)), device, fresh)


@blueprint.get("/<code>")
def unit(code: str):
    """Show the unit, person, sections and duties, with the rating form."""
    session = request_session()
    unit_code = queries.department_code_of_retired_post(session, code)  # the member has left
    if unit_code is not None:
        return _unit_page(session, unit_code, form=_form(), post_changed=True)
    return _unit_page(session, supervision.find_code(session, code), form=_form())


@blueprint.post("/<code>")
@limiter.limit(RATE_LIMIT)
def rate(code: str):
    """Store the visitor's rating (and complaint); a bad one becomes a work order."""
    form, now = _form(), runtime().clock()
    device, fresh = _device_or_new()  # no cookie yet (cookies cleared): remember a new one
    found = supervision.find_code(request_session(), code)
    try:
        answers = supervision.check_rating(supervision.rating_scale(request_session()), **form)
        with writing(runtime().engine) as session:
            _, order = supervision.submit_rating(
                session,
                code=_reloaded(session, found),
                device=device,
                answers=answers,
                now=now,
                network=_network(),
                bounds=_bounds(),
            )
            done = _done_context(session, found.department_id, order)
    except SupervisionError as error:
        return _unit_page(
            request_session(), found, form=form, error=error.message, status=error.status
        )
    page = render_template("supervision/public_done.html", **done)
    return _remember(make_response(page), device, fresh)


def _reloaded(session: Session, code: SupervisionCode) -> SupervisionCode:
    """Return the code again, read in the writing session."""
    found = queries.find_code(session, code_id=code.id)
    if found is None:
        raise LookupError(f"supervision code {code.id} vanished")
    return found


def _network() -> str:
    """Return the keyed hash of the visitor's network (after ProxyFix, the real client's)."""
    return network_of(request.remote_addr, secret=runtime().settings.SECRET_KEY)


def _bounds() -> PublicBounds:
    """Return the daily flood bounds and the digest interval from the settings."""
    settings = runtime().settings
    return PublicBounds(
        ratings_per_network=settings.LVZHI_PUBLIC_RATINGS_PER_NETWORK,
        orders_per_unit=settings.LVZHI_PUBLIC_ORDERS_PER_UNIT,
        digest_every=timedelta(minutes=settings.LVZHI_ORDER_DIGEST_MINUTES),
    )


def _done_context(session, department_id: int, order) -> dict:
    """Return what the thank-you page shows, as plain values."""
    department = department_name(session, department_id=department_id)
    context = {"department": department, "thanks": texts.THANKS, "ticket": None}
    if order is not None:
        context.update(
            ticket=order.ticket,
            order_message=texts.THANKS_ORDER.format(department=department),
            visit_due=order.visit_due,
            rectify_due=order.rectify_due,
        )
    return context


@blueprint.get("/status")
def status():
    """Let a visitor look up a work order by the ticket they were given."""
    ticket = request.args.get("ticket", "").strip()
    session = request_session()
    order = find_order(session, ticket=ticket) if ticket else None
    return _status_page(_status_context(session, order, ticket=ticket, form=_form()))


def _status_context(session, order, *, ticket, form, error=None, notice=None) -> dict:
    """Return what the work-order status page shows (the order and plain values)."""
    context = {"order": order, "ticket": ticket, "error": error, "notice": notice}
    if order is not None:
        followup = queries.find_rating(session, rating_id=order.followup_rating_id)
        context.update(
            department=department_name(session, department_id=order.department_id),
            status_label=texts.STATUS_LABELS[order.status],
            can_follow_up=order.status == WorkOrderStatus.CLOSED and followup is None,
            followup_label=texts.LEVEL_LABELS[followup.level] if followup else None,
        )
    return {**context, **_scale_context(session, form)}


def _status_page(context: dict, status_code: int = 200):
    return render_template("supervision/public_status.html", **context), status_code


@blueprint.post("/status/<ticket>/followup")
@limiter.limit(RATE_LIMIT)
def follow_up(ticket: str):
    """Store the visitor's one follow-up rating of a closed work order."""
    form, now = _form(), runtime().clock()
    order = find_order(request_session(), ticket=ticket)
    try:
        answers = supervision.check_rating(
            supervision.rating_scale(request_session()),
            level=form["level"],
            tags=form["tags"],
            comment=form["comment"],
        )
        with writing(runtime().engine) as session:
            done = find_order(session, ticket=ticket)
            submit_followup(session, order=done, answers=answers, now=now)
            context = _status_context(
                session, done, ticket=ticket, form=_form(), notice=texts.THANKS
            )
    except SupervisionError as error:
        context = _status_context(
            request_session(), order, ticket=ticket, form=form, error=error.message
        )
        return _status_page(context, error.status)
    return _status_page(context)


# --- errors: a Chinese page, never JSON or a 500 ---------------------------------------------


def _error_page(message: str, status: int):
    return render_template("supervision/public_error.html", error=message), status


@blueprint.errorhandler(SupervisionError)
def _refused(error: SupervisionError):
    return _error_page(error.message, error.status)


@blueprint.errorhandler(CSRFError)
def _stale_form(_error: CSRFError):
    return _error_page(texts.STALE_FORM, 400)


@blueprint.errorhandler(TooManyRequests)
def _too_many(_error: TooManyRequests):
    return _error_page(texts.TOO_MANY, 429)


@blueprint.errorhandler(NotFound)
def _not_found(_error: NotFound):
    return _error_page(texts.UNKNOWN_CODE, 404)
