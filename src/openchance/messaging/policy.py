"""Who may read and write a conversation.

Participants read and post. Staff may read any conversation (every read by a
non-participant is audited by the use case) but post only after joining. To anyone else a
conversation does not exist.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.accounts.policy import require_user
from openchance.actor import Actor
from openchance.errors import NotFound, PermissionDenied
from openchance.models.messaging import ConversationParticipant

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


async def load_participant(
    uow: UnitOfWork, conversation_id: uuid.UUID, user_id: uuid.UUID
) -> ConversationParticipant | None:
    return await uow.session.scalar(
        select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.user_id == user_id,
        )
    )


async def check_can_read(
    uow: UnitOfWork, actor: Actor, conversation_id: uuid.UUID
) -> ConversationParticipant | None:
    """The actor's participant row (None for staff reading as outsiders); ``NotFound`` for
    everyone else."""
    if actor.user_id is not None:
        participant = await load_participant(uow, conversation_id, actor.user_id)
        if participant is not None:
            return participant
    if actor.is_staff:
        return None
    raise NotFound("conversation", conversation_id)


async def check_can_post(
    uow: UnitOfWork, actor: Actor, conversation_id: uuid.UUID
) -> ConversationParticipant:
    """Only participants post; staff join first (``not_a_participant``)."""
    user_id = require_user(actor)
    participant = await load_participant(uow, conversation_id, user_id)
    if participant is not None:
        return participant
    if actor.is_staff:
        raise PermissionDenied(
            "join the conversation before posting in it", code="not_a_participant"
        )
    raise NotFound("conversation", conversation_id)
