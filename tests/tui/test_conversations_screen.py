"""The conversations screen: recent conversations, the messages of the selected one
(read-only, audited as a staff read), joining with ``j`` and then posting."""

from __future__ import annotations

from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Input, Label

from openchance import Actor, OpenChance
from openchance.messaging.schemas import MessageQuery
from openchance.models.messaging import ParticipantRole
from openchance.moderation.audit import AuditFilter
from openchance_tui import OpenChanceConsole
from openchance_tui.messages import ConversationActionRefused, ConversationJoined
from openchance_tui.screens import ConversationsScreen
from openchance_tui.widgets import ConversationPanel, ConversationsTable
from tests.factories.messaging import (
    ConversationIds,
    insert_conversation,
    post_text,
    staff_actor,
)
from tests.factories.users import create_user
from tests.tui.conftest import MANUAL_REFRESH_SECONDS
from tests.tui.pilots import MessageLog, settle, settle_on

SYSTEM = Actor.system("tests")


async def a_conversation(oc: OpenChance, *, messages: int = 2) -> ConversationIds:
    challenger = await create_user(oc, display_name="Grace Challenger")
    solver = await create_user(oc, display_name="Sam Solver")
    ids = await insert_conversation(oc, challenger, solver)
    for n in range(messages):
        await post_text(oc, Actor.user(solver), ids.conversation_id, f"message {n + 1}")
    return ids


async def open_conversations(pilot: Pilot[None]) -> ConversationsScreen:
    await settle(pilot)
    await pilot.press("v")
    return await settle_on(pilot, ConversationsScreen)


def message_texts(screen: ConversationsScreen) -> list[str]:
    panel = screen.query_one(ConversationPanel)
    return [str(label.content) for label in panel.query(".message").results(Label)]


class TestConversationList:
    async def test_it_lists_recent_conversations_with_their_challenge_and_participants(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        ids = await a_conversation(oc)

        async with console.run_test() as pilot:
            screen = await open_conversations(pilot)

            table = screen.query_one(ConversationsTable)
            assert table.selected_conversation_id == ids.conversation_id
            cells = [str(cell) for cell in table.get_row(str(ids.conversation_id))]
            assert cells[1] == "Forecast bakery demand"
            assert "Grace Challenger (challenger)" in cells[2]
            assert str(table.get_cell_at(Coordinate(0, 3))) == "2"


class TestConversationDetail:
    async def test_the_selected_conversations_messages_are_shown_read_only(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        await a_conversation(oc)

        async with console.run_test() as pilot:
            screen = await open_conversations(pilot)

            texts = message_texts(screen)
            assert [t.split(": ", 1)[1] for t in texts] == ["message 1", "message 2"]
            assert "Sam Solver" in texts[0]
            assert screen.query_one("#message-input", Input).disabled

    async def test_reading_it_is_audited(self, oc: OpenChance, console: OpenChanceConsole) -> None:
        ids = await a_conversation(oc)

        async with console.run_test() as pilot:
            await open_conversations(pilot)

        entries = await oc.audit.list_entries(SYSTEM, AuditFilter(action="conversation.read"))
        assert [(e.actor_label, e.target_id) for e in entries] == [
            ("console", str(ids.conversation_id))
        ]


class TestJoinAndPost:
    async def test_j_joins_and_then_the_input_posts(self, oc: OpenChance) -> None:
        ids = await a_conversation(oc)
        support = await staff_actor(oc)
        console = OpenChanceConsole(oc, actor=support, refresh_seconds=MANUAL_REFRESH_SECONDS)
        messages = MessageLog()

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_conversations(pilot)
            await pilot.press("j")
            await settle_on(pilot, ConversationsScreen)

            (joined,) = messages.of_type(ConversationJoined)
            assert joined.conversation.viewer_role is ParticipantRole.STAFF
            field = screen.query_one("#message-input", Input)
            assert not field.disabled
            field.value = "Hello from support"
            await pilot.press("enter")
            await settle_on(pilot, ConversationsScreen)

            assert message_texts(screen)[-1].endswith("Sue Support: Hello from support")

        page = await oc.messaging.list_messages(
            Actor.user(ids.solver_id), ids.conversation_id, MessageQuery()
        )
        assert [m.body for m in page.items][-2:] == [
            "Sue Support from support joined the conversation",
            "Hello from support",
        ]

    async def test_the_operator_cannot_join_and_gets_a_notice(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        await a_conversation(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_conversations(pilot)
            await pilot.press("j")
            await settle_on(pilot, ConversationsScreen)

            (refused,) = messages.of_type(ConversationActionRefused)
            assert refused.error.code == "staff_account_required"
            assert [n.title for n in messages.notifications("error")] == ["Permission denied"]
            assert screen.query_one("#message-input", Input).disabled
