"""The local WeCom emulator, exercised over real HTTP with real encryption and signatures."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import xmltodict
from flask import Flask, request
from wechatpy.enterprise import WeChatClient
from wechatpy.enterprise.crypto import WeChatCrypto
from werkzeug.serving import make_server

from bot.emulator import EmulatorConfig, EmulatorServer
from bot.emulator.wire import decrypt, sign

# Official test vector Set A (wecom.md §2): token, EncodingAESKey and CorpID.
CORP_ID = "ww1436e0e65a779aee"
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
SECRET = "app-secret-for-tests"
AGENT_ID = 1000002
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

DIRECTORY = {
    "departments": [
        {"id": 1, "name": "示范县", "parentid": 0},
        {"id": 2, "name": "办公室", "parentid": 1},
        {"id": 3, "name": "秘书科", "parentid": 2},
    ],
    "users": [
        {"userid": "alice", "name": "张三", "department": [2], "position": "主任"},
        {"userid": "bob", "name": "李四", "department": [3], "position": "科员"},
        {"userid": "carol", "name": "王五", "department": [1]},
    ],
    "robots": [{"key": "robot-key-1", "name": "办公室工作群"}],
    "appchats": [],
}


class FakeBot:
    """A tiny bot: decrypts each callback, remembers it and answers with an encrypted echo."""

    def __init__(self) -> None:
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
        self.deliveries: list[dict] = []
        self.delays: list[float] = []
        self.verify_suffix = ""
        self.raw_queries: list[str] = []
        self.lock = threading.Lock()
        app = Flask("fake_bot")
        app.add_url_rule("/callback", "verify", self.verify, methods=["GET"])
        app.add_url_rule("/callback", "receive", self.receive, methods=["POST"])
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback"
        serve = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        serve.start()

    def verify(self) -> str:
        args = request.args
        self.raw_queries.append(request.query_string.decode())
        echo = self.crypto.check_signature(
            args["msg_signature"], args["timestamp"], args["nonce"], args["echostr"]
        )
        return echo + self.verify_suffix

    def receive(self) -> str:
        args, body = request.args, request.get_data(as_text=True)
        plain = self.crypto.decrypt_message(
            body, args["msg_signature"], args["timestamp"], args["nonce"]
        )
        fields = xmltodict.parse(plain)["xml"]
        with self.lock:
            self.deliveries.append({"args": dict(args), "body": body, "fields": fields})
            delay = self.delays.pop(0) if self.delays else 0
        time.sleep(delay)
        return self.answer(fields, args["nonce"])

    def answer(self, fields: dict, nonce: str) -> str:
        if fields["MsgType"] == "text":
            return self.reply(
                fields, "<MsgType>text</MsgType>", f"你说：{fields['Content']}", nonce
            )
        if fields.get("Event") == "template_card_event":
            button = "<Button><ReplaceName><![CDATA[已处理]]></ReplaceName></Button>"
            return self.reply(fields, "<MsgType>update_button</MsgType>" + button, None, nonce)
        return ""

    def reply(self, fields: dict, kind: str, content: str | None, nonce: str) -> str:
        text = f"<Content><![CDATA[{content}]]></Content>" if content else ""
        xml = (
            f"<xml><ToUserName><![CDATA[{fields['FromUserName']}]]></ToUserName>"
            f"<FromUserName><![CDATA[{CORP_ID}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime>{kind}{text}</xml>"
        )
        return self.crypto.encrypt_message(xml, nonce)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_config(callback_url: str | None = None, **overrides) -> EmulatorConfig:
    return EmulatorConfig(
        corp_id=CORP_ID,
        agent_id=AGENT_ID,
        secret=SECRET,
        token=TOKEN,
        aes_key=AES_KEY,
        callback_url=callback_url,
        **overrides,
    )


class Wecom:
    """Talk to a running emulator the way the bot and the tests do."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.trust_env = False
        self.control("PUT", "directory", json=DIRECTORY)

    def token(self) -> str:
        params = {"corpid": CORP_ID, "corpsecret": SECRET}
        answer = self.http.get(self.server.api_base + "gettoken", params=params).json()
        return answer["access_token"]

    def get(self, path: str, **params) -> dict:
        params.setdefault("access_token", self.token())
        return self.http.get(self.server.api_base + path, params=params, timeout=5).json()

    def post(self, path: str, body: dict, **params) -> dict:
        """POST JSON without a Content-Type header, as wechatpy does."""
        if "key" not in params:
            params.setdefault("access_token", self.token())
        data = json.dumps(body, ensure_ascii=False).encode()
        url = self.server.api_base + path
        return self.http.post(url, params=params, data=data, timeout=5).json()

    def upload(self, path: str, data: bytes, filename: str, **params) -> dict:
        if "key" not in params:
            params.setdefault("access_token", self.token())
        files = {"media": (filename, data)}
        return self.http.post(self.server.api_base + path, params=params, files=files).json()

    def control(self, method: str, name: str, **kwargs) -> dict:
        url = f"{self.server.url}/_emulator/{name}"
        response = self.http.request(method, url, timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def messages(self, **filters) -> list[dict]:
        return self.control("GET", "messages", params=filters)["messages"]

    def send_text(self, touser: str, content: str = "您好") -> dict:
        body = {
            "touser": touser,
            "msgtype": "text",
            "agentid": AGENT_ID,
            "text": {"content": content},
        }
        return self.post("message/send", body)


@pytest.fixture
def bot():
    fake = FakeBot()
    yield fake
    fake.stop()


def start(config: EmulatorConfig):
    server = EmulatorServer(config).start()
    return server, Wecom(server)


@pytest.fixture
def wecom(bot):
    server, client = start(make_config(bot.url, callback_timeout=2.0))
    yield client
    server.stop()


# ---------- wire format ----------


def test_signature_matches_the_official_worked_example():
    encrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="  # noqa: E501
    expected = "477715d11cdb4164915debcba66cb864d751f3e6"
    assert sign("QDG6eK", "1409659813", "1372623149", encrypt) == expected


def test_decrypt_reads_the_official_echostr():
    echostr = (
        "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
    )
    assert decrypt(make_config(), echostr) == "1288432023552776189"


# ---------- tokens ----------


def test_gettoken_gives_the_same_token_while_it_is_valid(wecom):
    first = wecom.http.get(
        wecom.server.api_base + "gettoken", params={"corpid": CORP_ID, "corpsecret": SECRET}
    ).json()
    assert first["errcode"] == 0 and first["expires_in"] == 7200
    assert wecom.token() == first["access_token"]


def test_gettoken_rejects_a_wrong_corp_or_secret(wecom):
    url = wecom.server.api_base + "gettoken"
    bad_corp = wecom.http.get(url, params={"corpid": "nope", "corpsecret": SECRET}).json()
    bad_secret = wecom.http.get(url, params={"corpid": CORP_ID, "corpsecret": "nope"}).json()
    assert bad_corp["errcode"] == 40013
    assert bad_secret["errcode"] == 40001
    assert "hint: [" in bad_secret["errmsg"]


def test_calls_without_unknown_or_expired_tokens_are_refused():
    server, wecom = start(make_config(token_ttl=1))
    try:
        assert wecom.get("user/get", userid="alice", access_token="")["errcode"] == 41001
        assert wecom.get("user/get", userid="alice", access_token="forged")["errcode"] == 40014
        token = wecom.token()
        time.sleep(1.1)
        assert wecom.get("user/get", userid="alice", access_token=token)["errcode"] == 42001
        assert wecom.token() != token
    finally:
        server.stop()


def test_wechatpy_client_refreshes_its_token_after_expiry(wecom):
    class EmulatorClient(WeChatClient):
        API_BASE_URL = wecom.server.api_base

        def fetch_access_token(self):
            params = {"corpid": self.corp_id, "corpsecret": self.secret}
            return self._fetch_access_token(url=self.API_BASE_URL + "gettoken", params=params)

    client = EmulatorClient(CORP_ID, SECRET, timeout=5)
    assert client.message.send_text(AGENT_ID, ["alice"], "第一条")["errcode"] == 0
    wecom.control("POST", "expire-tokens")
    assert client.message.send_text(AGENT_ID, ["alice"], "第二条")["errcode"] == 0
    calls = [(c["path"], c["errcode"]) for c in wecom.control("GET", "calls")["calls"]]
    assert calls[-3:] == [
        ("/cgi-bin/message/send", 42001),
        ("/cgi-bin/gettoken", 0),
        ("/cgi-bin/message/send", 0),
    ]


# ---------- app messages ----------


def test_message_send_records_one_message_per_member_and_names_the_unknown(wecom):
    answer = wecom.send_text("alice|ghost|bob", "今天的值班安排\n请查收")
    assert answer["errcode"] == 0 and answer["invaliduser"] == "ghost" and answer["msgid"]
    sent = wecom.messages(channel="app")
    assert [(m["userid"], m["content"]) for m in sent] == [
        ("alice", "今天的值班安排\n请查收"),
        ("bob", "今天的值班安排\n请查收"),
    ]
    assert all(m["direction"] == "bot" and not m["dropped"] for m in sent)
    send_calls = wecom.control("GET", "calls", params={"path": "/cgi-bin/message/send"})["calls"]
    assert [c["errcode"] for c in send_calls] == [0]


def test_message_send_to_a_department_reaches_its_sub_departments(wecom):
    body = {"toparty": "2", "msgtype": "markdown", "agentid": AGENT_ID}
    answer = wecom.post("message/send", {**body, "markdown": {"content": "**通知**"}})
    assert answer["errcode"] == 0
    assert {m["userid"] for m in wecom.messages()} == {"alice", "bob"}
    assert wecom.messages()[0]["markdown"] == "**通知**"


def test_message_send_to_nobody_valid_is_81013(wecom):
    assert wecom.send_text("ghost|phantom")["errcode"] == 81013
    assert wecom.send_text("|".join(f"u{i}" for i in range(1001)))["errcode"] == 40058
    assert wecom.messages() == []


def test_message_send_checks_agentid_and_content(wecom):
    wrong_agent = {"touser": "alice", "msgtype": "text", "agentid": 1, "text": {"content": "x"}}
    assert wecom.post("message/send", wrong_agent)["errcode"] == 40056
    empty = {**wrong_agent, "agentid": AGENT_ID, "text": {"content": ""}}
    assert wecom.post("message/send", empty)["errcode"] == 44004
    assert wecom.post("message/send", {**empty, "msgtype": "sms"})["errcode"] == 40008


def test_messages_over_the_member_limit_are_silently_dropped():
    server, wecom = start(make_config(member_limit_per_minute=3))
    try:
        answers = [wecom.send_text("alice", f"第{i}条") for i in range(5)]
        assert all(a["errcode"] == 0 for a in answers)
        assert [m["dropped"] for m in wecom.messages(userid="alice")] == [False] * 3 + [True] * 2
        assert wecom.send_text("bob")["errcode"] == 0
        assert wecom.messages(userid="bob")[0]["dropped"] is False
    finally:
        server.stop()


VOTE_CARD = {
    "card_type": "vote_interaction",
    "main_title": {"title": "本周例会时间"},
    "task_id": "vote-001",
    "checkbox": {
        "question_key": "when",
        "mode": 1,
        "option_list": [{"id": "mon", "text": "周一"}, {"id": "tue", "text": "周二"}],
    },
    "submit_button": {"text": "提交", "key": "submit"},
}


def send_card(wecom: Wecom, card: dict, touser: str = "alice") -> dict:
    body = {"touser": touser, "msgtype": "template_card", "agentid": AGENT_ID}
    return wecom.post("message/send", {**body, "template_card": card})


def test_interactive_card_gets_a_single_use_response_code(wecom):
    answer = send_card(wecom, VOTE_CARD, "alice|bob")
    code = answer["response_code"]
    update = {"agentid": AGENT_ID, "response_code": code, "button": {"replace_name": "已投票"}}
    assert wecom.post("message/update_template_card", update)["errcode"] == 0
    assert wecom.post("message/update_template_card", update)["errcode"] == 40058
    assert {m["replace_name"] for m in wecom.messages()} == {"已投票"}


def test_notice_card_without_menu_has_no_response_code(wecom):
    notice = {"card_type": "text_notice", "main_title": {"title": "提醒"}}
    answer = send_card(wecom, notice)
    assert answer["errcode"] == 0 and "response_code" not in answer
    assert send_card(wecom, {"card_type": "vote_interaction"})["errcode"] == 40058


# ---------- media ----------


def test_media_upload_checks_sizes_and_returns_created_at_as_text(wecom):
    answer = wecom.upload("media/upload?type=image", PNG, "chart.png")
    assert answer["errcode"] == 0 and answer["type"] == "image"
    assert isinstance(answer["created_at"], str) and answer["created_at"].isdigit()
    assert wecom.upload("media/upload?type=file", b"12345", "tiny.txt")["errcode"] == 40006
    assert wecom.upload("media/upload?type=sticker", PNG, "x.png")["errcode"] == 40004
    download = wecom.http.get(
        wecom.server.api_base + "media/get",
        params={"access_token": wecom.token(), "media_id": answer["media_id"]},
    )
    assert download.content == PNG


def test_images_over_the_configured_limit_are_refused():
    server, wecom = start(make_config(image_max_bytes=100, file_max_bytes=200))
    try:
        assert wecom.upload("media/upload?type=image", b"x" * 101, "a.png")["errcode"] == 40009
        assert wecom.upload("media/upload?type=file", b"x" * 201, "a.pdf")["errcode"] == 40006
        assert wecom.upload("media/upload?type=file", b"x" * 200, "a.pdf")["errcode"] == 0
    finally:
        server.stop()


def test_uploaded_files_can_be_sent_and_shown_as_links(wecom):
    media_id = wecom.upload("media/upload?type=file", b"%PDF-1.4 report", "月报.pdf")["media_id"]
    body = {
        "touser": "alice",
        "msgtype": "file",
        "agentid": AGENT_ID,
        "file": {"media_id": media_id},
    }
    assert wecom.post("message/send", body)["errcode"] == 0
    link = wecom.messages()[0]["media"]
    assert link["filename"] == "月报.pdf" == wecom.messages()[0]["filename"]
    assert wecom.messages()[0]["media_url"] == link["url"]
    assert wecom.http.get(wecom.server.url + link["url"]).content == b"%PDF-1.4 report"
    assert wecom.post("message/send", {**body, "file": {"media_id": "nope"}})["errcode"] == 40007


# ---------- group robot webhook ----------


def test_webhook_posts_text_markdown_image_and_file(wecom):
    key = {"key": "robot-key-1"}
    text = {"msgtype": "text", "text": {"content": "大家好"}}
    markdown = {"msgtype": "markdown", "markdown": {"content": "# 周报"}}
    image = {"base64": base64.b64encode(PNG).decode(), "md5": hashlib.md5(PNG).hexdigest()}
    assert wecom.post("webhook/send", text, **key)["errcode"] == 0
    assert wecom.post("webhook/send", markdown, **key)["errcode"] == 0
    assert wecom.post("webhook/send", {"msgtype": "image", "image": image}, **key)["errcode"] == 0
    upload = wecom.upload("webhook/upload_media", b"xlsx-bytes", "台账.xlsx", type="file", **key)
    assert isinstance(upload["created_at"], str)
    file_body = {"msgtype": "file", "file": {"media_id": upload["media_id"]}}
    assert wecom.post("webhook/send", file_body, **key)["errcode"] == 0
    posts = wecom.messages(robot="robot-key-1")
    assert [p["msgtype"] for p in posts] == ["text", "markdown", "image", "file"]
    assert wecom.http.get(wecom.server.url + posts[2]["media"]["url"]).content == PNG


def test_webhook_refuses_bad_keys_and_bad_image_checksums(wecom):
    text = {"msgtype": "text", "text": {"content": "x"}}
    assert wecom.post("webhook/send", text, key="wrong")["errcode"] == 93000
    image = {"base64": base64.b64encode(PNG).decode(), "md5": "0" * 32}
    answer = wecom.post("webhook/send", {"msgtype": "image", "image": image}, key="robot-key-1")
    assert answer["errcode"] == 40058
    assert (
        wecom.upload("webhook/upload_media", PNG, "a", type="file", key="wrong")["errcode"] == 93000
    )


def test_webhook_allows_twenty_messages_a_minute(wecom):
    text = {"msgtype": "text", "text": {"content": "刷屏"}}
    codes = [wecom.post("webhook/send", text, key="robot-key-1")["errcode"] for _ in range(21)]
    assert codes == [0] * 20 + [45009]
    assert len(wecom.messages(robot="robot-key-1")) == 20


# ---------- app chats and contacts ----------


def test_appchat_create_get_update_and_send(wecom):
    body = {
        "name": "办公室工作群",
        "owner": "alice",
        "userlist": ["alice", "bob"],
        "chatid": "office",
    }
    assert wecom.post("appchat/create", body) == {"chatid": "office", "errcode": 0, "errmsg": "ok"}
    assert wecom.post("appchat/create", body)["errcode"] == 86215
    assert (
        wecom.post("appchat/update", {"chatid": "office", "add_user_list": ["carol"]})["errcode"]
        == 0
    )
    assert wecom.get("appchat/get", chatid="office")["chat_info"]["userlist"] == [
        "alice",
        "bob",
        "carol",
    ]
    post = {"chatid": "office", "msgtype": "text", "text": {"content": "开会"}}
    assert wecom.post("appchat/send", post)["errcode"] == 0
    assert wecom.post("appchat/send", {**post, "chatid": "nochat"})["errcode"] == 86003
    assert [m["content"] for m in wecom.messages(chatid="office")] == ["开会"]
    assert (
        wecom.post("appchat/create", {**body, "chatid": "x", "userlist": ["alice"]})["errcode"]
        == 86006
    )


def test_contacts_list_departments_and_members(wecom):
    assert [d["id"] for d in wecom.get("department/list")["department"]] == [1, 2, 3]
    assert [d["id"] for d in wecom.get("department/list", id=2)["department"]] == [2, 3]
    members = wecom.get("user/list", department_id=2, fetch_child=1)["userlist"]
    assert [u["userid"] for u in members] == ["alice", "bob"]
    simple = wecom.get("user/simplelist", department_id=2)["userlist"]
    assert simple == [
        {"userid": "alice", "name": "张三", "department": [2], "open_userid": "alice"}
    ]
    alice = wecom.get("user/get", userid="alice")
    assert alice["position"] == "主任" and "mobile" not in alice
    assert wecom.get("user/get", userid="ghost")["errcode"] == 60111
    assert wecom.get("department/list", id=99)["errcode"] == 60123


def test_oauth_code_works_once(wecom):
    params = {
        "appid": CORP_ID,
        "redirect_uri": "http://127.0.0.1:9/h5/entry?from=menu",
        "response_type": "code",
        "scope": "snsapi_base",
        "state": "abc123",
    }
    url = wecom.server.url + "/connect/oauth2/authorize"
    page = wecom.http.get(url, params=params)
    assert page.status_code == 200 and 'data-userid="alice"' in page.text
    chosen = wecom.http.get(url, params={**params, "userid": "alice"}, allow_redirects=False)
    location = urlsplit(chosen.headers["Location"])
    query = dict(parse_qsl(location.query))
    assert location.path == "/h5/entry" and query["state"] == "abc123" and query["from"] == "menu"
    assert wecom.get("auth/getuserinfo", code=query["code"])["userid"] == "alice"
    assert wecom.get("auth/getuserinfo", code=query["code"])["errcode"] == 40029
    assert wecom.http.get(url, params={**params, "appid": "other"}).status_code == 400


# ---------- faults ----------


def test_api_down_closes_the_connection_without_an_answer(wecom):
    wecom.control("PUT", "faults", json={"api_down": True})
    with pytest.raises(requests.ConnectionError):
        wecom.http.get(wecom.server.api_base + "gettoken", params={"corpid": CORP_ID}, timeout=5)
    assert wecom.control("GET", "faults")["api_down"] is True
    wecom.control("PUT", "faults", json={"api_down": False})
    assert wecom.token()


def test_slow_api_makes_clients_time_out(wecom):
    wecom.control("PUT", "faults", json={"slow_seconds": 0.5})
    with pytest.raises(requests.Timeout):
        wecom.http.get(wecom.server.api_base + "gettoken", timeout=0.2)


def test_http_5xx_and_busy_faults(wecom):
    token = wecom.token()
    wecom.control("PUT", "faults", json={"http_5xx": True})
    url = wecom.server.api_base + "user/get"
    assert wecom.http.get(url, params={"access_token": token}).status_code == 502
    wecom.control("PUT", "faults", json={"http_5xx": False, "busy": True})
    assert wecom.http.get(url, params={"access_token": token}).json()["errcode"] == -1
    calls = wecom.control("GET", "calls", params={"path": "/cgi-bin/user/get"})["calls"]
    assert [(c["http_status"], c["errcode"]) for c in calls] == [(502, None), (200, -1)]


def test_bad_fault_values_are_refused(wecom):
    response = wecom.http.put(wecom.server.url + "/_emulator/faults", json={"busy": "yes"})
    assert response.status_code == 400
    response = wecom.http.put(wecom.server.url + "/_emulator/faults", json={"nope": True})
    assert response.status_code == 400


def test_expire_tokens_makes_the_next_call_fail_with_42001(wecom):
    token = wecom.token()
    assert wecom.control("POST", "expire-tokens")["expired"] == 1
    assert wecom.get("user/get", userid="alice", access_token=token)["errcode"] == 42001
    assert wecom.token() != token


def test_reset_clears_messages_calls_and_faults_but_keeps_contacts(wecom):
    wecom.send_text("alice")
    wecom.control("PUT", "faults", json={"busy": True})
    wecom.control("POST", "reset")
    assert wecom.messages() == [] and wecom.control("GET", "calls")["calls"] == []
    assert wecom.control("GET", "faults")["busy"] is False
    assert len(wecom.control("GET", "directory")["users"]) == 3


# ---------- callbacks ----------


def test_a_member_message_reaches_the_bot_and_its_passive_reply_is_recorded(wecom, bot):
    outcome = wecom.control("POST", "say", json={"userid": "alice", "text": "你好"})
    assert outcome["delivered"] == 1 and outcome["errors"] == []
    assert [r["content"] for r in outcome["replies"]] == ["你说：你好"]
    fields = bot.deliveries[0]["fields"]
    assert fields["FromUserName"] == "alice" and fields["ToUserName"] == CORP_ID
    assert fields["AgentID"] == str(AGENT_ID) and fields["MsgId"].isdigit()
    assert "<AgentID>" in bot.deliveries[0]["body"]
    chat = wecom.messages(userid="alice")
    assert [(m["direction"], m["channel"]) for m in chat] == [("user", "app"), ("bot", "passive")]


def test_events_have_no_msgid_and_an_empty_answer_is_an_ack(wecom, bot):
    outcome = wecom.control("POST", "event", json={"userid": "bob", "event": "enter_agent"})
    assert outcome == {"attempts": 1, "delivered": 1, "errors": [], "replies": []}
    fields = bot.deliveries[0]["fields"]
    assert fields["Event"] == "enter_agent" and "MsgId" not in fields
    assert fields["EventKey"] is None


def test_card_button_click_sends_selections_and_update_button_greys_it_out(wecom, bot):
    send_card(wecom, VOTE_CARD)
    card = wecom.messages()[0]
    event = {
        "userid": "alice",
        "event": "template_card_event",
        "event_key": "submit",
        "message_id": card["id"],
        "selected": {"when": ["mon", "tue"]},
    }
    outcome = wecom.control("POST", "event", json=event)
    assert outcome["replies"][0]["msgtype"] == "update_button"
    fields = bot.deliveries[0]["fields"]
    assert fields["TaskId"] == "vote-001" and fields["CardType"] == "vote_interaction"
    assert fields["SelectedItems"]["SelectedItem"]["OptionIds"]["OptionId"] == ["mon", "tue"]
    assert wecom.messages()[0]["replace_name"] == "已处理"


def test_duplicate_callbacks_deliver_the_same_message_in_new_envelopes(wecom, bot):
    wecom.control("PUT", "faults", json={"duplicate_callbacks": 3})
    outcome = wecom.control("POST", "say", json={"userid": "alice", "text": "填报"})
    assert outcome["delivered"] == 3
    assert len({d["fields"]["MsgId"] for d in bot.deliveries}) == 1
    assert len({d["body"] for d in bot.deliveries}) == 3


def test_a_slow_bot_gets_retries_with_fresh_encryption(bot):
    server, wecom = start(make_config(bot.url, callback_timeout=0.3, callback_retries=2))
    try:
        bot.delays = [0.6, 0.6]
        outcome = wecom.control("POST", "say", json={"userid": "alice", "text": "慢一点"})
        assert outcome["attempts"] == 3 and outcome["delivered"] == 1
        assert len(outcome["errors"]) == 2 and "Timeout" in outcome["errors"][0]
        assert len({d["fields"]["MsgId"] for d in bot.deliveries}) == 1
        assert len({d["body"] for d in bot.deliveries}) == 3
        assert len({d["args"]["nonce"] for d in bot.deliveries}) == 3
    finally:
        server.stop()


def test_an_unreachable_bot_is_reported():
    server, wecom = start(make_config("http://127.0.0.1:9/callback", callback_retries=1))
    try:
        outcome = wecom.control("POST", "say", json={"userid": "alice", "text": "在吗"})
        assert outcome["delivered"] == 0 and outcome["attempts"] == 2
        assert len(wecom.messages(userid="alice")) == 1
    finally:
        server.stop()


def test_url_verification_needs_the_bare_plaintext(wecom, bot):
    assert wecom.control("POST", "verify-url")["ok"] is True
    raw_echostr = bot.raw_queries[0].split("echostr=")[1].split("&")[0]
    assert raw_echostr.endswith("%3D%3D") and "+" not in raw_echostr and "/" not in raw_echostr
    bot.verify_suffix = "\n"
    result = wecom.control("POST", "verify-url")
    assert result["ok"] is False and result["error"] == "body is not the bare plaintext"


# ---------- the page ----------


def test_the_page_is_chinese_and_served_offline(wecom):
    page = wecom.http.get(wecom.server.url + "/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "http" not in page.text.replace(wecom.server.url, "").split("<body")[0]
    assert wecom.http.get(wecom.server.url + "/_emulator/static/emulator.js").status_code == 200


@pytest.mark.browser
def test_a_member_chats_with_the_bot_in_the_browser(wecom, page):
    page.goto(wecom.server.url + "/")
    page.fill("#staff-search", "张")
    page.click('.staff-item[data-userid="alice"]')
    page.fill("#chat-input", "你好")
    page.press("#chat-input", "Enter")
    reply = page.locator(".msg.bot").filter(has_text="你说：你好")
    reply.first.wait_for(timeout=10_000)
    assert page.locator(".msg.user").filter(has_text="你好").count() == 1
