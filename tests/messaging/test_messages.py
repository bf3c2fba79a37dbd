"""Posting and reading messages: numbering, resends, history pages, read markers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.errors import NotFound, PermissionDenied
from openchance.messaging.schemas import MessageCreate, MessageQuery, MessageRead, ReadMarker
from openchance.models.events import EventRecord
from tests.factories.messaging import ConversationIds


async def post(
    oc: OpenChance,
    actor: Actor,
    conversation: ConversationIds,
    body: str,
    client_id: str | None = None,
) -> MessageRead:
    return await oc.messaging.post_message(
        actor, conversation.conversation_id, MessageCreate(body=body, client_id=client_id)
    )


class TestPostMessage:
    async def test_messages_are_numbered_in_order(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        first = await post(oc, challenger, conversation, "Hello")
        second = await post(oc, solver, conversation, "Hi there")
        assert (first.seq, second.seq) == (1, 2)
        assert second.sender_id == conversation.solver_id

    async def test_a_resend_with_the_same_client_id_is_stored_once(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        first = await post(oc, solver, conversation, "Once", client_id="c-1")
        again = await post(oc, solver, conversation, "Once", client_id="c-1")
        assert again.id == first.id
        page = await oc.messaging.list_messages(
            solver, conversation.conversation_id, MessageQuery()
        )
        assert [m.body for m in page.items] == ["Once"]

    async def test_the_post_is_recorded_as_an_event_with_the_message(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        message = await post(oc, solver, conversation, "Announce me")
        async with oc.unit_of_work(read_only=True) as uow:
            events = list(
                await uow.session.scalars(
                    select(EventRecord).where(EventRecord.name == "message.posted")
                )
            )
        assert len(events) == 1
        assert events[0].payload["message"]["id"] == str(message.id)
        assert set(events[0].payload["participant_ids"]) == {
            str(conversation.challenger_id),
            str(conversation.solver_id),
        }

    async def test_html_in_a_message_is_sanitised(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        message = await post(oc, solver, conversation, "**bold** <script>alert(1)</script>")
        assert "<strong>bold</strong>" in message.body_html
        assert "script" not in message.body_html

    async def test_a_stranger_cannot_post(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor
    ) -> None:
        with pytest.raises(NotFound):
            await post(oc, stranger, conversation, "Let me in")

    async def test_staff_must_join_before_posting(
        self, oc: OpenChance, conversation: ConversationIds, support: Actor
    ) -> None:
        with pytest.raises(PermissionDenied) as raised:
            await post(oc, support, conversation, "Support here")
        assert raised.value.code == "not_a_participant"


class TestListMessages:
    async def test_pages_go_back_with_before_and_forward_with_after(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        for n in range(1, 8):
            await post(oc, solver, conversation, f"m{n}")
        latest = await oc.messaging.list_messages(
            solver, conversation.conversation_id, MessageQuery(limit=3)
        )
        older = await oc.messaging.list_messages(
            solver, conversation.conversation_id, MessageQuery(before=5, limit=3)
        )
        newer = await oc.messaging.list_messages(
            solver, conversation.conversation_id, MessageQuery(after=4, limit=10)
        )
        assert [m.seq for m in latest.items] == [5, 6, 7]
        assert latest.has_more
        assert [m.seq for m in older.items] == [2, 3, 4]
        assert older.has_more
        assert [m.seq for m in newer.items] == [5, 6, 7]
        assert not newer.has_more

    async def test_staff_may_read_without_joining(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor, support: Actor
    ) -> None:
        await post(oc, solver, conversation, "Visible to support")
        page = await oc.messaging.list_messages(
            support, conversation.conversation_id, MessageQuery()
        )
        assert [m.body for m in page.items] == ["Visible to support"]

    async def test_a_stranger_cannot_read(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor
    ) -> None:
        with pytest.raises(NotFound):
            await oc.messaging.list_messages(stranger, conversation.conversation_id, MessageQuery())


class TestReadMarkers:
    async def test_unread_counts_others_messages_after_the_marker(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        await post(oc, solver, conversation, "one")
        await post(oc, solver, conversation, "two")
        await post(oc, challenger, conversation, "mine")
        counts = await oc.messaging.unread_counts(challenger)
        assert counts.total == 0  # posting reads what came before
        await post(oc, solver, conversation, "three")
        counts = await oc.messaging.unread_counts(challenger)
        assert counts.total == 1
        assert counts.conversations[0].conversation_id == conversation.conversation_id

    async def test_marking_read_moves_forward_only_and_stops_at_the_newest(
        self, oc: OpenChance, conversation: ConversationIds, challenger: Actor, solver: Actor
    ) -> None:
        for n in range(3):
            await post(oc, solver, conversation, f"m{n}")
        state = await oc.messaging.mark_read(
            challenger, conversation.conversation_id, ReadMarker(seq=2)
        )
        assert state.unread == 1
        state = await oc.messaging.mark_read(
            challenger, conversation.conversation_id, ReadMarker(seq=1)
        )
        assert state.unread == 1
        state = await oc.messaging.mark_read(
            challenger, conversation.conversation_id, ReadMarker(seq=99)
        )
        assert state.unread == 0
