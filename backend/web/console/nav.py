"""The console navigation: a link shows only when its page exists and the role may open it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, current_app, has_request_context, request

from backend.runtime import runtime
from backend.web.console.access import current_account

if TYPE_CHECKING:
    from werkzeug.routing import Rule

NAV_ITEMS = [
    ("仪表盘", "/console/"),
    ("组织", "/console/org"),
    ("职责目录", "/console/catalogue"),
    ("填报记录", "/console/entries"),
    ("审核", "/console/review"),
    ("导出", "/console/exports"),
    ("通知", "/console/schedule/notices"),
    ("日历", "/console/schedule/calendar"),
    ("请假出差", "/console/schedule/absences"),
    ("问卷", "/console/surveys"),
    ("评价与投诉", "/console/supervision"),
    ("编制", "/console/staffing"),
    ("评估", "/console/evaluation"),
    ("问题台账", "/console/ledger"),
    ("报告", "/console/reports"),
    ("任务", "/console/jobs"),
    ("账号", "/console/accounts"),
    ("角色授权", "/console/grants"),
    ("设置", "/console/settings"),
]
_CACHE_KEY = "lvzhi_console_nav"


def install(blueprint: Blueprint) -> None:
    """Give every template the `console_nav` links and the `local_time` filter."""
    blueprint.app_context_processor(_nav_context)
    blueprint.app_template_filter("local_time")(local_time)


def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored (UTC) time in the office's time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(runtime().settings.timezone).strftime(pattern)


def _nav_context() -> dict:
    account = current_account() if has_request_context() else None
    if account is None:
        return {"console_nav": [], "console_account": None}
    links = [
        {"label": label, "href": path, "active": _is_active(path)}
        for label, path, roles in _registered(current_app)
        if roles is None or account.role in roles
    ]
    return {"console_nav": links, "console_account": account}


def registered(path: str) -> bool:
    """Tell whether a GET page is registered at this path (other areas' pages come and go)."""
    wanted = path.rstrip("/")
    return any(
        rule.rule.rstrip("/") == wanted and "GET" in (rule.methods or ())
        for rule in current_app.url_map.iter_rules()
    )


def _is_active(path: str) -> bool:
    if path == "/console/":
        return request.path in ("/console", "/console/")
    return request.path == path or request.path.startswith(path.rstrip("/") + "/")


def _registered(app: Flask) -> list[tuple[str, str, tuple | None]]:
    cached = app.extensions.get(_CACHE_KEY)
    if cached is None:
        cached = app.extensions[_CACHE_KEY] = _scan(app)
    return cached


def _scan(app: Flask) -> list[tuple[str, str, tuple | None]]:
    rules: dict[str, Rule] = {}
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and not rule.arguments:
            rules.setdefault(rule.rule.rstrip("/") or "/", rule)
    found = []
    for label, path in NAV_ITEMS:
        matched = rules.get(path.rstrip("/"))
        if matched is not None:
            view = app.view_functions[matched.endpoint]
            found.append((label, matched.rule, getattr(view, "console_roles", None)))
    return found
