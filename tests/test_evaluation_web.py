"""The evaluation and ledger console pages through Flask's test client: a round, scoping, input."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from backend.evaluation.default_tree import create_default_tree
from backend.evaluation.queries import points_of
from backend.models.evaluation import EvaluationRound, PointMethod, RoundUnit
from backend.models.ledger import Finding, FindingStatus
from tests.support.console import add_account, console_app, login_client
from tests.support.org import add_small_county, department_id
from tests.support.stack import wipe_database

PASSWORD = "correct-horse-9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def web(app_engine):
    wipe_database(app_engine)
    with Session(app_engine) as session:
        add_small_county(session)
        market, civil = (
            department_id(session, "县市场监督管理局"),
            department_id(session, "县民政局"),
        )
        tree = create_default_tree(session).id
        points = points_of(session, tree_id=tree)
        scored = [p.id for p in points if p.method == PointMethod.SCORED]
        session.commit()
    add_account(app_engine, "admin1", PASSWORD, "admin")
    add_account(app_engine, "head1", PASSWORD, "head", department_id=market)
    app = console_app(app_engine)
    return {
        "app": app,
        "engine": app_engine,
        "market": market,
        "civil": civil,
        "tree": tree,
        "scored": scored,
    }


def _client(web, username: str):
    client = web["app"].test_client()
    return client, login_client(client, username, PASSWORD)


def _open_round(web) -> int:
    client, token = _client(web, "admin1")
    response = client.post(
        "/console/evaluation/rounds",
        data={
            "name": "2026年度履职评估",
            "period_start": "2026-01-01",
            "period_end": "2026-11-30",
            "tree_id": str(web["tree"]),
            "department_ids": [web["market"], web["civil"]],
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with Session(web["engine"]) as session:
        return session.exec(select(EvaluationRound.id)).one()


def test_admin_opens_a_round_and_a_bad_form_keeps_its_answer(web):
    client, token = _client(web, "admin1")
    bad = client.post(
        "/console/evaluation/rounds",
        data={
            "name": "",
            "period_start": "2026-13-01",
            "period_end": "2026-11-30",
            "tree_id": str(web["tree"]),
            "csrf_token": token,
        },
    )
    assert bad.status_code == 400 and "轮次名称" in bad.get_data(as_text=True)
    round_id = _open_round(web)
    page = client.get(f"/console/evaluation/rounds/{round_id}").get_data(as_text=True)
    assert "县市场监督管理局" in page and "县民政局" in page and "结束轮次" in page
    assert client.get(f"/console/evaluation/trees/{web['tree']}").status_code == 200


def _self(client, token, web, round_id, unit, scores, **extra):
    data = {f"self_{pid}": value for pid, value in scores.items()}
    data.update(assessment="我局全面履行职责", submit="1", csrf_token=token, **extra)
    return client.post(f"/console/evaluation/rounds/{round_id}/units/{unit}/self", data=data)


def test_a_head_self_evaluates_only_their_own_unit(web):
    round_id = _open_round(web)
    client, token = _client(web, "head1")
    first = web["scored"][0]
    assert _self(client, token, web, round_id, web["market"], {first: "2"}).status_code == 302
    page = client.get(f"/console/evaluation/rounds/{round_id}/units/{web['market']}")
    assert "自评已提交" in page.get_data(as_text=True)
    other = _self(client, token, web, round_id, web["civil"], {first: "2"})
    assert other.status_code == 404
    assert (
        client.get(f"/console/evaluation/rounds/{round_id}/units/{web['civil']}").status_code == 404
    )
    onsite = client.post(
        f"/console/evaluation/rounds/{round_id}/units/{web['market']}/onsite",
        data={f"onsite_{first}": "1", "csrf_token": token},
    )
    assert onsite.status_code == 403
    listing = client.get(f"/console/evaluation/rounds/{round_id}").get_data(as_text=True)
    assert "县市场监督管理局" in listing and "县民政局" not in listing
    with Session(web["engine"]) as session:
        unit = session.exec(select(RoundUnit).where(RoundUnit.department_id == web["market"])).one()
        assert unit.self_submitted_at is not None and unit.self_assessment == "我局全面履行职责"


@pytest.mark.parametrize("value", ["abc", "-1", "999", "nan"])
def test_a_bad_score_answers_400_and_keeps_what_was_typed(web, value):
    round_id = _open_round(web)
    client, token = _client(web, "head1")
    first = web["scored"][0]
    response = _self(client, token, web, round_id, web["market"], {first: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "分数" in html
    assert f'value="{value}"' in html and "我局全面履行职责" in html


def test_onsite_scores_finish_and_results(web):
    round_id = _open_round(web)
    client, token = _client(web, "admin1")
    data = {f"onsite_{pid}": "1" for pid in web["scored"]}
    data.update(visited_on="2026-11-20", visit_notes="查阅台账", csrf_token=token)
    saved = client.post(
        f"/console/evaluation/rounds/{round_id}/units/{web['market']}/onsite", data=data
    )
    assert saved.status_code == 302
    finish = client.post(
        f"/console/evaluation/rounds/{round_id}/finish", data={"csrf_token": token}
    )
    assert finish.status_code == 302
    page = client.get(f"/console/evaluation/rounds/{round_id}").get_data(as_text=True)
    assert "排名与等次" in page and "红色" in page and "生成专报" in page
    again = client.post(f"/console/evaluation/rounds/{round_id}/finish", data={"csrf_token": token})
    assert again.status_code == 409
    late = _self(client, token, web, round_id, web["market"], {web["scored"][0]: "1"})
    assert late.status_code == 409
    compare = client.get(f"/console/evaluation/compare?round={round_id}").get_data(as_text=True)
    assert "第 1 名" in compare
    assert client.get("/console/evaluation/compare?round=x").status_code == 400


def _finding(web, client, token, round_id, unit, problem="权责清单未动态调整"):
    response = client.post(
        "/console/ledger/new",
        data={
            "department_id": unit,
            "round_id": round_id,
            "found_on": "2026-11-20",
            "problem": problem,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_the_ledger_steps_through_the_console_with_scoping(web):
    round_id = _open_round(web)
    admin, admin_token = _client(web, "admin1")
    mine = _finding(web, admin, admin_token, round_id, web["market"])
    theirs = _finding(web, admin, admin_token, round_id, web["civil"], problem="救助台账缺失")
    head, token = _client(web, "head1")
    assert head.get(f"/console/ledger/{theirs}").status_code == 404
    assert "救助台账缺失" not in head.get("/console/ledger/").get_data(as_text=True)
    assert (
        head.post(
            f"/console/ledger/{mine}/check", data={"verdict": "close", "csrf_token": token}
        ).status_code
        == 403
    )
    assert head.get(f"/console/ledger/new?department_id={web['market']}").status_code == 403
    past = head.post(
        f"/console/ledger/{mine}/commit",
        data={"measure": "修订清单", "deadline": "2020-01-01", "csrf_token": token},
    )
    assert past.status_code == 400 and "修订清单" in past.get_data(as_text=True)
    committed = head.post(
        f"/console/ledger/{mine}/commit",
        data={"measure": "修订清单", "deadline": "2099-12-31", "csrf_token": token},
    )
    assert committed.status_code == 302
    upload = head.post(
        f"/console/ledger/{mine}/files",
        data={"file": (io.BytesIO(PDF), "整改报告.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    fake = head.post(
        f"/console/ledger/{mine}/files",
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "报告.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "不符" in fake.get_data(as_text=True)
    assert (
        head.post(
            f"/console/ledger/{mine}/report", data={"report": "已整改", "csrf_token": token}
        ).status_code
        == 302
    )
    closed = admin.post(
        f"/console/ledger/{mine}/check",
        data={"verdict": "close", "note": "属实", "csrf_token": admin_token},
    )
    assert closed.status_code == 302
    with Session(web["engine"]) as session:
        assert session.get(Finding, mine).status == FindingStatus.CLOSED
    export = head.get("/console/ledger/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "权责清单未动态调整" in cells and "救助台账缺失" not in cells and "已销号" in cells


def test_attachments_are_scoped_and_typed(web):
    round_id = _open_round(web)
    admin, admin_token = _client(web, "admin1")
    theirs = admin.post(
        f"/console/evaluation/rounds/{round_id}/units/{web['civil']}/files",
        data={"file": (io.BytesIO(PDF), "../../自评报告.pdf"), "csrf_token": admin_token},
        content_type="multipart/form-data",
    )
    assert theirs.status_code == 302
    page = admin.get(f"/console/evaluation/rounds/{round_id}/units/{web['civil']}").get_data(
        as_text=True
    )
    assert "自评报告.pdf" in page and "../" not in page
    link = page.split('href="/console/ledger/files/')[1].split('"')[0]
    assert admin.get(f"/console/ledger/files/{link}").data == PDF
    head, token = _client(web, "head1")
    assert head.get(f"/console/ledger/files/{link}").status_code == 404
    wrong = head.post(
        f"/console/evaluation/rounds/{round_id}/units/{web['market']}/files",
        data={"file": (io.BytesIO(b"hello"), "a.exe"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "只支持" in wrong.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/console/evaluation/rounds/9999",
        "/console/evaluation/trees/9999",
        "/console/ledger/9999",
        "/console/ledger/files/9999",
        "/console/evaluation/rounds/9999/units/1",
    ],
)
def test_missing_things_answer_404(web, path):
    client, _ = _client(web, "admin1")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/console/ledger/?status=bogus", "/console/ledger/?round_id=x"])
def test_bad_filters_answer_400(web, path):
    client, _ = _client(web, "admin1")
    assert client.get(path).status_code == 400


AREAS = (
    "console_evaluation.",
    "console_evaluation_results.",
    "console_ledger.",
    "console_staffing.",
)


def _area_routes(app, roles: tuple[str, ...]):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith(AREAS) and getattr(view, "console_roles", None) == roles:
            path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method, path


@pytest.mark.parametrize("username", ["head1", "rev1"])
def test_admin_only_routes_refuse_heads_and_reviewers(web, username):
    add_account(web["engine"], "rev1", PASSWORD, "reviewer", department_id=web["market"])
    client, token = _client(web, username)
    admin_only = list(_area_routes(web["app"], ("admin",)))
    assert len(admin_only) >= 15
    let_through = [
        (method, path, status)
        for method, path in admin_only
        if (status := client.open(path, method=method, data={"csrf_token": token}).status_code)
        != 403
    ]
    assert let_through == []


def test_reviewers_reach_none_of_the_evaluation_pages(web):
    add_account(web["engine"], "rev1", PASSWORD, "reviewer", department_id=web["market"])
    client, token = _client(web, "rev1")
    heads = list(_area_routes(web["app"], ("admin", "head")))
    assert len(heads) >= 10
    for method, path in heads:
        assert client.open(path, method=method, data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("/console/evaluation/settings", {"yellow_from": "90", "green_from": "80", "red": "a",
                                          "yellow": "b", "green": "c"}, "阈值"),
        ("/console/evaluation/settings", {"yellow_from": "abc", "green_from": "80"}, "黄色起点"),
        ("/console/evaluation/trees/{tree}/indicators", {"name": ""}, "指标名称"),
        ("/console/evaluation/trees/{tree}/points", {"indicator_id": "1", "name": "x",
                                                     "max_score": "abc"}, "分值"),
        ("/console/evaluation/trees/{tree}/points", {"indicator_id": "1", "name": "x",
                                                     "max_score": "5", "method": "guess"}, "评分"),
    ],
)  # fmt: skip
def test_bad_tree_and_settings_forms_answer_400_in_chinese(web, path, form, message):
    client, token = _client(web, "admin1")
    response = client.post(path.format(tree=web["tree"]), data={**form, "csrf_token": token})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_used_tree_is_frozen_and_bad_round_steps_are_refused(web):
    round_id = _open_round(web)
    client, token = _client(web, "admin1")
    frozen = client.post(
        f"/console/evaluation/trees/{web['tree']}/indicators",
        data={"name": "新指标", "csrf_token": token},
    )
    assert frozen.status_code == 409 and "复制为新版本" in frozen.get_data(as_text=True)
    copied = client.post(
        f"/console/evaluation/trees/{web['tree']}/copy", data={"csrf_token": token}
    )
    assert copied.status_code == 302
    kind = client.post(
        f"/console/evaluation/rounds/{round_id}/surveys",
        data={"survey_id": "1", "kind": "other", "csrf_token": token},
    )
    assert kind.status_code == 400 and "问卷类型" in kind.get_data(as_text=True)
    finding = _finding(web, client, token, round_id, web["market"])
    verdict = client.post(
        f"/console/ledger/{finding}/check", data={"verdict": "", "csrf_token": token}
    )
    assert verdict.status_code == 400 and "销号或重新整改" in verdict.get_data(as_text=True)
    early = client.post(
        f"/console/ledger/{finding}/check", data={"verdict": "close", "csrf_token": token}
    )
    assert early.status_code == 409 and "不能回头看" in early.get_data(as_text=True)
