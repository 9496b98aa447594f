"""Who is signed in to the console, what role they have, and which departments they may see.

Other blueprints under /console/<area> use this module:

    @blueprint.get("/")
    @require_role("admin", "head")      # no argument: any signed-in account
    def index():
        account = current_account()     # loaded through the request's read session
        allowed = visible_department_ids(request_session(), account)   # None = every department
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, TypeVar

from flask import abort, g, redirect, request, session, url_for

from backend.models import Role, Staff, StaffingType
from backend.models.accounts import Account, AccountRole
from backend.org.accounts import account_by_id
from backend.org.queries import child_department_ids
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

SESSION_KEY = "console_account_id"
EPOCH_KEY = "console_session_epoch"
ROLES = {role.value for role in AccountRole}
View = TypeVar("View", bound=Callable)


def sign_in(account: Account) -> None:
    """Start a fresh console session for this account."""
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = account.id
    session[EPOCH_KEY] = account.session_epoch
    g.pop("console_account", None)


def sign_out() -> None:
    """Forget the console session in this browser (the caller ends it for the account)."""
    session.clear()
    g.pop("console_account", None)


def current_account() -> Account | None:
    """Return the signed-in active account (in the request's read session), or None."""
    if "console_account" not in g:
        g.console_account = _load_account(session.get(SESSION_KEY), session.get(EPOCH_KEY))
    return g.console_account


def signed_in_account() -> Account:
    """Return the signed-in account of a view guarded by `require_role` (401 without one)."""
    account = current_account()
    if account is None:
        abort(401, description="请先登录")
    return account


def _load_account(account_id, epoch) -> Account | None:
    """Load the session's account if it is active and the session is still its current one."""
    if not isinstance(account_id, int) or not isinstance(epoch, str):
        return None
    account = account_by_id(request_session(), account_id=account_id)
    if account is None or not account.active:
        return None
    return account if hmac.compare_digest(epoch, account.session_epoch) else None


def require_role(*roles: str) -> Callable[[View], View]:
    """Let a view run only for a signed-in account with one of these roles (none = any role)."""
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown console roles: {sorted(unknown)}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args, **kwargs):
            account = current_account()
            if account is None:
                return _refuse_anonymous()
            if roles and account.role not in roles:
                abort(403, description="您的账号无权访问此页面")
            return view(*args, **kwargs)

        guarded.console_roles = roles or tuple(ROLES)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def _refuse_anonymous():
    if request.method == "GET" and not _wants_json():
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    abort(401, description="请先登录")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def visible_department_ids(db: Session, account: Account) -> set[int] | None:
    """Return the departments an account may see (None = all): a head's own and its institutions."""
    if account.role == AccountRole.ADMIN:
        return None
    if account.department_id is None:
        return set()
    if account.role == AccountRole.REVIEWER:
        return {account.department_id}
    children = child_department_ids(db, department_id=account.department_id)
    return {account.department_id, *children}


def ensure_visible(db: Session, account: Account, department_id: int | None) -> None:
    """Abort with 404 when the department is outside what the account may see."""
    allowed = visible_department_ids(db, account)
    if allowed is not None and department_id not in allowed:
        abort(404, description="找不到该部门的数据")


def acting_reviewer(account: Account) -> Staff:
    """Return the transient member the review service acts as for this account (never stored)."""
    return Staff(
        id=account.staff_id,
        wecom_userid=f"console:{account.username}",
        name=account.username,
        department_id=account.department_id or 0,
        staffing_type=StaffingType.ADMINISTRATIVE,
        role=Role(account.role),
    )
