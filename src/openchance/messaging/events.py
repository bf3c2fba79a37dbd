"""What happens in conversations, as past-tense facts (recorded with the change, announced
after the commit: the real-time layer fans them out to the connected participants)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from openchance.events import DomainEvent


class MessagePosted(DomainEvent):
    """A message was stored. ``message`` is its :class:`~openchance.messaging.schemas.
    MessageRead` as JSON, so listeners deliver it without reading it back;
    ``participant_ids`` are who may see it at the time it was posted."""

    name: ClassVar[str] = "message.posted"
    conversation_id: uuid.UUID
    seq: int
    participant_ids: list[uuid.UUID]
    message: dict[str, Any]


class ReadMarkerMoved(DomainEvent):
    """A participant's read marker moved forward."""

    name: ClassVar[str] = "conversation.read"
    conversation_id: uuid.UUID
    user_id: uuid.UUID
    last_read_seq: int
