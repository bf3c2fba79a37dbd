"""What each accepted winner delivers, and their share of what is in escrow for it.

When an application is accepted, the winner gets one :class:`EscrowMilestone` per
milestone of the challenge, or one for the whole prize (position 0). A winner's share of
a funded milestone (or prize) follows the challenge's prize split by their rank, rounded
as the fee preview rounds it (:func:`~openchance.payments.fees.split_prize`).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.errors import InvalidInput
from openchance.models.applications import Application
from openchance.models.challenges import Challenge, ChallengeMilestone, RewardKind
from openchance.models.messaging import Conversation, Message, MessageAttachment
from openchance.models.payments import (
    WHOLE_PRIZE,
    EscrowFunding,
    EscrowMilestone,
    MilestoneStatus,
)
from openchance.payments.escrow import paying_fundings
from openchance.payments.fees import split_prize
from openchance.payments.milestone_schemas import DeliveryFile

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

WHOLE_PRIZE_TITLE = "The whole prize"


async def open_deliveries(
    uow: UnitOfWork, challenge: Challenge, application: Application, rank: int
) -> None:
    """The accepted winner's milestones, in the accepting transaction."""
    titles: list[tuple[int, str]] = [(WHOLE_PRIZE, WHOLE_PRIZE_TITLE)]
    if challenge.reward_kind is RewardKind.MILESTONES:
        rows = await uow.session.scalars(
            select(ChallengeMilestone)
            .where(ChallengeMilestone.challenge_id == challenge.id)
            .order_by(ChallengeMilestone.position)
        )
        titles = [(row.position, row.title) for row in rows]
    for position, title in titles:
        uow.session.add(
            EscrowMilestone(
                challenge_id=challenge.id,
                application_id=application.id,
                solver_id=application.solver_id,
                rank=rank,
                position=position,
                title=title,
                status=MilestoneStatus.IN_PROGRESS,
                released_minor=0,
                submission_count=0,
            )
        )
    await uow.flush()


async def funding_of(uow: UnitOfWork, milestone: EscrowMilestone) -> EscrowFunding | None:
    """The funding whose money is in escrow for this milestone's position, if any."""
    position = None if milestone.position == WHOLE_PRIZE else milestone.position
    statement = select(EscrowFunding).where(
        EscrowFunding.challenge_id == milestone.challenge_id,
        paying_fundings(),
        EscrowFunding.milestone_position.is_(None)
        if position is None
        else EscrowFunding.milestone_position == position,
    )
    return (await uow.session.scalars(statement.limit(1))).first()


def winner_share(challenge: Challenge, funding: EscrowFunding, rank: int) -> int:
    """The winner's part of the funding's prize."""
    split = challenge.prize_split or [100]
    return split_prize(funding.prize_minor, split)[rank - 1]


async def challenge_deliveries(uow: UnitOfWork, challenge: Challenge) -> list[EscrowMilestone]:
    rows = await uow.session.scalars(
        select(EscrowMilestone)
        .where(EscrowMilestone.challenge_id == challenge.id)
        .order_by(EscrowMilestone.rank, EscrowMilestone.position)
    )
    return list(rows)


async def check_cited_messages(
    uow: UnitOfWork,
    milestone: EscrowMilestone,
    message_ids: list[uuid.UUID],
    *,
    sent_by: uuid.UUID | None = None,
) -> None:
    """Cited messages must be of the milestone's application's conversation (and sent by
    ``sent_by``, when given): ``unknown_message`` names those that are not."""
    if not message_ids:
        return
    statement = (
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.application_id == milestone.application_id,
            Message.id.in_(message_ids),
        )
    )
    if sent_by is not None:
        statement = statement.where(Message.sender_id == sent_by)
    found = set(await uow.session.scalars(statement))
    missing = [str(message_id) for message_id in message_ids if message_id not in found]
    if missing:
        raise InvalidInput(
            "cite messages of this application's conversation only"
            + (", sent by you" if sent_by is not None else ""),
            code="unknown_message",
            errors=[{"field": "message_ids", "code": "unknown_message", "message": m}
                    for m in missing],
        )  # fmt: skip


async def delivery_files(uow: UnitOfWork, milestone: EscrowMilestone) -> list[DeliveryFile]:
    """The files of the messages the winner's last delivery cites, oldest first."""
    if not milestone.submission_message_ids:
        return []
    rows = await uow.session.scalars(
        select(MessageAttachment)
        .where(MessageAttachment.message_id.in_(
            [uuid.UUID(message_id) for message_id in milestone.submission_message_ids]
        ))
        .order_by(MessageAttachment.created_at, MessageAttachment.id)
    )  # fmt: skip
    return [
        DeliveryFile(
            message_id=row.message_id,
            attachment_id=row.id,
            filename=row.filename,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
        )
        for row in rows
    ]
