"""Challenges: what the marketplace trades, with their categories, milestones, clarifications,
attachments and invitations (private challenges)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class ChallengeStatus(StrEnum):
    """Where a challenge is in its life (the transitions live in ``challenges/workflow.py``)."""

    DRAFT = "draft"
    """Being written; only its challenger (and staff) see it."""
    PENDING_REVIEW = "pending_review"
    """Submitted, waiting for a moderator (when pre-publish review is on)."""
    OPEN = "open"
    """Published: solvers can find it and apply."""
    IN_PROGRESS = "in_progress"
    """An application was accepted; the work is under way."""
    IN_REVIEW = "in_review"
    """The solver delivered; the challenger is reviewing the work."""
    COMPLETED = "completed"
    """The work was accepted."""
    CANCELLED = "cancelled"
    """Stopped, with a typed reason."""
    EXPIRED = "expired"
    """The deadline passed with no accepted application."""


class Difficulty(StrEnum):
    """How hard the challenge is, as the challenger sees it."""

    BEGINNER = "beginner"
    """Suits someone new to the field."""
    INTERMEDIATE = "intermediate"
    """Needs working experience."""
    ADVANCED = "advanced"
    """Needs deep experience."""
    EXPERT = "expert"
    """For specialists."""


class RewardKind(StrEnum):
    """How the reward is stated."""

    FIXED = "fixed"
    """One amount."""
    RANGE = "range"
    """A minimum and a maximum; the accepted bid decides."""
    MILESTONES = "milestones"
    """An ordered list of milestones, each with its amount; the reward is their sum."""


class Visibility(StrEnum):
    """Who may see a challenge once it is published."""

    PUBLIC = "public"
    """Everyone."""
    PRIVATE = "private"
    """Its challenger, the solvers invited and staff."""


class IPTerms(StrEnum):
    """What happens to the intellectual property of the work."""

    NONE = "none"
    """The solver keeps all rights."""
    NON_EXCLUSIVE_LICENCE = "non_exclusive_licence"
    """The challenger gets a non-exclusive licence."""
    ASSIGNMENT = "assignment"
    """The rights are assigned to the challenger."""


class CancelReason(StrEnum):
    """Why a challenge was cancelled."""

    BY_CHALLENGER_BEFORE_WORK = "by_challenger_before_work"
    """The challenger withdrew it before any work started."""
    NO_SUITABLE_APPLICATIONS = "no_suitable_applications"
    """No application was good enough."""
    POLICY_VIOLATION = "policy_violation"
    """Staff removed it for breaking the rules."""
    DUPLICATE = "duplicate"
    """Staff removed it as a duplicate of another challenge."""
    CLIENT_UNRESPONSIVE = "client_unresponsive"
    """The challenger stopped answering."""
    OTHER = "other"
    """Something else, explained in the note."""


class InviteStatus(StrEnum):
    """Where an invitation to a private challenge stands."""

    PENDING = "pending"
    """Sent; the invitee may view the challenge and apply."""
    DECLINED = "declined"
    """The invitee said no; the challenge is hidden from them again."""


class Category(UUIDPrimaryKey, Timestamps, Base):
    """A category challenges are filed under; staff add, rename and retire them."""

    __tablename__ = "categories"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(
        doc="Retired categories keep their challenges but take no new ones."
    )


class Challenge(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "challenges"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, doc="Markdown source; sanitised when rendered.")
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("categories.id"))
    difficulty: Mapped[Difficulty] = mapped_column(enum_column(Difficulty, 16))
    skills: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    reward_kind: Mapped[RewardKind] = mapped_column(enum_column(RewardKind, 16))
    reward_currency: Mapped[str] = mapped_column(String(3))
    reward_min_minor: Mapped[int] = mapped_column(
        BigInteger, doc="Fixed and milestone rewards: the total, as min and max alike."
    )
    reward_max_minor: Mapped[int] = mapped_column(BigInteger)
    winners: Mapped[int] = mapped_column(Integer, default=1)
    prize_split: Mapped[list[int]] = mapped_column(
        JSONDocument, default=list, doc="Percent of the prize per winner, in rank order (sum 100)."
    )
    deadline: Mapped[datetime]
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility, 16), default=Visibility.PUBLIC
    )
    ip_terms: Mapped[IPTerms] = mapped_column(enum_column(IPTerms, 32), default=IPTerms.NONE)
    terms: Mapped[str] = mapped_column(Text, default="", doc="Free-text terms solvers accept.")
    status: Mapped[ChallengeStatus] = mapped_column(
        enum_column(ChallengeStatus, 16), default=ChallengeStatus.DRAFT
    )
    status_changed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(
        Text, doc="A moderator's reason for sending it back; shown to the challenger."
    )
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    cancel_reason: Mapped[CancelReason | None] = mapped_column(enum_column(CancelReason, 32))
    cancel_note: Mapped[str | None] = mapped_column(Text)
    application_count: Mapped[int] = mapped_column(
        Integer, default=0, doc="Applications ever received: the substance is frozen after one."
    )
    max_applications: Mapped[int | None] = mapped_column(
        Integer, doc="The challenger's cap on applications received; None: no cap."
    )

    __table_args__ = (
        CheckConstraint("reward_min_minor > 0", name="reward_positive"),
        CheckConstraint("reward_max_minor >= reward_min_minor", name="reward_range_ordered"),
        CheckConstraint("winners >= 1", name="winners_positive"),
        Index("ix_challenges_owner", "owner_id", "created_at"),
        Index("ix_challenges_status_deadline", "status", "deadline"),
    )


class ChallengeMilestone(UUIDPrimaryKey, Base):
    """One step of a milestone reward, in order."""

    __tablename__ = "challenge_milestones"

    challenge_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("challenge_id", "position", name="uq_challenge_milestones_position"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )


class ChallengeClarification(UUIDPrimaryKey, Base):
    """A dated note the challenger adds once the substance is frozen."""

    __tablename__ = "challenge_clarifications"

    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, doc="Markdown source; sanitised when rendered.")
    created_at: Mapped[datetime]


class ChallengeAttachment(UUIDPrimaryKey, Base):
    """A file attached to a challenge, stored through the files port."""

    __tablename__ = "challenge_attachments"

    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(512), unique=True, doc="The file store key.")
    filename: Mapped[str] = mapped_column(String(255), doc="A safe name to download it as.")
    content_type: Mapped[str] = mapped_column(String(100), doc="Decided from the content.")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


class ChallengeInvite(UUIDPrimaryKey, Base):
    """An invitation to a private challenge, by user or by e-mail (bound at sign-up)."""

    __tablename__ = "challenge_invites"

    challenge_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(
        String(320), doc="Set for an invitation by e-mail until the address signs up."
    )
    status: Mapped[InviteStatus] = mapped_column(
        enum_column(InviteStatus, 16), default=InviteStatus.PENDING
    )
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR email IS NOT NULL", name="invitee_named"),
        UniqueConstraint("challenge_id", "user_id", name="uq_challenge_invites_user"),
        UniqueConstraint("challenge_id", "email", name="uq_challenge_invites_email"),
        Index("ix_challenge_invites_user", "user_id"),
        Index("ix_challenge_invites_email", "email"),
    )
