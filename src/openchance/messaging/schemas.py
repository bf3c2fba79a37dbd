"""Inputs and outputs of the messaging use cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from openchance.models.messaging import MessageKind, ParticipantRole

MESSAGE_MAX_LENGTH = 10_000
PAGE_LIMIT_MAX = 200

ClientMessageId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
]


class MessageCreate(BaseModel):
    """A participant's message. ``client_id`` is the sender's own id for it: sending the
    same ``client_id`` again (a retry after a lost answer) returns the stored message
    instead of posting a second one."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MESSAGE_MAX_LENGTH)
    ]
    client_id: ClientMessageId | None = None


class MessageRead(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int = Field(description="1, 2, 3, … within the conversation: the cursor.")
    sender_id: uuid.UUID | None = Field(description="None for system messages.")
    kind: MessageKind
    body: str = Field(description="Markdown source as written.")
    body_html: str = Field(description="Rendered and sanitised.")
    data: dict[str, Any]
    client_id: str | None
    created_at: datetime


class MessageQuery(BaseModel):
    """A page of history: the newest ``limit`` messages by default; ``before`` a seq for
    older ones, ``after`` a seq for newer ones (oldest first, to catch up)."""

    model_config = ConfigDict(extra="forbid")

    before: int | None = Field(default=None, ge=1)
    after: int | None = Field(default=None, ge=0)
    limit: int = Field(default=50, ge=1, le=PAGE_LIMIT_MAX)

    @model_validator(mode="after")
    def _one_direction(self) -> MessageQuery:
        if self.before is not None and self.after is not None:
            raise ValueError("give before or after, not both")
        return self


class MessagePage(BaseModel):
    items: list[MessageRead] = Field(description="Oldest first.")
    has_more: bool = Field(description="More messages lie beyond this page in the direction asked.")


class ParticipantRead(BaseModel):
    user_id: uuid.UUID
    role: ParticipantRole
    last_read_seq: int
    joined_at: datetime


class ReadMarker(BaseModel):
    """Everything up to and including ``seq`` has been read (a marker never moves back)."""

    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=0)


class UnreadCount(BaseModel):
    conversation_id: uuid.UUID
    unread: int


class UnreadCounts(BaseModel):
    total: int
    conversations: list[UnreadCount] = Field(description="Only conversations with unread ones.")
