"""The rules of a bid that need the challenge: its currency, its reward and its milestones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from openchance.applications.schemas import BidInput
from openchance.db.types import Money
from openchance.errors import InvalidInput
from openchance.models.challenges import Challenge, ChallengeMilestone, RewardKind

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


def invalid(field: str, code: str, message: str, **context: Any) -> InvalidInput:
    """A rule the service checks, reported like a field error of the schema."""
    return InvalidInput(
        message, code=code, errors=[{"field": field, "message": message, "code": code, **context}]
    )


async def resolve_bid(uow: UnitOfWork, challenge: Challenge, bid: BidInput) -> list[dict[str, Any]]:
    """Check ``bid`` against ``challenge``; the milestone bids to store, in milestone order.

    422 ``currency_mismatch`` in another currency than the reward's; ``bid_out_of_range``
    outside a range reward or above a fixed or milestone reward; ``milestone_bids_not_allowed``
    on a reward without milestones; ``unknown_milestone`` for a milestone of another
    challenge; ``milestone_bids_incomplete`` unless every milestone is bid on."""
    currency = challenge.reward_currency
    if bid.currency != currency:
        raise invalid(
            "bid.currency", "currency_mismatch", f"bid in the challenge's currency, {currency}"
        )
    low = challenge.reward_min_minor if challenge.reward_kind is RewardKind.RANGE else 1
    high = challenge.reward_max_minor
    if not low <= bid.minor <= high:
        reward = (
            f"between {Money(low, currency).format()} and {Money(high, currency).format()}"
            if challenge.reward_kind is RewardKind.RANGE
            else f"at most {Money(high, currency).format()}"
        )
        raise invalid(
            "bid.amount", "bid_out_of_range", f"the bid must be {reward}",
            min_minor=low, max_minor=high,
        )  # fmt: skip
    if not bid.milestones:
        return []
    if challenge.reward_kind is not RewardKind.MILESTONES:
        raise invalid(
            "bid.milestones",
            "milestone_bids_not_allowed",
            "this challenge's reward has no milestones to bid on",
        )
    milestones = (
        await uow.session.scalars(
            select(ChallengeMilestone)
            .where(ChallengeMilestone.challenge_id == challenge.id)
            .order_by(ChallengeMilestone.position)
        )
    ).all()
    amounts = {item.milestone_id: item.amount_minor for item in bid.milestones}
    known = {milestone.id for milestone in milestones}
    if set(amounts) - known:
        raise invalid(
            "bid.milestones",
            "unknown_milestone",
            "a milestone bid names no milestone of this challenge",
        )
    if set(amounts) != known:
        raise invalid(
            "bid.milestones",
            "milestone_bids_incomplete",
            f"bid on every milestone ({len(known)}) or on none",
        )
    return [
        {"milestone_id": str(milestone.id), "amount_minor": amounts[milestone.id]}
        for milestone in milestones
    ]
