"""Writing a challenge's substance: the milestones of a reward, and applying an edit.

Rules across fields (prize split, winners, milestone dates) are checked on the result of
the edit, against what is stored for the fields not sent.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from openchance.challenges.categories import load_assignable_category
from openchance.challenges.rewards import (
    MilestonesRewardInput,
    RewardInput,
    TermsViolation,
    check_terms,
    equal_split,
)
from openchance.challenges.schemas import ChallengeEdit
from openchance.models.challenges import Challenge, ChallengeMilestone, RewardKind

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


def add_milestones(uow: UnitOfWork, challenge: Challenge, reward: RewardInput) -> None:
    """The rows of a milestone reward, in order (nothing for other kinds)."""
    if not isinstance(reward, MilestonesRewardInput):
        return
    for position, milestone in enumerate(reward.milestones, start=1):
        assert milestone.amount_minor is not None  # resolved by the schema
        uow.session.add(
            ChallengeMilestone(
                id=uuid.uuid4(),
                challenge_id=challenge.id,
                position=position,
                title=milestone.title,
                description=milestone.description,
                amount_minor=milestone.amount_minor,
                due_at=milestone.due_at,
            )
        )


async def apply_edit(uow: UnitOfWork, challenge: Challenge, data: ChallengeEdit) -> None:
    """Set the fields sent in ``data``; ``InvalidInput`` with the rule's code when the result
    breaks a rule across fields (the caller's unit of work then rolls back)."""
    sent = data.model_fields_set
    for name in ("title", "summary", "description", "difficulty", "deadline", "visibility",
                 "ip_terms", "terms", "winners", "max_applications"):  # fmt: skip
        if name in sent:
            setattr(challenge, name, getattr(data, name))
    if "skills" in sent and data.skills is not None:
        challenge.skills = list(data.skills)
    if "category" in sent and data.category is not None:
        challenge.category_id = (await load_assignable_category(uow, data.category)).id
    if "prize_split" in sent:
        challenge.prize_split = list(data.prize_split or equal_split(challenge.winners))
    elif "winners" in sent:
        challenge.prize_split = equal_split(challenge.winners)
    if data.reward is not None:
        low, high = data.reward.bounds()
        challenge.reward_kind = RewardKind(data.reward.kind)
        challenge.reward_currency = data.reward.currency
        challenge.reward_min_minor, challenge.reward_max_minor = low, high
        await uow.session.execute(
            delete(ChallengeMilestone).where(ChallengeMilestone.challenge_id == challenge.id)
        )
        add_milestones(uow, challenge, data.reward)
        due_dates = (
            [m.due_at for m in data.reward.milestones]
            if isinstance(data.reward, MilestonesRewardInput)
            else []
        )
    else:
        due_dates = list(
            (
                await uow.session.scalars(
                    select(ChallengeMilestone.due_at).where(
                        ChallengeMilestone.challenge_id == challenge.id
                    )
                )
            ).all()
        )
    try:
        check_terms(
            reward_kind=challenge.reward_kind,
            winners=challenge.winners,
            prize_split=list(challenge.prize_split),
            deadline=challenge.deadline,
            milestone_due_dates=due_dates,
        )
    except TermsViolation as violation:
        raise violation.as_invalid_input() from None
