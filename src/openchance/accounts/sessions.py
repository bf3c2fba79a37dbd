"""Session rows: creating, resolving and revoking them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openchance.accounts.tokens import (
    CSRF_TOKEN_PREFIX,
    SESSION_TOKEN_PREFIX,
    new_token,
    token_digest,
)
from openchance.actor import ClientInfo
from openchance.config import Settings
from openchance.db.types import utcnow
from openchance.models.accounts import AuthSession, SessionKind

USER_AGENT_LENGTH = 255


def open_session(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    kind: SessionKind,
    client: ClientInfo,
    settings: Settings,
    name: str | None = None,
    scopes: list[str] | None = None,
    lifetime: timedelta | None = None,
) -> tuple[AuthSession, str, str | None]:
    """A new session row; returns it with its token and (browsers only) its CSRF token.

    ``lifetime`` overrides the absolute session lifetime (personal access tokens)."""
    now = utcnow()
    token = new_token(SESSION_TOKEN_PREFIX)
    csrf_token = new_token(CSRF_TOKEN_PREFIX) if kind is SessionKind.BROWSER else None
    row = AuthSession(
        id=uuid.uuid4(),
        user_id=user_id,
        kind=kind,
        token_hash=token_digest(token),
        csrf_token_hash=token_digest(csrf_token) if csrf_token else None,
        name=name,
        scopes=scopes or [],
        ip_address=client.ip_address,
        user_agent=(client.user_agent or "")[:USER_AGENT_LENGTH] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now
        + (lifetime or timedelta(seconds=settings.session_absolute_lifetime_seconds)),
    )
    session.add(row)
    return row, token, csrf_token


def session_expiry_reason(row: AuthSession, settings: Settings, now: datetime) -> str | None:
    """Why the session may no longer be used, or None while it is live."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    idle_limit = timedelta(seconds=settings.session_idle_timeout_seconds)
    if row.kind is not SessionKind.PERSONAL_ACCESS and row.last_seen_at + idle_limit <= now:
        return "idle"
    return None


async def revoke_sessions(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    reason: str,
    keep: uuid.UUID | None = None,
) -> int:
    """End every live session of the user (but ``keep``); returns how many ended."""
    statement = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        statement = statement.where(AuthSession.id != keep)
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def count_live_sessions(session: AsyncSession, user_id: uuid.UUID) -> int:
    now = utcnow()
    count = await session.scalar(
        select(func.count())
        .select_from(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
    )
    return int(count or 0)
