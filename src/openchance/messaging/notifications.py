"""In-app notifications of new messages, grouped per conversation.

A recipient has at most one notification per conversation (``dedupe_key``
``conversation:<id>``). A new message from someone else, while the recipient is not
connected, creates it or refreshes it: unread again, moved to the top of the feed, with the
number of messages waiting and a preview of the newest. Reading the conversation to its
newest message (or posting in it) marks the notification read; the next message after that
refreshes the same row again.

What the notification says is computed from the conversation as it is when the job runs
(the recipient's read marker and what lies after it), so running the job twice, or late,
says the same thing and never notifies about messages already read.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from openchance.db.types import utcnow
from openchance.messaging.repository import not_sent_by, unread_in
from openchance.models.accounts import User
from openchance.models.challenges import Challenge
from openchance.models.messaging import Conversation, ConversationParticipant, Message
from openchance.models.notifications import Notification
from openchance.notifications.feed import notify

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

NEW_MESSAGES_KIND = "conversation.new_messages"
PREVIEW_LENGTH = 140


def conversation_dedupe_key(conversation_id: uuid.UUID) -> str:
    return f"conversation:{conversation_id}"


def preview_text(body: str, length: int = PREVIEW_LENGTH) -> str:
    """The start of ``body`` on one line, cut at ``length`` characters with an ellipsis."""
    line = " ".join(body.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


async def refresh_new_messages_notification(
    uow: UnitOfWork, conversation_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    """Create or refresh ``user_id``'s notification of unread messages in the conversation;
    False (and nothing written) when nothing from others is unread there.

    The participant row is locked first: a concurrent ``mark_read`` of the same user either
    lands before (nothing unread: no notification) or after (it marks this one read).
    """
    participant = await uow.session.scalar(
        select(ConversationParticipant)
        .where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.user_id == user_id,
        )
        .with_for_update()
    )
    if participant is None:
        return False
    count = await unread_in(uow, participant)
    if count == 0:
        return False
    latest = await uow.session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.seq > participant.last_read_seq,
            not_sent_by(user_id),
        )
        .order_by(Message.seq.desc())
        .limit(1)
    )
    assert latest is not None
    row = (
        await uow.session.execute(
            select(Challenge.title, Conversation.challenge_id, Conversation.application_id)
            .join(Challenge, Challenge.id == Conversation.challenge_id)
            .where(Conversation.id == conversation_id)
        )
    ).one()
    sender = (
        await uow.session.scalar(select(User.display_name).where(User.id == latest.sender_id))
        if latest.sender_id is not None
        else None
    )
    preview = preview_text(latest.body) or "(files)"
    title = f"{count} new message{'s' if count != 1 else ''} about “{row.title}”"
    body = f"{sender}: {preview}" if sender else preview
    data = {
        "conversation_id": str(conversation_id),
        "challenge_id": str(row.challenge_id),
        "application_id": str(row.application_id) if row.application_id else None,
        "count": count,
        "last_seq": latest.seq,
    }
    key = conversation_dedupe_key(conversation_id)
    if await notify(
        uow, user_id=user_id, kind=NEW_MESSAGES_KIND, title=title, body=body,
        dedupe_key=key, data=data,
    ):  # fmt: skip
        return True
    await uow.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.dedupe_key == key)
        .values(title=title[:300], body=body, data=data, created_at=utcnow(), read_at=None)
        .execution_options(synchronize_session=False)
    )
    return True


async def mark_new_messages_notification_read(
    uow: UnitOfWork, conversation_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """The user has read the conversation to its newest message: their notification of it
    (if any, if unread) is read too."""
    await uow.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.dedupe_key == conversation_dedupe_key(conversation_id),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
