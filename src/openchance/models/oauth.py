"""External sign-in identities: an account at Google, GitHub or LinkedIn linked to a user."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, UUIDPrimaryKey
from openchance.db.types import enum_column


class OAuthProvider(StrEnum):
    """An outside service users may sign in with."""

    GOOGLE = "google"
    """Google accounts, through OpenID Connect."""
    GITHUB = "github"
    """GitHub accounts, through GitHub's OAuth 2.0 web flow (GitHub has no ID tokens)."""
    LINKEDIN = "linkedin"
    """LinkedIn accounts, through OpenID Connect ("Sign In with LinkedIn")."""


class OAuthIdentity(UUIDPrimaryKey, Base):
    """One account at a provider, known by the provider's stable subject identifier.

    No provider token is kept: the identity is used to sign in, not to act at the provider.
    """

    __tablename__ = "oauth_identities"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[OAuthProvider] = mapped_column(enum_column(OAuthProvider, 16))
    subject: Mapped[str] = mapped_column(
        String(255), doc="The provider's id for the account (`sub`, or GitHub's user id)."
    )
    email: Mapped[str | None] = mapped_column(
        String(320), doc="The address the provider gave when last used (for display only)."
    )
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("provider", "subject", name="uq_oauth_identities_provider_subject"),
        Index("ix_oauth_identities_user", "user_id"),
    )
