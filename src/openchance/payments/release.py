"""Releasing a winner's milestone from escrow, inside the caller's unit of work.

A release of ``amount`` of the winner's share writes one ledger transaction, keyed by the
milestone and the request (``milestone:<id>:release:<key>``), so a retry is a no-op:

- the challenge's escrow -amount;
- the solver's ``solver_payable`` +(amount - solver fee);
- ``platform_fees`` +solver fee (the snapshotted policy's solver-side rate, half-up).

The first release paid from a funding also earns the platform that funding's
challenger-side and fixed fees, held in escrow until then (``funding:<id>:fees_earned``).
The caller holds the locks on the challenge and then the milestone; the ledger locks the
accounts, and the escrow account's zero floor refuses any release of money not held.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from openchance.challenges.transitions import complete, deliver, resume_work
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput
from openchance.models.applications import Application, ApplicationStatus
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.models.ledger import AccountPurpose
from openchance.models.payments import (
    SETTLED_MILESTONE_STATUSES,
    EscrowFunding,
    EscrowMilestone,
    MilestoneStatus,
)
from openchance.notifications.feed import notify
from openchance.payments import ledger
from openchance.payments.deliveries import challenge_deliveries, funding_of, winner_share
from openchance.payments.escrow import check_not_frozen, load_escrow, settle_escrow_state
from openchance.payments.events import EscrowReleased
from openchance.payments.fees import FeeBreakdown, FeePolicy, rate
from openchance.payments.payouts import owe_payout
from openchance.payments.schemas import AccountRef, PostingSpec

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


WORKING_STATUSES = frozenset({ChallengeStatus.IN_PROGRESS, ChallengeStatus.IN_REVIEW})


def release_key(milestone_id: uuid.UUID, request_key: str) -> str:
    return f"milestone:{milestone_id}:release:{request_key}"


def fees_earned_key(funding_id: uuid.UUID) -> str:
    return f"funding:{funding_id}:fees_earned"


def held_fees(funding: EscrowFunding) -> int:
    """The challenger-side and fixed fees a funding holds in escrow until they are earned."""
    breakdown = FeeBreakdown.model_validate(funding.breakdown)
    return breakdown.challenger_fee_minor + breakdown.fixed_fee_minor


async def fees_are_earned(uow: UnitOfWork, funding: EscrowFunding) -> bool:
    return await ledger.find_transaction(uow, fees_earned_key(funding.id)) is not None


async def earn_fees(uow: UnitOfWork, challenge_id: uuid.UUID, funding: EscrowFunding) -> None:
    """The funding's held fees go to the platform, once (by a release or a decision that
    pays the solver; a repeat is the same transaction)."""
    amount = held_fees(funding)
    if not amount:
        return
    currency = funding.currency
    await ledger.post_transaction(
        uow,
        idempotency_key=fees_earned_key(funding.id),
        kind="fees_earned",
        description=f"Challenger-side fees of funding {funding.id}, earned by a payment to a "
        "solver",
        postings=[
            PostingSpec(account=AccountRef.escrow(challenge_id, currency),
                        amount_minor=-amount, currency=currency),
            PostingSpec(account=AccountRef.system(AccountPurpose.PLATFORM_FEES, currency),
                        amount_minor=amount, currency=currency),
        ],
        metadata={"funding_id": str(funding.id)},
    )  # fmt: skip


def release_request(amount_minor: int | None) -> str:
    """What a release asked for, kept with its transaction: a retry must ask the same."""
    return "all" if amount_minor is None else str(amount_minor)


async def release(
    uow: UnitOfWork,
    challenge: Challenge,
    milestone: EscrowMilestone,
    amount_minor: int | None,
    *,
    request_key: str,
    released_by: uuid.UUID | None,
    payout_delay: timedelta,
) -> int:
    """Release ``amount_minor`` (None: all that remains) of the winner's share, owing the
    winner a payout of it after ``payout_delay``; returns the amount.
    ``milestone_not_funded``, ``nothing_to_release``, ``amount_exceeds_remaining``."""
    await check_not_frozen(uow, challenge.id)
    funding = await funding_of(uow, milestone)
    escrow = await load_escrow(uow, challenge.id, for_update=True)
    if funding is None or escrow is None:
        raise Conflict(
            "this milestone is not funded yet: its money is not in escrow",
            code="milestone_not_funded",
        )
    remaining = winner_share(challenge, funding, milestone.rank) - milestone.released_minor
    if remaining <= 0:
        raise Conflict("everything for this milestone was released", code="nothing_to_release")
    amount = remaining if amount_minor is None else amount_minor
    if amount > remaining:
        raise InvalidInput(
            f"at most {remaining} remains to be released",
            code="amount_exceeds_remaining",
            errors=[{"field": "amount_minor", "code": "amount_exceeds_remaining",
                     "message": f"at most {remaining}"}],
        )  # fmt: skip
    policy = FeePolicy.model_validate(escrow.fee_policy)
    currency = funding.currency
    # The fee of everything released so far, less what earlier releases took: partial
    # releases add up to the fee of one release of the whole.
    solver_fee = rate(milestone.released_minor + amount, policy.solver_fee_bps) - rate(
        milestone.released_minor, policy.solver_fee_bps
    )
    escrow_account = AccountRef.escrow(challenge.id, currency)  # fmt: skip
    fees_account = AccountRef.system(AccountPurpose.PLATFORM_FEES, currency)
    postings = [PostingSpec(account=escrow_account, amount_minor=-amount, currency=currency)]
    if amount - solver_fee:
        postings.append(
            PostingSpec(
                account=AccountRef.payable(milestone.solver_id, currency),
                amount_minor=amount - solver_fee, currency=currency,
            )
        )  # fmt: skip
    if solver_fee:
        postings.append(PostingSpec(account=fees_account, amount_minor=solver_fee,
                                    currency=currency))  # fmt: skip
    await ledger.post_transaction(
        uow,
        idempotency_key=release_key(milestone.id, request_key),
        kind="escrow_release",
        description=f"Release of “{milestone.title}” to winner {milestone.rank}",
        postings=postings,
        metadata={"milestone_id": str(milestone.id), "challenge_id": str(challenge.id),
                  "released_by": str(released_by) if released_by else None,
                  "request": release_request(amount_minor)},
    )  # fmt: skip
    await owe_payout(
        uow, solver_id=milestone.solver_id, challenge_id=challenge.id,
        milestone_id=milestone.id, currency=currency, gross_minor=amount, fee_minor=solver_fee,
        source_key=release_key(milestone.id, request_key), delay=payout_delay,
    )  # fmt: skip
    await earn_fees(uow, challenge.id, funding)
    now = utcnow()
    milestone.released_minor += amount
    if amount == remaining:
        milestone.status = MilestoneStatus.RELEASED
        milestone.released_at = now
        milestone.auto_release_at = None
    await settle_escrow_state(uow, challenge)
    uow.record(
        EscrowReleased(
            challenge_id=challenge.id, owner_id=challenge.owner_id, milestone_id=milestone.id,
            solver_id=milestone.solver_id, amount_minor=amount, solver_fee_minor=solver_fee,
            currency=currency, released_by=released_by,
        )
    )  # fmt: skip
    await uow.flush()
    return amount


async def after_release(
    uow: UnitOfWork,
    challenge: Challenge,
    milestone: EscrowMilestone,
    amount: int,
    *,
    automatic: bool,
) -> None:
    """Tell the winner, then move the challenge along (:func:`complete_if_done`)."""
    how = "automatically " if automatic else ""
    await notify(
        uow, user_id=milestone.solver_id, kind="milestone.released",
        title=f"{amount} minor units of “{milestone.title}” were {how}released to you",
        dedupe_key=f"milestone.released:{milestone.id}:{milestone.released_minor}",
        data={"milestone_id": str(milestone.id), "challenge_id": str(challenge.id),
              "amount_minor": amount},
    )  # fmt: skip
    await complete_if_done(uow, challenge)


async def complete_if_done(uow: UnitOfWork, challenge: Challenge) -> None:
    """Complete the challenge once every winner's place is taken and every delivery is
    settled; put it back to work when a delivery was settled and more remains."""
    deliveries = await challenge_deliveries(uow, challenge)
    accepted = await uow.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(
            Application.challenge_id == challenge.id,
            Application.status == ApplicationStatus.ACCEPTED,
        )
    )
    done = all(d.status in SETTLED_MILESTONE_STATUSES for d in deliveries)
    if done and (accepted or 0) >= challenge.winners and challenge.status in WORKING_STATUSES:
        if challenge.status is ChallengeStatus.IN_PROGRESS:
            await deliver(uow, challenge)
        await complete(uow, challenge)
    elif challenge.status is ChallengeStatus.IN_REVIEW and not any(
        d.status is MilestoneStatus.SUBMITTED for d in deliveries
    ):
        await resume_work(uow, challenge)
