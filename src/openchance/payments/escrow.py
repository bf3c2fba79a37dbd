"""Escrow inside a caller's unit of work: what a funding pays for, and what a processor's
answer about a payment does to the funding, the ledger and the escrow.

Money enters escrow only when the processor says a payment succeeded (its event, or a
synchronous read of the payment): :func:`apply_payment` is the one place that acts on a
processor's answer, whichever path it came by, and it is idempotent (the ledger keys are
derived from the funding, and a funding that succeeded or failed is never touched again).

A succeeded payment writes two ledger transactions:

- ``funding_deposit``: world → the payer's challenger-funding account, the amount charged;
- ``escrow_funding``: challenger funding → the challenge's escrow (prize, challenger fee
  and fixed fee, held until release or refund) and → processor fees (the estimate).

When the money cannot go into escrow (the challenge closed meanwhile, the target was
funded by another payment, or the processor charged another amount), only the deposit is
written: the money waits in the payer's funding account, and the funding says why; a payment that
arrives after a cancellation is refunded by the cancellation's refund job.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, func, select

from openchance.challenges.repository import load_challenge
from openchance.config import EscrowFundingDeadline
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput
from openchance.models.challenges import (
    Challenge,
    ChallengeMilestone,
    ChallengeStatus,
    RewardKind,
)
from openchance.models.ledger import AccountPurpose
from openchance.models.payments import (
    OPEN_FUNDING_STATUSES,
    SETTLED_MILESTONE_STATUSES,
    Chargeback,
    ChargebackStatus,
    Dispute,
    DisputeStatus,
    Escrow,
    EscrowFunding,
    EscrowMilestone,
    EscrowState,
    FundingStatus,
    Refund,
    RefundStatus,
)
from openchance.payments import ledger
from openchance.payments.events import EscrowFunded
from openchance.payments.fees import FeeBreakdown, FeePolicy, fee_breakdown
from openchance.payments.processors.base import FUNDING_ID_METADATA, PaymentState, ProcessorPayment
from openchance.payments.receipts import issue_receipt
from openchance.payments.refund_jobs import REFUND_CANCELLED_CHALLENGE, RefundCancelledChallenge
from openchance.payments.schemas import AccountRef, PostingSpec

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

logger = logging.getLogger(__name__)

FUNDABLE_STATUSES = frozenset(
    {
        ChallengeStatus.DRAFT,
        ChallengeStatus.PENDING_REVIEW,
        ChallengeStatus.OPEN,
        ChallengeStatus.IN_PROGRESS,
        ChallengeStatus.IN_REVIEW,
    }
)


def check_fundable(challenge: Challenge) -> None:
    if challenge.status not in FUNDABLE_STATUSES:
        raise Conflict(
            f"a {challenge.status.value} challenge cannot be funded",
            code="challenge_not_fundable",
            status=challenge.status.value,
        )


@dataclass(frozen=True, slots=True)
class FundingTarget:
    """What one funding pays for: the whole prize, or one milestone."""

    prize_minor: int
    milestone: ChallengeMilestone | None


# -- what to fund --------------------------------------------------------------------------


async def funding_target(
    uow: UnitOfWork, challenge: Challenge, amount_minor: int | None
) -> FundingTarget:
    """The next thing to fund: a milestone challenge's first unfunded milestone, or the
    prize (a range reward's ``amount_minor`` or maximum). ``already_funded`` when nothing
    is left, ``amount_out_of_range`` / ``amount_not_adjustable`` for a wrong amount."""
    check_fundable(challenge)
    escrowed = await escrowed_fundings(uow, challenge.id)
    if challenge.reward_kind is RewardKind.MILESTONES:
        funded = {funding.milestone_position for funding in escrowed}
        milestones = await uow.session.scalars(
            select(ChallengeMilestone)
            .where(ChallengeMilestone.challenge_id == challenge.id)
            .order_by(ChallengeMilestone.position)
        )
        upcoming = next((m for m in milestones if m.position not in funded), None)
        if upcoming is None:
            raise Conflict("every milestone is funded", code="already_funded")
        if amount_minor is not None and amount_minor != upcoming.amount_minor:
            raise _amount_error(
                "amount_not_adjustable", f"milestone {upcoming.position} is funded in full"
            )
        return FundingTarget(upcoming.amount_minor, upcoming)
    if escrowed:
        raise Conflict("the prize is already in escrow", code="already_funded")
    low, high = challenge.reward_min_minor, challenge.reward_max_minor
    prize = high if amount_minor is None else amount_minor
    if not low <= prize <= high:
        raise _amount_error("amount_out_of_range", f"between {low} and {high}")
    return FundingTarget(prize, None)


def target_breakdown(
    challenge: Challenge, target: FundingTarget, policy: FeePolicy
) -> FeeBreakdown:
    milestones = (
        [(target.milestone.title, target.milestone.amount_minor)] if target.milestone else []
    )
    return fee_breakdown(
        target.prize_minor,
        challenge.reward_currency,
        policy,
        prize_split=challenge.prize_split or [100],
        milestones=milestones,
    )


def paying_fundings() -> ColumnElement[bool]:
    """The condition of a funding whose money is in escrow and pays releases: it
    succeeded, reached escrow, no refund of it is under way or made (a refund of a
    funding, even in part, ends what it pays for: fund again), and no card dispute on it
    was lost."""
    refunded = (
        select(Refund.id)
        .where(
            Refund.funding_id == EscrowFunding.id,
            Refund.set_aside.is_(False),
            Refund.status != RefundStatus.FAILED,
        )
        .exists()
    )
    lost = (
        select(Chargeback.id)
        .where(
            Chargeback.funding_id == EscrowFunding.id, Chargeback.status == ChargebackStatus.LOST
        )
        .exists()
    )
    return and_(
        EscrowFunding.status == FundingStatus.SUCCEEDED,
        EscrowFunding.failure_code.is_(None),
        ~refunded,
        ~lost,
    )


async def escrowed_fundings(uow: UnitOfWork, challenge_id: uuid.UUID) -> list[EscrowFunding]:
    """The fundings whose money is in the challenge's escrow and pays its releases."""
    rows = await uow.session.scalars(
        select(EscrowFunding).where(EscrowFunding.challenge_id == challenge_id, paying_fundings())
    )
    return list(rows)


async def open_funding_for(
    uow: UnitOfWork, challenge_id: uuid.UUID, target: FundingTarget
) -> EscrowFunding | None:
    """A funding of the same target still waiting for the processor or the payer."""
    position = target.milestone.position if target.milestone else None
    statement = select(EscrowFunding).where(
        EscrowFunding.challenge_id == challenge_id,
        EscrowFunding.status.in_(OPEN_FUNDING_STATUSES),
        EscrowFunding.milestone_position.is_(None)
        if position is None
        else EscrowFunding.milestone_position == position,
    )
    return (await uow.session.scalars(statement.limit(1))).first()


async def load_escrow(
    uow: UnitOfWork, challenge_id: uuid.UUID, *, for_update: bool = False
) -> Escrow | None:
    statement = select(Escrow).where(Escrow.challenge_id == challenge_id)
    if for_update:
        statement = statement.with_for_update()
    return (await uow.session.scalars(statement)).one_or_none()


# -- a processor's answer ------------------------------------------------------------------


async def find_funding_for_payment(
    uow: UnitOfWork, payment: ProcessorPayment
) -> EscrowFunding | None:
    """The funding a processor payment belongs to, locked: by the funding id in its
    metadata (set before we stored the payment id), else by the payment id."""
    statement = select(EscrowFunding).with_for_update()
    raw_id = payment.metadata.get(FUNDING_ID_METADATA)
    if raw_id is not None:
        try:
            funding_id = uuid.UUID(raw_id)
        except ValueError:
            return None
        statement = statement.where(EscrowFunding.id == funding_id)
    else:
        statement = statement.where(EscrowFunding.processor_payment_id == payment.id)
    return (await uow.session.scalars(statement)).one_or_none()


async def apply_payment(uow: UnitOfWork, funding: EscrowFunding, payment: ProcessorPayment) -> bool:
    """Bring ``funding`` (locked by the caller) up to the processor's ``payment``. Returns
    whether anything changed; a funding that succeeded or failed is never changed again."""
    if funding.processor_payment_id is None:
        funding.processor_payment_id = payment.id
        funding.client_secret = payment.client_secret
    elif funding.processor_payment_id != payment.id:
        logger.warning(
            "processor payment %s does not belong to funding %s (it has %s)",
            payment.id, funding.id, funding.processor_payment_id,
        )  # fmt: skip
        return False
    if funding.status in (FundingStatus.SUCCEEDED, FundingStatus.FAILED):
        return False
    before = (funding.status, funding.failure_code)
    if payment.state is PaymentState.SUCCEEDED:
        await _record_success(uow, funding, payment)
    elif payment.state is PaymentState.CANCELED:
        funding.status = FundingStatus.FAILED
        funding.failure_code = payment.failure_code or "payment_canceled"
        funding.failure_message = payment.failure_message or "The payment was canceled."
    else:
        funding.status = (
            FundingStatus.REQUIRES_ACTION
            if payment.state is PaymentState.REQUIRES_ACTION
            else FundingStatus.PENDING
        )
        funding.failure_code = payment.failure_code
        funding.failure_message = payment.failure_message
    await uow.flush()
    return before != (funding.status, funding.failure_code)


async def _record_success(
    uow: UnitOfWork, funding: EscrowFunding, payment: ProcessorPayment
) -> None:
    challenge = await load_challenge(uow, funding.challenge_id, for_update=True)
    reason = await _why_not_escrowable(uow, challenge, funding, payment)
    await ledger.post_transaction(
        uow,
        idempotency_key=f"funding:{funding.id}:deposit",
        kind="funding_deposit",
        description=f"Payment {payment.id} for challenge {challenge.id}",
        postings=[
            PostingSpec(
                account=_world(payment.currency),
                amount_minor=-payment.amount_minor,
                currency=payment.currency,
            ),
            PostingSpec(
                account=_funding_account(funding.payer_id, payment.currency),
                amount_minor=payment.amount_minor,
                currency=payment.currency,
            ),
        ],
        metadata={"funding_id": str(funding.id), "processor_payment_id": payment.id},
    )
    funding.status = FundingStatus.SUCCEEDED
    funding.succeeded_at = utcnow()
    funding.failure_code = funding.failure_message = None
    await issue_receipt(uow, funding)
    if reason is not None:
        funding.failure_code, funding.failure_message = reason
        logger.warning("funding %s succeeded but was not escrowed: %s", funding.id, reason[0])
        if reason[0] == "challenge_closed":
            await uow.enqueue(
                REFUND_CANCELLED_CHALLENGE,
                RefundCancelledChallenge(challenge_id=challenge.id),
                idempotency_key=f"refund-late-payment:{funding.id}",
            )
        return
    breakdown = FeeBreakdown.model_validate(funding.breakdown)
    held = breakdown.prize_minor + breakdown.challenger_fee_minor + breakdown.fixed_fee_minor
    currency = funding.currency
    postings = [
        PostingSpec(account=_funding_account(funding.payer_id, currency),
                    amount_minor=-funding.total_minor, currency=currency),
        PostingSpec(account=AccountRef.escrow(challenge.id, currency),
                    amount_minor=held, currency=currency),
    ]  # fmt: skip
    if breakdown.processor_fee_minor:
        postings.append(
            PostingSpec(account=AccountRef.system(AccountPurpose.PROCESSOR_FEES, currency),
                        amount_minor=breakdown.processor_fee_minor, currency=currency)
        )  # fmt: skip
    await ledger.post_transaction(
        uow,
        idempotency_key=f"funding:{funding.id}:escrow",
        kind="escrow_funding",
        description=f"Escrow for challenge {challenge.id}"
        + (f", milestone {funding.milestone_position}" if funding.milestone_position else ""),
        postings=postings,
        metadata={"funding_id": str(funding.id), "challenge_id": str(challenge.id)},
    )
    escrow = await load_escrow(uow, challenge.id, for_update=True)
    now = utcnow()
    if escrow is None:
        escrow = Escrow(
            challenge_id=challenge.id,
            currency=currency,
            state=EscrowState.FUNDED,
            prize_funded_minor=0,
            fees_held_minor=0,
            fee_policy=breakdown.policy.model_dump(mode="json"),
            funded_at=now,
        )
        uow.session.add(escrow)
    escrow.prize_funded_minor += breakdown.prize_minor
    escrow.fees_held_minor += breakdown.challenger_fee_minor + breakdown.fixed_fee_minor
    await settle_escrow_state(uow, challenge)  # a refunded escrow funded again holds money
    uow.record(
        EscrowFunded(
            challenge_id=challenge.id,
            owner_id=challenge.owner_id,
            funding_id=funding.id,
            milestone_position=funding.milestone_position,
            prize_minor=breakdown.prize_minor,
            currency=currency,
        )
    )


async def _why_not_escrowable(
    uow: UnitOfWork, challenge: Challenge, funding: EscrowFunding, payment: ProcessorPayment
) -> tuple[str, str] | None:
    if payment.amount_minor != funding.total_minor or payment.currency != funding.currency:
        return ("amount_mismatch",
                f"the processor charged {payment.amount_minor} {payment.currency}, "
                f"not {funding.total_minor} {funding.currency}")  # fmt: skip
    if challenge.status not in FUNDABLE_STATUSES:
        return (
            "challenge_closed",
            f"the challenge was {challenge.status.value} when the payment succeeded",
        )
    for other in await escrowed_fundings(uow, challenge.id):
        if other.id != funding.id and other.milestone_position == funding.milestone_position:
            return ("already_funded", "another payment already funded this")
    return None


def _world(currency: str) -> AccountRef:
    return AccountRef.system(AccountPurpose.WORLD, currency)


def _funding_account(user_id: uuid.UUID, currency: str) -> AccountRef:
    return AccountRef.funding(user_id, currency)


def _amount_error(code: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"the amount must be {message}" if code == "amount_out_of_range" else message,
        code=code,
        errors=[{"field": "amount_minor", "code": code, "message": message}],
    )


async def has_open_dispute(uow: UnitOfWork, challenge_id: uuid.UUID) -> bool:
    """A dispute between the parties, or a card dispute (chargeback), is open."""
    found = await uow.session.scalar(
        select(Dispute.id)
        .where(Dispute.challenge_id == challenge_id, Dispute.status == DisputeStatus.OPEN)
        .limit(1)
    )
    if found is not None:
        return True
    return await has_open_chargeback(uow, challenge_id)


async def has_open_chargeback(uow: UnitOfWork, challenge_id: uuid.UUID) -> bool:
    """A card dispute on one of the challenge's payments is open."""
    charged_back = await uow.session.scalar(
        select(Chargeback.id)
        .where(Chargeback.challenge_id == challenge_id, Chargeback.status == ChargebackStatus.OPEN)
        .limit(1)
    )
    return charged_back is not None


async def check_not_frozen(uow: UnitOfWork, challenge_id: uuid.UUID) -> None:
    """``escrow_frozen`` while a dispute is open: no release, no refund."""
    if await has_open_dispute(uow, challenge_id):
        raise Conflict(
            "a dispute is open on this challenge: its escrow is frozen until support decides",
            code="escrow_frozen",
        )


async def settle_escrow_state(uow: UnitOfWork, challenge: Challenge) -> None:
    """The escrow's state after money moved: ``frozen`` while a dispute is open; once
    nothing is held and every delivery is settled, ``released``, ``refunded`` or ``split``
    by where the money went; else ``funded``."""
    held = await load_escrow(uow, challenge.id, for_update=True)
    if held is None:
        return
    if await has_open_dispute(uow, challenge.id):
        held.state = EscrowState.FROZEN
        return
    await uow.flush()
    account = await ledger.find_account(
        uow,
        AccountRef.escrow(challenge.id, held.currency),
    )  # fmt: skip
    statuses = await uow.session.scalars(
        select(EscrowMilestone.status).where(EscrowMilestone.challenge_id == challenge.id)
    )
    settled = all(status in SETTLED_MILESTONE_STATUSES for status in statuses)
    if account is None or account.balance_minor != 0 or not settled:
        held.state = EscrowState.FUNDED
        return
    released = await uow.session.scalar(
        select(func.coalesce(func.sum(EscrowMilestone.released_minor), 0)).where(
            EscrowMilestone.challenge_id == challenge.id
        )
    )
    refunded = await uow.session.scalar(
        select(Refund.id)
        .where(Refund.challenge_id == challenge.id, Refund.status != RefundStatus.FAILED)
        .limit(1)
    )
    if released and refunded:
        held.state = EscrowState.SPLIT
    elif released:
        held.state = EscrowState.RELEASED
    else:
        held.state = EscrowState.REFUNDED


async def work_is_funded(uow: UnitOfWork, challenge: Challenge) -> bool:
    """The prize, or a milestone reward's first milestone, is in escrow and pays releases."""
    first = 1 if challenge.reward_kind is RewardKind.MILESTONES else None
    found = await uow.session.scalar(
        select(EscrowFunding.id)
        .where(
            EscrowFunding.challenge_id == challenge.id,
            paying_fundings(),
            EscrowFunding.milestone_position.is_(None)
            if first is None
            else EscrowFunding.milestone_position == first,
        )
        .limit(1)
    )
    return found is not None


async def check_funded_before(
    uow: UnitOfWork,
    challenge: Challenge,
    step: EscrowFundingDeadline,
    required: EscrowFundingDeadline,
) -> None:
    """``challenge_not_funded`` when the installation's ``escrow_funding_deadline``
    (``required``) wants the money in escrow before ``step`` (publishing, or accepting an
    application; ``before_publish`` also wants it before accepting) and it is not."""
    needed = (
        required is EscrowFundingDeadline.BEFORE_PUBLISH
        or required is step is EscrowFundingDeadline.BEFORE_ACCEPT
    )
    if needed and not await work_is_funded(uow, challenge):
        what = "first milestone" if challenge.reward_kind is RewardKind.MILESTONES else "prize"
        raise Conflict(
            f"fund the challenge's {what} into escrow first",
            code="challenge_not_funded",
            required=required.value,
        )


async def refund_if_closed(uow: UnitOfWork, challenge: Challenge, cause: str) -> None:
    """A cancelled or expired challenge's escrow thawed (a dispute decided, a card dispute
    closed): run its refund job again, which refunds what is still refundable."""
    if challenge.status in (ChallengeStatus.CANCELLED, ChallengeStatus.EXPIRED):
        await uow.enqueue(
            REFUND_CANCELLED_CHALLENGE,
            RefundCancelledChallenge(challenge_id=challenge.id),
            idempotency_key=f"refund-after:{cause}",
        )
