"""The review JSON API: bearer tokens, department scope, and Chinese errors instead of 500s."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from backend.app import create_app
from backend.models import DutyEntry, EntryStatus, OutboxMessage, Role
from backend.org import api_tokens as auth_tokens
from backend.settings import load_settings
from tests.support.stack import TEST_WECOM
from tests.test_review_rules import OTHER, add_entry, duty_of, make_county

NOW = datetime(2026, 3, 9, 9, 30, tzinfo=UTC)


@pytest.fixture
def api(engine):
    """A test client of the web app, the county with a few entries, and tokens by name."""
    with Session(engine) as session:
        county = make_county(session)
        staff = county["staff"]
        staff["erin"].role = Role.ADMIN
        civil = county["departments"][1]
        entries = {
            "plain": add_entry(session, county).id,
            "over": add_entry(session, county, "bob", hours=9, text=OTHER).id,
            "civil": add_entry(session, county, "erin", duty=duty_of(session, civil)).id,
        }
        tokens = {
            name: auth_tokens.create_token(session, staff_id=staff[name].id) for name in staff
        }
        ids = {"market": county["departments"][0].id, "civil": civil.id}
        session.commit()
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(
        load_settings(DATABASE_URL=url, **TEST_WECOM),
        engine=engine,
        migrate=False,
        clock=lambda: NOW,
    )
    return Api(app.test_client(), tokens, entries, ids, engine)


class Api:
    """Calls the API as one of the county's people."""

    def __init__(self, client, tokens, entries, departments, engine):
        self.client, self.tokens, self.entries = client, tokens, entries
        self.departments, self.engine = departments, engine

    def call(self, method: str, path: str, who: str | None = "carol", **kwargs):
        """Call /api/v1/review{path} with who's token (None: no header)."""
        headers = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.open(f"/api/v1/review{path}", method=method, headers=headers, **kwargs)

    def status_of(self, name: str) -> str:
        """Return the stored status of a named entry."""
        with Session(self.engine) as session:
            return session.get(DutyEntry, self.entries[name]).status


def test_no_or_a_wrong_token_is_401(api):
    assert api.call("GET", "/entries", who=None).status_code == 401
    response = api.client.get("/api/v1/review/entries", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert "令牌" in response.get_json()["message"]


def test_a_revoked_token_no_longer_works(api):
    with Session(api.engine) as session:
        assert auth_tokens.revoke_token(session, api.tokens["carol"])
        session.commit()
    assert api.call("GET", "/entries").status_code == 401


def test_tokens_are_stored_hashed(api):
    from backend.models import ApiToken

    with Session(api.engine) as session:
        hashes = set(session.exec(select(ApiToken.token_hash)))
    assert api.tokens["carol"] not in hashes
    assert auth_tokens.token_digest(api.tokens["carol"]) in hashes


def test_pending_entries_come_flagged_first(api):
    response = api.call("GET", "/entries")
    assert response.status_code == 200
    entries = response.get_json()["entries"]
    assert [e["id"] for e in entries] == [api.entries["over"], api.entries["plain"]]
    assert entries[0]["flags"] == ["over_standard"]
    assert entries[0]["flag_labels"] == ["工时超出标准工时"]
    assert response.get_json()["counts"] == {"flagged": 1, "unflagged": 1}


def test_a_reviewer_of_another_department_is_403(api):
    other = api.call("GET", f"/entries?department_id={api.departments['civil']}")
    assert other.status_code == 403 and "本部门" in other.get_json()["message"]
    assert api.call("POST", f"/entries/{api.entries['civil']}/approve").status_code == 403
    assert api.call("GET", "/entries", who="alice").status_code == 403
    assert api.status_of("civil") == EntryStatus.SUBMITTED


@pytest.mark.parametrize("raw", ["999999", "abc", "-1"])
def test_unknown_entries_are_404(api, raw):
    response = api.call("POST", f"/entries/{raw}/approve")
    assert response.status_code == 404
    assert response.get_json()["message"] == "找不到这条履职记录"


def test_approve_then_approving_again_is_400(api):
    response = api.call("POST", f"/entries/{api.entries['plain']}/approve")
    assert response.status_code == 200
    assert response.get_json()["entry"]["status"] == "approved"
    assert api.call("POST", f"/entries/{api.entries['plain']}/approve").status_code == 400


@pytest.mark.parametrize("body", [None, [], {"reason": ""}, {"reason": 5}, {"other": "x"}])
def test_a_return_needs_a_json_reason(api, body):
    path = f"/entries/{api.entries['over']}/return"
    response = (
        api.call("POST", path, json=body) if body is not None else api.call("POST", path, data="x")
    )
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert api.status_of("over") == EntryStatus.SUBMITTED


def test_return_notifies_the_author(api):
    path = f"/entries/{api.entries['over']}/return"
    response = api.call("POST", path, json={"reason": "9小时不合理，请核实"})
    assert response.status_code == 200
    assert api.status_of("over") == EntryStatus.RETURNED
    with Session(api.engine) as session:
        assert "bob" in session.exec(select(OutboxMessage)).one().target


def test_bulk_approve_takes_the_unflagged(api):
    body = {"department_id": api.departments["market"], "start": "2026-03-01", "end": "2026-03-31"}
    response = api.call("POST", "/bulk-approve", json=body)
    assert response.status_code == 200 and response.get_json() == {"approved": 1}
    assert api.status_of("plain") == EntryStatus.APPROVED
    assert api.status_of("over") == EntryStatus.SUBMITTED


@pytest.mark.parametrize(
    "body",
    [
        {"department_id": "x", "start": "2026-03-01", "end": "2026-03-31"},
        {"department_id": 1, "start": "2026-3-1", "end": "2026-03-31"},
        {"department_id": 1, "start": "2026-03-31", "end": "2026-03-01"},
        {},
    ],
)
def test_bulk_approve_with_bad_input_is_400(api, body):
    if body.get("department_id") == 1:
        body["department_id"] = api.departments["market"]
    assert api.call("POST", "/bulk-approve", json=body).status_code == 400


def test_only_an_administrator_closes_a_month(api):
    assert api.call("POST", "/months/2026-03/close").status_code == 403
    assert api.call("POST", "/months/2026-3/close", who="erin").status_code == 400
    assert api.call("POST", "/months/2026-03/close", who="erin").status_code == 200
    locked = api.call("POST", f"/entries/{api.entries['plain']}/approve")
    assert locked.status_code == 409 and "已结账" in locked.get_json()["message"]
    reopen = api.call("POST", "/months/2026-03/reopen", who="erin", json={"reason": "更正工时"})
    assert reopen.status_code == 200
    assert api.call("POST", f"/entries/{api.entries['plain']}/approve").status_code == 200


def test_the_clock_is_the_apps(api):
    api.call("POST", f"/entries/{api.entries['plain']}/approve")
    with Session(api.engine) as session:
        assert session.get(DutyEntry, api.entries["plain"]).reviewed_at.date() == NOW.date()
