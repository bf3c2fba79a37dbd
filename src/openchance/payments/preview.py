"""``oc.payments``: the fee preview of funding a challenge (funding itself is not built yet)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.actor import Actor
from openchance.challenges.policy import is_owner
from openchance.challenges.repository import load_challenge
from openchance.errors import InvalidInput, NotFound
from openchance.models.challenges import ChallengeMilestone, RewardKind
from openchance.payments.fees import FeeBreakdown, fee_breakdown, fee_policy_from_settings

if TYPE_CHECKING:
    from openchance.platform import OpenChance


class PaymentsService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def preview_funding(
        self, actor: Actor, challenge_id: uuid.UUID, amount_minor: int | None = None
    ) -> FeeBreakdown:
        """What funding the challenge would cost and pay. Only its owner and staff see it;
        anyone else gets the not-found of an unseen challenge. A range reward previews its
        maximum, or ``amount_minor`` within the range (``amount_out_of_range`` outside)."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_challenge(uow, challenge_id)
            if not (actor.is_staff or is_owner(actor, challenge)):
                raise NotFound("challenge", challenge_id)
            low, high = challenge.reward_min_minor, challenge.reward_max_minor
            prize = high if amount_minor is None else amount_minor
            if not low <= prize <= high:
                raise InvalidInput(
                    f"the amount must lie between {low} and {high}",
                    code="amount_out_of_range",
                    errors=[{"field": "amount", "code": "amount_out_of_range",
                             "message": f"between {low} and {high}"}],
                )  # fmt: skip
            milestones: list[tuple[str, int]] = []
            if challenge.reward_kind is RewardKind.MILESTONES:
                rows = await uow.session.scalars(
                    select(ChallengeMilestone)
                    .where(ChallengeMilestone.challenge_id == challenge.id)
                    .order_by(ChallengeMilestone.position)
                )
                milestones = [(row.title, row.amount_minor) for row in rows]
            return fee_breakdown(
                prize,
                challenge.reward_currency,
                fee_policy_from_settings(self._platform.settings),
                prize_split=challenge.prize_split or [100],
                milestones=milestones,
            )
