"""Rows to read models."""

from __future__ import annotations

from openchance.markdown import render_markdown
from openchance.messaging.schemas import MessageRead, ParticipantRead
from openchance.models.messaging import ConversationParticipant, Message


def read_message(message: Message) -> MessageRead:
    return MessageRead(
        id=message.id,
        conversation_id=message.conversation_id,
        seq=message.seq,
        sender_id=message.sender_id,
        kind=message.kind,
        body=message.body,
        body_html=render_markdown(message.body),
        data=dict(message.data),
        client_id=message.client_id,
        created_at=message.created_at,
    )


def read_participant(participant: ConversationParticipant) -> ParticipantRead:
    return ParticipantRead(
        user_id=participant.user_id,
        role=participant.role,
        last_read_seq=participant.last_read_seq,
        joined_at=participant.joined_at,
    )
