"""Conversations straight into the database (an application row and its conversation), for
tests of messaging and the real-time layer. Tests of applications go through the use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from openchance import OpenChance
from openchance.db.types import utcnow
from openchance.messaging.conversations import open_application_conversation
from openchance.models.applications import Application, ApplicationStatus
from openchance.models.challenges import Challenge
from tests.factories.challenges import insert_challenge


@dataclass(frozen=True)
class ConversationIds:
    conversation_id: uuid.UUID
    challenge_id: uuid.UUID
    application_id: uuid.UUID
    challenger_id: uuid.UUID
    solver_id: uuid.UUID


async def insert_conversation(
    oc: OpenChance, challenger_id: uuid.UUID, solver_id: uuid.UUID
) -> ConversationIds:
    """An open challenge of ``challenger_id``, a submitted application of ``solver_id`` and
    the conversation between them."""
    challenge_id = await insert_challenge(oc, challenger_id)
    now = utcnow()
    async with oc.unit_of_work() as uow:
        challenge = await uow.session.get(Challenge, challenge_id)
        assert challenge is not None
        application = Application(
            id=uuid.uuid4(),
            challenge_id=challenge_id,
            solver_id=solver_id,
            status=ApplicationStatus.SUBMITTED,
            proposal="I have done this before.",
            bid_amount_minor=challenge.reward_min_minor,
            bid_currency=challenge.reward_currency,
            milestone_bids=[],
            estimated_days=10,
            portfolio_links=[],
            terms_accepted_at=now,
            status_changed_at=now,
        )
        uow.session.add(application)
        await uow.flush()
        conversation = await open_application_conversation(
            uow, challenge=challenge, application=application
        )
        return ConversationIds(
            conversation_id=conversation.id,
            challenge_id=challenge_id,
            application_id=application.id,
            challenger_id=challenger_id,
            solver_id=solver_id,
        )
