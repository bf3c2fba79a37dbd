"""Challenges as the use cases return them: rows in, ``ChallengeRead`` and
``ChallengeSummary`` out, loading what they refer to (category, owner, milestones,
clarifications) in a few queries per list, not per row."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.actor import Actor
from openchance.challenges.policy import is_owner
from openchance.challenges.schemas import (
    CategoryRef,
    ChallengeRead,
    ChallengeSummary,
    ClarificationRead,
    MilestoneRead,
    MoneyRead,
    PersonRef,
    RewardRead,
)
from openchance.challenges.workflow import EDITABLE_STATUSES
from openchance.db.types import Money, format_money_range
from openchance.markdown import render_document_markdown
from openchance.models.accounts import User
from openchance.models.challenges import (
    Category,
    Challenge,
    ChallengeClarification,
    ChallengeMilestone,
    RewardKind,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


def can_edit(actor: Actor, challenge: Challenge) -> bool:
    """The substance may change: the challenger's, editable status, no application yet."""
    return (
        is_owner(actor, challenge)
        and challenge.status in EDITABLE_STATUSES
        and challenge.application_count == 0
    )


async def read_challenge(uow: UnitOfWork, actor: Actor, challenge: Challenge) -> ChallengeRead:
    """Everything about one challenge, as ``actor`` may see it (checked by the caller)."""
    (summary,) = await summarise(uow, [challenge])
    clarifications = (
        await uow.session.scalars(
            select(ChallengeClarification)
            .where(ChallengeClarification.challenge_id == challenge.id)
            .order_by(ChallengeClarification.created_at, ChallengeClarification.id)
        )
    ).all()
    may_see_review = actor.is_staff or is_owner(actor, challenge)
    return ChallengeRead(
        **summary.model_dump(),
        description=challenge.description,
        description_html=render_document_markdown(challenge.description),
        prize_split=list(challenge.prize_split or []),
        ip_terms=challenge.ip_terms,
        terms=challenge.terms,
        status_changed_at=challenge.status_changed_at,
        updated_at=challenge.updated_at,
        review_note=challenge.review_note if may_see_review else None,
        cancel_reason=challenge.cancel_reason,
        cancel_note=challenge.cancel_note,
        max_applications=challenge.max_applications,
        clarifications=[read_clarification(row) for row in clarifications],
        can_edit=can_edit(actor, challenge),
    )


def read_clarification(row: ChallengeClarification) -> ClarificationRead:
    return ClarificationRead(
        id=row.id,
        body=row.body,
        body_html=render_document_markdown(row.body),
        created_at=row.created_at,
    )


async def summarise(uow: UnitOfWork, challenges: Sequence[Challenge]) -> list[ChallengeSummary]:
    """List entries for ``challenges``, in the order given."""
    if not challenges:
        return []
    category_ids = {challenge.category_id for challenge in challenges}
    owner_ids = {challenge.owner_id for challenge in challenges}
    categories = {
        row.id: row
        for row in await uow.session.scalars(select(Category).where(Category.id.in_(category_ids)))
    }
    owners = {
        row.id: row.display_name
        for row in await uow.session.execute(
            select(User.id, User.display_name).where(User.id.in_(owner_ids))
        )
    }
    milestones = await _milestones_by_challenge(
        uow, [c.id for c in challenges if c.reward_kind is RewardKind.MILESTONES]
    )
    return [
        ChallengeSummary(
            id=challenge.id,
            title=challenge.title,
            summary=challenge.summary,
            category=CategoryRef(
                slug=categories[challenge.category_id].slug,
                name=categories[challenge.category_id].name,
            ),
            difficulty=challenge.difficulty,
            skills=list(challenge.skills or []),
            reward=read_reward(challenge, milestones.get(challenge.id, [])),
            winners=challenge.winners,
            deadline=challenge.deadline,
            visibility=challenge.visibility,
            status=challenge.status,
            owner=PersonRef(id=challenge.owner_id, display_name=owners.get(challenge.owner_id, "")),
            application_count=challenge.application_count,
            created_at=challenge.created_at,
            submitted_at=challenge.submitted_at,
            published_at=challenge.published_at,
        )
        for challenge in challenges
    ]


def read_reward(challenge: Challenge, milestones: Sequence[ChallengeMilestone]) -> RewardRead:
    currency = challenge.reward_currency
    low = MoneyRead.of(challenge.reward_min_minor, currency)
    high = MoneyRead.of(challenge.reward_max_minor, currency)
    formatted = format_money_range(
        Money(low.amount_minor, currency), Money(high.amount_minor, currency)
    )
    return RewardRead(
        kind=challenge.reward_kind,
        currency=currency,
        min=low,
        max=high,
        formatted=formatted,
        milestones=[
            MilestoneRead(
                id=milestone.id,
                position=milestone.position,
                title=milestone.title,
                description=milestone.description,
                amount=MoneyRead.of(milestone.amount_minor, currency),
                due_at=milestone.due_at,
            )
            for milestone in milestones
        ],
    )


async def _milestones_by_challenge(
    uow: UnitOfWork, challenge_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ChallengeMilestone]]:
    found: dict[uuid.UUID, list[ChallengeMilestone]] = defaultdict(list)
    if not challenge_ids:
        return found
    rows = await uow.session.scalars(
        select(ChallengeMilestone)
        .where(ChallengeMilestone.challenge_id.in_(challenge_ids))
        .order_by(ChallengeMilestone.challenge_id, ChallengeMilestone.position)
    )
    for row in rows:
        found[row.challenge_id].append(row)
    return found
