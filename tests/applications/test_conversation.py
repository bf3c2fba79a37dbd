"""An application's conversation: it opens when the application is submitted, and every
change of status is told in it by a system message."""

from __future__ import annotations

import uuid

from openchance import Actor, OpenChance
from openchance.applications.schemas import ApplicationDecision
from openchance.messaging.schemas import MessageQuery, MessageRead
from openchance.models.messaging import MessageKind, ParticipantRole
from tests.challenges.drafting import person
from tests.factories.applications import apply, open_challenge


async def conversation_of(oc: OpenChance, actor: Actor, application_id: uuid.UUID) -> uuid.UUID:
    page = await oc.messaging.list_conversations(actor)
    matches = [c.id for c in page.items if c.application_id == application_id]
    assert len(matches) == 1
    return matches[0]


async def messages(oc: OpenChance, actor: Actor, conversation_id: uuid.UUID) -> list[MessageRead]:
    return (await oc.messaging.list_messages(actor, conversation_id, MessageQuery())).items


class TestSubmittingOpensTheConversation:
    async def test_the_solver_and_the_challenger_take_part(self, oc: OpenChance) -> None:
        challenger = await person(oc, "chidi")
        solver = await person(oc, "tahani")
        challenge = await open_challenge(oc, challenger)
        application = await apply(oc, solver, challenge.id)

        conversation_id = await conversation_of(oc, solver, application.id)
        conversation = await oc.messaging.get_conversation(challenger, conversation_id)

        roles = {p.user_id: p.role for p in conversation.participants}
        assert roles == {
            challenger.user_id: ParticipantRole.CHALLENGER,
            solver.user_id: ParticipantRole.SOLVER,
        }


class TestStatusChangesAreToldInTheConversation:
    async def test_a_shortlisting_posts_a_system_message_with_the_note(
        self, oc: OpenChance
    ) -> None:
        challenger = await person(oc, "chidi")
        solver = await person(oc, "tahani")
        challenge = await open_challenge(oc, challenger)
        application = await apply(oc, solver, challenge.id)

        await oc.applications.shortlist_application(
            challenger, application.id, ApplicationDecision(note="Strong proposal.")
        )

        conversation_id = await conversation_of(oc, solver, application.id)
        [message] = await messages(oc, solver, conversation_id)
        assert message.kind is MessageKind.SYSTEM
        assert message.sender_id is None
        assert message.body.startswith("Chidi shortlisted this application.")
        assert "Strong proposal." in message.body
        assert message.data["action"] == "shortlist"

    async def test_the_losing_applications_hear_that_another_was_chosen(
        self, oc: OpenChance
    ) -> None:
        challenger = await person(oc, "chidi")
        winner = await person(oc, "tahani")
        other = await person(oc, "jason")
        challenge = await open_challenge(oc, challenger)
        chosen = await apply(oc, winner, challenge.id)
        passed_over = await apply(oc, other, challenge.id)

        await oc.applications.accept_application(challenger, chosen.id)

        conversation_id = await conversation_of(oc, other, passed_over.id)
        [message] = await messages(oc, other, conversation_id)
        assert message.data["action"] == "auto_reject"
        assert "another one was chosen" in message.body
