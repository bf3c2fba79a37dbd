"""Queries of the messaging domain worth naming (shared by the use cases and the jobs)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, or_, select

from openchance.models.messaging import ConversationParticipant, Message

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


def not_sent_by(user_id: uuid.UUID) -> ColumnElement[bool]:
    """System messages and other participants' messages count as unread; one's own not."""
    return or_(Message.sender_id.is_(None), Message.sender_id != user_id)


async def unread_in(uow: UnitOfWork, participant: ConversationParticipant) -> int:
    """Messages from others after the participant's read marker."""
    count = await uow.session.scalar(
        select(func.count(Message.id)).where(
            Message.conversation_id == participant.conversation_id,
            Message.seq > participant.last_read_seq,
            not_sent_by(participant.user_id),
        )
    )
    return int(count or 0)
