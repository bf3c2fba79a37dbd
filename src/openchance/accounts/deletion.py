"""Deleting an account: personal data anonymised, access revoked, shared records kept.

Rows others rely on (the ledger, the audit log, messages, reviews) keep pointing at the
user id; what identified the person (address, name, password, second factor, linked
sign-in accounts, profile and avatar) is erased, so they show as a "Deleted user".
"""

from __future__ import annotations

from sqlalchemy import delete

from openchance.accounts import sessions as session_rows
from openchance.accounts.events import UserDeleted
from openchance.accounts.profiles import erase_profile
from openchance.db.types import utcnow
from openchance.db.uow import UnitOfWork
from openchance.models.accounts import RecoveryCode, User, UserStatus, UserToken
from openchance.models.oauth import OAuthIdentity

DELETED_DISPLAY_NAME = "Deleted user"


async def erase_user(uow: UnitOfWork, user: User, *, reason: str) -> int:
    """Anonymise ``user`` in ``uow``; returns how many sessions ended."""
    now = utcnow()
    user.email = f"deleted-{user.id.hex}@deleted.invalid"
    user.display_name = DELETED_DISPLAY_NAME
    user.password_hash = None
    user.email_verified_at = None
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.status = UserStatus.DELETED
    user.status_reason = reason
    user.status_changed_at = now
    ended = await session_rows.revoke_sessions(uow.session, user.id, reason="account_deleted")
    await uow.session.execute(delete(UserToken).where(UserToken.user_id == user.id))
    await uow.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await uow.session.execute(delete(OAuthIdentity).where(OAuthIdentity.user_id == user.id))
    await erase_profile(uow, user.id)  # the public profile, and the avatar file after commit
    uow.record(UserDeleted(user_id=user.id))
    return ended
