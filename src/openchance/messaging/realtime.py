"""The real-time use cases behind the WebSocket: tickets, who may follow a conversation,
catching up, sending, typing and read markers (``oc.realtime``).

The socket adapter translates frames to these calls and back; every rule is here or in
the messaging service they call (posts are ``MessagingService.post_message``, so a
message sent over the socket is the same as one sent over HTTP: stored, then announced).
Typing indicators are never stored: throttled in the cache, relayed on the bus channel
:data:`TYPING_CHANNEL`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import select

from openchance.accounts.policy import require_user
from openchance.actor import Actor
from openchance.errors import InvalidInput
from openchance.messaging import realtime_tickets
from openchance.messaging.policy import check_can_post, check_can_read
from openchance.messaging.protocol import (
    MessageSendFrame,
    TypingFrame,
    UnreadConversation,
    UnreadUpdateFrame,
    encode,
)
from openchance.messaging.realtime_tickets import RealtimeTicket
from openchance.messaging.schemas import MessageCreate, MessagePage, MessageQuery, MessageRead
from openchance.messaging.schemas import ReadMarker as ReadMarkerInput
from openchance.models.messaging import Conversation

if TYPE_CHECKING:
    from openchance.platform import OpenChance

TYPING_CHANNEL = "typing"
"""Bus channel of typing indicators (encoded ``typing`` frames); never stored."""
HISTORY_PAGE = 200
"""Messages per database read while catching up."""
MESSAGE_RATE_SCOPE = "ws-message"


@dataclass(frozen=True, slots=True)
class SubscriptionGrant:
    """The actor may follow the conversation; ``as_staff``: as a staff reader who is not a
    participant (they receive its messages too; they post only after joining)."""

    conversation_id: uuid.UUID
    as_staff: bool

    def may_receive(self, user_id: uuid.UUID, participant_ids: frozenset[str]) -> bool:
        """Whether a message whose event names these participants (as strings) goes to this
        subscriber."""
        return self.as_staff or str(user_id) in participant_ids


class RealtimeService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    # -- tickets -------------------------------------------------------------------------

    async def issue_ticket(self, actor: Actor) -> RealtimeTicket:
        return await realtime_tickets.issue_ticket(self._platform, actor)

    async def redeem_ticket(self, ticket: str | None) -> Actor:
        return await realtime_tickets.redeem_ticket(self._platform, ticket)

    # -- following conversations ---------------------------------------------------------

    async def authorise_subscription(
        self, actor: Actor, conversation_id: uuid.UUID
    ) -> SubscriptionGrant:
        """``NotFound`` when the actor may not read the conversation."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            participant = await check_can_read(uow, actor, conversation_id)
        return SubscriptionGrant(conversation_id=conversation_id, as_staff=participant is None)

    async def current_seq(self, actor: Actor, conversation_id: uuid.UUID) -> int:
        """The newest message's ``seq`` (0 for none), for a subscription from now on."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            await check_can_read(uow, actor, conversation_id)
            last_seq = await uow.session.scalar(
                select(Conversation.last_seq).where(Conversation.id == conversation_id)
            )
        return int(last_seq or 0)

    async def history_after(
        self, actor: Actor, conversation_id: uuid.UUID, after: int
    ) -> MessagePage:
        """The next page of messages after ``after``, oldest first (catching up)."""
        return await self._platform.messaging.list_messages(
            actor, conversation_id, MessageQuery(after=after, limit=HISTORY_PAGE)
        )

    # -- what a client does --------------------------------------------------------------

    async def send_message(self, actor: Actor, frame: MessageSendFrame) -> MessageRead:
        """Post (rate-limited per user: ``ws_message_rate``); a resend of a ``client_id``
        returns the stored message."""
        user_id = require_user(actor)
        await self._platform.rate_limiter.hit(
            self._platform.settings.ws_message_rate, MESSAGE_RATE_SCOPE, str(user_id)
        )
        try:
            data = MessageCreate(body=frame.body, client_id=frame.client_id)
        except ValidationError as exc:
            raise InvalidInput(
                "the message is empty or too long",
                errors=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()],
            ) from None
        return await self._platform.messaging.post_message(actor, frame.conversation_id, data)

    async def typing(self, actor: Actor, conversation_id: uuid.UUID) -> bool:
        """Relay that the actor is typing to the conversation's other subscribers; False
        when throttled (at most once per ``ws_typing_interval_seconds`` per user and
        conversation). Only participants type (``NotFound`` / ``not_a_participant``)."""
        settings = self._platform.settings
        key = f"typing:{actor.user_id}:{conversation_id}"
        if not await self._platform.cache.add(
            key, b"1", ttl_seconds=settings.ws_typing_interval_seconds
        ):
            return False
        async with self._platform.unit_of_work(read_only=True) as uow:
            participant = await check_can_post(uow, actor, conversation_id)
        frame = TypingFrame(
            conversation_id=conversation_id,
            user_id=participant.user_id,
            expires_in=settings.ws_typing_expires_seconds,
        )
        await self._platform.bus.publish(TYPING_CHANNEL, encode(frame))
        return True

    async def mark_read(
        self, actor: Actor, conversation_id: uuid.UUID, seq: int
    ) -> UnreadUpdateFrame:
        """Move the read marker (announced as ``conversation.read``) and return the actor's
        unread counts after it."""
        await self._platform.messaging.mark_read(actor, conversation_id, ReadMarkerInput(seq=seq))
        return await self.unread(actor)

    async def unread(self, actor: Actor) -> UnreadUpdateFrame:
        counts = await self._platform.messaging.unread_counts(actor)
        return UnreadUpdateFrame(
            total=counts.total,
            conversations=[
                UnreadConversation(id=c.conversation_id, unread=c.unread)
                for c in counts.conversations
            ],
        )
