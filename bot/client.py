"""WeCom server API client: shared token cache, bounded retries, media, app chats, group robot."""

from __future__ import annotations

import base64
import hashlib
import json as jsonlib
import mimetypes
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

import requests

TOKEN_ERRORS = frozenset({40014, 42001, 42007, 42009})
RATE_LIMITED = frozenset({45009, 45033})
BUSY = -1
MAX_RECIPIENTS = 1000
TOKEN_MARGIN = 60.0
WEBHOOK_IMAGE_LIMIT = 2 * 1024 * 1024
MIN_MEDIA_BYTES = 6
DUPLICATE_CHECK_INTERVAL = 600  # seconds (WeCom's default is 1,800, its maximum 4 hours)
MAX_DUPLICATE_CHECK_INTERVAL = 4 * 3600
MEDIA_REUSE_SECONDS = 2 * 24 * 3600  # a media_id lasts 3 days; reuse one for 2
MEDIA_CACHE_SIZE = 256
_SECRET_PARAMS = re.compile(r"((?:access_token|corpsecret|key)=)[^&\s'\"]+")
T = TypeVar("T")


class WeComError(Exception):
    """A failed WeCom API call; `retryable` says whether trying again later may succeed."""

    def __init__(self, errcode: int | None, errmsg: str, *, retryable: bool = False) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.retryable = retryable


class WeComUnavailable(WeComError):
    """WeCom could not be reached or answered garbage (connection, timeout, 5xx, non-JSON)."""

    def __init__(self, errmsg: str, errcode: int | None = None) -> None:
        super().__init__(errcode, errmsg, retryable=True)


class WeComRateLimited(WeComError):
    """WeCom refused the call because of a frequency or concurrency limit."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(errcode, errmsg, retryable=True)


class TokenStore(Protocol):
    """Where access tokens live, so that several processes share one."""

    def get(self, key: str) -> tuple[str, float] | None:
        """Return (token, expires_at unix seconds) or None."""

    def put(self, key: str, token: str, expires_at: float) -> None:
        """Store a fresh token."""

    def discard(self, key: str, token: str) -> None:
        """Remove the entry only if it still holds this token."""


class MemoryTokenStore:
    """A thread-safe in-process token store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def get(self, key: str) -> tuple[str, float] | None:
        """Return (token, expires_at) or None."""
        with self._lock:
            return self._tokens.get(key)

    def put(self, key: str, token: str, expires_at: float) -> None:
        """Store a fresh token."""
        with self._lock:
            self._tokens[key] = (token, expires_at)

    def discard(self, key: str, token: str) -> None:
        """Remove the entry only if it still holds this token."""
        with self._lock:
            if self._tokens.get(key, ("",))[0] == token:
                del self._tokens[key]


def batched(items: Iterable[T], size: int = MAX_RECIPIENTS) -> Iterator[list[T]]:
    """Yield consecutive lists of at most size items."""
    if size < 1:
        raise ValueError("size must be positive")
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def redact(text: str) -> str:
    """Hide access tokens, secrets and webhook keys in a URL or error text."""
    return _SECRET_PARAMS.sub(r"\1***", text)


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """Return data when errcode is 0, else raise the matching WeComError."""
    errcode = data.get("errcode", 0)
    if errcode in (0, None):
        return data
    errmsg = str(data.get("errmsg", ""))
    if errcode in RATE_LIMITED:
        raise WeComRateLimited(errcode, errmsg)
    raise WeComError(errcode, errmsg, retryable=errcode == BUSY)


def _media_part(filename: str, data: bytes) -> dict[str, tuple[str, bytes, str]]:
    if len(data) < MIN_MEDIA_BYTES:
        raise ValueError("WeCom refuses media of 5 bytes or less")
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return {"media": (filename, data, mime)}


def _user_list(user_ids: Sequence[str] | str) -> list[str]:
    ids = [user_ids] if isinstance(user_ids, str) else list(user_ids)
    if not ids:
        raise ValueError("no recipients")
    if len(ids) > MAX_RECIPIENTS:
        raise ValueError(f"at most {MAX_RECIPIENTS} recipients per call, got {len(ids)}")
    return ids


class WeComClient:
    """Call the WeCom server API (or the local emulator) for one self-built app."""

    def __init__(
        self,
        *,
        api_base: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        token_store: TokenStore | None = None,
        timeout: float = 8.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_busy_retries: int = 3,
        duplicate_check_interval: int = DUPLICATE_CHECK_INTERVAL,
    ) -> None:
        self.api_base = api_base if api_base.endswith("/") else api_base + "/"
        self.corp_id, self.agent_id = corp_id, int(agent_id)
        self._secret = secret
        self.token_store: TokenStore = token_store or MemoryTokenStore()
        self.timeout = timeout
        self.session = session or requests.Session()
        self._sleep = sleep
        self.max_busy_retries = max_busy_retries
        if not 1 <= duplicate_check_interval <= MAX_DUPLICATE_CHECK_INTERVAL:
            raise ValueError("duplicate_check_interval must be 1 s to 4 h")
        self.duplicate_check_interval = int(duplicate_check_interval)
        self._media: dict[tuple[str, str, str], tuple[str, float]] = {}
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]
        self.token_key = f"{corp_id}:{agent_id}:{digest}"
        self._token_lock = threading.Lock()

    def _request(self, method: str, path: str, params: dict, json: Any, files: Any) -> dict:
        """Make one HTTP request and return the JSON object; raise WeComUnavailable on trouble."""
        data, headers = None, {}
        if json is not None:
            data = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.session.request(
                method,
                self.api_base + path,
                params=params,
                data=data,
                files=files,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise WeComUnavailable(f"{path}: {type(exc).__name__}: {redact(str(exc))}") from None
        return _json_body(path, response)

    def _with_retries(self, attempt: Callable[[], dict]) -> dict:
        """Run attempt, retrying errcode -1 with backoff and 45009 once after a pause."""
        busy_retries, rate_retried = 0, False
        while True:
            try:
                return attempt()
            except WeComRateLimited as exc:
                if exc.errcode != 45009 or rate_retried:
                    raise
                rate_retried = True
                self._sleep(1.0)
            except WeComError as exc:
                if exc.errcode != BUSY or busy_retries >= self.max_busy_retries:
                    raise
                self._sleep(0.2 * 2**busy_retries)
                busy_retries += 1

    def access_token(self) -> str:
        """Return a token valid for at least another minute, fetching one when needed."""
        cached = self._cached_token()
        if cached:
            return cached
        with self._token_lock:
            return self._cached_token() or self._fetch_token()

    def _cached_token(self) -> str | None:
        entry = self.token_store.get(self.token_key)
        if entry and entry[1] - time.time() > TOKEN_MARGIN:
            return entry[0]
        return None

    def _fetch_token(self) -> str:
        params = {"corpid": self.corp_id, "corpsecret": self._secret}
        data = _checked(self._request("GET", "gettoken", params, None, None))
        token = data.get("access_token")
        if not token:
            raise WeComUnavailable("gettoken: no access_token in the answer")
        expires_in = float(data.get("expires_in") or 7200)
        self.token_store.put(self.token_key, token, time.time() + expires_in)
        return token

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        files: Any = None,
    ) -> dict:
        """Call an access-token API path; refresh an expired token once; retry busy answers."""
        return self._with_retries(lambda: self._call_once(method, path, params or {}, json, files))

    def _call_once(self, method: str, path: str, params: dict, json: Any, files: Any) -> dict:
        token = self.access_token()
        data = self._request(method, path, {**params, "access_token": token}, json, files)
        if data.get("errcode") in TOKEN_ERRORS:
            self.token_store.discard(self.token_key, token)
            token = self.access_token()
            data = self._request(method, path, {**params, "access_token": token}, json, files)
            if data.get("errcode") in TOKEN_ERRORS:
                self.token_store.discard(self.token_key, token)
        return _checked(data)

    def send_message(self, user_ids: Sequence[str], msgtype: str, body: dict) -> dict:
        """Send one application message to up to 1000 members in a single call.

        WeCom's duplicate check is always on: a resend of the same body (after a timeout
        whose request did arrive) within the interval is accepted but not delivered again.
        """
        payload = {
            "touser": "|".join(_user_list(user_ids)),
            "msgtype": msgtype,
            "agentid": self.agent_id,
            msgtype: body,
            "enable_duplicate_check": 1,
            "duplicate_check_interval": self.duplicate_check_interval,
        }
        return self.call("POST", "message/send", json=payload)

    def send_text(self, user_ids: Sequence[str], content: str) -> dict:
        """Send a text message."""
        return self.send_message(user_ids, "text", {"content": content})

    def send_markdown(self, user_ids: Sequence[str], content: str) -> dict:
        """Send a markdown message."""
        return self.send_message(user_ids, "markdown", {"content": content})

    def send_template_card(self, user_ids: Sequence[str], card: dict) -> dict:
        """Send a template card; the answer may carry a response_code."""
        return self.send_message(user_ids, "template_card", card)

    def send_image(self, user_ids: Sequence[str], data: bytes, filename: str) -> dict:
        """Upload an image and send it."""
        media_id = self.upload_media("image", filename, data)
        return self.send_message(user_ids, "image", {"media_id": media_id})

    def send_file(self, user_ids: Sequence[str], data: bytes, filename: str) -> dict:
        """Upload a file and send it."""
        media_id = self.upload_media("file", filename, data)
        return self.send_message(user_ids, "file", {"media_id": media_id})

    def update_template_card(
        self, user_ids: Sequence[str], response_code: str, replace_name: str
    ) -> dict:
        """Grey out the buttons of a sent card (response_code works once, within 72 h)."""
        payload = {
            "userids": _user_list(user_ids),
            "agentid": self.agent_id,
            "response_code": response_code,
            "button": {"replace_name": replace_name},
        }
        return self.call("POST", "message/update_template_card", json=payload)

    def upload_media(self, media_type: str, filename: str, data: bytes) -> str:
        """Upload temporary media (valid 3 days) and return its media_id.

        The same bytes uploaded again within two days get the earlier media_id, so a resent
        image or file has the same body and WeCom's duplicate check recognises it.
        """
        key = (media_type, filename, hashlib.sha256(data).hexdigest())
        known = self._media.get(key)
        if known is not None and known[1] > time.time():
            return known[0]
        files = _media_part(filename, data)
        answer = self.call("POST", "media/upload", params={"type": media_type}, files=files)
        media_id = _media_id(answer)
        if len(self._media) >= MEDIA_CACHE_SIZE:
            self._media.pop(next(iter(self._media)))
        self._media[key] = (media_id, time.time() + MEDIA_REUSE_SECONDS)
        return media_id

    def appchat_create(
        self, name: str, owner: str, user_ids: Sequence[str], chat_id: str | None = None
    ) -> str:
        """Create a group chat owned by the app and return its chatid."""
        payload = {"name": name, "owner": owner, "userlist": list(user_ids)}
        if chat_id:
            payload["chatid"] = chat_id
        return str(self.call("POST", "appchat/create", json=payload)["chatid"])

    def appchat_send(self, chat_id: str, msgtype: str, body: dict) -> dict:
        """Post a message into an app group chat."""
        payload = {"chatid": chat_id, "msgtype": msgtype, msgtype: body, "safe": 0}
        return self.call("POST", "appchat/send", json=payload)

    def appchat_send_image(self, chat_id: str, data: bytes, filename: str) -> dict:
        """Upload an image and post it into an app group chat."""
        media_id = self.upload_media("image", filename, data)
        return self.appchat_send(chat_id, "image", {"media_id": media_id})

    def appchat_send_file(self, chat_id: str, data: bytes, filename: str) -> dict:
        """Upload a file and post it into an app group chat."""
        media_id = self.upload_media("file", filename, data)
        return self.appchat_send(chat_id, "file", {"media_id": media_id})

    def list_departments(self) -> list[dict]:
        """Return every department the app can see."""
        return list(self.call("GET", "department/list").get("department") or [])

    def list_users(self, department_id: int, fetch_child: bool = True) -> list[dict]:
        """Return the members of a department (and its children)."""
        params = {"department_id": department_id, "fetch_child": int(fetch_child)}
        return list(self.call("GET", "user/list", params=params).get("userlist") or [])

    def get_user(self, user_id: str) -> dict:
        """Return one member's details."""
        return self.call("GET", "user/get", params={"userid": user_id})

    def approval_detail(self, sp_no: str) -> dict:
        """Return one approval's details (oa/getapprovaldetail: the "info" object)."""
        info = self.call("POST", "oa/getapprovaldetail", json={"sp_no": sp_no}).get("info")
        if not isinstance(info, dict):
            raise WeComUnavailable("getapprovaldetail answered without info")
        return info

    def oauth_user(self, code: str) -> dict:
        """Exchange an OAuth code; the answer always has "userid" ("" for non-members)."""
        answer = dict(self.call("GET", "auth/getuserinfo", params={"code": code}))
        answer["userid"] = answer.get("userid") or answer.get("UserId") or ""
        return answer

    def _webhook(self, path: str, params: dict, json: Any = None, files: Any = None) -> dict:
        return self._with_retries(
            lambda: _checked(self._request("POST", path, params, json, files))
        )

    def webhook_send(self, key: str, msgtype: str, body: dict) -> dict:
        """Post a message through a group robot."""
        return self._webhook("webhook/send", {"key": key}, {"msgtype": msgtype, msgtype: body})

    def webhook_send_text(self, key: str, content: str, mentioned: Sequence[str] = ()) -> dict:
        """Post text through a group robot, optionally mentioning members ("@all" for all)."""
        body: dict[str, Any] = {"content": content}
        if mentioned:
            body["mentioned_list"] = list(mentioned)
        return self.webhook_send(key, "text", body)

    def webhook_send_markdown(self, key: str, content: str) -> dict:
        """Post markdown (≤ 4096 bytes) through a group robot."""
        return self.webhook_send(key, "markdown", {"content": content})

    def webhook_send_image(self, key: str, data: bytes) -> dict:
        """Post a JPG/PNG image (≤ 2 MB) through a group robot as base64 with its md5."""
        if len(data) > WEBHOOK_IMAGE_LIMIT:
            raise ValueError("group robot images must be 2 MB or less")
        body = {
            "base64": base64.b64encode(data).decode("ascii"),
            "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        }
        return self.webhook_send(key, "image", body)

    def webhook_upload(self, key: str, filename: str, data: bytes) -> str:
        """Upload a file for a group robot and return its media_id."""
        params = {"key": key, "type": "file"}
        return _media_id(
            self._webhook("webhook/upload_media", params, files=_media_part(filename, data))
        )

    def webhook_send_file(self, key: str, data: bytes, filename: str) -> dict:
        """Upload a file and post it through a group robot."""
        return self.webhook_send(
            key, "file", {"media_id": self.webhook_upload(key, filename, data)}
        )


def _json_body(path: str, response: requests.Response) -> dict:
    if response.status_code >= 500:
        raise WeComUnavailable(f"{path}: HTTP {response.status_code}")
    if response.status_code == 429:
        raise WeComRateLimited(None, f"{path}: HTTP 429")
    if response.status_code >= 400:
        raise WeComError(None, f"{path}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise WeComUnavailable(f"{path}: answer is not JSON") from None
    if not isinstance(data, dict):
        raise WeComUnavailable(f"{path}: answer is not a JSON object")
    return data


def _media_id(answer: dict) -> str:
    media_id = answer.get("media_id")
    if not media_id:
        raise WeComUnavailable("upload: no media_id in the answer")
    return str(media_id)
