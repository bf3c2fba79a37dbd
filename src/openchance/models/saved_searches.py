"""Saved searches: a user's query, re-run to alert them of new matching challenges."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class AlertFrequency(StrEnum):
    """How often a saved search alerts its owner."""

    INSTANT = "instant"
    """As soon as a matching challenge opens."""
    DAILY = "daily"
    """Once a day, for the challenges opened since the last run."""


class SavedSearch(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "saved_searches"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, doc="The search query's filters, as `SearchQuery` fields (no cursor)."
    )
    frequency: Mapped[AlertFrequency] = mapped_column(enum_column(AlertFrequency, 16))
    last_run_at: Mapped[datetime | None] = mapped_column(
        doc="Daily alerts: challenges opened after this were not yet considered."
    )

    __table_args__ = (
        Index("ix_saved_searches_user", "user_id"),
        Index("ix_saved_searches_frequency", "frequency"),
    )
