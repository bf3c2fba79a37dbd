"""Staff in conversations: joining one (to mediate, to help) and reading one unjoined.

Support agents, moderators and admins may read any conversation; a read of a conversation
they have not joined is audited (``conversation.read``). To post they join first
(``conversation.join``, audited): they become a ``staff`` participant, and a system message
tells the others who joined. Joining twice changes nothing.

Read audits are deduplicated to one entry per reader, conversation and UTC day, so paging
through a long history does not flood the log. The day's slot is claimed in the platform
cache (``add``: once-only across processes, so concurrent reads write one entry), and the
audit table is checked as well, so a process whose in-memory cache started afresh does not
write a second entry that day.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.accounts.policy import require_user
from openchance.actor import Actor, ClientInfo, Role
from openchance.db.types import utcnow
from openchance.errors import PermissionDenied
from openchance.messaging.conversations import append_message, lock_conversation
from openchance.messaging.listing import load_conversation_read
from openchance.messaging.policy import check_can_read, load_participant
from openchance.messaging.schemas import ConversationRead
from openchance.models.accounts import User
from openchance.models.audit import AuditEntry
from openchance.models.messaging import ConversationParticipant, MessageKind, ParticipantRole
from openchance.moderation.audit import record_audit

if TYPE_CHECKING:
    from openchance.platform import OpenChance

READ_ACTION = "conversation.read"
JOIN_ACTION = "conversation.join"
TARGET_TYPE = "conversation"
JOINED_FROM = {
    Role.SUPPORT: "support",
    Role.MODERATOR: "moderation",
    Role.ADMIN: "the OpenChance team",
}
"""How the system message names where a staff member comes from."""


def _staff_role(actor: Actor) -> Role | None:
    for role in (Role.SUPPORT, Role.MODERATOR, Role.ADMIN):
        if role in actor.roles:
            return role
    return None


async def join_conversation(
    platform: OpenChance, actor: Actor, conversation_id: uuid.UUID, client: ClientInfo | None
) -> ConversationRead:
    """Add a support agent, moderator or admin to the conversation as ``staff``.

    404 for a conversation a plain user cannot see, 403 ``staff_only`` for a plain user
    who is in it. Idempotent: a staff member already in it gets it back unchanged.
    """
    if actor.is_system and actor.user_id is None:
        raise PermissionDenied(
            "the operator cannot join a conversation: sign in with a staff account",
            code="staff_account_required",
        )
    user_id = require_user(actor)
    role = _staff_role(actor)
    async with platform.unit_of_work() as uow:
        if role is None:
            await check_can_read(uow, actor, conversation_id)  # 404 for outsiders
            raise PermissionDenied(
                "only support, moderators and admins join conversations", code="staff_only"
            )
        conversation = await lock_conversation(uow, conversation_id)
        if await load_participant(uow, conversation_id, user_id) is None:
            display_name = await uow.session.scalar(
                select(User.display_name).where(User.id == user_id)
            )
            joined = ConversationParticipant(
                conversation_id=conversation_id,
                user_id=user_id,
                role=ParticipantRole.STAFF,
                last_read_seq=conversation.last_seq,
                joined_at=utcnow(),
            )
            uow.session.add(joined)
            await uow.flush()
            record_audit(
                uow, actor, JOIN_ACTION, target_type=TARGET_TYPE, target_id=conversation_id,
                client=client, details={"role": role.value},
            )  # fmt: skip
            await append_message(
                uow,
                conversation,
                sender_id=None,
                kind=MessageKind.SYSTEM,
                body=f"{display_name} from {JOINED_FROM[role]} joined the conversation",
                data={"event": "staff_joined", "user_id": str(user_id), "role": role.value},
            )
            joined.last_read_seq = conversation.last_seq  # their own arrival is not news
            await uow.flush()
        return await load_conversation_read(uow, conversation_id, user_id)


def _day_window(now: datetime) -> tuple[datetime, datetime]:
    start = datetime(now.year, now.month, now.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def read_audit_slot(actor: Actor, conversation_id: uuid.UUID, day: datetime) -> str:
    """The cache key that claims the day's read audit of ``actor`` for the conversation."""
    reader = str(actor.user_id) if actor.user_id is not None else f"system:{actor.label}"
    return f"audit:{READ_ACTION}:{reader}:{conversation_id}:{day:%Y-%m-%d}"


async def audit_outsider_read(
    platform: OpenChance, actor: Actor, conversation_id: uuid.UUID, client: ClientInfo | None
) -> bool:
    """Audit that staff (or the operator) read a conversation they are not in, once per
    reader, conversation and UTC day; returns whether an entry was written now."""
    start, end = _day_window(utcnow())
    slot = read_audit_slot(actor, conversation_id, start)
    cache = platform.cache
    if not await cache.add(slot, b"1", ttl_seconds=(end - utcnow()).total_seconds() + 60):
        return False
    try:
        async with platform.unit_of_work() as uow:
            existing = select(AuditEntry.id).where(
                AuditEntry.action == READ_ACTION,
                AuditEntry.target_type == TARGET_TYPE,
                AuditEntry.target_id == str(conversation_id),
                AuditEntry.occurred_at >= start,
                (
                    AuditEntry.actor_user_id == actor.user_id
                    if actor.user_id is not None
                    else AuditEntry.actor_label == actor.label
                ),
            )
            if await uow.session.scalar(existing.limit(1)) is not None:
                return False
            record_audit(
                uow, actor, READ_ACTION, target_type=TARGET_TYPE, target_id=conversation_id,
                client=client,
            )  # fmt: skip
    except BaseException:
        await cache.delete(slot)  # not audited after all: the next read tries again
        raise
    return True
