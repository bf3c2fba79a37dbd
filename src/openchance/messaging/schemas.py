"""Inputs and outputs of the messaging use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from openchance.models.messaging import MessageKind, ParticipantRole

MESSAGE_MAX_LENGTH = 10_000
PAGE_LIMIT_MAX = 200
CONVERSATION_LIMIT_MAX = 100

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


class MessageWithFilesCreate(BaseModel):
    """A message with files: like :class:`MessageCreate`, but the body may be empty when
    files come with it (the files are given to the use case next to this)."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=MESSAGE_MAX_LENGTH)
    ] = ""
    client_id: ClientMessageId | None = None


@dataclass(frozen=True, slots=True)
class FileUpload:
    """One uploaded file as the adapter received it: the bytes and the client's name for
    it (which decides nothing but the name it downloads under)."""

    data: bytes
    filename: str


class MessageAttachmentRead(BaseModel):
    """A file attached to a message."""

    id: uuid.UUID
    filename: str = Field(description="The safe name it downloads under.")
    content_type: str = Field(description="Decided from the content, not the name.")
    size_bytes: int
    download_url: str = Field(
        description="A signed URL that downloads the file and expires: read the message "
        "again (its history page) for a fresh one."
    )


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
    attachments: list[MessageAttachmentRead] = Field(
        default_factory=list, description="Files sent with the message, in upload order."
    )


class PostOutcome(BaseModel):
    """What posting answered: the message, and whether this call stored it (False for a
    resend of a ``client_id`` already used: the stored message, nothing posted again)."""

    message: MessageRead
    created: bool


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


class ConversationParticipantRead(BaseModel):
    user_id: uuid.UUID
    display_name: str
    role: ParticipantRole


class LastMessagePreview(BaseModel):
    seq: int
    sender_id: uuid.UUID | None = Field(description="None for system messages.")
    kind: MessageKind
    preview: str = Field(description="The start of the body, on one line.")
    attachment_count: int
    created_at: datetime


class ConversationRead(BaseModel):
    """A conversation as one of its participants (or staff) sees it in a list."""

    id: uuid.UUID
    challenge_id: uuid.UUID
    challenge_title: str
    application_id: uuid.UUID | None
    participants: list[ConversationParticipantRead] = Field(description="In joining order.")
    last_message: LastMessagePreview | None = Field(description="None before the first one.")
    last_seq: int = Field(description="The seq of the newest message (0: none yet).")
    last_activity_at: datetime = Field(
        description="The newest message's time, or when the conversation was opened."
    )
    created_at: datetime
    viewer_role: ParticipantRole | None = Field(
        description="Your role in it; None for staff reading a conversation they have not joined."
    )
    last_read_seq: int | None = Field(
        description="Your read marker; None when you are not a participant."
    )
    unread: int | None = Field(
        description="Messages from others after your read marker; None when you are not a "
        "participant."
    )


class ConversationQuery(BaseModel):
    """A page of conversations, most recent activity first.

    Everyone lists their own. Staff may list someone else's (``participant_id``) or
    every conversation (``everyone``); the system operator without either lists every one.
    """

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(default=None, max_length=300)
    limit: int = Field(default=20, ge=1, le=CONVERSATION_LIMIT_MAX)
    participant_id: uuid.UUID | None = None
    everyone: bool = False


class ConversationPage(BaseModel):
    items: list[ConversationRead] = Field(description="Most recent activity first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
