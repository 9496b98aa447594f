"""The WeCom API client against a tiny local fake WeCom server (real HTTP, no mocks)."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
import time
from collections import defaultdict

import pytest
from flask import Flask, Response, request
from werkzeug.serving import make_server

from bot.client import (
    MemoryTokenStore,
    WeComClient,
    WeComError,
    WeComRateLimited,
    WeComUnavailable,
    batched,
)

CORP, SECRET, AGENT = "wwcorp", "s3cret-value", 1000002
OK = {"errcode": 0, "errmsg": "ok"}


class FakeWeCom:
    """Speak just enough of the WeCom API; `script` queues answers for a path."""

    def __init__(self) -> None:
        self.app = Flask(__name__)
        self.app.add_url_rule(
            "/cgi-bin/<path:path>", view_func=self.handle, methods=["GET", "POST"]
        )
        self.calls: list[dict] = []
        self.scripted: dict[str, list] = defaultdict(list)
        self.token_serial, self.expires_in, self.reject_all_tokens = 1, 7200, False
        self.base = ""

    @property
    def token(self) -> str:
        return f"token-{self.token_serial}"

    def script(self, path: str, *answers) -> None:
        self.scripted[path].extend(answers)

    def paths(self) -> list[str]:
        return [call["path"] for call in self.calls]

    def handle(self, path: str) -> Response:
        files = {name: (f.filename, f.read()) for name, f in request.files.items()}
        body = b"" if files else request.get_data()
        self.calls.append(
            {"path": path, "args": request.args.to_dict(), "body": body, "files": files}
        )
        if self.scripted[path]:
            return self.answer(self.scripted[path].pop(0))
        if path == "gettoken":
            return self.issue_token()
        if not path.startswith("webhook/") and (
            self.reject_all_tokens or request.args.get("access_token") != self.token
        ):
            return self.answer({"errcode": 42001, "errmsg": "access_token expired, hint: [x]"})
        return self.answer(self.default(path, files))

    def issue_token(self) -> Response:
        if request.args.get("corpsecret") != SECRET:
            return self.answer({"errcode": 40001, "errmsg": "invalid secret"})
        return self.answer({**OK, "access_token": self.token, "expires_in": self.expires_in})

    def default(self, path: str, files: dict) -> dict:
        if "upload" in path:
            return {
                **OK,
                "type": request.args.get("type"),
                "media_id": f"media-{files['media'][0]}",
            }
        answers = {
            "message/send": {**OK, "msgid": "msg-1"},
            "appchat/create": {**OK, "chatid": "chat-1"},
            "department/list": {**OK, "department": [{"id": 1, "name": "机关", "parentid": 0}]},
            "user/list": {
                **OK,
                "userlist": [{"userid": "lisi", "name": "李四", "department": [1]}],
            },
            "user/get": {**OK, "userid": request.args.get("userid"), "name": "李四"},
            "auth/getuserinfo": {**OK, "UserId": "lisi", "DeviceId": "d"},
        }
        return answers.get(path, OK)

    def answer(self, answer) -> Response:
        if isinstance(answer, dict):
            return Response(json.dumps(answer), mimetype="application/json")
        kind, value = answer
        if kind == "sleep":
            time.sleep(value)
            return self.answer(OK)
        if kind == "status":
            return Response("server error", status=value)
        return Response(value, mimetype="text/html")  # ("text", body): not JSON

    def json_body(self, index: int = -1) -> dict:
        return json.loads(self.calls[index]["body"].decode("utf-8"))


@pytest.fixture
def fake():
    server_fake = FakeWeCom()
    server = make_server("127.0.0.1", 0, server_fake.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    server_fake.base = f"http://127.0.0.1:{server.port}/cgi-bin/"
    yield server_fake
    server.shutdown()
    thread.join(5)


class Sleeps(list):
    """A no-op sleep that remembers how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(base: str, **options) -> WeComClient:
    options.setdefault("sleep", Sleeps())
    return WeComClient(api_base=base, corp_id=CORP, secret=SECRET, agent_id=AGENT, **options)


def test_token_is_fetched_from_api_base_cached_and_reused(fake):
    client = client_for(fake.base)
    for _ in range(3):
        client.send_text(["lisi"], "你好")
    assert fake.paths() == ["gettoken", "message/send", "message/send", "message/send"]
    assert fake.calls[0]["args"] == {"corpid": CORP, "corpsecret": SECRET}
    assert {call["args"]["access_token"] for call in fake.calls[1:]} == {"token-1"}


def test_processes_sharing_a_store_share_the_token(fake):
    store = MemoryTokenStore()
    client_for(fake.base, token_store=store).send_text(["a"], "x")
    client_for(fake.base, token_store=store).send_text(["a"], "y")
    assert fake.paths().count("gettoken") == 1
    assert store.get(f"{CORP}:{AGENT}:{hashlib.sha256(SECRET.encode()).hexdigest()[:12]}")


def test_token_with_less_than_a_minute_left_is_refreshed(fake):
    fake.expires_in = 30
    client = client_for(fake.base)
    client.access_token()
    client.access_token()
    assert fake.paths() == ["gettoken", "gettoken"]


def test_expired_token_is_refreshed_once_and_the_call_succeeds(fake):
    client = client_for(fake.base)
    client.send_text(["lisi"], "一")
    fake.token_serial = 2  # WeCom invalidated the token early
    assert client.send_text(["lisi"], "二")["msgid"] == "msg-1"
    assert fake.paths() == ["gettoken", "message/send", "message/send", "gettoken", "message/send"]
    assert fake.calls[-1]["args"]["access_token"] == "token-2"


@pytest.mark.parametrize("errcode", [40014, 42001, 42007, 42009])
def test_persistent_token_error_raises_after_one_refresh(fake, errcode):
    fake.reject_all_tokens = True
    fake.script(
        "message/send", {"errcode": errcode, "errmsg": "bad"}, {"errcode": errcode, "errmsg": "bad"}
    )
    with pytest.raises(WeComError) as caught:
        client_for(fake.base).send_text(["lisi"], "x")
    assert caught.value.errcode == errcode
    assert not caught.value.retryable
    assert fake.paths() == ["gettoken", "message/send", "gettoken", "message/send"]


def test_busy_answers_are_retried_with_backoff(fake):
    sleeps = Sleeps()
    fake.script(
        "message/send", {"errcode": -1, "errmsg": "system busy"}, {"errcode": -1, "errmsg": "busy"}
    )
    assert client_for(fake.base, sleep=sleeps).send_text(["lisi"], "x")["errcode"] == 0
    assert sleeps == [0.2, 0.4]
    assert fake.paths().count("message/send") == 3


def test_busy_retries_are_bounded(fake):
    sleeps = Sleeps()
    fake.script("message/send", *[{"errcode": -1, "errmsg": "busy"}] * 10)
    with pytest.raises(WeComError) as caught:
        client_for(fake.base, sleep=sleeps, max_busy_retries=3).send_text(["lisi"], "x")
    assert caught.value.errcode == -1 and caught.value.retryable
    assert sleeps == [0.2, 0.4, 0.8]
    assert fake.paths().count("message/send") == 4


def test_rate_limit_waits_once_then_raises(fake):
    sleeps = Sleeps()
    fake.script("message/send", *[{"errcode": 45009, "errmsg": "api freq out of limit"}] * 2)
    with pytest.raises(WeComRateLimited) as caught:
        client_for(fake.base, sleep=sleeps).send_text(["lisi"], "x")
    assert caught.value.retryable and caught.value.errcode == 45009
    assert sleeps == [1.0]
    assert fake.paths().count("message/send") == 2


def test_rate_limit_then_success(fake):
    fake.script("webhook/send", {"errcode": 45009, "errmsg": "limit"})
    assert client_for(fake.base).webhook_send_markdown("k", "**周报**")["errcode"] == 0


def test_concurrency_limit_is_rate_limited_without_waiting(fake):
    sleeps = Sleeps()
    fake.script("message/send", {"errcode": 45033, "errmsg": "concurrency"})
    with pytest.raises(WeComRateLimited):
        client_for(fake.base, sleep=sleeps).send_text(["lisi"], "x")
    assert sleeps == []


@pytest.mark.parametrize("errcode", [81013, 93000, 40058])
def test_other_errors_are_not_retryable(fake, errcode):
    fake.script("message/send", {"errcode": errcode, "errmsg": "no"})
    with pytest.raises(WeComError) as caught:
        client_for(fake.base).send_text(["lisi"], "x")
    assert (caught.value.errcode, caught.value.retryable) == (errcode, False)
    assert fake.paths().count("message/send") == 1


@pytest.mark.parametrize(
    "answer", [("status", 500), ("status", 502), ("text", "<html>维护中</html>")]
)
def test_server_errors_and_garbage_are_unavailable(fake, answer):
    fake.script("message/send", answer)
    with pytest.raises(WeComUnavailable) as caught:
        client_for(fake.base).send_text(["lisi"], "x")
    assert caught.value.retryable


def test_connection_refused_is_unavailable_and_leaks_no_secret():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(WeComUnavailable) as caught:
        client_for(f"http://127.0.0.1:{port}/cgi-bin/").send_text(["lisi"], "x")
    assert caught.value.retryable
    assert SECRET not in str(caught.value)
    assert caught.value.__suppress_context__


def test_timeout_is_honoured(fake):
    fake.script("gettoken", ("sleep", 2.0))
    started = time.monotonic()
    with pytest.raises(WeComUnavailable):
        client_for(fake.base, timeout=0.3).access_token()
    assert time.monotonic() - started < 1.5


def test_bad_secret_is_an_error(fake):
    client = WeComClient(api_base=fake.base, corp_id=CORP, secret="wrong", agent_id=AGENT)
    with pytest.raises(WeComError) as caught:
        client.access_token()
    assert caught.value.errcode == 40001


def test_thousand_recipients_go_in_one_call_and_more_are_refused(fake):
    client = client_for(fake.base)
    client.send_text([f"u{i}" for i in range(1000)], "通知")
    assert fake.paths().count("message/send") == 1
    assert len(fake.json_body()["touser"].split("|")) == 1000
    with pytest.raises(ValueError):
        client.send_text([f"u{i}" for i in range(1001)], "通知")
    with pytest.raises(ValueError):
        client.send_text([], "通知")
    assert fake.paths().count("message/send") == 1


def test_batched():
    assert [len(batch) for batch in batched(range(2500))] == [1000, 1000, 500]
    assert list(batched(["a", "b", "c"], 2)) == [["a", "b"], ["c"]]
    assert list(batched([])) == []


def test_message_body_shape_and_utf8_json(fake):
    client = client_for(fake.base)
    client.send_message(["lisi", "wangwu"], "markdown", {"content": "**你好**"})
    assert b"\xe4\xbd\xa0" in fake.calls[-1]["body"]  # raw UTF-8, not \u escapes
    assert fake.json_body() == {
        "touser": "lisi|wangwu",
        "msgtype": "markdown",
        "agentid": AGENT,
        "markdown": {"content": "**你好**"},
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 600,
    }


def test_template_card_and_update(fake):
    client = client_for(fake.base)
    card = {"card_type": "button_interaction", "task_id": "t1", "button_list": []}
    client.send_template_card(["lisi"], card)
    assert fake.json_body()["template_card"] == card
    client.update_template_card(["lisi"], "rc-1", "已处理")
    assert fake.calls[-1]["path"] == "message/update_template_card"
    assert fake.json_body() == {
        "userids": ["lisi"],
        "agentid": AGENT,
        "response_code": "rc-1",
        "button": {"replace_name": "已处理"},
    }


def test_upload_uses_multipart_field_media(fake):
    client = client_for(fake.base)
    client.send_image(["lisi"], b"\x89PNG-bytes", "周报.png")
    upload, send = fake.calls[-2], fake.calls[-1]
    assert upload["path"] == "media/upload" and upload["args"]["type"] == "image"
    assert upload["files"] == {"media": ("周报.png", b"\x89PNG-bytes")}
    assert fake.json_body()["image"] == {"media_id": "media-周报.png"}
    assert send["args"]["access_token"] == "token-1"


def test_tiny_media_is_refused_before_upload(fake):
    with pytest.raises(ValueError):
        client_for(fake.base).upload_media("file", "a.txt", b"12345")
    assert fake.calls == []


def test_send_file(fake):
    client_for(fake.base).send_file(["lisi"], b"PK\x03\x04 excel", "汇总.xlsx")
    assert fake.calls[-2]["args"]["type"] == "file"
    assert fake.json_body()["file"] == {"media_id": "media-汇总.xlsx"}


def test_appchat(fake):
    client = client_for(fake.base)
    assert (
        client.appchat_create("第一党支部", "lisi", ["lisi", "wangwu"], chat_id="dept1") == "chat-1"
    )
    assert fake.json_body() == {
        "name": "第一党支部",
        "owner": "lisi",
        "userlist": ["lisi", "wangwu"],
        "chatid": "dept1",
    }
    client.appchat_send("dept1", "text", {"content": "本周排名"})
    assert fake.json_body() == {
        "chatid": "dept1",
        "msgtype": "text",
        "text": {"content": "本周排名"},
        "safe": 0,
    }
    client.appchat_send_file("dept1", b"%PDF-1.7 report", "月报.pdf")
    assert fake.json_body()["file"] == {"media_id": "media-月报.pdf"}
    client.appchat_send_image("dept1", b"\x89PNG chart", "chart.png")
    assert fake.json_body()["image"] == {"media_id": "media-chart.png"}


def test_contacts_and_oauth(fake):
    client = client_for(fake.base)
    assert client.list_departments()[0]["name"] == "机关"
    assert client.list_users(1)[0]["userid"] == "lisi"
    assert fake.calls[-1]["args"]["fetch_child"] == "1"
    assert client.get_user("lisi")["name"] == "李四"
    assert client.oauth_user("code-1")["userid"] == "lisi"
    fake.script("auth/getuserinfo", {**OK, "openid": "o1"})
    assert client.oauth_user("code-2")["userid"] == ""


def test_webhook_text_needs_no_token(fake):
    client_for(fake.base).webhook_send_text("robot-key", "请及时填报", mentioned=["@all"])
    assert fake.paths() == ["webhook/send"]
    assert fake.calls[0]["args"] == {"key": "robot-key"}
    assert fake.json_body() == {
        "msgtype": "text",
        "text": {"content": "请及时填报", "mentioned_list": ["@all"]},
    }


def test_webhook_image_payload(fake):
    image = bytes(range(256)) * 10
    client_for(fake.base).webhook_send_image("k", image)
    body = fake.json_body()["image"]
    assert base64.b64decode(body["base64"]) == image
    assert body["md5"] == hashlib.md5(image).hexdigest()


def test_webhook_image_over_two_megabytes_is_refused(fake):
    with pytest.raises(ValueError):
        client_for(fake.base).webhook_send_image("k", b"x" * (2 * 1024 * 1024 + 1))
    assert fake.calls == []


def test_webhook_file(fake):
    client_for(fake.base).webhook_send_file("k", b"%PDF-1.7 data", "周报.pdf")
    upload = fake.calls[0]
    assert (upload["path"], upload["args"]) == (
        "webhook/upload_media",
        {"key": "k", "type": "file"},
    )
    assert upload["files"]["media"][0] == "周报.pdf"
    assert fake.json_body() == {"msgtype": "file", "file": {"media_id": "media-周报.pdf"}}


def test_invalid_webhook_key(fake):
    fake.script("webhook/send", {"errcode": 93000, "errmsg": "invalid webhook url"})
    with pytest.raises(WeComError) as caught:
        client_for(fake.base).webhook_send_markdown("bad", "x")
    assert (caught.value.errcode, caught.value.retryable) == (93000, False)


def test_json_posts_need_no_content_type(fake):
    """The fake reads raw bodies, as WeCom and the emulator must (wechatpy sends none)."""
    client = client_for(fake.base)
    client.call(
        "POST", "message/send", json={"touser": "a", "msgtype": "text", "text": {"content": "好"}}
    )
    assert fake.json_body()["text"]["content"] == "好"


def test_api_base_without_trailing_slash(fake):
    client = client_for(fake.base.rstrip("/"))
    assert client.access_token() == "token-1"


def test_memory_store_discards_only_its_own_token():
    store = MemoryTokenStore()
    store.put("k", "new", 10.0)
    store.discard("k", "old")
    assert store.get("k") == ("new", 10.0)
    store.discard("k", "new")
    assert store.get("k") is None
