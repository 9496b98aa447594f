"""Console accounts: create, authenticate, change, and the audit log every change writes."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, select
from werkzeug.security import check_password_hash, generate_password_hash

from backend.models import Department, Role, Staff, utcnow
from backend.models.accounts import Account, AccountRole, AuditLog, new_session_epoch

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD = 8
# A fixed hash so an unknown username costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("lvzhi-timing-equaliser")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why (Chinese)."""


def hash_password(password: str) -> str:
    """Return a salted scrypt/pbkdf2 hash of a password."""
    return generate_password_hash(password)


def create_account(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    department_id: int | None = None,
    staff_id: int | None = None,
) -> Account:
    """Create a console account after checking username, password, role and department."""
    role_value = _role(role)
    _check_username(session, username)
    if password and len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")
    _check_scope(session, role_value, department_id)
    if staff_id is not None and session.get(Staff, staff_id) is None:
        raise AccountError("关联的人员不存在")
    account = Account(
        username=username,
        password_hash=hash_password(password) if password else "",
        role=role_value,
        department_id=department_id,
        staff_id=staff_id,
    )
    session.add(account)
    session.flush()
    return account


def _role(role: str) -> AccountRole:
    try:
        return AccountRole(role)
    except ValueError:
        raise AccountError(
            "角色必须是 admin（管理员）、head（部门负责人）或 reviewer（审核员）"
        ) from None


def _check_username(session: Session, username: str) -> None:
    if not USERNAME_PATTERN.match(username or ""):
        raise AccountError("用户名须为 3–64 位字母、数字或 _ . @ -")
    if find_account(session, username) is not None:
        raise AccountError(f"用户名 {username} 已存在")


def _check_scope(session: Session, role: AccountRole, department_id: int | None) -> None:
    if role is AccountRole.ADMIN:
        return
    if department_id is None:
        raise AccountError("部门负责人和审核员必须指定所属部门")
    if session.get(Department, department_id) is None:
        raise AccountError("所属部门不存在")


def find_account(session: Session, username: str) -> Account | None:
    """Return the account with this username, active or not."""
    return session.exec(select(Account).where(Account.username == username)).first()


def authenticate(
    session: Session, *, username: str, password: str, now: datetime | None = None
) -> Account | None:
    """Return the active account these credentials open, stamping its last sign-in, or None."""
    account = find_account(session, username.strip())
    stored = account.password_hash if account is not None else ""
    valid = check_password_hash(stored or _DUMMY_HASH, password)
    if account is None or not account.active or not stored or not valid:
        return None
    account.last_login_at = now or utcnow()
    session.flush()
    return account


WECOM_PREFIX = "wecom:"
CONSOLE_STAFF_ROLES = {role.value for role in AccountRole}


def account_for_staff(session: Session, *, staff: Staff) -> Account | None:
    """Return the active account a WeCom member signs in as.

    An account an administrator linked to the member keeps its own role. Otherwise heads,
    reviewers and administrators get an account that follows their role in the roster, and
    loses access when that role goes back to plain staff.
    """
    account = session.exec(select(Account).where(Account.staff_id == staff.id)).first()
    if account is not None and not account.username.startswith(WECOM_PREFIX):
        return account if account.active else None
    if str(staff.role) not in CONSOLE_STAFF_ROLES:
        return None
    if account is None:
        account = Account(
            username=f"{WECOM_PREFIX}{staff.wecom_userid}"[:64], role=AccountRole(staff.role)
        )
        session.add(account)
    elif not account.active:
        return None
    account.role = AccountRole(staff.role)
    account.department_id = None if staff.role == Role.ADMIN else staff.department_id
    account.staff_id = staff.id
    session.flush()
    return account


def set_password(session: Session, *, account: Account, password: str) -> None:
    """Replace an account's password."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")
    account.password_hash = hash_password(password)
    account.updated_at = utcnow()
    end_sessions(session, account=account)


def set_active(session: Session, *, account: Account, active: bool) -> None:
    """Enable or disable an account (sessions from before either change stay ended)."""
    account.active = active
    account.updated_at = utcnow()
    end_sessions(session, account=account)


def end_sessions(session: Session, *, account: Account) -> None:
    """End every console session of the account: cookies with the old stamp stop working."""
    account.session_epoch = new_session_epoch()
    session.flush()


def list_accounts(session: Session) -> list[Account]:
    """Return every account, by username."""
    return list(session.exec(select(Account).order_by(col(Account.username))))


def record_audit(
    session: Session, *, account: Account | None, action: str, target: str, detail: str = ""
) -> AuditLog:
    """Append one line to the audit log (account None = the command line)."""
    entry = AuditLog(
        account_id=account.id if account is not None else None,
        actor=account.username if account is not None else "cli",
        action=action[:50],
        target=target[:200],
        detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry


def recent_audit(session: Session, *, limit: int = 200) -> list[AuditLog]:
    """Return the newest audit lines first."""
    stmt = select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)
    return list(session.exec(stmt))


def account_by_id(session: Session, *, account_id: int) -> Account | None:
    """Return the console account with this id, or None."""
    return session.get(Account, account_id)
