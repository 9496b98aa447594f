"""Pages keep answering while another connection holds SQLite's one write lock.

A long import or a busy bot holds the write lock; every GET reads through a read-only session
(a WAL snapshot) and must not wait for it. The routes are read from the app's url_map, so a page
added later is covered too; its path arguments are filled with ids of real fixture rows.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from dataclasses import dataclass

import pytest
import requests
from sqlmodel import select
from werkzeug.routing import Rule

from backend.db import writing
from backend.models import Notice, Staff
from backend.models.supervision import SupervisionCode, WorkOrder
from backend.org import accounts
from backend.org import api_tokens as auth_tokens
from backend.schedule import notices
from backend.supervision import service as supervision
from backend.supervision import texts as supervision_texts
from backend.surveys import queries as survey_queries
from scheduled import lease
from tests.support.excel import add_sample_entries
from tests.support.stack import Stack
from tests.support.supervision import add_codes, department_id
from tests.support.surveys import NOW, add_mutual_evaluation

PASSWORD = "locked-pass-2026"
HOLD_SECONDS = 3.0
ANSWER_WITHIN = 1.0
GIVE_UP_AFTER = 3.0  # seconds: a page waiting for the lock would wait the whole busy timeout
ENOUGH_PROBLEMS = 5  # stop the walk early: the old code waited 30 s on every console page
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Path arguments whose value depends on the route, not only on the argument's name.
BY_RULE = {
    "/console/dashboard/<kind>.png": {"kind": "trend"},
    "/console/templates/<kind>.xlsx": {"kind": "roster"},
    "/s/<token>/qr.<kind>": {"kind": "png"},
}


@dataclass
class County:
    """The ids of the fixture rows the routes are opened with."""

    values: dict[str, str]
    queries: dict[str, str]


@pytest.fixture
def county(sqlite_stack: Stack) -> County:
    """The small county with entries, codes, a work order, a survey, a notice and an admin."""
    sqlite_stack.clock.frozen = NOW  # the survey is open at NOW
    with writing(sqlite_stack.engine) as db:
        add_sample_entries(db)
        codes = add_codes(db)
        market = department_id(db, "县市场监督管理局")
        code = db.exec(select(SupervisionCode).where(SupervisionCode.staff_id.is_(None))).first()
        survey = add_mutual_evaluation(db)
        question = survey_queries.questions_of(db, survey_id=survey.id)[0]
        notices.send_notice(db, title="通知", body="周五前报送材料", department_ids=[market],
                            to_staff=True, to_groups=False, sender="admin")  # fmt: skip
        accounts.create_account(db, username="admin", password=PASSWORD, role="admin")
        carol = db.exec(select(Staff).where(Staff.wecom_userid == "carol")).one()
        token = auth_tokens.create_token(db, staff_id=carol.id)
        values = {"department_id": market, "code_id": code.id, "code": codes["县市场监督管理局"],
                  "survey_id": survey.id, "question_id": question.id, "token": survey.token,
                  "fmt": "png", "filename": "console.css", "api_token": token}  # fmt: skip
        values.update(_evaluation(db, market))
    order = _work_order(sqlite_stack, codes["alice"])
    with writing(sqlite_stack.engine) as db:
        values["notice_id"] = db.exec(select(Notice.id)).first()
        values["order_id"] = order
        ticket = db.get(WorkOrder, order).ticket
    queries = {
        "/console/dashboard/<kind>.png": f"?department={market}",
        "/console/review": "?flagged=0",
        "/q/status": f"?ticket={ticket}",
    }
    return County({k: str(v) for k, v in values.items()}, queries)


def _evaluation(db, market: int) -> dict[str, int]:
    """Open a round on the default tree with one finding and one uploaded file."""
    from datetime import date

    from backend.evaluation import rounds
    from backend.evaluation.default_tree import create_default_tree
    from backend.ledger import attachments, service
    from backend.models.evaluation import AttachmentKind

    tree = create_default_tree(db)
    rnd = rounds.open_round(db, name="年度评估", period_start=date(2026, 1, 1),
                            period_end=date(2026, 11, 30), tree_id=tree.id,
                            department_ids=[market])  # fmt: skip
    finding = service.record_finding(db, department_id=market, problem="台账不全",
                                     found_on=date(2026, 11, 20), round_id=rnd.id)  # fmt: skip
    file = attachments.save_attachment(db, kind=AttachmentKind.RECTIFICATION, data=b"%PDF-1.4",
                                       department_id=market, filename="a.pdf",
                                       finding_id=finding.id)  # fmt: skip
    return {"tree_id": tree.id, "round_id": rnd.id, "finding_id": finding.id,
            "attachment_id": file.id}  # fmt: skip


def _work_order(stack: Stack, code: str) -> int:
    """Store a visitor's bad rating (it opens a work order); return the order's id."""
    with writing(stack.engine) as db:
        found = supervision.find_code(db, code)
        answers = supervision.check_rating(
            supervision_texts.FIVE_LEVELS, level="very_dissatisfied", tags=[], comment="态度差"
        )
        _, order = supervision.submit_rating(db, code=found, device="d" * 32, answers=answers,
                                             now=NOW)  # fmt: skip
        return order.id


def _start_export(stack: Stack, browser: requests.Session, county: County) -> None:
    """Start an entries export from the console, so the job pages have a real job to show."""
    page = browser.get(stack.web_url + "/console/exports", timeout=10).text
    form = {"kind": "entries", "csrf_token": CSRF.search(page).group(1)}
    answer = browser.post(stack.web_url + "/console/exports", data=form, allow_redirects=False)
    found = re.search(r"/console/jobs/(\d+)", answer.headers.get("Location", ""))
    if found:
        county.values["job_id"] = found.group(1)


def _signed_in(stack: Stack) -> requests.Session:
    """Return an HTTP session signed in to the console as the administrator."""
    browser = requests.Session()
    page = browser.get(stack.web_url + "/console/login", timeout=10).text
    form = {"username": "admin", "password": PASSWORD, "csrf_token": CSRF.search(page).group(1)}
    answer = browser.post(stack.web_url + "/console/login", data=form, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    return browser


def _get_urls(stack: Stack, county: County) -> list[str]:
    """Return one URL for every GET route, path arguments filled with real ids."""
    urls = []
    for rule in stack.app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        urls.append(_url(rule, county) + county.queries.get(rule.rule, ""))
    return sorted(urls)


def _url(rule: Rule, county: County) -> str:
    values = {**county.values, **BY_RULE.get(rule.rule, {})}
    missing = set(rule.arguments) - set(values)
    assert not missing, f"give {rule.rule} a value for {sorted(missing)}"
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


class WriteLock(threading.Thread):
    """Hold SQLite's write lock on its own connection, the way a long import does.

    It holds the lock for HOLD_SECONDS, and longer if the walk over the routes is not done yet.
    """

    def __init__(self, path: str) -> None:
        super().__init__(daemon=True)
        self.path, self.taken, self.walked = path, threading.Event(), threading.Event()

    def run(self) -> None:
        """Take the lock with a pending write, keep it, then roll back."""
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE staff SET name = name")  # a pending, uncommitted write
        self.taken.set()
        time.sleep(HOLD_SECONDS)
        self.walked.wait(timeout=120)
        connection.rollback()
        connection.close()


def _is_locked(path: str) -> bool:
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()
    return False


def _walk(browser, base: str, urls: list[str], token: str, *, warm: bool = False) -> list[tuple]:
    """Open every URL once; return (url, status, seconds) of the slow or failed ones (a few).

    warm: a first pass without the lock, so the timed pass measures no one-off start-up cost
    (the first chart loads matplotlib and its fonts).
    """
    problems = []
    for url in urls:
        api = url.startswith("/api/v1/review")
        headers = {"Authorization": f"Bearer {token}"} if api else {}
        started = time.monotonic()
        try:
            answer = browser.get(base + url, headers=headers, allow_redirects=False,
                                 timeout=30 if warm else GIVE_UP_AFTER)  # fmt: skip
            status = answer.status_code
        except requests.RequestException as error:
            status = type(error).__name__
        took = time.monotonic() - started
        if took > ANSWER_WITHIN or not isinstance(status, int) or status >= 500:
            problems.append((url, status, round(took, 2)))
        if len(problems) >= ENOUGH_PROBLEMS and not warm:
            break
    return problems


def test_every_get_route_answers_while_the_write_lock_is_held(sqlite_stack, county):
    browser = _signed_in(sqlite_stack)
    _start_export(sqlite_stack, browser, county)
    urls = _get_urls(sqlite_stack, county)
    assert {"/console/", "/console/review?flagged=0", "/api/v1/health"} <= set(urls)
    token = county.values["api_token"]
    # A live scheduler, so that /readyz has every reason to answer 200 (it reads the lease).
    assert lease.try_acquire(sqlite_stack.engine, holder="lock-test", seconds=300)
    _walk(browser, sqlite_stack.web_url, urls, token, warm=True)  # imports, fonts, templates
    path = sqlite_stack.engine.url.database
    lock = WriteLock(path)
    lock.start()
    try:
        assert lock.taken.wait(timeout=10) and _is_locked(path)
        problems = _walk(browser, sqlite_stack.web_url, urls, token)
        held_throughout = _is_locked(path)
    finally:
        lock.walked.set()
        lock.join()
        lease.release(sqlite_stack.engine, holder="lock-test")
    assert problems == []
    assert held_throughout, "the lock must be held for the whole walk"
