"""What a message may be, who may mark one read, concurrent posts, and the event payload."""

from __future__ import annotations

import json

import anyio
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.errors import NotFound
from openchance.messaging.schemas import (
    MESSAGE_MAX_LENGTH,
    MessageCreate,
    MessageQuery,
    MessageRead,
    ReadMarker,
)
from openchance.models.events import EventRecord
from openchance.models.messaging import Message
from tests.factories.messaging import ConversationIds, post_text


class TestMessageInput:
    @pytest.mark.parametrize("body", ["", "   \n "])
    def test_an_empty_body_is_refused(self, body: str) -> None:
        with pytest.raises(ValidationError):
            MessageCreate(body=body)

    def test_a_body_of_the_maximum_length_is_accepted(self) -> None:
        assert len(MessageCreate(body="a" * MESSAGE_MAX_LENGTH).body) == MESSAGE_MAX_LENGTH

    def test_a_body_one_character_too_long_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            MessageCreate(body="a" * (MESSAGE_MAX_LENGTH + 1))

    @pytest.mark.parametrize("client_id", ["", "has space", "x" * 65, "naïve"])
    def test_a_bad_client_id_is_refused(self, client_id: str) -> None:
        with pytest.raises(ValidationError):
            MessageCreate(body="hi", client_id=client_id)

    def test_before_and_after_together_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="before or after"):
            MessageQuery(before=5, after=2)

    @pytest.mark.parametrize("limit", [0, 1000])
    def test_a_limit_out_of_range_is_refused(self, limit: int) -> None:
        with pytest.raises(ValidationError):
            MessageQuery(limit=limit)


class TestMarkReadAccess:
    async def test_a_stranger_cannot_mark_read(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor
    ) -> None:
        with pytest.raises(NotFound):
            await oc.messaging.mark_read(stranger, conversation.conversation_id, ReadMarker(seq=1))


class TestMessagePostedPayload:
    async def test_the_payload_round_trips_through_json_to_the_message(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        message = await post_text(oc, solver, conversation.conversation_id, "**Round** trip ✓")
        async with oc.unit_of_work(read_only=True) as uow:
            event = await uow.session.scalar(
                select(EventRecord).where(EventRecord.name == "message.posted")
            )
        assert event is not None

        payload = json.loads(json.dumps(event.payload))

        assert MessageRead.model_validate(payload["message"]) == message


class TestResends:
    async def test_the_outcome_says_whether_the_call_stored_it(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        data = MessageCreate(body="once", client_id="c-9")
        first = await oc.messaging.post_message_with_outcome(
            solver, conversation.conversation_id, data
        )
        again = await oc.messaging.post_message_with_outcome(
            solver, conversation.conversation_id, data
        )
        assert (first.created, again.created) == (True, False)
        assert again.message == first.message


@pytest.mark.postgres_only
class TestConcurrentPosts:
    async def test_two_concurrent_posts_with_one_client_id_store_one_message(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        results: list[MessageRead] = []

        async def send() -> None:
            results.append(
                await post_text(oc, solver, conversation.conversation_id, "twice?", "dup-1")
            )

        async with anyio.create_task_group() as group:
            group.start_soon(send)
            group.start_soon(send)

        assert results[0].id == results[1].id
        async with oc.unit_of_work(read_only=True) as uow:
            stored = list(await uow.session.scalars(select(Message.seq)))
        assert stored == [1]

    async def test_twenty_concurrent_posts_are_numbered_1_to_20(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor, challenger: Actor
    ) -> None:
        async def send(n: int) -> None:
            actor = solver if n % 2 else challenger
            await post_text(oc, actor, conversation.conversation_id, f"m{n}")

        async with anyio.create_task_group() as group:
            for n in range(20):
                group.start_soon(send, n)

        async with oc.unit_of_work(read_only=True) as uow:
            seqs = sorted(await uow.session.scalars(select(Message.seq)))
        assert seqs == list(range(1, 21))
