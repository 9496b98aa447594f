"""WeCom API: departments, members and OAuth2 sign-in for H5 pages."""

from __future__ import annotations

import copy
import re
from typing import Literal, overload
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template, request

from bot.emulator.calls import check_token, current_state
from bot.emulator.errors import ApiError, ok
from bot.emulator.state import EmulatorState

contacts = Blueprint("wecom_contacts", __name__)

# Fields new self-built apps no longer receive from user/get (since June 2022).
RESTRICTED = (
    "avatar",
    "thumb_avatar",
    "gender",
    "mobile",
    "email",
    "biz_mail",
    "qr_code",
    "address",
)
STATE_PARAM = re.compile(r"^[A-Za-z0-9]{0,128}$")
SCOPES = ("snsapi_base", "snsapi_privateinfo")


def _department_view(department: dict) -> dict:
    return {"department_leader": [], "name_en": "", **department}


def _user_view(user: dict) -> dict:
    count = len(user["department"])
    view = {
        "order": [0] * count,
        "is_leader_in_dept": [0] * count,
        "direct_leader": [],
        "status": 1,
        "main_department": user["department"][0] if count else 1,
        "alias": "",
        "telephone": "",
        "open_userid": user["userid"],
        "extattr": {"attrs": []},
        **user,
    }
    return {k: v for k, v in view.items() if k not in RESTRICTED}


@overload
def _department_arg(state: EmulatorState, name: str, *, required: Literal[True]) -> int: ...
@overload
def _department_arg(state: EmulatorState, name: str, *, required: bool) -> int | None: ...
def _department_arg(state: EmulatorState, name: str, *, required: bool) -> int | None:
    raw = request.args.get(name, "")
    if not raw:
        if required:
            raise ApiError(41019)
        return None
    if not raw.isdigit() or int(raw) not in state.directory.departments:
        raise ApiError(60123)
    return int(raw)


def _chosen_departments(state) -> list[dict]:
    """Return the department named by ?id= with its descendants, or every department."""
    chosen = _department_arg(state, "id", required=False)
    ids = state.directory.subtree(chosen) if chosen else list(state.directory.departments)
    return [state.directory.departments[i] for i in ids]


@contacts.get("/cgi-bin/department/list")
def department_list():
    """List all departments, or one department with its descendants."""
    check_token()
    state = current_state()
    with state.lock:
        found = [_department_view(d) for d in _chosen_departments(state)]
    return ok(department=copy.deepcopy(found))


@contacts.get("/cgi-bin/department/simplelist")
def department_simplelist():
    """List department ids with their parents."""
    check_token()
    state = current_state()
    with state.lock:
        found = _chosen_departments(state)
    return ok(department_id=[{k: d[k] for k in ("id", "parentid", "order")} for d in found])


def _members() -> list[dict]:
    state = current_state()
    with state.lock:
        department = _department_arg(state, "department_id", required=True)
        wanted = [department]
        if request.args.get("fetch_child") == "1":
            wanted = state.directory.subtree(department)
        return copy.deepcopy(state.directory.members_of(wanted))


@contacts.get("/cgi-bin/user/list")
def user_list():
    """List a department's members with details."""
    check_token()
    return ok(userlist=[_user_view(u) for u in _members()])


@contacts.get("/cgi-bin/user/simplelist")
def user_simplelist():
    """List a department's members: userid, name, departments."""
    check_token()
    return ok(
        userlist=[
            {"userid": u["userid"], "name": u["name"], "department": u["department"]}
            | {"open_userid": u["userid"]}
            for u in _members()
        ]
    )


@contacts.get("/cgi-bin/user/get")
def user_get():
    """Describe one member (without the fields new apps no longer get)."""
    check_token()
    userid = request.args.get("userid", "")
    if not userid:
        raise ApiError(41009)
    state = current_state()
    with state.lock:
        user = copy.deepcopy(state.directory.users.get(userid))
    if user is None:
        raise ApiError(60111)
    return ok(**_user_view(user))


def _member_for_code() -> str:
    check_token()
    userid = current_state().use_oauth_code(request.args.get("code", ""))
    if userid is None:
        raise ApiError(40029)
    return userid


@contacts.get("/cgi-bin/auth/getuserinfo")
def auth_getuserinfo():
    """Exchange a single-use OAuth code for the member's userid."""
    return ok(userid=_member_for_code())


@contacts.get("/cgi-bin/user/getuserinfo")
def legacy_getuserinfo():
    """Exchange an OAuth code the old way (wechatpy's endpoint, capitalised keys)."""
    return ok(UserId=_member_for_code(), DeviceId="")


@contacts.get("/connect/oauth2/authorize")
def oauth_authorize():
    """Stand in for the WeCom client: let the visitor pick a member, then redirect with a code."""
    state, args = current_state(), request.args
    problem = _authorize_problem(state, args)
    if problem:
        return render_template("oauth.html", problem=problem, groups=[]), 400
    userid = args.get("userid")
    if userid:
        code = state.issue_oauth_code(userid)
        return redirect(with_query(args["redirect_uri"], code=code, state=args.get("state", "")))
    query = {k: v for k, v in args.items() if k != "userid"}
    return render_template("oauth.html", problem=None, groups=staff_groups(state), query=query)


def _authorize_problem(state: EmulatorState, args) -> str | None:
    if args.get("appid") != state.config.corp_id:
        return "appid 与企业 CorpID 不一致"
    if not args.get("redirect_uri", "").startswith(("http://", "https://")):
        return "redirect_uri 缺失或不是网址"
    if args.get("scope", "snsapi_base") not in SCOPES:
        return "scope 只能是 snsapi_base 或 snsapi_privateinfo"
    if not STATE_PARAM.match(args.get("state", "")):
        return "state 只能含字母和数字，不超过128字节"
    userid = args.get("userid")
    if userid and userid not in state.directory.users:
        return f"通讯录中没有成员 {userid}"
    return None


def with_query(url: str, **params: str) -> str:
    """Append query parameters to a URL that may already have some."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def staff_groups(state: EmulatorState) -> list[dict]:
    """Group members by their first department, in department order."""
    with state.lock:
        directory = copy.deepcopy(state.directory)
    groups = {d: {"name": dep["name"], "users": []} for d, dep in directory.departments.items()}
    for user in directory.users.values():
        first = user["department"][0] if user["department"] else 0
        groups.setdefault(first, {"name": f"部门 {first}", "users": []})["users"].append(user)
    return [g for g in groups.values() if g["users"]]
