"""Conversations between a challenger and a solver (staff may join), their messages and
each participant's read marker.

Messages are numbered per conversation (``seq``: 1, 2, 3, … assigned under a lock of the
conversation row), so "everything after the last one I saw" is one indexed range and
a reconnecting client catches up in order with no duplicates.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class ParticipantRole(StrEnum):
    """Why someone is in a conversation."""

    CHALLENGER = "challenger"
    """The challenge's owner."""
    SOLVER = "solver"
    """The applicant."""
    STAFF = "staff"
    """Support or a moderator who joined (audited), e.g. to mediate a dispute."""


class MessageKind(StrEnum):
    """What a message is."""

    TEXT = "text"
    """Written by a participant (Markdown subset, sanitised when rendered)."""
    SYSTEM = "system"
    """Written by OpenChance for a workflow change (shortlisted, accepted, …)."""


class Conversation(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "conversations"

    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"),
        unique=True,
        doc="The application it was opened for (one conversation per application).",
    )
    last_seq: Mapped[int] = mapped_column(
        BigInteger, default=0, doc="The number of the newest message (0: none yet)."
    )
    last_message_at: Mapped[datetime | None]


class ConversationParticipant(UUIDPrimaryKey, Base):
    __tablename__ = "conversation_participants"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole, 16))
    last_read_seq: Mapped[int] = mapped_column(
        BigInteger, default=0, doc="The newest message this participant has read."
    )
    joined_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id", name="uq_conversation_participants_user"),
        Index("ix_conversation_participants_user", "user_id"),
    )


class Message(UUIDPrimaryKey, Base):
    __tablename__ = "messages"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(BigInteger, doc="1, 2, 3, … within the conversation.")
    sender_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), doc="None for system messages."
    )
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind, 16))
    body: Mapped[str] = mapped_column(Text, doc="Markdown source; sanitised when rendered.")
    data: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, doc="System messages: what changed (machine-readable)."
    )
    client_id: Mapped[str | None] = mapped_column(
        String(64), doc="The sender's own id for the message: a resend is not a duplicate."
    )
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
        UniqueConstraint("conversation_id", "sender_id", "client_id", name="uq_messages_client_id"),
    )


class MessageAttachment(UUIDPrimaryKey, Base):
    """A file attached to a message, stored through the files port."""

    __tablename__ = "message_attachments"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(512), unique=True, doc="The file store key.")
    filename: Mapped[str] = mapped_column(String(255), doc="A safe name to download it as.")
    content_type: Mapped[str] = mapped_column(String(100), doc="Decided from the content.")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
