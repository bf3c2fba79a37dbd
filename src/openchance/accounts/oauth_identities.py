"""The account rules of external sign-in, applied inside the caller's unit of work."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from openchance.accounts.emails import normalise_email
from openchance.accounts.events import UserRegistered
from openchance.accounts.oauth_providers import ExternalProfile
from openchance.actor import Actor, ClientInfo
from openchance.challenges.invites import claim_email_invites
from openchance.db.types import utcnow
from openchance.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, RateLimited
from openchance.models.accounts import User, UserStatus
from openchance.models.oauth import OAuthIdentity, OAuthProvider
from openchance.moderation.audit import record_audit

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


def verified_email(provider: OAuthProvider, profile: ExternalProfile) -> str:
    """The provider's address, normalised, if the provider vouches for it; else refused."""
    if not (profile.email and profile.email_verified):
        raise PermissionDenied(
            f"{provider} has not verified your e-mail address: verify it there first",
            code="oauth_email_not_verified",
        )
    return normalise_email(profile.email)


async def find_identity(
    uow: UnitOfWork, provider: OAuthProvider, subject: str
) -> OAuthIdentity | None:
    statement = select(OAuthIdentity).where(
        OAuthIdentity.provider == provider, OAuthIdentity.subject == subject
    )
    return (await uow.session.scalars(statement)).one_or_none()


async def load_active_user(uow: UnitOfWork, user_id: uuid.UUID, *, lock: bool = True) -> User:
    statement = select(User).where(User.id == user_id)
    user = (await uow.session.scalars(statement.with_for_update() if lock else statement)).one()
    if user.status is UserStatus.SUSPENDED:
        raise PermissionDenied("this account is suspended", code="account_suspended")
    if user.status is not UserStatus.ACTIVE:
        raise NotAuthenticated("this account cannot be used", code="account_deleted")
    return user


async def create_account(
    uow: UnitOfWork, provider: OAuthProvider, profile: ExternalProfile
) -> User:
    """A new, verified account without a password, signed in to through ``profile``.

    Never links to an existing account: the address proves nothing about who owns that
    account's sign-in, so its owner must sign in first and link from there."""
    email = verified_email(provider, profile)
    taken = await uow.session.scalar(select(User.id).where(User.email == email))
    if taken is not None:
        raise Conflict(
            f"an account already uses this e-mail address: sign in to it, then link "
            f"{provider} from your account settings",
            code="oauth_link_requires_sign_in",
        )
    name = (profile.display_name or email.partition("@")[0]).strip()[:100] or "New user"
    user = User(
        id=uuid.uuid4(),
        email=email,
        email_verified_at=utcnow(),
        display_name=name,
        password_hash=None,
    )
    uow.session.add(user)
    uow.session.add(_new_identity(user.id, provider, profile))
    try:
        await uow.flush()
    except IntegrityError:
        # A concurrent sign-up took the address or the identity between check and insert.
        raise RateLimited("please try again", retry_after=1) from None
    uow.record(UserRegistered(user_id=user.id))
    await claim_email_invites(uow, user.id, user.email)
    return user


async def link_identity(
    uow: UnitOfWork,
    user: User,
    provider: OAuthProvider,
    profile: ExternalProfile,
    client: ClientInfo,
) -> OAuthIdentity:
    """Add ``profile`` as a way to sign in to ``user`` (idempotent for the same account)."""
    identity = await find_identity(uow, provider, profile.subject)
    if identity is not None and identity.user_id != user.id:
        raise Conflict(
            f"this {provider} account already signs in to another account",
            code="oauth_identity_in_use",
        )
    if identity is not None:
        return identity
    verified_email(provider, profile)
    identity = _new_identity(user.id, provider, profile)
    uow.session.add(identity)
    try:
        await uow.flush()
    except IntegrityError:
        raise RateLimited("please try again", retry_after=1) from None
    record_audit(
        uow,
        Actor.user(user.id),
        "user.identity_linked",
        target_type="user",
        target_id=user.id,
        client=client,
        details={"provider": provider.value, "identity_id": str(identity.id)},
    )
    return identity


async def list_identities(uow: UnitOfWork, user_id: uuid.UUID) -> list[OAuthIdentity]:
    rows = await uow.session.scalars(
        select(OAuthIdentity)
        .where(OAuthIdentity.user_id == user_id)
        .order_by(OAuthIdentity.created_at)
    )
    return list(rows)


async def unlink_identity(
    uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, identity_id: uuid.UUID, client: ClientInfo
) -> OAuthProvider:
    """Remove one of the user's identities, unless it is their last way to sign in."""
    user = await load_active_user(uow, user_id)  # the row lock serialises two unlinks
    identity = await uow.session.get(OAuthIdentity, identity_id)
    if identity is None or identity.user_id != user_id:
        raise NotFound("identity", identity_id)
    others = await uow.session.scalar(
        select(func.count())
        .select_from(OAuthIdentity)
        .where(OAuthIdentity.user_id == user_id, OAuthIdentity.id != identity_id)
    )
    if user.password_hash is None and not others:
        raise Conflict(
            "this is your only way to sign in: set a password (through a password reset) "
            "or link another account first",
            code="last_sign_in_method",
        )
    provider = identity.provider
    await uow.session.delete(identity)
    record_audit(
        uow,
        actor,
        "user.identity_unlinked",
        target_type="user",
        target_id=user_id,
        client=client,
        details={"provider": provider.value, "identity_id": str(identity_id)},
    )
    return provider


def _new_identity(
    user_id: uuid.UUID, provider: OAuthProvider, profile: ExternalProfile
) -> OAuthIdentity:
    now = utcnow()
    return OAuthIdentity(
        id=uuid.uuid4(),
        user_id=user_id,
        provider=provider,
        subject=profile.subject,
        email=profile.email,
        created_at=now,
        last_used_at=now,
    )
