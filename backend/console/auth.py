"""Console sign-in: username and password, or WeCom OAuth2 for staff inside WeCom; sign-out."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from flask import flash, redirect, render_template, request, session, url_for

from backend.console import blueprint
from backend.console.access import current_account, sign_in, sign_out
from backend.db import session_scope
from backend.delivery import build_client
from backend.limits import limiter
from backend.runtime import runtime
from backend.services import accounts
from backend.services.org import find_active_staff
from backend.settings import REAL_WECOM_API
from bot.client import WeComError

LOGIN_LIMIT = "10 per minute;40 per hour"  # failed attempts per address
USER_LIMIT = "20 per hour"  # failed attempts per username, whatever the address
OAUTH_STATE_KEY = "console_oauth_state"
REAL_AUTHORIZE = "https://open.weixin.qq.com/connect/oauth2/authorize"


def _failed(response) -> bool:
    """Count only failed sign-ins against the limit (a success redirects)."""
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/"):
        return url_for("console.dashboard")
    return target or url_for("console.dashboard")


def _username_key() -> str:
    return "login-user:" + request.form.get("username", "").strip().lower()[:64]


@blueprint.get("/login")
def login():
    """Show the sign-in form."""
    if current_account() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("console/login.html", next=request.args.get("next", ""))


@blueprint.post("/login")
@limiter.limit(LOGIN_LIMIT, deduct_when=_failed, error_message="登录尝试过于频繁，请稍后再试")
@limiter.limit(USER_LIMIT, key_func=_username_key, deduct_when=_failed,
               error_message="该账号登录失败次数过多，请稍后再试")  # fmt: skip
def login_submit():
    """Check the credentials and start the session."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    with session_scope(runtime().engine) as db:
        account = accounts.authenticate(db, username=username, password=password)
        if account is not None:
            accounts.record_audit(db, account=account, action="login", target=username)
    if account is None:
        flash("用户名或密码不正确，或账号已停用", "error")
        page = render_template("console/login.html", next=request.form.get("next", ""))
        return page, 401
    sign_in(account)
    return redirect(_safe_next(request.form.get("next")))


@blueprint.post("/logout")
def logout():
    """End the session."""
    sign_out()
    flash("已退出登录", "info")
    return redirect(url_for("console.login"))


@blueprint.get("/login/wecom")
@limiter.limit(LOGIN_LIMIT)
def wecom_start():
    """Send the browser to WeCom's authorize page (silent snsapi_base inside the WeCom client)."""
    settings = runtime().settings
    state = secrets.token_hex(16)
    session[OAUTH_STATE_KEY] = state
    query = {
        "appid": settings.WECOM_CORP_ID,
        "redirect_uri": settings.PUBLIC_BASE_URL.rstrip("/") + url_for("console.wecom_return"),
        "response_type": "code",
        "scope": "snsapi_base",
        "state": state,
        "agentid": settings.WECOM_AGENT_ID,
    }
    return redirect(f"{_authorize_url(settings.WECOM_API_BASE)}?{urlencode(query)}#wechat_redirect")


def _authorize_url(api_base: str) -> str:
    if api_base == REAL_WECOM_API:
        return REAL_AUTHORIZE
    parts = urlsplit(api_base)
    return f"{parts.scheme}://{parts.netloc}/connect/oauth2/authorize"


@blueprint.get("/login/wecom/return")
@limiter.limit(LOGIN_LIMIT, deduct_when=_failed)
def wecom_return():
    """Exchange WeCom's code for the member and sign in as their account."""
    expected = session.pop(OAUTH_STATE_KEY, None)
    code = request.args.get("code", "")
    if not code or not expected or request.args.get("state") != expected:
        return _wecom_refused("企业微信登录已过期或无效，请重新进入")
    try:
        userid = _client().oauth_user(code)["userid"]
    except WeComError:
        return _wecom_refused("企业微信登录失败，请重新进入")
    with session_scope(runtime().engine) as db:
        staff = find_active_staff(db, wecom_userid=userid) if userid else None
        account = accounts.account_for_staff(db, staff=staff) if staff else None
        if account is not None:
            accounts.record_audit(db, account=account, action="login_wecom", target=userid)
    if account is None:
        return _wecom_refused("您没有后台权限（仅管理员、部门负责人和审核员可登录）")
    sign_in(account)
    return redirect(_safe_next(None))


def _wecom_refused(message: str):
    flash(message, "error")
    return render_template("console/login.html", next=""), 403


def _client():
    rt = runtime()
    return build_client(rt.settings, rt.engine)
