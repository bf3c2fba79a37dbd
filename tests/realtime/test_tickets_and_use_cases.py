"""The real-time use cases in the core: tickets, subscriptions, typing, read markers."""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy import func, select

from openchance import Actor, OpenChance
from openchance.accounts.schemas import StatusChange
from openchance.errors import NotAuthenticated, NotFound, RateLimited
from openchance.messaging import presence
from openchance.messaging.protocol import MessageSendFrame, TypingFrame
from openchance.messaging.realtime import TYPING_CHANNEL
from openchance.models.events import EventRecord
from openchance.models.messaging import Message
from tests.factories.messaging import ConversationIds, insert_conversation
from tests.factories.users import SYSTEM, actor_for, create_user


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"ws_ticket_ttl_seconds": 0.2, "ws_message_rate": "3/minute"}


@pytest.fixture
async def solver_email(oc: OpenChance) -> str:
    email = "solver@example.org"
    await create_user(oc, email=email, display_name="Sam Solver")
    return email


@pytest.fixture
async def solver(oc: OpenChance, solver_email: str) -> Actor:
    return await actor_for(oc, solver_email)


@pytest.fixture
async def conversation(oc: OpenChance, solver: Actor) -> ConversationIds:
    assert solver.user_id is not None
    challenger = await create_user(oc, display_name="Grace Challenger")
    return await insert_conversation(oc, challenger, solver.user_id)


class TestTickets:
    async def test_a_ticket_is_redeemed_once_as_its_user_and_session(
        self, oc: OpenChance, solver: Actor
    ) -> None:
        ticket = await oc.realtime.issue_ticket(solver)

        actor = await oc.realtime.redeem_ticket(ticket.ticket)

        assert (actor.user_id, actor.session_id) == (solver.user_id, solver.session_id)
        with pytest.raises(NotAuthenticated) as raised:
            await oc.realtime.redeem_ticket(ticket.ticket)
        assert raised.value.code == "invalid_ticket"

    async def test_an_expired_ticket_is_refused(self, oc: OpenChance, solver: Actor) -> None:
        ticket = await oc.realtime.issue_ticket(solver)
        await anyio.sleep(0.3)

        with pytest.raises(NotAuthenticated) as raised:
            await oc.realtime.redeem_ticket(ticket.ticket)
        assert raised.value.code == "invalid_ticket"

    @pytest.mark.parametrize("ticket", [None, "", "wst_unknown", "bearer-token"])
    async def test_no_or_a_made_up_ticket_is_refused(
        self, oc: OpenChance, ticket: str | None
    ) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.realtime.redeem_ticket(ticket)

    async def test_a_user_suspended_since_is_refused(self, oc: OpenChance, solver: Actor) -> None:
        assert solver.user_id is not None
        ticket = await oc.realtime.issue_ticket(solver)
        await oc.users.suspend(SYSTEM, solver.user_id, StatusChange(reason="spam"))

        with pytest.raises(NotAuthenticated) as raised:
            await oc.realtime.redeem_ticket(ticket.ticket)
        assert raised.value.code in {"account_suspended", "session_expired"}

    async def test_a_session_ended_since_is_refused(self, oc: OpenChance, solver: Actor) -> None:
        ticket = await oc.realtime.issue_ticket(solver)
        await oc.accounts.logout(solver)

        with pytest.raises(NotAuthenticated) as raised:
            await oc.realtime.redeem_ticket(ticket.ticket)
        assert raised.value.code == "session_expired"

    async def test_anonymous_visitors_get_none(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.realtime.issue_ticket(Actor.anonymous())


class TestSubscriptions:
    async def test_participants_may_follow(
        self, oc: OpenChance, solver: Actor, conversation: ConversationIds
    ) -> None:
        grant = await oc.realtime.authorise_subscription(solver, conversation.conversation_id)

        assert grant.as_staff is False
        assert grant.may_receive(conversation.solver_id, frozenset({str(conversation.solver_id)}))

    async def test_strangers_may_not(self, oc: OpenChance, conversation: ConversationIds) -> None:
        stranger = Actor.user(await create_user(oc, display_name="Nosy Parker"))

        with pytest.raises(NotFound):
            await oc.realtime.authorise_subscription(stranger, conversation.conversation_id)


class TestSending:
    async def test_sends_are_rate_limited_per_user(
        self, oc: OpenChance, solver: Actor, conversation: ConversationIds
    ) -> None:
        for number in range(3):
            await oc.realtime.send_message(
                solver,
                MessageSendFrame(
                    conversation_id=conversation.conversation_id,
                    client_id=f"c-{number}",
                    body="hi",
                ),
            )

        with pytest.raises(RateLimited) as raised:
            await oc.realtime.send_message(
                solver,
                MessageSendFrame(
                    conversation_id=conversation.conversation_id, client_id="c-9", body="hi"
                ),
            )
        assert raised.value.retry_after >= 1


class TestTyping:
    async def test_relayed_on_the_bus_throttled_and_never_stored(
        self, oc: OpenChance, solver: Actor, conversation: ConversationIds
    ) -> None:
        received: list[str] = []
        async with oc.bus.subscribe(TYPING_CHANNEL) as frames:
            assert await oc.realtime.typing(solver, conversation.conversation_id) is True
            assert await oc.realtime.typing(solver, conversation.conversation_id) is False
            with anyio.fail_after(5):
                async for frame in frames:
                    received.append(frame)
                    break

        typing = TypingFrame.model_validate_json(received[0])
        assert (typing.user_id, typing.conversation_id) == (
            conversation.solver_id,
            conversation.conversation_id,
        )
        async with oc.unit_of_work(read_only=True) as uow:
            assert await uow.session.scalar(select(func.count(Message.id))) == 0
            names = set(await uow.session.scalars(select(EventRecord.name)))
        assert not any("typing" in name for name in names)

    async def test_strangers_cannot_type(
        self, oc: OpenChance, conversation: ConversationIds
    ) -> None:
        stranger = Actor.user(await create_user(oc, display_name="Nosy Parker"))

        with pytest.raises(NotFound):
            await oc.realtime.typing(stranger, conversation.conversation_id)


class TestReadMarkers:
    async def test_reading_returns_the_unread_counts_after_it(
        self, oc: OpenChance, solver: Actor, conversation: ConversationIds
    ) -> None:
        challenger = Actor.user(conversation.challenger_id)
        for number in range(3):
            await oc.realtime.send_message(
                challenger,
                MessageSendFrame(
                    conversation_id=conversation.conversation_id,
                    client_id=f"c-{number}",
                    body="news",
                ),
            )

        assert (await oc.realtime.unread(solver)).total == 3
        frame = await oc.realtime.mark_read(solver, conversation.conversation_id, 2)

        assert frame.total == 1
        assert frame.conversations[0].unread == 1


class TestPresence:
    async def test_connected_until_the_last_connection_says_goodbye(
        self, oc: OpenChance, solver: Actor
    ) -> None:
        assert solver.user_id is not None
        user = solver.user_id
        assert await presence.is_connected(oc.cache, user) is False

        await presence.mark_connected(oc.cache, user, "a", ttl_seconds=30)
        assert await presence.is_connected(oc.cache, user) is True
        await presence.mark_disconnected(oc.cache, user, "a")

        assert await presence.is_connected(oc.cache, user) is False

    async def test_a_connection_that_stops_refreshing_expires(
        self, oc: OpenChance, solver: Actor
    ) -> None:
        assert solver.user_id is not None
        await presence.mark_connected(oc.cache, solver.user_id, "a", ttl_seconds=0.1)
        await anyio.sleep(0.25)

        assert await presence.is_connected(oc.cache, solver.user_id) is False
