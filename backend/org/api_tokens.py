"""Per-staff API tokens: handed out once in clear, stored only as a sha256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from backend.models import Staff, utcnow
from backend.models.review import ApiToken

TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    """Return the sha256 hex digest a token is stored as."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, staff_id: int, label: str = "") -> str:
    """Create an API token for a member and return it in clear (it is not kept)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(ApiToken(staff_id=staff_id, token_hash=token_digest(token), label=label))
    session.flush()
    return token


def verify_token(session: Session, token: str, *, now: datetime | None = None) -> Staff | None:
    """Return the active member a valid, unrevoked token belongs to, or None."""
    if not token:
        return None
    stmt = select(ApiToken, Staff).join(Staff, col(Staff.id) == ApiToken.staff_id)
    stmt = stmt.where(
        ApiToken.token_hash == token_digest(token), col(ApiToken.revoked_at).is_(None)
    )
    row = session.exec(stmt).first()
    if row is None or not row[1].active:
        return None
    row[0].last_used_at = (now or utcnow()).astimezone(UTC)
    return row[1]


def revoke_token(session: Session, token: str, *, now: datetime | None = None) -> bool:
    """Revoke a token; return whether it existed."""
    stmt = select(ApiToken).where(ApiToken.token_hash == token_digest(token))
    row = session.exec(stmt).first()
    if row is None:
        return False
    row.revoked_at = (now or utcnow()).astimezone(UTC)
    session.flush()
    return True
