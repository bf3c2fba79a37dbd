"""The messaging use cases: post, read history, move a read marker, count what is unread.

Every use case runs in one unit of work and checks ``messaging/policy.py`` first. A post is
stored, then announced (:class:`~openchance.messaging.events.MessagePosted`, on the bus
after the commit); the HTTP API and the WebSocket call the same methods.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, func, or_, select

from openchance.accounts.policy import require_user
from openchance.actor import Actor
from openchance.messaging.conversations import append_message, lock_conversation
from openchance.messaging.events import ConversationRead
from openchance.messaging.policy import check_can_post, check_can_read
from openchance.messaging.schemas import (
    MessageCreate,
    MessagePage,
    MessageQuery,
    MessageRead,
    ReadMarker,
    UnreadCount,
    UnreadCounts,
)
from openchance.messaging.views import read_message
from openchance.models.messaging import Conversation, ConversationParticipant, Message, MessageKind

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


class MessagingService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def post_message(
        self, actor: Actor, conversation_id: uuid.UUID, data: MessageCreate
    ) -> MessageRead:
        """A participant's message, numbered after the newest one. With a ``client_id``
        already used by this sender, the stored message is returned and nothing is
        posted or announced again."""
        async with self._platform.unit_of_work() as uow:
            participant = await check_can_post(uow, actor, conversation_id)
            conversation = await lock_conversation(uow, conversation_id)
            message, _ = await append_message(
                uow,
                conversation,
                sender_id=participant.user_id,
                kind=MessageKind.TEXT,
                body=data.body,
                client_id=data.client_id,
            )
            return read_message(message)

    async def list_messages(
        self, actor: Actor, conversation_id: uuid.UUID, query: MessageQuery
    ) -> MessagePage:
        """History, oldest first within the page: the newest ``limit`` by default, older
        ones with ``before``, everything after a seen ``after`` (catching up)."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            await check_can_read(uow, actor, conversation_id)
            statement = select(Message).where(Message.conversation_id == conversation_id)
            if query.after is not None:
                statement = statement.where(Message.seq > query.after).order_by(Message.seq)
            else:
                if query.before is not None:
                    statement = statement.where(Message.seq < query.before)
                statement = statement.order_by(Message.seq.desc())
            rows = list(await uow.session.scalars(statement.limit(query.limit + 1)))
            has_more = len(rows) > query.limit
            rows = rows[: query.limit]
            if query.after is None:
                rows.reverse()
            return MessagePage(items=[read_message(row) for row in rows], has_more=has_more)

    async def mark_read(
        self, actor: Actor, conversation_id: uuid.UUID, marker: ReadMarker
    ) -> UnreadCount:
        """Move the actor's read marker forward to ``seq`` (capped at the newest message;
        never backwards); returns what is still unread there."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            participant = await check_can_post(uow, actor, conversation_id)
            last_seq = await uow.session.scalar(
                select(Conversation.last_seq).where(Conversation.id == conversation_id)
            )
            target = min(marker.seq, last_seq or 0)
            if target > participant.last_read_seq:
                participant.last_read_seq = target
                await uow.flush()
                uow.record(
                    ConversationRead(
                        conversation_id=conversation_id, user_id=user_id, last_read_seq=target
                    )
                )
            unread = await _unread_in(uow, participant)
            return UnreadCount(conversation_id=conversation_id, unread=unread)

    async def unread_counts(self, actor: Actor) -> UnreadCounts:
        """Messages from others after the actor's read marker, per conversation and in all."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = (
                await uow.session.execute(
                    select(ConversationParticipant.conversation_id, func.count(Message.id))
                    .join(
                        Message,
                        and_(
                            Message.conversation_id == ConversationParticipant.conversation_id,
                            Message.seq > ConversationParticipant.last_read_seq,
                        ),
                    )
                    .where(
                        ConversationParticipant.user_id == user_id,
                        _not_sent_by(user_id),
                    )
                    .group_by(ConversationParticipant.conversation_id)
                    .order_by(ConversationParticipant.conversation_id)
                )
            ).all()
            counts = [UnreadCount(conversation_id=row[0], unread=row[1]) for row in rows]
            return UnreadCounts(total=sum(c.unread for c in counts), conversations=counts)


def _not_sent_by(user_id: uuid.UUID) -> ColumnElement[bool]:
    """System messages and other participants' messages count as unread; one's own not."""
    return or_(Message.sender_id.is_(None), Message.sender_id != user_id)


async def _unread_in(uow: UnitOfWork, participant: ConversationParticipant) -> int:
    count = await uow.session.scalar(
        select(func.count(Message.id)).where(
            Message.conversation_id == participant.conversation_id,
            Message.seq > participant.last_read_seq,
            _not_sent_by(participant.user_id),
        )
    )
    return int(count or 0)
