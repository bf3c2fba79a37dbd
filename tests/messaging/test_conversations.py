"""Listing and reading conversations; staff joining them and the audit of staff reads."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance, Role
from openchance.db.types import utcnow
from openchance.errors import InvalidInput, NotFound, PermissionDenied
from openchance.messaging.schemas import ConversationQuery, MessageCreate, MessageQuery
from openchance.messaging.staff import read_audit_slot
from openchance.models.audit import AuditEntry
from openchance.models.messaging import MessageKind, ParticipantRole
from tests.factories.messaging import ConversationIds, insert_conversation, post_text, staff_actor
from tests.factories.users import SYSTEM, create_user


async def audit_entries(oc: OpenChance, action: str) -> list[AuditEntry]:
    async with oc.unit_of_work(read_only=True) as uow:
        return list(
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        )


class TestListConversations:
    async def test_a_participant_sees_their_conversation_with_who_is_in_it(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        await post_text(oc, solver, conversation.conversation_id, "Hello **there**")

        page = await oc.messaging.list_conversations(challenger)

        (item,) = page.items
        assert item.id == conversation.conversation_id
        assert item.challenge_title == "Forecast bakery demand"
        assert item.application_id == conversation.application_id
        assert [(p.display_name, p.role) for p in item.participants] == [
            ("Grace Challenger", ParticipantRole.CHALLENGER),
            ("Sam Solver", ParticipantRole.SOLVER),
        ]
        assert item.last_message is not None
        assert item.last_message.preview == "Hello **there**"
        assert (item.last_seq, item.last_read_seq, item.unread) == (1, 0, 1)
        assert item.viewer_role is ParticipantRole.CHALLENGER
        assert page.next_cursor is None

    async def test_the_most_recent_activity_comes_first_and_pages_follow_the_cursor(
        self, oc: OpenChance, solver: Actor, conversation: ConversationIds
    ) -> None:
        others = []
        for _ in range(2):
            challenger_id = await create_user(oc)
            others.append(await insert_conversation(oc, challenger_id, conversation.solver_id))
        await post_text(oc, solver, conversation.conversation_id, "newest activity")

        first = await oc.messaging.list_conversations(solver, ConversationQuery(limit=2))
        assert first.next_cursor is not None
        second = await oc.messaging.list_conversations(
            solver, ConversationQuery(limit=2, cursor=first.next_cursor)
        )

        assert [c.id for c in first.items] == [
            conversation.conversation_id,
            others[1].conversation_id,
        ]
        assert [c.id for c in second.items] == [others[0].conversation_id]
        assert second.next_cursor is None

    async def test_a_stranger_lists_none(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor
    ) -> None:
        assert (await oc.messaging.list_conversations(stranger)).items == []

    async def test_a_plain_user_cannot_list_someone_elses(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor
    ) -> None:
        with pytest.raises(PermissionDenied):
            await oc.messaging.list_conversations(
                stranger, ConversationQuery(participant_id=conversation.solver_id)
            )

    async def test_staff_list_anyones_and_the_operator_lists_all(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        theirs = await oc.messaging.list_conversations(
            support, ConversationQuery(participant_id=conversation.solver_id)
        )
        everything = await oc.messaging.list_conversations(SYSTEM)

        assert [c.id for c in theirs.items] == [conversation.conversation_id]
        assert [c.id for c in everything.items] == [conversation.conversation_id]
        assert (everything.items[0].unread, everything.items[0].viewer_role) == (None, None)

    async def test_a_cursor_that_is_not_ours_is_refused(
        self, oc: OpenChance, solver: Actor
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.messaging.list_conversations(solver, ConversationQuery(cursor="nonsense"))
        assert raised.value.code == "invalid_cursor"

    @pytest.mark.parametrize("limit", [0, 1000])
    def test_a_limit_out_of_range_is_refused(self, limit: int) -> None:
        with pytest.raises(ValueError, match="limit"):
            ConversationQuery(limit=limit)


class TestGetConversation:
    async def test_a_participant_gets_it(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        item = await oc.messaging.get_conversation(solver, conversation.conversation_id)
        assert (item.id, item.viewer_role) == (conversation.conversation_id, ParticipantRole.SOLVER)

    async def test_a_stranger_gets_404(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor
    ) -> None:
        with pytest.raises(NotFound):
            await oc.messaging.get_conversation(stranger, conversation.conversation_id)

    async def test_staff_reading_it_unjoined_is_audited(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        await oc.messaging.get_conversation(support, conversation.conversation_id)

        (entry,) = await audit_entries(oc, "conversation.read")
        assert (entry.actor_user_id, entry.target_id) == (
            support.user_id,
            str(conversation.conversation_id),
        )


class TestStaffReadAudit:
    async def test_reading_messages_unjoined_is_audited_once_a_day(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        for _ in range(3):
            await oc.messaging.list_messages(support, conversation.conversation_id, MessageQuery())
        await oc.messaging.get_conversation(support, conversation.conversation_id)

        assert len(await audit_entries(oc, "conversation.read")) == 1

    async def test_the_audit_table_dedupes_when_the_cache_forgot(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        await oc.messaging.get_conversation(support, conversation.conversation_id)
        # As if the process restarted with a fresh in-memory cache:
        await oc.cache.delete(read_audit_slot(support, conversation.conversation_id, utcnow()))

        await oc.messaging.get_conversation(support, conversation.conversation_id)

        assert len(await audit_entries(oc, "conversation.read")) == 1

    async def test_each_staff_member_is_audited(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        moderator = await staff_actor(oc, Role.MODERATOR, "Mo Derator")
        await oc.messaging.get_conversation(support, conversation.conversation_id)
        await oc.messaging.get_conversation(moderator, conversation.conversation_id)

        assert len(await audit_entries(oc, "conversation.read")) == 2

    async def test_participants_reading_are_not_audited(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        await oc.messaging.list_messages(solver, conversation.conversation_id, MessageQuery())
        assert await audit_entries(oc, "conversation.read") == []

    async def test_joined_staff_reading_is_not_audited_as_a_read(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        await oc.messaging.join_conversation(support, conversation.conversation_id)
        await oc.messaging.list_messages(support, conversation.conversation_id, MessageQuery())
        assert await audit_entries(oc, "conversation.read") == []


class TestJoinConversation:
    async def test_staff_join_as_staff_and_the_others_are_told(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor, solver: Actor
    ) -> None:
        joined = await oc.messaging.join_conversation(support, conversation.conversation_id)

        assert (joined.viewer_role, joined.unread) == (ParticipantRole.STAFF, 0)
        page = await oc.messaging.list_messages(
            solver, conversation.conversation_id, MessageQuery()
        )
        (message,) = page.items
        assert message.kind is MessageKind.SYSTEM
        assert message.body == "Sue Support from support joined the conversation"

    async def test_joining_is_audited(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        await oc.messaging.join_conversation(support, conversation.conversation_id)

        (entry,) = await audit_entries(oc, "conversation.join")
        assert entry.target_id == str(conversation.conversation_id)

    async def test_joining_twice_changes_nothing(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        await oc.messaging.join_conversation(support, conversation.conversation_id)
        again = await oc.messaging.join_conversation(support, conversation.conversation_id)

        assert again.last_seq == 1
        assert len(await audit_entries(oc, "conversation.join")) == 1

    async def test_joined_staff_may_post(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        await oc.messaging.join_conversation(support, conversation.conversation_id)
        message = await oc.messaging.post_message(
            support, conversation.conversation_id, MessageCreate(body="How can I help?")
        )
        assert message.sender_id == support.user_id

    async def test_a_plain_participant_cannot_join(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        with pytest.raises(PermissionDenied) as raised:
            await oc.messaging.join_conversation(solver, conversation.conversation_id)
        assert raised.value.code == "staff_only"

    async def test_a_stranger_cannot_join(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor
    ) -> None:
        with pytest.raises(NotFound):
            await oc.messaging.join_conversation(stranger, conversation.conversation_id)

    async def test_the_operator_cannot_join_without_an_account(
        self, oc: OpenChance, conversation: ConversationIds
    ) -> None:
        with pytest.raises(PermissionDenied) as raised:
            await oc.messaging.join_conversation(SYSTEM, conversation.conversation_id)
        assert raised.value.code == "staff_account_required"
