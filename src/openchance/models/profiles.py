"""Profiles: what a user shows others, as a solver and as a challenger (one row per user)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class Availability(StrEnum):
    """Whether a solver takes on new work."""

    AVAILABLE = "available"
    """Open to new challenges."""
    LIMITED = "limited"
    """Busy, but may take on something that fits."""
    UNAVAILABLE = "unavailable"
    """Not taking on new work."""


class Profile(Timestamps, Base):
    """Created the first time its user edits it; until then every field is empty."""

    __tablename__ = "profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str | None] = mapped_column(String(120))
    bio: Mapped[str | None] = mapped_column(Text, doc="Markdown source; sanitised when rendered.")
    location: Mapped[str | None] = mapped_column(String(100))
    links: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    skills: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    hourly_rate_minor: Mapped[int | None] = mapped_column(BigInteger)
    hourly_rate_currency: Mapped[str | None] = mapped_column(String(3))
    availability: Mapped[Availability | None] = mapped_column(enum_column(Availability, 16))
    organisation_name: Mapped[str | None] = mapped_column(String(120))
    organisation_website: Mapped[str | None] = mapped_column(String(2048))
    avatar_key: Mapped[str | None] = mapped_column(String(512), doc="The file store key.")

    __table_args__ = (
        CheckConstraint(
            "(hourly_rate_minor IS NULL) = (hourly_rate_currency IS NULL)",
            name="hourly_rate_complete",
        ),
        CheckConstraint(
            "hourly_rate_minor IS NULL OR hourly_rate_minor >= 0", name="hourly_rate_positive"
        ),
    )
