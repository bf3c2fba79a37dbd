"""Users in any state, made through the staff use case (so they are real accounts)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

from openchance import Actor, OpenChance, Role
from openchance.accounts.schemas import Login, LoginResult, StatusChange, UserCreate
from openchance.actor import ClientInfo
from openchance.mail.schemas import MailRead, OutboxFilter
from openchance.models.accounts import SessionKind
from tests.support.jobs import drain

STRONG_PASSWORD = "violet-otter-harbour-1987"
SYSTEM = Actor.system("tests")
CLIENT = ClientInfo(ip_address="203.0.113.10", user_agent="pytest")


async def create_user(
    oc: OpenChance,
    *,
    email: str | None = None,
    password: str = STRONG_PASSWORD,
    display_name: str = "Ada Lovelace",
    role: Role = Role.USER,
    verified: bool = True,
    suspended: bool = False,
) -> uuid.UUID:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.org"
    user = await oc.users.create_user(
        SYSTEM,
        UserCreate(
            email=email,
            password=password,
            display_name=display_name,
            role=role,
            email_verified=verified,
        ),
    )
    if suspended:
        await oc.users.suspend(SYSTEM, user.id, StatusChange(reason="made suspended by a test"))
    return user.id


async def sign_in(
    oc: OpenChance,
    email: str,
    password: str = STRONG_PASSWORD,
    *,
    kind: SessionKind = SessionKind.API,
    client: ClientInfo = CLIENT,
) -> LoginResult:
    return await oc.accounts.login(Login(email=email, password=password, kind=kind), client)


async def actor_for(oc: OpenChance, email: str) -> Actor:
    """Sign in and return the actor the session resolves to."""
    result = await sign_in(oc, email)
    assert result.token is not None
    return await oc.accounts.authenticate(result.token)


async def mail_to(oc: OpenChance, address: str) -> list[MailRead]:
    """Deliver queued mail, then read what the address received (newest first)."""
    await drain(oc)
    return await oc.mail.list_outbox(SYSTEM, OutboxFilter(to=address))


def token_in(mail: MailRead) -> str:
    """The ``token`` query parameter of the first link in an e-mail."""
    for link in mail.links:
        tokens = parse_qs(urlparse(link).query).get("token")
        if tokens:
            return tokens[0]
    raise AssertionError(f"no token link in {mail.subject!r}")
