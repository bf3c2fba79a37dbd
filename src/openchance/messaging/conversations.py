"""Conversations inside a unit of work: opening one for an application, appending messages.

:func:`append_message` is the one place a message is written. It locks the conversation
row, so messages of one conversation are numbered 1, 2, 3, … in commit order with no gap
a reader could fall into, and it records :class:`MessagePosted` in the same transaction:
stored first, announced after the commit. The use cases in ``service.py`` and other
domains (system messages for workflow changes) call these functions in their own unit of
work.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from openchance.db.types import utcnow
from openchance.errors import NotFound
from openchance.messaging.events import MessagePosted
from openchance.messaging.views import read_message
from openchance.models.messaging import (
    Conversation,
    ConversationParticipant,
    Message,
    MessageKind,
    ParticipantRole,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.models.applications import Application
    from openchance.models.challenges import Challenge


async def open_application_conversation(
    uow: UnitOfWork, *, challenge: Challenge, application: Application
) -> Conversation:
    """The conversation between the challenger and the applicant; made on first call,
    returned as it is after that."""
    existing = await uow.session.scalar(
        select(Conversation).where(Conversation.application_id == application.id)
    )
    if existing is not None:
        return existing
    now = utcnow()
    conversation = Conversation(
        id=uuid.uuid4(),
        challenge_id=challenge.id,
        application_id=application.id,
        last_seq=0,
    )
    uow.session.add(conversation)
    await uow.flush()
    for user_id, role in (
        (challenge.owner_id, ParticipantRole.CHALLENGER),
        (application.solver_id, ParticipantRole.SOLVER),
    ):
        uow.session.add(
            ConversationParticipant(
                conversation_id=conversation.id,
                user_id=user_id,
                role=role,
                last_read_seq=0,
                joined_at=now,
            )
        )
    await uow.flush()
    return conversation


async def lock_conversation(uow: UnitOfWork, conversation_id: uuid.UUID) -> Conversation:
    """The conversation, locked for the rest of the transaction (``NotFound`` if none)."""
    conversation = (
        await uow.session.scalars(
            select(Conversation).where(Conversation.id == conversation_id).with_for_update()
        )
    ).one_or_none()
    if conversation is None:
        raise NotFound("conversation", conversation_id)
    return conversation


async def participant_ids(uow: UnitOfWork, conversation_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        await uow.session.scalars(
            select(ConversationParticipant.user_id)
            .where(ConversationParticipant.conversation_id == conversation_id)
            .order_by(ConversationParticipant.joined_at, ConversationParticipant.user_id)
        )
    )


async def find_by_client_id(
    uow: UnitOfWork, conversation_id: uuid.UUID, sender_id: uuid.UUID, client_id: str
) -> Message | None:
    return await uow.session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.sender_id == sender_id,
            Message.client_id == client_id,
        )
    )


async def append_message(
    uow: UnitOfWork,
    conversation: Conversation,
    *,
    sender_id: uuid.UUID | None,
    kind: MessageKind,
    body: str,
    data: dict[str, Any] | None = None,
    client_id: str | None = None,
) -> tuple[Message, bool]:
    """Store a message as the conversation's next one; returns it and whether it is new.

    Lock the conversation first (:func:`lock_conversation`): the lock orders concurrent
    posts and makes the ``client_id`` check race-free. A ``client_id`` the sender already
    used returns the stored message unchanged (``False``): a resend is not a duplicate.
    Posting moves the sender's own read marker to their message.
    """
    if sender_id is not None and client_id is not None:
        stored = await find_by_client_id(uow, conversation.id, sender_id, client_id)
        if stored is not None:
            return stored, False
    now = utcnow()
    conversation.last_seq += 1
    conversation.last_message_at = now
    message = Message(
        id=uuid.uuid4(),
        conversation_id=conversation.id,
        seq=conversation.last_seq,
        sender_id=sender_id,
        kind=kind,
        body=body,
        data=data or {},
        client_id=client_id,
        created_at=now,
    )
    uow.session.add(message)
    if sender_id is not None:
        sender = await uow.session.scalar(
            select(ConversationParticipant).where(
                ConversationParticipant.conversation_id == conversation.id,
                ConversationParticipant.user_id == sender_id,
            )
        )
        if sender is not None:
            sender.last_read_seq = max(sender.last_read_seq, message.seq)
    await uow.flush()
    uow.record(
        MessagePosted(
            conversation_id=conversation.id,
            seq=message.seq,
            participant_ids=await participant_ids(uow, conversation.id),
            message=read_message(message).model_dump(mode="json"),
        )
    )
    return message, True


async def post_system_message(
    uow: UnitOfWork, *, application_id: uuid.UUID, body: str, data: dict[str, Any]
) -> Message | None:
    """A system message in the application's conversation (None if it has none)."""
    conversation_id = await uow.session.scalar(
        select(Conversation.id).where(Conversation.application_id == application_id)
    )
    if conversation_id is None:
        return None
    conversation = await lock_conversation(uow, conversation_id)
    message, _ = await append_message(
        uow, conversation, sender_id=None, kind=MessageKind.SYSTEM, body=body, data=data
    )
    return message
