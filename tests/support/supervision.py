"""QR supervision helpers: codes for the fixture county, and a visitor rating through the web."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlmodel import Session, select

from backend.models import Department, Staff
from backend.models.supervision import SupervisionCode
from backend.supervision import service as supervision

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ALERT = re.compile(r'role="alert">([^<]+)<')
TICKET = re.compile(r'id="ticket">([A-Z0-9]+)<')


def add_codes(session: Session) -> dict[str, str]:
    """Give the county codes: every department, plus alice's window post; return name → code."""
    alice = session.exec(select(Staff).where(Staff.wecom_userid == "alice")).one()
    supervision.designate_public_post(session, staff_id=alice.id, title="食品经营许可窗口")
    supervision.issue_codes(session)
    codes = {}
    for row in session.exec(select(SupervisionCode)):
        if row.staff_id is not None:
            codes[session.get(Staff, row.staff_id).wecom_userid] = row.code
        else:
            codes[session.get(Department, row.department_id).name] = row.code
    session.flush()
    return codes


def department_id(session: Session, name: str) -> int:
    """Return the id of the department with this name."""
    return session.exec(select(Department.id).where(Department.name == name)).one()


def staff_id(session: Session, userid: str) -> int:
    """Return the id of the staff member with this WeCom userid."""
    return session.exec(select(Staff.id).where(Staff.wecom_userid == userid)).one()


def visitor_rates(client: FlaskClient, code: str, **fields):
    """Open a code's page like a visitor, then post the rating form with these fields."""
    page = client.get(f"/q/{code}")
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    data = {"csrf_token": match.group(1) if match else "", **fields}
    return client.post(f"/q/{code}", data=data)


def alert_text(response) -> str:
    """Return the error message shown on a public page ("" if none)."""
    match = ALERT.search(response.get_data(as_text=True))
    return match.group(1) if match else ""
