"""What the OAuth sign-in use cases take and return."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from openchance.accounts.schemas import LoginResult
from openchance.models.accounts import SessionKind
from openchance.models.oauth import OAuthProvider

MAX_NEXT_LENGTH = 2000

Opaque = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class OAuthMode(StrEnum):
    """What a round trip to the provider is for."""

    SIGN_IN = "sign_in"
    """Sign in (or sign up) with the provider's account."""
    LINK = "link"
    """Add the provider's account as a way to sign in to the signed-in user's account."""


def check_next_path(value: str) -> str:
    """A path on this site only (``/challenges?x=1``): never another site (open redirect)."""
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or any(ord(char) < 0x20 or char in "\\\x7f" for char in value)
    ):
        raise ValueError("must be a path on this site, starting with a single /")
    return value


NextPath = Annotated[
    str, StringConstraints(max_length=MAX_NEXT_LENGTH), AfterValidator(check_next_path)
]
"""Where the browser goes once signed in: a path on this site."""


class OAuthStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: OAuthProvider
    redirect_uri: str = Field(
        max_length=MAX_NEXT_LENGTH,
        description="Our callback URL, exactly as registered with the provider.",
    )
    next_path: NextPath = "/"
    mode: OAuthMode = OAuthMode.SIGN_IN
    kind: SessionKind = SessionKind.BROWSER

    @field_validator("kind")
    @classmethod
    def _interactive(cls, kind: SessionKind) -> SessionKind:
        if kind is SessionKind.PERSONAL_ACCESS:
            raise ValueError("personal access tokens are created from a signed-in session")
        return kind


class OAuthAuthorization(BaseModel):
    """Where to send the browser, and the value binding the attempt to that browser.

    The caller keeps ``browser_binding`` in the browser (an HttpOnly cookie) and hands it
    back with the callback: a callback from another browser is refused (login CSRF)."""

    url: str
    browser_binding: str


class OAuthCallback(BaseModel):
    """What the provider sent back to our callback URL."""

    model_config = ConfigDict(extra="forbid")

    provider: OAuthProvider
    state: Opaque
    code: Opaque | None = None
    error: str | None = Field(default=None, max_length=200)
    browser_binding: Opaque | None = None


class OAuthSignInFinish(BaseModel):
    """Finish a sign-in held for a two-factor code."""

    model_config = ConfigDict(extra="forbid")

    pending_token: Opaque
    totp_code: str = Field(min_length=6, max_length=32)


class IdentityRead(BaseModel):
    """A provider account that signs in to your account."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    provider: OAuthProvider
    email: str | None
    created_at: datetime
    last_used_at: datetime | None


class OAuthOutcome(BaseModel):
    """How a callback ended: a new session (``login``) or a newly linked ``identity``."""

    mode: OAuthMode
    next_path: str
    login: LoginResult | None = None
    identity: IdentityRead | None = None
    created_account: bool = False
