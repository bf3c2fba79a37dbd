"""Clarifications: dated notes a challenger adds to a published challenge, announced to
the people working on it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from openchance.actor import Actor
from openchance.challenges.events import ChallengeClarified
from openchance.challenges.policy import check_owner
from openchance.challenges.repository import applicant_ids, pending_invitee_ids
from openchance.challenges.schemas import ClarificationCreate
from openchance.challenges.workflow import CLARIFIABLE_STATUSES
from openchance.db.types import utcnow
from openchance.errors import Conflict
from openchance.models.challenges import Challenge, ChallengeClarification
from openchance.notifications.feed import notify

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


async def clarification_recipients(uow: UnitOfWork, challenge: Challenge) -> list[uuid.UUID]:
    """Who is told about a new clarification: the signed-up holders of a pending
    invitation, and every solver with an application that is not withdrawn (each once,
    the challenger never included)."""
    recipients = await pending_invitee_ids(uow, challenge.id)
    recipients += await applicant_ids(uow, challenge.id)
    return list(dict.fromkeys(user for user in recipients if user != challenge.owner_id))


async def add_clarification(
    uow: UnitOfWork, actor: Actor, challenge: Challenge, data: ClarificationCreate
) -> ChallengeClarification:
    """Add the clarification and notify :func:`clarification_recipients` (the challenger's
    own challenge, published and not finished)."""
    check_owner(actor, challenge)
    if challenge.status not in CLARIFIABLE_STATUSES:
        raise Conflict(
            f"a challenge that is {challenge.status.value} takes no clarifications "
            "(edit a draft, open or pending challenge instead)",
            code="clarification_not_allowed",
            status=challenge.status.value,
        )
    clarification = ChallengeClarification(
        id=uuid.uuid4(),
        challenge_id=challenge.id,
        author_id=actor.user_id,
        body=data.body,
        created_at=utcnow(),
    )
    uow.session.add(clarification)
    await uow.flush()
    for user_id in await clarification_recipients(uow, challenge):
        await notify(
            uow,
            user_id=user_id,
            kind="challenge.clarified",
            title=f"New clarification on “{challenge.title}”",
            body=data.body[:500],
            dedupe_key=f"challenge.clarified:{clarification.id}",
            data={"challenge_id": str(challenge.id), "clarification_id": str(clarification.id)},
        )
    uow.record(
        ChallengeClarified(
            challenge_id=challenge.id,
            owner_id=challenge.owner_id,
            clarification_id=clarification.id,
        )
    )
    return clarification
