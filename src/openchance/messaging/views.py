"""Rows to read models."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.markdown import render_markdown
from openchance.messaging.schemas import MessageAttachmentRead, MessageRead, ParticipantRead
from openchance.models.messaging import ConversationParticipant, Message, MessageAttachment

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.files.service import FileService


def read_message(
    message: Message, attachments: Sequence[MessageAttachmentRead] = ()
) -> MessageRead:
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
        attachments=list(attachments),
    )


def read_participant(participant: ConversationParticipant) -> ParticipantRead:
    return ParticipantRead(
        user_id=participant.user_id,
        role=participant.role,
        last_read_seq=participant.last_read_seq,
        joined_at=participant.joined_at,
    )


async def read_attachment(
    files: FileService, attachment: MessageAttachment
) -> MessageAttachmentRead:
    """The attachment with a freshly signed download URL."""
    return MessageAttachmentRead(
        id=attachment.id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
        download_url=await files.url(attachment.key, download_name=attachment.filename),
    )


async def read_messages(
    uow: UnitOfWork, files: FileService, messages: Sequence[Message]
) -> list[MessageRead]:
    """The messages with their attachments (one query for all of them), in the order given."""
    ids = [message.id for message in messages]
    by_message: dict[uuid.UUID, list[MessageAttachmentRead]] = {}
    if ids:
        rows = await uow.session.scalars(
            select(MessageAttachment)
            .where(MessageAttachment.message_id.in_(ids))
            .order_by(MessageAttachment.created_at, MessageAttachment.id)
        )
        for row in rows:
            by_message.setdefault(row.message_id, []).append(await read_attachment(files, row))
    return [read_message(message, by_message.get(message.id, ())) for message in messages]
