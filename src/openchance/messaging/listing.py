"""Conversations as lists show them: who is in one, its newest message, what is unread.

A page is most recent activity first (the newest message's time, or when the conversation
was opened), with a keyset cursor (time and id of the last item), so conversations that
receive messages while someone pages do not make the pages repeat or skip one.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from openchance.actor import Actor
from openchance.errors import InvalidInput, NotAuthenticated, PermissionDenied
from openchance.messaging.notifications import preview_text
from openchance.messaging.repository import not_sent_by
from openchance.messaging.schemas import (
    ConversationPage,
    ConversationParticipantRead,
    ConversationQuery,
    ConversationRead,
    LastMessagePreview,
)
from openchance.models.accounts import User
from openchance.models.challenges import Challenge
from openchance.models.messaging import (
    Conversation,
    ConversationParticipant,
    Message,
    MessageAttachment,
    ParticipantRole,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
ROLE_ORDER = {ParticipantRole.CHALLENGER: 0, ParticipantRole.SOLVER: 1, ParticipantRole.STAFF: 2}


def last_activity() -> ColumnElement[datetime]:
    """The newest message's time, or when the conversation was opened."""
    return func.coalesce(Conversation.last_message_at, Conversation.created_at)


def listed_participant(actor: Actor, query: ConversationQuery) -> uuid.UUID | None:
    """Whose conversations ``query`` asks for (None: every conversation), if ``actor`` may
    see them: one's own for everyone, anyone's or all of them for staff."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if query.participant_id is not None and query.participant_id == actor.user_id:
        return actor.user_id
    if query.participant_id is not None or query.everyone or actor.user_id is None:
        if not actor.is_staff:
            raise PermissionDenied("only staff may list other people's conversations")
        return query.participant_id
    return actor.user_id


async def list_conversations(
    uow: UnitOfWork, actor: Actor, query: ConversationQuery
) -> ConversationPage:
    participant_id = listed_participant(actor, query)
    statement = _conversations()
    if participant_id is not None:
        statement = statement.join(
            ConversationParticipant,
            and_(
                ConversationParticipant.conversation_id == Conversation.id,
                ConversationParticipant.user_id == participant_id,
            ),
        )
    activity = last_activity()
    if query.cursor is not None:
        after_time, after_id = decode_cursor(query.cursor)
        statement = statement.where(
            or_(activity < after_time, and_(activity == after_time, Conversation.id < after_id))
        )
    statement = statement.order_by(activity.desc(), Conversation.id.desc()).limit(query.limit + 1)
    rows = [(c, title, at) for c, title, at in await uow.session.execute(statement)]
    page, more = rows[: query.limit], len(rows) > query.limit
    items = await read_conversations(uow, page, viewer_id=actor.user_id)
    last = items[-1] if items else None
    return ConversationPage(
        items=items,
        next_cursor=encode_cursor(last.last_activity_at, last.id) if more and last else None,
    )


async def load_conversation_read(
    uow: UnitOfWork, conversation_id: uuid.UUID, viewer_id: uuid.UUID | None
) -> ConversationRead:
    conversation, title, activity = (
        await uow.session.execute(_conversations().where(Conversation.id == conversation_id))
    ).one()
    (item,) = await read_conversations(uow, [(conversation, title, activity)], viewer_id=viewer_id)
    return item


def _conversations() -> Select[Conversation, str, datetime]:
    return select(Conversation, Challenge.title, last_activity().label("activity")).join(
        Challenge, Challenge.id == Conversation.challenge_id
    )


async def read_conversations(
    uow: UnitOfWork,
    rows: Sequence[tuple[Conversation, str, datetime]],
    *,
    viewer_id: uuid.UUID | None,
) -> list[ConversationRead]:
    """The read models of ``rows`` (conversation, challenge title, activity), in a fixed
    number of queries whatever the page size."""
    ids = [conversation.id for conversation, _title, _activity in rows]
    if not ids:
        return []
    participants: dict[uuid.UUID, list[tuple[ConversationParticipant, str]]] = {}
    for participant, display_name in await uow.session.execute(
        select(ConversationParticipant, User.display_name)
        .join(User, User.id == ConversationParticipant.user_id)
        .where(ConversationParticipant.conversation_id.in_(ids))
        .order_by(ConversationParticipant.joined_at, ConversationParticipant.user_id)
    ):
        participants.setdefault(participant.conversation_id, []).append((participant, display_name))
    for members in participants.values():
        # The two who opened it joined at the same instant: the challenger comes first.
        members.sort(key=lambda member: (member[0].joined_at, ROLE_ORDER[member[0].role]))
    latest = {
        message.conversation_id: message
        for message in await uow.session.scalars(
            select(Message)
            .join(
                Conversation,
                and_(
                    Conversation.id == Message.conversation_id,
                    Message.seq == Conversation.last_seq,
                ),
            )
            .where(Conversation.id.in_(ids))
        )
    }
    attachment_counts: dict[uuid.UUID, int] = {}
    if latest:
        attachment_counts = {
            message_id: count
            for message_id, count in await uow.session.execute(
                select(MessageAttachment.message_id, func.count(MessageAttachment.id))
                .where(MessageAttachment.message_id.in_([m.id for m in latest.values()]))
                .group_by(MessageAttachment.message_id)
            )
        }
    unread = await _unread_by_conversation(uow, ids, viewer_id) if viewer_id else {}
    items = []
    for conversation, title, activity in rows:
        members = participants.get(conversation.id, [])
        mine = next((p for p, _name in members if p.user_id == viewer_id), None)
        message = latest.get(conversation.id)
        items.append(
            ConversationRead(
                id=conversation.id,
                challenge_id=conversation.challenge_id,
                challenge_title=title,
                application_id=conversation.application_id,
                participants=[
                    ConversationParticipantRead(user_id=p.user_id, display_name=name, role=p.role)
                    for p, name in members
                ],
                last_message=(
                    LastMessagePreview(
                        seq=message.seq,
                        sender_id=message.sender_id,
                        kind=message.kind,
                        preview=preview_text(message.body),
                        attachment_count=attachment_counts.get(message.id, 0),
                        created_at=message.created_at,
                    )
                    if message is not None
                    else None
                ),
                last_seq=conversation.last_seq,
                last_activity_at=activity,
                created_at=conversation.created_at,
                viewer_role=mine.role if mine else None,
                last_read_seq=mine.last_read_seq if mine else None,
                unread=unread.get(conversation.id, 0) if mine else None,
            )
        )
    return items


async def _unread_by_conversation(
    uow: UnitOfWork, ids: Sequence[uuid.UUID], viewer_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    rows = await uow.session.execute(
        select(Message.conversation_id, func.count(Message.id))
        .join(
            ConversationParticipant,
            and_(
                ConversationParticipant.conversation_id == Message.conversation_id,
                ConversationParticipant.user_id == viewer_id,
                Message.seq > ConversationParticipant.last_read_seq,
            ),
        )
        .where(Message.conversation_id.in_(ids), not_sent_by(viewer_id))
        .group_by(Message.conversation_id)
    )
    return {conversation_id: count for conversation_id, count in rows}


def encode_cursor(position: datetime, conversation_id: uuid.UUID) -> str:
    raw = json.dumps(
        {"t": position.isoformat(), "i": conversation_id.hex}, separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor points after; ``InvalidInput`` ``invalid_cursor`` if it is not
    one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
        position = datetime.fromisoformat(data["t"])
        if position.tzinfo is None:
            raise ValueError("naive cursor time")
        return position, uuid.UUID(hex=data["i"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "the cursor is not valid (start again without it)", code="invalid_cursor"
        ) from None
