"""The application's conversation: opened on submit, told of every change of status."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from openchance import OpenChance
from openchance.applications.acceptance import AUTO_REJECT_NOTE
from openchance.applications.conversations import STAFF_NAME, system_message
from openchance.applications.schemas import ApplicationDecision
from openchance.applications.workflow import ApplicationAction
from openchance.models.messaging import Conversation, ConversationParticipant, Message
from tests.challenges.drafting import person
from tests.factories.applications import application_row, apply, open_challenge
from tests.factories.users import SYSTEM


async def conversation_of(oc: OpenChance, application_id: uuid.UUID) -> Conversation | None:
    async with oc.unit_of_work(read_only=True) as uow:
        return await uow.session.scalar(
            select(Conversation).where(Conversation.application_id == application_id)
        )


async def system_lines(oc: OpenChance, application_id: uuid.UUID) -> list[str]:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(Message.body)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.application_id == application_id, Message.kind == "system")
            .order_by(Message.seq)
        )
        return list(rows)


class TestConversationOpens:
    async def test_submitting_opens_a_conversation_between_both_sides(self, oc: OpenChance) -> None:
        owner, sofia = await person(oc, "chidi"), await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)

        conversation = await conversation_of(oc, application.id)

        assert conversation is not None
        async with oc.unit_of_work(read_only=True) as uow:
            members = set(
                await uow.session.scalars(
                    select(ConversationParticipant.user_id).where(
                        ConversationParticipant.conversation_id == conversation.id
                    )
                )
            )
        assert members == {owner.user_id, sofia.user_id}


class TestSystemMessages:
    async def test_each_change_of_status_is_told_in_the_conversation(self, oc: OpenChance) -> None:
        owner, sofia = await person(oc, "chidi"), await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)

        await oc.applications.shortlist_application(owner, application.id)
        await oc.applications.accept_application(
            owner, application.id, ApplicationDecision(note="Welcome!")
        )

        assert await system_lines(oc, application.id) == [
            "Chidi shortlisted this application.",
            "Chidi accepted this application: the work can start.\n\nWelcome!",
        ]

    async def test_a_withdrawal_names_the_solver(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        await oc.applications.withdraw_application(sofia, application.id)

        assert await system_lines(oc, application.id) == ["Sofia withdrew this application."]

    async def test_the_applications_that_lost_are_told_without_a_name(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        chosen = await apply(oc, await person(oc, "sofia"), challenge.id)
        other = await apply(oc, await person(oc, "satoshi"), challenge.id)

        await oc.applications.accept_application(owner, chosen.id)

        assert await system_lines(oc, other.id) == [
            "This application was closed: another one was chosen."
        ]

    async def test_an_operators_decision_is_told_as_staff(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        await oc.applications.reject_application(SYSTEM, application.id)

        assert await system_lines(oc, application.id) == [
            f"{STAFF_NAME} declined this application."
        ]

    async def test_the_message_carries_what_a_client_needs(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)
        row = await application_row(oc, application.id)

        message = system_message(row, ApplicationAction.AUTO_REJECT, AUTO_REJECT_NOTE, name="x")

        assert message.data == {
            "kind": "application.status_changed",
            "application_id": str(application.id),
            "action": "auto_reject",
            "status": "submitted",
        }
        assert AUTO_REJECT_NOTE not in message.body
