"""Console sign-in: username and password, or WeCom OAuth2 for staff inside WeCom; sign-out."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for

from backend.db import writing
from backend.models import saved_id
from backend.org import accounts
from backend.org.queries import find_active_staff
from backend.outbox.delivery import build_client
from backend.runtime import runtime
from backend.settings import REAL_WECOM_API
from backend.web.console import blueprint
from backend.web.console.access import current_account, sign_in, sign_out
from backend.web.console.forms import LoginForm
from backend.web.inputs import safe_target
from backend.web.limits import limiter, login_refusal, record_login_failure
from bot.client import WeComError

LOGIN_LIMIT = "10 per minute;40 per hour"  # failed WeCom code exchanges per address
OAUTH_STATE_KEY = "console_oauth_state"
REAL_AUTHORIZE = "https://open.weixin.qq.com/connect/oauth2/authorize"


def _exchange_failed(_response) -> bool:
    """Count only failed code exchanges with WeCom (a GET writes no counter otherwise)."""
    return bool(g.get("wecom_exchange_failed"))


def _safe_next(target: str | None) -> str:
    return safe_target(target, url_for("console.dashboard"), prefix="/console/")


@blueprint.get("/login")
def login():
    """Show the sign-in form."""
    if current_account() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return _login_page(LoginForm(next=request.args.get("next", "")))


def _login_page(form: LoginForm, status: int = 200):
    return render_template("console/login.html", form=form, next=form.next.data or ""), status


@blueprint.post("/login")
def login_submit():
    """Check the credentials and start the session (throttled per user name and address)."""
    form = LoginForm()
    username = form.username.data or ""
    refusal = login_refusal(username)
    if refusal is not None:
        flash(refusal, "error")
        return _login_page(form, 429)
    if not form.validate():
        return _login_page(form, 400)
    with writing(runtime().engine) as db:
        account = accounts.authenticate(db, username=username, password=form.password.data)
        if account is not None:
            accounts.record_audit(db, account=account, action="login", target=username)
    if account is None:
        record_login_failure(username)
        flash("用户名或密码不正确，或账号已停用", "error")
        return _login_page(form, 401)
    sign_in(account)
    return redirect(_safe_next(form.next.data))


@blueprint.post("/logout")
def logout():
    """End the session: the account's cookies stop working, copies included."""
    account = current_account()
    if account is not None:
        _end_sessions(saved_id(account))
    sign_out()
    flash("已退出登录", "info")
    return redirect(url_for("console.login"))


def _end_sessions(account_id: int) -> None:
    """Replace the account's session stamp and note the sign-out in the audit log."""
    with writing(runtime().engine) as db:
        account = accounts.account_by_id(db, account_id=account_id)
        if account is not None:
            accounts.end_sessions(db, account=account)
            accounts.record_audit(db, account=account, action="logout", target=account.username)


@blueprint.get("/login/wecom")
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
@limiter.limit(LOGIN_LIMIT, deduct_when=_exchange_failed)
def wecom_return():
    """Exchange WeCom's code for the member and sign in as their account."""
    expected = session.pop(OAUTH_STATE_KEY, None)
    code = request.args.get("code", "")
    if not code or not expected or request.args.get("state") != expected:
        return _wecom_refused("企业微信登录已过期或无效，请重新进入")
    try:
        userid = _client().oauth_user(code)["userid"]
    except WeComError:
        g.wecom_exchange_failed = True
        return _wecom_refused("企业微信登录失败，请重新进入")
    with writing(runtime().engine) as db:
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
    return _login_page(LoginForm(formdata=None), 403)


def _client():
    rt = runtime()
    return build_client(rt.settings, rt.engine)
