"""The messaging use cases: conversations, posting (with files), history, read markers,
unread counts, staff joining.

Every use case runs in one unit of work and checks ``messaging/policy.py`` first. A post is
stored, then announced (:class:`~openchance.messaging.events.MessagePosted`, on the bus
after the commit); the HTTP API, the WebSocket, the CLI and the console call the same
methods. Staff reading a conversation they have not joined is audited
(``messaging/staff.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select

from openchance.accounts.policy import require_user
from openchance.actor import Actor, ClientInfo
from openchance.errors import InvalidInput
from openchance.files.jobs import DELETE_FILE, DeleteFile
from openchance.messaging import listing, staff
from openchance.messaging.attachments import (
    PendingAttachment,
    check_uploads,
    discard_uploads,
    store_uploads,
)
from openchance.messaging.conversations import (
    append_message,
    find_by_client_id,
    lock_conversation,
)
from openchance.messaging.events import ReadMarkerMoved
from openchance.messaging.notifications import mark_new_messages_notification_read
from openchance.messaging.policy import check_can_post, check_can_read
from openchance.messaging.repository import not_sent_by, unread_in
from openchance.messaging.schemas import (
    ConversationPage,
    ConversationQuery,
    ConversationRead,
    FileUpload,
    MessageCreate,
    MessagePage,
    MessageQuery,
    MessageRead,
    MessageWithFilesCreate,
    PostOutcome,
    ReadMarker,
    UnreadCount,
    UnreadCounts,
)
from openchance.messaging.views import read_messages
from openchance.models.messaging import Conversation, ConversationParticipant, Message, MessageKind

if TYPE_CHECKING:
    from openchance.platform import OpenChance


class MessagingService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    # -- conversations -------------------------------------------------------------------

    async def list_conversations(
        self, actor: Actor, query: ConversationQuery | None = None
    ) -> ConversationPage:
        """The actor's conversations, most recent activity first, a page at a time (staff:
        someone else's with ``participant_id``, all of them with ``everyone``; 403 for
        anyone else asking for those). 422 ``invalid_cursor``."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await listing.list_conversations(uow, actor, query or ConversationQuery())

    async def get_conversation(
        self, actor: Actor, conversation_id: uuid.UUID, *, client: ClientInfo | None = None
    ) -> ConversationRead:
        """One conversation as lists show it; 404 for anyone but its participants and staff
        (whose read of a conversation they have not joined is audited)."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            participant = await check_can_read(uow, actor, conversation_id)
            conversation = await listing.load_conversation_read(uow, conversation_id, actor.user_id)
        if participant is None:
            await staff.audit_outsider_read(self._platform, actor, conversation_id, client)
        return conversation

    async def join_conversation(
        self, actor: Actor, conversation_id: uuid.UUID, client: ClientInfo | None = None
    ) -> ConversationRead:
        """Staff (support, moderators, admins) join to post: audited, announced by a system
        message, idempotent. 403 ``staff_only`` for a plain participant, 404 for outsiders."""
        return await staff.join_conversation(self._platform, actor, conversation_id, client)

    # -- posting -------------------------------------------------------------------------

    async def post_message(
        self, actor: Actor, conversation_id: uuid.UUID, data: MessageCreate
    ) -> MessageRead:
        """A participant's message, numbered after the newest one. With a ``client_id``
        already used by this sender, the stored message is returned and nothing is
        posted or announced again."""
        return (await self.post_message_with_outcome(actor, conversation_id, data)).message

    async def post_message_with_outcome(
        self, actor: Actor, conversation_id: uuid.UUID, data: MessageCreate
    ) -> PostOutcome:
        """:meth:`post_message`, saying whether this call stored the message (``created``)
        or found it stored by an earlier call with the same ``client_id``."""
        return await self._post(actor, conversation_id, data.body, data.client_id, [])

    async def post_message_with_attachments(
        self,
        actor: Actor,
        conversation_id: uuid.UUID,
        data: MessageWithFilesCreate,
        files: Sequence[FileUpload],
    ) -> PostOutcome:
        """A message with files (``message_attachments_max`` at most, each at most
        ``message_attachment_max_bytes``, of an accepted type by content); its body may be
        empty when files come with it. 422 ``empty_message``, ``too_many_attachments``,
        ``file_too_large``, ``unsupported_file_type``, ``empty_file``, ``invalid_filename``.
        A resend with a used ``client_id`` returns the stored message and stores nothing."""
        if not data.body and not files:
            raise InvalidInput("write something or attach a file", code="empty_message")
        check_uploads(self._platform, files)
        async with self._platform.unit_of_work(read_only=True) as uow:
            participant = await check_can_post(uow, actor, conversation_id)
            if data.client_id is not None:
                stored = await find_by_client_id(
                    uow, conversation_id, participant.user_id, data.client_id
                )
                if stored is not None:
                    (read,) = await read_messages(uow, self._platform.files, [stored])
                    return PostOutcome(message=read, created=False)
        pending = await store_uploads(self._platform, conversation_id, files)
        try:
            return await self._post(actor, conversation_id, data.body, data.client_id, pending)
        except BaseException:
            await discard_uploads(self._platform, pending)  # nothing refers to them
            raise

    async def _post(
        self,
        actor: Actor,
        conversation_id: uuid.UUID,
        body: str,
        client_id: str | None,
        pending: Sequence[PendingAttachment],
    ) -> PostOutcome:
        async with self._platform.unit_of_work() as uow:
            participant = await check_can_post(uow, actor, conversation_id)
            conversation = await lock_conversation(uow, conversation_id)
            message, created = await append_message(
                uow,
                conversation,
                sender_id=participant.user_id,
                kind=MessageKind.TEXT,
                body=body,
                client_id=client_id,
                attachments=pending,
            )
            if not created:
                for attachment in pending:  # a concurrent resend won: these are not needed
                    await uow.enqueue(DELETE_FILE, DeleteFile(key=attachment.key))
            (read,) = await read_messages(uow, self._platform.files, [message])
            return PostOutcome(message=read, created=created)

    # -- reading -------------------------------------------------------------------------

    async def list_messages(
        self,
        actor: Actor,
        conversation_id: uuid.UUID,
        query: MessageQuery,
        *,
        client: ClientInfo | None = None,
    ) -> MessagePage:
        """History, oldest first within the page: the newest ``limit`` by default, older
        ones with ``before``, everything after a seen ``after`` (catching up). Staff
        reading a conversation they have not joined is audited."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            participant = await check_can_read(uow, actor, conversation_id)
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
            items = await read_messages(uow, self._platform.files, rows)
        if participant is None:
            await staff.audit_outsider_read(self._platform, actor, conversation_id, client)
        return MessagePage(items=items, has_more=has_more)

    async def mark_read(
        self, actor: Actor, conversation_id: uuid.UUID, marker: ReadMarker
    ) -> UnreadCount:
        """Move the actor's read marker forward to ``seq`` (capped at the newest message;
        never backwards); returns what is still unread there. Read to the newest message,
        the actor's notification of the conversation is marked read too."""
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
                    ReadMarkerMoved(
                        conversation_id=conversation_id, user_id=user_id, last_read_seq=target
                    )
                )
            unread = await unread_in(uow, participant)
            if unread == 0:
                await mark_new_messages_notification_read(uow, conversation_id, user_id)
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
                        not_sent_by(user_id),
                    )
                    .group_by(ConversationParticipant.conversation_id)
                    .order_by(ConversationParticipant.conversation_id)
                )
            ).all()
            counts = [UnreadCount(conversation_id=row[0], unread=row[1]) for row in rows]
            return UnreadCounts(total=sum(c.unread for c in counts), conversations=counts)
