"""A finished round's 专报 (PDF, XLSX), a unit's feedback report and the quarterly sheet.

Three units are scored on a small tree: 县民政局 90 (green), 县市场监督管理局 70 (yellow) and
县食品药品检验所 40 (red). 县市场监督管理局 has two findings; one is closed after the check, so
only 权责清单未按期动态调整 stays open.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from backend.evaluation import queries, rounds
from backend.evaluation.errors import EvaluationError
from backend.evaluation.results import (
    quarterly_xlsx,
    round_report,
    round_report_pdf,
    round_report_xlsx,
    unit_feedback_pdf,
)
from backend.evaluation.tree import build_tree
from backend.ledger import service as ledger
from backend.models.staffing import OutputRecord, OutputSource
from backend.settings import load_settings
from backend.staffing.service import set_quota
from scheduled.work.runner import run_due_jobs
from tests.support.console import add_account, console_app, csrf_token, login_client
from tests.support.org import add_small_county, department_id
from tests.support.reports import pdf_pages, pdf_text
from tests.support.stack import TEST_WECOM, wipe_database

PASSWORD = "correct-horse-9"
OPEN_PROBLEM = "权责清单未按期动态调整"
CLOSED_PROBLEM = "档案管理不规范"
TREE = [
    (
        "职责履行",
        [
            ("核心职能", [("职责落实", 50, "scored", None, None)]),
            ("日常工作", [("填报", 10, "computed", "reporting_rate", 0.9)]),
        ],
    ),
    ("评议", [("实地评", [("实地查看", 40, "scored", None, None)])]),
]


def _round(session: Session, units: dict[str, int], *, finish: bool = True) -> int:
    tree = build_tree(session, name=f"结果体系{finish}", spec=TREE)
    points = {p.name: p.id for p in queries.points_of(session, tree_id=tree.id)}
    rnd = rounds.open_round(
        session,
        name="2026 年第一轮" if finish else "2026 年第二轮",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        tree_id=tree.id,
        department_ids=list(units.values()),
    )
    marks = {"civil": ("50", "40"), "market": ("40", "30"), "lab": ("20", "20")}
    for key, (a, b) in marks.items():
        rounds.save_onsite_scores(
            session,
            round_id=rnd.id,
            department_id=units[key],
            scores={points["职责落实"]: (a, ""), points["实地查看"]: (b, "")},
            visited_on=date(2026, 11, 5),
            notes="",
        )
    rounds.save_self_evaluation(
        session,
        round_id=rnd.id,
        department_id=units["market"],
        scores={points["职责落实"]: ("48", "自评")},
        assessment="自查",
        submit=True,
    )
    if finish:
        rounds.finish_round(session, round_id=rnd.id)
    return rnd.id


def _findings(session: Session, round_id: int, market: int) -> None:
    found = date(2026, 11, 5)
    ledger.record_finding(
        session, department_id=market, problem=OPEN_PROBLEM, found_on=found, round_id=round_id
    )
    closed = ledger.record_finding(
        session, department_id=market, problem=CLOSED_PROBLEM, found_on=found, round_id=round_id
    )
    today, deadline = date(2026, 11, 6), date(2026, 12, 31)
    ledger.commit_measure(
        session, finding_id=closed.id, measure="整理归档", deadline=deadline, today=today
    )
    ledger.file_report(session, finding_id=closed.id, report="已整理")
    ledger.check_finding(session, finding_id=closed.id, passed=True, note="通过")


def _staffing(session: Session, units: dict[str, int]) -> None:
    for key, posts in (("market", 3), ("civil", 2), ("lab", 1)):
        set_quota(
            session,
            department_id=units[key],
            effective_from=date(2025, 1, 1),
            administrative_posts=posts if key != "lab" else 0,
            institution_posts=posts if key == "lab" else 0,
            logistics_posts=0,
            leadership_posts=1,
        )
    session.add(
        OutputRecord(
            department_id=units["civil"],
            source=OutputSource.GOVERNMENT_SERVICE,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            cases=40,
        )
    )


@pytest.fixture
def county(app_engine):
    wipe_database(app_engine)
    with Session(app_engine) as session:
        add_small_county(session)
        units = {
            "market": department_id(session, "县市场监督管理局"),
            "civil": department_id(session, "县民政局"),
            "lab": department_id(session, "县食品药品检验所"),
        }
        _staffing(session, units)
        units["round"] = _round(session, units)
        units["open_round"] = _round(session, units, finish=False)
        _findings(session, units["round"], units["market"])
        session.commit()
    add_account(app_engine, "admin1", PASSWORD, "admin")
    add_account(app_engine, "head1", PASSWORD, "head", department_id=units["market"])
    return {"engine": app_engine, **units}


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_round_report_data(county):
    with Session(county["engine"]) as session:
        report = round_report(session, round_id=county["round"])
    assert [(u.unit, u.rank, u.colour_label) for u in report.units] == [
        ("县民政局", 1, "绿色"),
        ("县市场监督管理局", 2, "黄色"),
        ("县食品药品检验所", 3, "红色"),
    ]
    assert report.colour_counts == {"green": 1, "yellow": 1, "red": 1}
    assert report.average == pytest.approx(66.67)
    civil, market, _lab = (u.staffing for u in report.units)
    # 3 administrative staff in the market bureau (the head counted): 3 posts, none vacant.
    assert (market.approved, market.actual, market.vacancies, market.over_quota) == (3, 4, 0, 1)
    assert (civil.cases, civil.per_post, civil.county_per_post) == (40, 20.0, 20.0)
    assert [p.problem for p in report.problems] == [OPEN_PROBLEM]
    assert [p.problem for p in report.units[1].problems] == [OPEN_PROBLEM]


def test_round_report_pdf_reads_back(county, tmp_path):
    with Session(county["engine"]) as session:
        data = round_report_pdf(session, county["round"])
    text = pdf_text(data, tmp_path)
    assert "2026年第一轮履职评估专报" in text
    headings = ("一、总体情况", "二、排名与等次", "三、编制使用情况", "四、人员结构")
    for heading in (*headings, "五、重点问题整改情况"):
        assert heading in text
    structure = _section(text, "四、人员结构", "五、重点问题整改情况")
    assert all(word in structure for word in ("平均年龄", "35岁以下", "大学本科", "县民政局"))
    ranking = _section(text, "二、排名与等次", "三、编制使用情况")
    order = [ranking.index(n) for n in ("县民政局", "县市场监督管理局", "县食品药品检验所")]
    assert order == sorted(order)
    assert all(c in ranking for c in ("绿色", "黄色", "红色", "优先保障用编需求"))
    problems = text[text.index("五、重点问题整改情况") :]
    assert OPEN_PROBLEM in problems and "待整改" in problems
    assert CLOSED_PROBLEM not in text
    assert pdf_pages(data, tmp_path)  # pdftoppm prints nothing: no missing glyphs


def test_round_report_xlsx_has_four_sheets(county):
    with Session(county["engine"]) as session:
        book = load_workbook(io.BytesIO(round_report_xlsx(session, county["round"])))
    assert book.sheetnames == ["排名与等次", "编制使用", "人员结构", "问题台账"]
    structure = list(book["人员结构"].iter_rows(values_only=True))
    assert structure[0][:3] == ("单位", "在职人数", "平均年龄")
    assert {r[0]: r[1] for r in structure[1:]} == {
        "县市场监督管理局": 4,
        "县民政局": 1,
        "县食品药品检验所": 1,
    }
    ranking = list(book["排名与等次"].iter_rows(values_only=True))
    assert ranking[0] == ("排名", "单位", "得分", "等次", "拟采取措施")
    assert [r[:4] for r in ranking[1:]] == [
        (1, "县民政局", 90, "绿色"),
        (2, "县市场监督管理局", 70, "黄色"),
        (3, "县食品药品检验所", 40, "红色"),
    ]
    staffing = list(book["编制使用"].iter_rows(values_only=True))
    assert len(staffing) == 4 and staffing[1][:2] == ("县民政局", 2)
    problems = list(book["问题台账"].iter_rows(values_only=True))
    assert [r[:2] for r in problems[1:]] == [("县市场监督管理局", OPEN_PROBLEM)]


def test_an_unfinished_round_is_refused_with_409(county):
    with Session(county["engine"]) as session:
        for make in (round_report_pdf, round_report_xlsx):
            with pytest.raises(EvaluationError) as caught:
                make(session, county["open_round"])
            assert caught.value.status == 409 and "尚未结束" in caught.value.message


def test_unit_feedback_pdf(county, tmp_path):
    with Session(county["engine"]) as session:
        data = unit_feedback_pdf(session, county["round"], county["market"])
        with pytest.raises(EvaluationError) as caught:
            unit_feedback_pdf(session, county["open_round"], county["market"])
        assert caught.value.status == 409
    text = pdf_text(data, tmp_path)
    assert "反馈报告" in text and "县市场监督管理局" in text
    assert "在3个单位中排名第2名" in text and "黄色" in text
    assert "职责落实" in text and "实地查看" in text and "填报" in text
    assert OPEN_PROBLEM in text and CLOSED_PROBLEM in text and "已销号" in text
    assert pdf_pages(data, tmp_path)


def test_quarterly_xlsx_rows(county):
    with Session(county["engine"]) as session:
        book = load_workbook(io.BytesIO(quarterly_xlsx(session, 2026, 4)))
        with pytest.raises(EvaluationError):
            quarterly_xlsx(session, 2026, 5)
    rows = list(book["平时考核"].iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "单位", "科室")
    people = {r[0]: r for r in rows[1:]}
    assert set(people) == {"李晓燕", "王建国", "陈静", "刘芳", "赵磊"}  # the head is not rated
    assert people["赵磊"][1] == "县食品药品检验所" and people["刘芳"][1] == "县民政局"
    assert people["李晓燕"][6] == 0  # nothing logged: reporting rate 0 %


def _client(county, username: str | None):
    client = console_app(county["engine"]).test_client()
    if username:
        login_client(client, username, PASSWORD)
    return client


def _post(client, path: str, signed_in: bool = True, **form):
    token = csrf_token(client, "/console/" if signed_in else "/console/login")
    return client.post(path, data={"csrf_token": token, **form})


def _fetched(county, client, path: str, **form):
    """Ask for a result file, run the job as the runner does, and download what it made."""
    queued = _post(client, path, **form)
    assert queued.status_code == 302, queued.get_data(as_text=True)[:300]
    url = county["engine"].url.render_as_string(hide_password=False)
    run_due_jobs(county["engine"], settings=load_settings(DATABASE_URL=url, **TEST_WECOM))
    job_id = queued.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    return client.get(f"/console/jobs/{job_id}/download")


def test_admin_downloads(county):
    client = _client(county, "admin1")
    base = f"/console/evaluation/results/rounds/{county['round']}"
    pdf = _fetched(county, client, f"{base}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    xlsx = _fetched(county, client, f"{base}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    feedback = _fetched(county, client, f"{base}/units/{county['lab']}/feedback.pdf")
    assert feedback.data.startswith(b"%PDF")
    unfinished = _post(
        client, f"/console/evaluation/results/rounds/{county['open_round']}/report.pdf"
    )
    assert unfinished.status_code == 409 and "尚未结束" in unfinished.get_data(as_text=True)
    quarterly = _fetched(
        county, client, "/console/evaluation/results/quarterly.xlsx", year="2026", quarter="4"
    )
    assert quarterly.status_code == 200 and quarterly.data[:2] == b"PK"
    this_quarter = _fetched(county, client, "/console/evaluation/results/quarterly.xlsx")
    assert this_quarter.status_code == 200
    for form in ({"year": "2026", "quarter": "5"}, {"year": "abc", "quarter": "1"}):
        bad = _post(client, "/console/evaluation/results/quarterly.xlsx", **form)
        assert bad.status_code == 400 and "季度" in bad.get_data(as_text=True)


def test_head_and_anonymous_access(county):
    base = f"/console/evaluation/results/rounds/{county['round']}"
    head = _client(county, "head1")
    assert _post(head, f"{base}/report.pdf").status_code == 403
    assert _post(head, f"{base}/report.xlsx").status_code == 403
    assert _post(head, "/console/evaluation/results/quarterly.xlsx").status_code == 403
    assert _post(head, f"{base}/units/{county['civil']}/feedback.pdf").status_code == 404
    assert (
        _fetched(county, head, f"{base}/units/{county['market']}/feedback.pdf").status_code == 200
    )
    assert _fetched(county, head, f"{base}/units/{county['lab']}/feedback.pdf").status_code == 200
    anonymous = _client(county, None)
    assert _post(anonymous, f"{base}/report.pdf", signed_in=False).status_code == 401
