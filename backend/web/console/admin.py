"""Administrators manage console accounts and read the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, flash, redirect, render_template, url_for

from backend.db import writing
from backend.models.accounts import ACCOUNT_ROLE_LABELS, Account
from backend.org import accounts
from backend.org.queries import departments_by_id, find_active_staff
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import require_role, signed_in_account
from backend.web.console.common import audit
from backend.web.console.form_fields import WebForm, add_error
from backend.web.console.forms import AccountForm, ActiveForm, PasswordForm
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session


@blueprint.get("/accounts")
@require_role("admin")
def accounts_page():
    """List accounts, offer a new-account form, and show the latest audit lines."""
    return _accounts_page()


def _accounts_page(failed: WebForm | None = None, status: int = 200):
    """Render the accounts page; `failed` is a form shown again with its errors."""
    db = request_session()
    rows = accounts.list_accounts(db)
    departments = {d.id: d for d in departments_by_id(db)}
    log = accounts.recent_audit(db, limit=200)
    return render_template(
        "console/accounts.html",
        accounts=rows,
        departments=departments,
        log=log,
        roles=ACCOUNT_ROLE_LABELS,
        failed=failed,
    ), status


@blueprint.post("/accounts")
@require_role("admin")
def account_add():
    """Create an account."""
    form = AccountForm()
    form.role.choices = list(ACCOUNT_ROLE_LABELS.items())
    if not form.validate():
        return _accounts_page(form, 400)
    try:
        with writing(runtime().engine) as db:
            created = accounts.create_account(
                db,
                username=form.username.data,
                password=form.password.data,
                role=form.role.data,
                department_id=form.department_id.data,
                staff_id=_staff_id(db, form.staff_userid.data),
            )
            audit(db, "account_create", created.username, str(created.role))
    except accounts.AccountError as exc:
        form.form_errors.append(str(exc))
        return _accounts_page(form, 400)
    flash(f"已创建账号 {created.username}", "success")
    return redirect(url_for("console.accounts_page"))


def _staff_id(db: Session, userid: str) -> int | None:
    if not userid:
        return None
    staff = find_active_staff(db, wecom_userid=userid)
    if staff is None:
        raise accounts.AccountError(f"找不到在职人员 {userid}")
    return staff.id


def _other_account(db: Session, account_id: int) -> Account:
    account = accounts.account_by_id(db, account_id=account_id)
    if account is None:
        abort(404, description="找不到该账号")
    if account.id == signed_in_account().id:
        abort(400, description="不能停用或修改自己正在使用的账号，请用其他管理员账号操作")
    return account


@blueprint.post("/accounts/<int:account_id>/active")
@require_role("admin")
def account_active(account_id: int):
    """Enable or disable an account (its open sessions end at their next request)."""
    active = ActiveForm().active.data
    with writing(runtime().engine) as db:
        account = _other_account(db, account_id)
        accounts.set_active(db, account=account, active=active)
        audit(db, "account_enable" if active else "account_disable", account.username)
    flash("已更新账号状态", "success")
    return redirect(url_for("console.accounts_page"))


@blueprint.post("/accounts/<int:account_id>/password")
@require_role("admin")
def account_password(account_id: int):
    """Set a new password for another account."""
    form = PasswordForm()
    form.row = account_id
    if not form.validate():
        return _accounts_page(form, 400)
    try:
        with writing(runtime().engine) as db:
            account = _other_account(db, account_id)
            accounts.set_password(db, account=account, password=form.password.data)
            audit(db, "account_password", account.username)
    except accounts.AccountError as exc:
        add_error(form.password, str(exc))
        return _accounts_page(form, 400)
    flash("已重设密码", "success")
    return redirect(url_for("console.accounts_page"))
