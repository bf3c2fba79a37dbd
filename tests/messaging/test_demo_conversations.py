"""The demo step that fills conversations with an exchange of messages."""

from __future__ import annotations

from openchance import Actor, OpenChance
from openchance.messaging.demo import seed_demo_conversations
from openchance.messaging.schemas import MessageQuery
from tests.factories.messaging import ConversationIds, post_text


class TestSeedDemoConversations:
    async def test_each_empty_conversation_gets_an_exchange(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor
    ) -> None:
        summary = await seed_demo_conversations(oc)

        page = await oc.messaging.list_messages(
            challenger, conversation.conversation_id, MessageQuery()
        )
        assert len(page.items) >= 4
        assert {m.sender_id for m in page.items} == {
            conversation.challenger_id,
            conversation.solver_id,
        }
        assert "1 given a demo exchange" in summary

    async def test_a_second_run_adds_nothing(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor
    ) -> None:
        await seed_demo_conversations(oc)
        before = await oc.messaging.get_conversation(challenger, conversation.conversation_id)

        await seed_demo_conversations(oc)

        after = await oc.messaging.get_conversation(challenger, conversation.conversation_id)
        assert after.last_seq == before.last_seq

    async def test_a_conversation_with_messages_is_left_alone(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        await post_text(oc, solver, conversation.conversation_id, "A real message")

        await seed_demo_conversations(oc)

        page = await oc.messaging.list_messages(
            solver, conversation.conversation_id, MessageQuery()
        )
        assert [m.body for m in page.items] == ["A real message"]

    async def test_without_conversations_it_does_nothing(self, oc: OpenChance) -> None:
        assert await seed_demo_conversations(oc) == "conversations: 0 (0 given a demo exchange now)"

    async def test_the_solvers_last_message_is_left_unread_for_the_challenger(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor
    ) -> None:
        await seed_demo_conversations(oc)

        (item,) = (await oc.messaging.list_conversations(challenger)).items
        assert item.last_message is not None
        assert item.last_message.sender_id == conversation.solver_id
        assert item.unread == 1
