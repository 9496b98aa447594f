"""The public QR pages and the console pages, through Flask's test client."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlmodel import Session, select

from backend.models import Staff
from backend.models.supervision import Rating, SupervisionCode, WorkOrder
from backend.web.limits import limiter
from tests.support.console import add_account, console_app, csrf_token, login_client
from tests.support.org import add_small_county
from tests.support.stack import wipe_database
from tests.support.supervision import add_codes, alert_text, department_id, visitor_rates

PASSWORD = "correct-horse-9"


@pytest.fixture
def web(app_engine):
    """The app on a fresh fixture county with codes, and a clean rate limiter."""
    wipe_database(app_engine)
    with Session(app_engine) as session:
        add_small_county(session)
        codes = add_codes(session)
        market = department_id(session, "县市场监督管理局")
        civil = department_id(session, "县民政局")
        session.commit()
    app = console_app(app_engine)
    limiter.reset()
    yield {"app": app, "codes": codes, "engine": app_engine, "market": market, "civil": civil}
    limiter.reset()


def count(engine, model) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def test_the_public_page_shows_the_person_post_sections_and_duties(web):
    html = web["app"].test_client().get(f"/q/{web['codes']['alice']}").get_data(as_text=True)
    for fact in ("县市场监督管理局", "李晓燕", "食品经营许可窗口", "食品安全监管股", "办公室"):
        assert fact in html
    assert "负责食品安全监督管理" in html and "非常不满意" in html
    assert "alice" not in html  # no WeCom id or other private data


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"comment": "窗口无人"}, "请选择一个评价等级"),
        ({"level": "satisfied", "comment": "好" * 501}, "留言不能超过 500 字"),
        ({"level": "satisfied", "contact_phone": "call me"}, "联系电话格式不正确"),
    ],
)
def test_bad_input_gets_a_message_keeps_the_text_and_stores_nothing(web, fields, message):
    response = visitor_rates(web["app"].test_client(), web["codes"]["县民政局"], **fields)
    assert response.status_code == 400
    assert message in alert_text(response)
    assert fields["comment" if "comment" in fields else "contact_phone"][:20] in response.get_data(
        as_text=True
    )
    assert count(web["engine"], Rating) == 0


def test_a_bad_csrf_token_is_refused_and_stores_nothing(web):
    client = web["app"].test_client()
    client.get(f"/q/{web['codes']['县民政局']}")
    response = client.post(
        f"/q/{web['codes']['县民政局']}", data={"csrf_token": "forged", "level": "satisfied"}
    )
    assert response.status_code == 400
    assert "页面已过期或来源无法验证" in alert_text(response)
    assert count(web["engine"], Rating) == 0


def test_an_unknown_code_gets_a_message(web):
    client = web["app"].test_client()
    response = client.get("/q/NOSUCHCODE")
    assert response.status_code == 404 and "二维码无效" in alert_text(response)
    token = csrf_token(client, f"/q/{web['codes']['县民政局']}")
    response = client.post("/q/NOSUCHCODE", data={"csrf_token": token, "level": "satisfied"})
    assert response.status_code == 404 and "二维码无效" in alert_text(response)
    assert count(web["engine"], Rating) == 0


def test_a_second_rating_from_the_same_device_the_same_day_is_refused(web):
    code = web["codes"]["县民政局"]
    phone = web["app"].test_client()
    token = csrf_token(phone, f"/q/{code}")  # a second tab, opened before the first rating
    assert visitor_rates(phone, code, level="satisfied").status_code == 200
    again = phone.post(f"/q/{code}", data={"csrf_token": token, "level": "very_satisfied"})
    assert again.status_code == 409 and "今天已经评价过该单位" in alert_text(again)
    assert "今天已经评价过该单位" in phone.get(f"/q/{code}").get_data(as_text=True)
    assert visitor_rates(web["app"].test_client(), code, level="basic").status_code == 200
    assert count(web["engine"], Rating) == 2


def test_rating_floods_from_one_address_are_slowed_down(web):
    client = web["app"].test_client()
    token = csrf_token(client, f"/q/{web['codes']['县民政局']}")
    statuses = [
        client.post("/q/NOSUCHCODE", data={"csrf_token": token}).status_code for _ in range(21)
    ]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429
    response = client.post(f"/q/{web['codes']['县民政局']}", data={"csrf_token": token})
    assert "操作过于频繁" in alert_text(response)


def test_the_visitor_checks_the_status_with_the_ticket(web):
    client = web["app"].test_client()
    response = visitor_rates(client, web["codes"]["alice"], level="dissatisfied", tags="态度生硬")
    with Session(web["engine"]) as session:
        ticket = session.exec(select(WorkOrder.ticket)).one()
    assert ticket in response.get_data(as_text=True)
    status = client.get(f"/q/status?ticket={ticket.lower()}").get_data(as_text=True)
    assert "待回访" in status and "县市场监督管理局" in status
    missing = client.get("/q/status?ticket=XXXXXXXXXX")
    assert missing.status_code == 404 and "查询码不存在" in alert_text(missing)


CONSOLE_GETS = [
    "/console/supervision",
    "/console/supervision/ratings.xlsx",
    "/console/supervision/orders",
    "/console/supervision/orders/1",
    "/console/supervision/codes",
    "/console/supervision/codes/1.png",
    "/console/supervision/cards/1.pdf",
]
CONSOLE_POSTS = [
    "/console/supervision/scale",
    "/console/supervision/orders/1/visit",
    "/console/supervision/codes/issue",
]


def test_console_pages_refuse_anonymous_users(web):
    client = web["app"].test_client()
    for path in CONSOLE_GETS:
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.location, path
    token = csrf_token(client, f"/q/{web['codes']['县民政局']}")
    for path in CONSOLE_POSTS:
        assert client.post(path, data={"csrf_token": token}).status_code == 401, path


def signed_in(web, username: str, role: str, department: str | None = None):
    department_id = web[department] if department else None
    add_account(web["engine"], username, PASSWORD, role, department_id=department_id)
    client = web["app"].test_client()
    return client, login_client(client, username, PASSWORD)


def market_order(web) -> tuple[int, int]:
    visitor_rates(web["app"].test_client(), web["codes"]["alice"], level="very_dissatisfied")
    with Session(web["engine"]) as session:
        order = session.exec(select(WorkOrder)).one()
        code = session.exec(
            select(SupervisionCode).where(SupervisionCode.code == web["codes"]["alice"])
        ).one()
        return order.id, code.id


def test_a_head_of_another_department_sees_none_of_its_data(web):
    order_id, code_id = market_order(web)
    client, token = signed_in(web, "civilhead", "head", "civil")
    market = web["market"]
    for path in (
        f"/console/supervision/orders/{order_id}",
        f"/console/supervision?department_id={market}",
        f"/console/supervision/ratings.xlsx?department_id={market}",
        f"/console/supervision/codes/{code_id}.svg",
        f"/console/supervision/cards/{market}.pdf",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(
        f"/console/supervision/orders/{order_id}/visit", data={"csrf_token": token, "note": "x"}
    )
    assert response.status_code == 404
    assert "李晓燕" not in client.get("/console/supervision").get_data(as_text=True)
    assert "县市场监督管理局" not in client.get("/console/supervision/orders").get_data(
        as_text=True
    )
    with Session(web["engine"]) as session:
        assert session.get(WorkOrder, order_id).visited_on is None


def test_a_reviewer_may_read_but_not_act_on_orders(web):
    order_id, _ = market_order(web)
    client, token = signed_in(web, "marketreviewer", "reviewer", "market")
    assert client.get(f"/console/supervision/orders/{order_id}").status_code == 200
    response = client.post(
        f"/console/supervision/orders/{order_id}/visit", data={"csrf_token": token, "note": "x"}
    )
    assert response.status_code == 403


def test_the_head_records_the_visit_and_a_missing_note_is_explained(web):
    order_id, _ = market_order(web)
    client, token = signed_in(web, "markethead", "head", "market")
    path = f"/console/supervision/orders/{order_id}"
    empty = client.post(f"{path}/visit", data={"csrf_token": token, "note": " "})
    assert empty.status_code == 400 and "请填写回访情况" in empty.get_data(as_text=True)
    early = client.post(f"{path}/close", data={"csrf_token": token, "note": "办结"})
    assert early.status_code == 409 and "不能办结" in early.get_data(as_text=True)
    done = client.post(f"{path}/visit", data={"csrf_token": token, "note": "已电话回访"})
    assert done.status_code == 302
    assert "已电话回访" in client.get(path).get_data(as_text=True)


def test_the_ratings_export_writes_formula_like_text_as_text(web):
    visitor_rates(web["app"].test_client(), web["codes"]["县民政局"], level="basic", comment="=1+1")
    client, _ = signed_in(web, "admin1", "admin")
    response = client.get("/console/supervision/ratings.xlsx?level=basic")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]][:5] == [
        "编号",
        "评价时间",
        "单位",
        "工作人员",
        "评价等级",
    ]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I2"
    assert sheet["G2"].value == "=1+1" and sheet["G2"].data_type == "s"
    assert sheet["E2"].value == "基本满意" and sheet["B2"].is_date
    assert client.get("/console/supervision?start=2026-13-01").status_code == 400


def test_the_admin_issues_codes_and_downloads_images_and_desk_cards(web):
    client, token = signed_in(web, "admin2", "admin")
    with Session(web["engine"]) as session:
        retired = web["codes"]["县民政局"]
        session.delete(
            session.exec(select(SupervisionCode).where(SupervisionCode.code == retired)).one()
        )
        session.commit()
    issued = client.post("/console/supervision/codes/issue", data={"csrf_token": token})
    assert "已生成二维码 1 个" in client.get(issued.location).get_data(as_text=True)
    assert count(web["engine"], SupervisionCode) == 4
    page = client.get("/console/supervision/codes").get_data(as_text=True)
    assert "/q/" + web["codes"]["alice"] in page and "/q/" + retired not in page
    png = client.get("/console/supervision/codes/1.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    cards = client.get(f"/console/supervision/cards/{web['market']}.pdf")
    assert cards.status_code == 200 and cards.data.startswith(b"%PDF")


def test_the_admin_makes_a_window_post_and_it_gets_a_code(web):
    client, token = signed_in(web, "admin3", "admin")
    with Session(web["engine"]) as session:
        bob = session.exec(select(Staff).where(Staff.wecom_userid == "bob")).one()
    empty = client.post(
        "/console/supervision/codes/post", data={"csrf_token": token, "staff_id": bob.id}
    )
    assert "请选择人员并填写岗位名称" in client.get(empty.location).get_data(as_text=True)
    client.post(
        "/console/supervision/codes/post",
        data={"csrf_token": token, "staff_id": bob.id, "title": "综合受理窗口"},
    )
    with Session(web["engine"]) as session:
        code = session.exec(select(SupervisionCode).where(SupervisionCode.staff_id == bob.id)).one()
        assert code.post_title == "综合受理窗口" and session.get(Staff, bob.id).public_facing
    html = web["app"].test_client().get(f"/q/{code.code}").get_data(as_text=True)
    assert "王建国" in html and "综合受理窗口" in html


def test_the_ratings_page_shows_the_departments_figures(web):
    visitor_rates(web["app"].test_client(), web["codes"]["alice"], level="very_dissatisfied")
    visitor_rates(web["app"].test_client(), web["codes"]["alice"], level="satisfied")
    client, _ = signed_in(web, "markethead2", "head", "market")
    html = client.get(f"/console/supervision?department_id={web['market']}").get_data(as_text=True)
    assert "50.0%" in html and "差评率（1 条）" in html and "非常不满意 1" in html
    with Session(web["engine"]) as session:
        created = session.exec(select(Rating.created_at)).first()
    local = created.astimezone(web["app"].extensions["lvzhi"].settings.timezone)
    assert local.strftime("%Y-%m-%d %H:%M") in html  # local time, not UTC


def test_the_admin_switches_to_the_pilots_four_levels(web):
    client, token = signed_in(web, "admin4", "admin")
    saved = client.post("/console/supervision/scale", data={"csrf_token": token, "levels": "4"})
    assert "评价等级设置已保存" in client.get(saved.location).get_data(as_text=True)
    html = web["app"].test_client().get(f"/q/{web['codes']['县民政局']}").get_data(as_text=True)
    assert "基本满意" in html and "非常不满意" not in html
    refused = visitor_rates(
        web["app"].test_client(), web["codes"]["县民政局"], level="very_dissatisfied"
    )
    assert refused.status_code == 400 and "评价等级无效" in alert_text(refused)
    bad = client.post("/console/supervision/scale", data={"csrf_token": token, "levels": "3"})
    assert bad.status_code == 400 and "评价等级只能是 4 级或 5 级" in bad.get_data(as_text=True)
