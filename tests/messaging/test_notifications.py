"""New messages notify recipients who are not connected, one notification per conversation."""

from __future__ import annotations

from openchance import Actor, OpenChance
from openchance.messaging.presence import mark_connected
from openchance.messaging.schemas import ReadMarker
from openchance.notifications.schemas import NotificationRead
from tests.factories.messaging import ConversationIds, post_text
from tests.support.jobs import drain


async def feed(oc: OpenChance, actor: Actor) -> list[NotificationRead]:
    return (await oc.notifications.list_notifications(actor)).items


class TestNewMessageNotifications:
    async def test_a_connected_recipient_gets_none(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        await mark_connected(oc.cache, conversation.challenger_id, "socket-1", ttl_seconds=60)
        await post_text(oc, solver, conversation.conversation_id, "Are you there?")
        await drain(oc)

        assert await feed(oc, challenger) == []

    async def test_a_disconnected_recipient_gets_one(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        await post_text(oc, solver, conversation.conversation_id, "Are you there?")
        await drain(oc)

        (notification,) = await feed(oc, challenger)
        assert notification.kind == "conversation.new_messages"
        assert notification.body == "Sam Solver: Are you there?"
        assert notification.data["conversation_id"] == str(conversation.conversation_id)
        assert notification.read_at is None

    async def test_the_sender_is_not_notified(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        await post_text(oc, solver, conversation.conversation_id, "Hello")
        await drain(oc)

        assert await feed(oc, solver) == []

    async def test_three_messages_make_one_notification_counting_three(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        for body in ("one", "two", "three"):
            await post_text(oc, solver, conversation.conversation_id, body)
            await drain(oc)

        (notification,) = await feed(oc, challenger)
        assert notification.data["count"] == 3
        assert notification.title == "3 new messages about “Forecast bakery demand”"
        assert notification.body == "Sam Solver: three"

    async def test_reading_the_conversation_marks_it_read(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        message = await post_text(oc, solver, conversation.conversation_id, "one")
        await drain(oc)

        await oc.messaging.mark_read(
            challenger, conversation.conversation_id, ReadMarker(seq=message.seq)
        )

        (notification,) = await feed(oc, challenger)
        assert notification.read_at is not None

    async def test_reading_only_part_of_it_leaves_it_unread(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        first = await post_text(oc, solver, conversation.conversation_id, "one")
        await post_text(oc, solver, conversation.conversation_id, "two")
        await drain(oc)

        await oc.messaging.mark_read(
            challenger, conversation.conversation_id, ReadMarker(seq=first.seq)
        )

        (notification,) = await feed(oc, challenger)
        assert notification.read_at is None

    async def test_the_next_message_after_reading_refreshes_the_same_notification(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        message = await post_text(oc, solver, conversation.conversation_id, "one")
        await drain(oc)
        await oc.messaging.mark_read(
            challenger, conversation.conversation_id, ReadMarker(seq=message.seq)
        )

        await post_text(oc, solver, conversation.conversation_id, "two")
        await drain(oc)

        (notification,) = await feed(oc, challenger)
        assert notification.read_at is None
        assert (notification.data["count"], notification.body) == (1, "Sam Solver: two")

    async def test_a_message_read_before_the_job_runs_notifies_nobody(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        message = await post_text(oc, solver, conversation.conversation_id, "quick")
        await oc.messaging.mark_read(
            challenger, conversation.conversation_id, ReadMarker(seq=message.seq)
        )
        await drain(oc)

        assert await feed(oc, challenger) == []

    async def test_replying_marks_ones_own_notification_read(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        await post_text(oc, solver, conversation.conversation_id, "question?")
        await drain(oc)

        await post_text(oc, challenger, conversation.conversation_id, "answer")

        (notification,) = await feed(oc, challenger)
        assert notification.read_at is not None
