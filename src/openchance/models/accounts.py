"""Accounts: users, their single-use tokens (verification, reset) and their sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openchance.actor import Role
from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class UserStatus(StrEnum):
    """Whether an account may be used."""

    ACTIVE = "active"
    """Can sign in (after verifying the e-mail address)."""
    SUSPENDED = "suspended"
    """Locked by staff: cannot sign in; every session was ended."""
    DELETED = "deleted"
    """Deleted by its owner: personal data anonymised, kept for the records others rely on."""


class TokenPurpose(StrEnum):
    """What a single-use e-mailed token is for."""

    VERIFY_EMAIL = "verify_email"
    """Proves the user reads the address they signed up with."""
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret
    """Lets the user choose a new password."""


class SessionKind(StrEnum):
    """How a session's token is carried."""

    BROWSER = "browser"
    """An HttpOnly cookie, with a CSRF token for unsafe requests."""
    API = "api"
    """A bearer token returned by sign-in, for API clients."""
    PERSONAL_ACCESS = "personal_access"
    """A long-lived, named, scoped bearer token for scripts."""


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    email_verified_at: Mapped[datetime | None]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(enum_column(Role, 16), default=Role.USER)
    status: Mapped[UserStatus] = mapped_column(
        enum_column(UserStatus, 16), default=UserStatus.ACTIVE
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(
        Text, doc="The TOTP secret, encrypted with a key derived from the secret key."
    )
    totp_pending_secret: Mapped[str | None] = mapped_column(
        Text, doc="A secret being set up, encrypted; it becomes totp_secret when confirmed."
    )
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(
        BigInteger, doc="The time step of the last code accepted: a code is never used twice."
    )

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class UserToken(UUIDPrimaryKey, Base):
    """A single-use token sent by e-mail. Only its SHA-256 is stored."""

    __tablename__ = "user_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_user_tokens_user_purpose", "user_id", "purpose"),)


class RecoveryCode(UUIDPrimaryKey, Base):
    """A single-use 2FA recovery code. Only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_recovery_codes_user", "user_id", "code_hash"),)


class AuthSession(UUIDPrimaryKey, Base):
    """A signed-in session (or personal access token). Only the token's SHA-256 is stored."""

    __tablename__ = "sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token_hash: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_sessions_user", "user_id", "revoked_at"),)
