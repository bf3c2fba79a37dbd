"""Challenges straight into the database, in any state: for tests of search, alerts and the
screens that read challenges. Tests of the challenge use cases go through ``oc.challenges``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from openchance import OpenChance
from openchance.challenges.seed import SEEDED_CATEGORIES
from openchance.db.types import utcnow
from openchance.models.challenges import (
    Challenge,
    ChallengeInvite,
    ChallengeMilestone,
    ChallengeStatus,
    Difficulty,
    InviteStatus,
    RewardKind,
    Visibility,
)

CATEGORY_IDS = {category.slug: category.id for category in SEEDED_CATEGORIES}


async def insert_challenge(
    oc: OpenChance,
    owner_id: uuid.UUID,
    *,
    title: str = "Forecast bakery demand",
    summary: str = "Predict tomorrow's bread orders from two years of sales.",
    description: str = "We have **sales data** and weather records.",
    category: str = "data-science-ai",
    difficulty: Difficulty = Difficulty.INTERMEDIATE,
    skills: list[str] | None = None,
    reward_kind: RewardKind = RewardKind.FIXED,
    currency: str = "EUR",
    reward_min_minor: int = 100_000,
    reward_max_minor: int | None = None,
    deadline: datetime | None = None,
    visibility: Visibility = Visibility.PUBLIC,
    status: ChallengeStatus = ChallengeStatus.OPEN,
    published_at: datetime | None = None,
    invitees: list[uuid.UUID] | None = None,
    milestones: list[tuple[str, int]] | None = None,
    winners: int = 1,
    prize_split: list[int] | None = None,
    **columns: Any,
) -> uuid.UUID:
    """Insert one challenge as it would be in ``status``; returns its id. ``milestones``
    (title, amount) give a milestone reward whose prize is their sum."""
    if milestones:
        reward_kind = RewardKind.MILESTONES
        reward_min_minor = reward_max_minor = sum(amount for _, amount in milestones)
    now = utcnow()
    published = status not in (ChallengeStatus.DRAFT, ChallengeStatus.PENDING_REVIEW)
    challenge = Challenge(
        id=uuid.uuid4(),
        owner_id=owner_id,
        title=title,
        summary=summary,
        description=description,
        category_id=CATEGORY_IDS[category],
        difficulty=difficulty,
        skills=skills if skills is not None else ["python", "forecasting"],
        reward_kind=reward_kind,
        reward_currency=currency,
        reward_min_minor=reward_min_minor,
        reward_max_minor=reward_max_minor if reward_max_minor is not None else reward_min_minor,
        winners=winners,
        prize_split=prize_split or [100],
        deadline=deadline or now + timedelta(days=30),
        visibility=visibility,
        status=status,
        status_changed_at=now,
        published_at=published_at or (now if published else None),
        **columns,
    )
    async with oc.unit_of_work() as uow:
        uow.session.add(challenge)
        await uow.flush()
        for position, (milestone_title, amount) in enumerate(milestones or [], start=1):
            uow.session.add(
                ChallengeMilestone(
                    challenge_id=challenge.id,
                    position=position,
                    title=milestone_title,
                    amount_minor=amount,
                )
            )
        for user_id in invitees or []:
            uow.session.add(
                ChallengeInvite(
                    challenge_id=challenge.id,
                    user_id=user_id,
                    status=InviteStatus.PENDING,
                    created_at=now,
                )
            )
    return challenge.id
