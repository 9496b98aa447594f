"""The WeCom access token, stored in the database so every process shares one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, delete

from backend.db import reading, writing
from backend.models import WeComToken


class DatabaseTokenStore:
    """Token store for the API client, shared across processes through the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str) -> tuple[str, float] | None:
        """Return the cached token and its expiry (unix seconds), if any."""
        with reading(self._engine) as session:
            row = session.get(WeComToken, key)
            if row is None:
                return None
            return row.token, row.expires_at.timestamp()

    def put(self, key: str, token: str, expires_at: float) -> None:
        """Store a freshly fetched token."""
        expiry = datetime.fromtimestamp(expires_at, UTC)
        with writing(self._engine) as session:
            session.merge(WeComToken(key=key, token=token, expires_at=expiry))

    def discard(self, key: str, token: str) -> None:
        """Drop the token if it is still the stored one (another process may have refreshed)."""
        with writing(self._engine) as session:
            statement = delete(WeComToken).where(
                col(WeComToken.key) == key, col(WeComToken.token) == token
            )
            session.exec(statement)
