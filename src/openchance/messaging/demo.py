"""The demo marketplace's conversations: a realistic exchange in each one that has none.

Conversations are opened by applications (``open_application_conversation``, when a solver
applies), so this step only fills what the applications step left: each conversation
without a participant's message gets a short exchange between its challenger and its
solver, written through :func:`~openchance.messaging.conversations.append_message` (so the
messages are numbered, announced and notified like any others). Every exchange ends with
the solver, so each challenger finds a message unread (posting reads what came before).

Idempotent: a conversation that already has a participant's message is left as it is.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select

from openchance.messaging.conversations import append_message, lock_conversation
from openchance.models.challenges import Challenge
from openchance.models.messaging import (
    Conversation,
    ConversationParticipant,
    Message,
    MessageKind,
    ParticipantRole,
)
from openchance.platform import OpenChance

CHALLENGER = ParticipantRole.CHALLENGER
SOLVER = ParticipantRole.SOLVER

EXCHANGES: tuple[tuple[tuple[ParticipantRole, str], ...], ...] = (
    (
        (CHALLENGER, "Thanks for applying to “{title}”! Your proposal reads well."),
        (CHALLENGER, "Before we go further: how would you validate the first milestone?"),
        (SOLVER, "Thank you! I would deliver a short **written plan** and a working sample."),
        (SOLVER, "We could review it together on a 30-minute call, if that suits you."),
        (CHALLENGER, "A call works. Could you do Thursday morning?"),
        (SOLVER, "Thursday at 10:00 is fine. I will send the plan the day before."),
    ),
    (
        (SOLVER, "Hello! A question about “{title}”: is the data set in the brief complete?"),
        (CHALLENGER, "Mostly. Two months are missing; I can add them next week."),
        (SOLVER, "Good to know. I can start with what is there and fold them in later."),
        (CHALLENGER, "Perfect. Is your estimate still the same with that plan?"),
        (SOLVER, "Yes, the estimate stands. Looking forward to it!"),
    ),
    (
        (CHALLENGER, "Hi! Do you have an example of similar work for “{title}”?"),
        (SOLVER, "Sure: my portfolio links show two projects close to this one."),
        (CHALLENGER, "I had a look, the second one is very close to what we need."),
        (SOLVER, "Great. I can adapt that approach; the main difference is the scale."),
    ),
)


async def seed_demo_conversations(oc: OpenChance, *, max_conversations: int = 50) -> str:
    """Fill up to ``max_conversations`` conversations that have no participant's message
    yet; returns a one-line summary."""
    async with oc.unit_of_work(read_only=True) as uow:
        has_text = exists().where(
            Message.conversation_id == Conversation.id, Message.kind == MessageKind.TEXT
        )
        empty = list(
            await uow.session.scalars(
                select(Conversation.id)
                .where(~has_text)
                .order_by(Conversation.created_at, Conversation.id)
                .limit(max_conversations)
            )
        )
    filled = sum([await _fill(oc, conversation_id) for conversation_id in empty])
    async with oc.unit_of_work(read_only=True) as uow:
        total = len(list(await uow.session.scalars(select(Conversation.id))))
    return f"conversations: {total} ({filled} given a demo exchange now)"


async def _fill(oc: OpenChance, conversation_id: uuid.UUID) -> bool:
    async with oc.unit_of_work() as uow:
        conversation = await lock_conversation(uow, conversation_id)
        if await uow.session.scalar(
            select(Message.id).where(
                Message.conversation_id == conversation_id, Message.kind == MessageKind.TEXT
            )
        ):
            return False  # filled by a concurrent start
        participants = {
            participant.role: participant
            for participant in await uow.session.scalars(
                select(ConversationParticipant).where(
                    ConversationParticipant.conversation_id == conversation_id
                )
            )
        }
        if CHALLENGER not in participants or SOLVER not in participants:
            return False
        title = await uow.session.scalar(
            select(Challenge.title).where(Challenge.id == conversation.challenge_id)
        )
        exchange = EXCHANGES[conversation_id.int % len(EXCHANGES)]
        for position, (role, text) in enumerate(exchange, start=1):
            await append_message(
                uow,
                conversation,
                sender_id=participants[role].user_id,
                kind=MessageKind.TEXT,
                body=text.format(title=title),
                client_id=f"demo-{position}",
            )
    return True
