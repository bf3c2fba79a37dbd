"""What the account use cases take and return. Fields a user may not set (role, verified
flags, status) are simply not in their input schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from openchance.actor import Role
from openchance.models.accounts import SessionKind, UserStatus

DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Registration(_Input):
    email: str = Field(max_length=320)
    password: Password
    display_name: DisplayName


class RegistrationAccepted(BaseModel):
    """The same answer whether or not the address was already registered."""

    message: str = "Check your inbox: we sent a link to confirm your e-mail address."


class EmailVerification(_Input):
    token: Token


class Login(_Input):
    email: str = Field(max_length=320)
    password: Password
    totp_code: str | None = Field(default=None, max_length=32)
    kind: SessionKind = SessionKind.API

    @field_validator("kind")
    @classmethod
    def _interactive(cls, kind: SessionKind) -> SessionKind:
        if kind is SessionKind.PERSONAL_ACCESS:
            raise ValueError("personal access tokens are created from a signed-in session")
        return kind


class PasswordResetRequest(_Input):
    email: str = Field(max_length=320)


class PasswordResetRequested(BaseModel):
    message: str = "If an account has this address, we sent it a link to reset the password."


class PasswordResetConfirmation(_Input):
    token: Token
    new_password: Password
    totp_code: str | None = Field(default=None, max_length=32)


class PasswordChange(_Input):
    current_password: Password
    new_password: Password


class ProfileUpdate(_Input):
    display_name: DisplayName | None = None


class TokenScope(StrEnum):
    """What a personal access token may do."""

    READ = "read"
    """Read what the user may read (GET requests)."""
    WRITE = "write"
    """Also change things the user may change, except credentials and the account."""


class PersonalAccessTokenCreate(_Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    scopes: list[TokenScope] = Field(min_length=1, max_length=2)
    expires_in_days: int = Field(default=90, ge=1, le=366)


class AccountDeletion(_Input):
    """Re-authentication for deleting your own account."""

    password: Password | None = Field(
        default=None, description="Required when the account has a password."
    )
    totp_code: str | None = Field(default=None, max_length=32)


class UserRead(BaseModel):
    """The signed-in user's own view of their account."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    email_verified: bool
    display_name: str
    role: Role
    status: UserStatus
    created_at: datetime
    last_login_at: datetime | None


class PublicUser(BaseModel):
    """What anyone may see of a user."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    display_name: str
    created_at: datetime


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: SessionKind
    name: str | None
    ip_address: str | None
    user_agent: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime | None
    scopes: list[str] = Field(default_factory=list)
    current: bool = False


class LoginResult(BaseModel):
    """The new session. ``token`` is shown once; ``csrf_token`` only for browser sessions.

    Over HTTP a browser session's ``token`` is left out of the body (null): it travels
    only in the HttpOnly cookie, out of reach of the page's scripts."""

    token: str | None
    csrf_token: str | None
    session: SessionRead
    user: UserRead


class PersonalAccessToken(BaseModel):
    """The new token, shown once."""

    token: str
    session: SessionRead


# -- staff --------------------------------------------------------------------------------


class UserCreate(_Input):
    """An operator creates an account directly (e.g. the first admin)."""

    email: str = Field(max_length=320)
    password: Password
    display_name: DisplayName
    role: Role = Role.USER
    email_verified: bool = True


class UserFilter(_Input):
    query: str | None = Field(default=None, max_length=200, description="E-mail or name part.")
    role: Role | None = None
    status: UserStatus | None = None
    limit: int = Field(default=50, ge=1, le=500)


class UserAdminRead(UserRead):
    """What staff see of an account."""

    status_reason: str | None
    status_changed_at: datetime | None
    active_sessions: int = 0


class RoleChange(_Input):
    role: Role
    reason: Reason


class StatusChange(_Input):
    reason: Reason
