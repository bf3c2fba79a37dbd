"""WebSocket tickets: a short-lived, single-use secret that lets a socket act as the user
who asked for it.

Browsers cannot set headers on a WebSocket handshake, and a session token in a URL ends up
in logs. So a signed-in client asks for a ticket over HTTP (its bearer token, or its
cookie and CSRF token), then opens ``/api/v1/ws?ticket=…`` within
``ws_ticket_ttl_seconds``. The ticket is kept in the platform cache under its digest (a
cache dump does not reveal live tickets) and is taken in one step (``Cache.take``: GETDEL
on Redis), so of two sockets presenting it, in any processes, exactly one gets in.
Redeeming re-resolves the user and the session: a user suspended or deleted, or a session
ended, since the ticket was issued is refused.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field
from sqlalchemy import select

from openchance.accounts.policy import require_user
from openchance.accounts.sessions import session_expiry_reason
from openchance.accounts.tokens import token_digest
from openchance.actor import Actor
from openchance.db.types import utcnow
from openchance.errors import NotAuthenticated
from openchance.models.accounts import AuthSession, SessionKind, User, UserStatus

if TYPE_CHECKING:
    from openchance.platform import OpenChance

TICKET_PREFIX = "wst_"
CACHE_PREFIX = "ws-ticket:"


class RealtimeTicket(BaseModel):
    ticket: str = Field(description="Pass it as `?ticket=` to `GET /api/v1/ws`; works once.")
    expires_in: float = Field(description="Seconds it stays redeemable.")


class _TicketClaims(BaseModel):
    user_id: uuid.UUID
    session_id: uuid.UUID


def _key(ticket: str) -> str:
    return CACHE_PREFIX + token_digest(ticket)


async def issue_ticket(platform: OpenChance, actor: Actor) -> RealtimeTicket:
    """A ticket for the actor's user and session (``not_authenticated`` for anyone else)."""
    user_id = require_user(actor)
    if actor.session_id is None:
        raise NotAuthenticated("a ticket is for a signed-in session", code="invalid_session")
    ticket = TICKET_PREFIX + secrets.token_urlsafe(32)
    claims = _TicketClaims(user_id=user_id, session_id=actor.session_id)
    ttl = platform.settings.ws_ticket_ttl_seconds
    await platform.cache.set(_key(ticket), claims.model_dump_json().encode(), ttl_seconds=ttl)
    return RealtimeTicket(ticket=ticket, expires_in=ttl)


async def redeem_ticket(platform: OpenChance, ticket: str | None) -> Actor:
    """The actor the ticket was issued to, as the database says now; the ticket is gone
    afterwards. ``NotAuthenticated`` (``invalid_ticket``, ``session_expired``,
    ``account_suspended``) when it does not work."""
    if not ticket or not ticket.startswith(TICKET_PREFIX) or len(ticket) > 128:
        raise NotAuthenticated("a WebSocket ticket is required", code="invalid_ticket")
    stored = await platform.cache.take(_key(ticket))
    if stored is None:
        raise NotAuthenticated(
            "the ticket is unknown, used or expired: get a new one", code="invalid_ticket"
        )
    claims = _TicketClaims.model_validate(json.loads(stored))
    async with platform.unit_of_work(read_only=True) as uow:
        row = await uow.session.scalar(
            select(AuthSession).where(
                AuthSession.id == claims.session_id, AuthSession.user_id == claims.user_id
            )
        )
        user = await uow.session.get(User, claims.user_id)
    if row is None or user is None:
        raise NotAuthenticated("sign in again", code="invalid_session")
    reason = session_expiry_reason(row, platform.settings, utcnow())
    if reason is not None:
        raise NotAuthenticated(f"the session has ended ({reason})", code="session_expired")
    if user.status is not UserStatus.ACTIVE:
        raise NotAuthenticated("this account cannot be used", code="account_suspended")
    scopes = frozenset(row.scopes) if row.kind is SessionKind.PERSONAL_ACCESS else None
    return Actor.user(user.id, {user.role}, session_id=row.id, scopes=scopes)
