"""Applications: a solver's proposal and bid on a challenge, its files and its history."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class ApplicationStatus(StrEnum):
    """Where an application stands (the transitions live in ``applications/workflow.py``)."""

    SUBMITTED = "submitted"
    """Sent; the solver may still edit it."""
    SHORTLISTED = "shortlisted"
    """The challenger is considering it."""
    ACCEPTED = "accepted"
    """The challenger chose it; the work starts."""
    REJECTED = "rejected"
    """The challenger declined it (or it lost to the accepted one)."""
    WITHDRAWN = "withdrawn"
    """The solver took it back before it was accepted."""


ACTIVE_APPLICATION_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.ACCEPTED,
)
"""A solver has at most one application in these statuses per challenge."""

_ACTIVE_SQL = "status IN ('submitted', 'shortlisted', 'accepted')"


class Application(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "applications"

    challenge_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    solver_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, 16), default=ApplicationStatus.SUBMITTED
    )
    proposal: Mapped[str] = mapped_column(Text, doc="Markdown source; sanitised when rendered.")
    bid_amount_minor: Mapped[int] = mapped_column(BigInteger)
    bid_currency: Mapped[str] = mapped_column(String(3), doc="Always the challenge's currency.")
    milestone_bids: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONDocument,
        default=list,
        doc="For milestone challenges, optionally: [{milestone_id, amount_minor}] in order.",
    )
    estimated_days: Mapped[int] = mapped_column(Integer)
    portfolio_links: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    terms_accepted_at: Mapped[datetime] = mapped_column(
        doc="When the solver accepted the challenge's terms (required to apply)."
    )
    status_changed_at: Mapped[datetime]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        doc="Who shortlisted, accepted or rejected it last.",
    )

    __table_args__ = (
        CheckConstraint("bid_amount_minor > 0", name="bid_positive"),
        CheckConstraint("estimated_days > 0", name="estimated_days_positive"),
        # One active application per solver per challenge (withdrawn and rejected ones
        # stay as history); the database enforces it, so two racing submits cannot both win.
        Index(
            "uq_applications_active_solver",
            "challenge_id",
            "solver_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_applications_challenge_status", "challenge_id", "status", "created_at"),
        Index("ix_applications_solver_created", "solver_id", "created_at"),
    )


class ApplicationAttachment(UUIDPrimaryKey, Base):
    """A file attached to an application, stored through the files port."""

    __tablename__ = "application_attachments"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(512), unique=True, doc="The file store key.")
    filename: Mapped[str] = mapped_column(String(255), doc="A safe name to download it as.")
    content_type: Mapped[str] = mapped_column(String(100), doc="Decided from the content.")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


class ApplicationHistoryEntry(UUIDPrimaryKey, Base):
    """One change of an application: who, when, from and to which status, with a note.
    Shown to both sides; never edited."""

    __tablename__ = "application_history"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), doc="None: the system or an operator."
    )
    action: Mapped[str] = mapped_column(String(32), doc="submit, edit, shortlist, accept, …")
    from_status: Mapped[ApplicationStatus | None] = mapped_column(
        enum_column(ApplicationStatus, 16)
    )
    to_status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_application_history_application", "application_id", "created_at"),)
