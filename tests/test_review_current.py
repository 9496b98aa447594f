"""The review queue shows the flags as they stand now, and opening it (a GET) stores nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.models import DutyEntry
from backend.org import api_tokens as auth_tokens
from tests.support.console import add_account, console_app, login_client
from tests.test_review_rules import OTHER, add_entry, make_county


def test_a_colleagues_later_copy_flags_both_on_the_page_without_storing(engine):
    with Session(engine) as session:
        county = make_county(session)
        first = add_entry(session, county, "alice", text=OTHER).id  # stored before the copy
        copy = add_entry(session, county, "bob", text=OTHER).id
        token = auth_tokens.create_token(session, staff_id=county["staff"]["carol"].id)
        session.commit()
    add_account(engine, "admin", "review-pass-2026", "admin")
    app = console_app(engine)
    client = app.test_client()
    listed = client.get("/api/v1/review/entries", headers={"Authorization": f"Bearer {token}"})
    flags = {e["id"]: e["flags"] for e in listed.get_json()["entries"]}
    assert flags == {first: ["copied_description"], copy: ["copied_description"]}
    assert listed.get_json()["counts"] == {"flagged": 2, "unflagged": 0}
    login_client(client, "admin", "review-pass-2026")
    page = client.get("/console/review?flagged=1").get_data(as_text=True)
    assert page.count("与同部门同事的内容雷同") >= 2
    with Session(engine) as session:
        stored = set(session.exec(select(DutyEntry.flags)))
    assert stored == {""}  # the GETs computed the flags for display and wrote nothing
