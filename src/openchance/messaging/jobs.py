"""The ``messaging.notify_new_message`` job: tell the recipients of a new message who are
not connected, through their grouped in-app notification.

:func:`~openchance.messaging.conversations.append_message` enqueues it in the posting
transaction (outbox), for participants' messages. It runs after the commit, asks
:mod:`~openchance.messaging.presence` about each recipient at that moment, and creates or
refreshes the notification of those not connected (a connected one sees the message
arrive on their socket).
"""

from __future__ import annotations

import logging
import uuid

from pydantic import BaseModel
from sqlalchemy import select

from openchance.jobs import JobContext, JobRegistry, JobType
from openchance.messaging.notifications import refresh_new_messages_notification
from openchance.messaging.presence import CachePresence
from openchance.models.messaging import ConversationParticipant, Message

logger = logging.getLogger(__name__)


class NotifyNewMessage(BaseModel):
    conversation_id: uuid.UUID
    message_id: uuid.UUID


NOTIFY_NEW_MESSAGE = JobType("messaging.notify_new_message", NotifyNewMessage, max_attempts=8)


async def notify_new_message(context: JobContext, payload: NotifyNewMessage) -> None:
    async with context.unit_of_work(read_only=True) as uow:
        sender_id = await uow.session.scalar(
            select(Message.sender_id).where(Message.id == payload.message_id)
        )
        recipients = [
            user_id
            for user_id in await uow.session.scalars(
                select(ConversationParticipant.user_id)
                .where(ConversationParticipant.conversation_id == payload.conversation_id)
                .order_by(ConversationParticipant.joined_at, ConversationParticipant.user_id)
            )
            if user_id != sender_id
        ]
    presence = CachePresence(context.platform.cache)
    offline = [user_id for user_id in recipients if not await presence.is_connected(user_id)]
    notified = 0
    if offline:
        async with context.unit_of_work() as uow:
            for user_id in offline:
                notified += await refresh_new_messages_notification(
                    uow, payload.conversation_id, user_id
                )
    logger.info(
        "new message notifications",
        extra={
            "conversation_id": str(payload.conversation_id),
            "recipients": len(recipients),
            "notified": notified,
        },
    )


def register(registry: JobRegistry) -> None:
    registry.add_handler(NOTIFY_NEW_MESSAGE, notify_new_message)
