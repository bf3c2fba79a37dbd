"""Card disputes (chargebacks) the processor reports on a funding's charge.

``charge.dispute.created`` records a :class:`~openchance.models.payments.Chargeback` and
freezes the challenge's escrow, as an open dispute does (no release, auto-release or
refund); the challenger and staff are told. ``charge.dispute.closed`` ends it: won, the
escrow thaws and the money stays; lost, the card network took the money back, so one
ledger transaction (``chargeback_lost``) moves it to the world from where the funding's
money is (the escrow, or the payer's funding account), with what is no longer there
(already released) from the platform's processor-clearing balance, and the funding pays
no release any more. The event handler reads the dispute from the processor as it is now,
so events in any order have one effect.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from openchance.challenges.repository import load_challenge
from openchance.db.types import utcnow
from openchance.models.ledger import AccountPurpose
from openchance.models.payments import (
    WHOLE_PRIZE,
    Chargeback,
    ChargebackStatus,
    EscrowFunding,
    EscrowMilestone,
    Refund,
    RefundStatus,
)
from openchance.notifications.feed import notify
from openchance.payments import ledger
from openchance.payments.escrow import refund_if_closed, settle_escrow_state
from openchance.payments.processors.base import ProcessorDispute
from openchance.payments.release import fees_are_earned, held_fees
from openchance.payments.schemas import AccountRef, PostingSpec

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

logger = logging.getLogger(__name__)

CLOSED = {"won": ChargebackStatus.WON, "lost": ChargebackStatus.LOST}


async def apply_chargeback(uow: UnitOfWork, dispute: ProcessorDispute) -> bool:
    """Bring our record of the card dispute up to the processor's; whether anything
    changed (a dispute on a payment that is not ours changes nothing)."""
    funding_id = await uow.session.scalar(
        select(EscrowFunding.id).where(EscrowFunding.processor_payment_id == dispute.payment_id)
    )
    if funding_id is None:
        logger.warning("card dispute %s on a payment not ours: %s", dispute.id, dispute.payment_id)
        return False
    funding = await uow.session.get(EscrowFunding, funding_id)
    assert funding is not None
    challenge = await load_challenge(uow, funding.challenge_id, for_update=True)
    chargeback = (
        await uow.session.scalars(
            select(Chargeback)
            .where(Chargeback.processor_dispute_id == dispute.id)
            .with_for_update()
        )
    ).one_or_none()
    changed = False
    if chargeback is None:
        chargeback = Chargeback(
            funding_id=funding.id, challenge_id=challenge.id, processor_dispute_id=dispute.id,
            status=ChargebackStatus.OPEN, amount_minor=dispute.amount_minor,
            currency=dispute.currency, reason=dispute.reason[:64],
        )  # fmt: skip
        uow.session.add(chargeback)
        await uow.flush()
        await notify(
            uow, user_id=challenge.owner_id, kind="payment.charged_back",
            title=f"Your card payment for “{challenge.title}” is disputed at your bank",
            body="The challenge's escrow is frozen until the card network decides.",
            dedupe_key=f"chargeback:{chargeback.id}",
            data={"chargeback_id": str(chargeback.id), "challenge_id": str(challenge.id)},
        )  # fmt: skip
        changed = True
    outcome = CLOSED.get(dispute.status)
    if outcome is not None and chargeback.status is ChargebackStatus.OPEN:
        if outcome is ChargebackStatus.LOST:
            await _give_back(uow, funding, chargeback)
        chargeback.status = outcome
        chargeback.closed_at = utcnow()
        changed = True
    await uow.flush()
    await settle_escrow_state(uow, challenge)
    if outcome is not None and changed:
        await refund_if_closed(uow, challenge, f"chargeback:{chargeback.id}")
    return changed


async def _give_back(uow: UnitOfWork, funding: EscrowFunding, chargeback: Chargeback) -> None:
    currency = chargeback.currency
    # The network took the charge back: refunds of it still to pay never will be.
    pending = await uow.session.scalars(
        select(Refund)
        .where(Refund.funding_id == funding.id, Refund.status == RefundStatus.PENDING)
        .with_for_update()
    )
    for refund in pending:
        refund.status = RefundStatus.FAILED
        refund.failure_code = "charged_back"
        refund.failure_message = "The card network took the payment back."
    await uow.flush()
    escrowed = funding.failure_code is None
    source = (
        AccountRef.escrow(funding.challenge_id, currency)
        if escrowed
        else AccountRef.funding(funding.payer_id, currency)
    )
    account = await ledger.find_account(uow, source)
    still_held = await _held_for(uow, funding) if escrowed else await _unrefunded(uow, funding)
    held = max(0, min(chargeback.amount_minor, still_held, account.balance_minor if account else 0))
    postings = []
    if held:
        postings.append(PostingSpec(account=source, amount_minor=-held, currency=currency))
    if chargeback.amount_minor - held:
        postings.append(
            PostingSpec(account=AccountRef.system(AccountPurpose.PROCESSOR_CLEARING, currency),
                        amount_minor=-(chargeback.amount_minor - held), currency=currency)
        )  # fmt: skip
    postings.append(
        PostingSpec(account=AccountRef.system(AccountPurpose.WORLD, currency),
                    amount_minor=chargeback.amount_minor, currency=currency)
    )  # fmt: skip
    await ledger.post_transaction(
        uow,
        idempotency_key=f"chargeback:{chargeback.id}:lost",
        kind="chargeback_lost",
        description=f"Card dispute {chargeback.processor_dispute_id} lost",
        postings=postings,
        metadata={"chargeback_id": str(chargeback.id), "funding_id": str(funding.id)},
    )


async def _refunded_held(uow: UnitOfWork, funding: EscrowFunding) -> int:
    """What left the funding's money for the card: paid refunds, and decisions' refunds
    (set aside from escrow when decided, whatever became of them)."""
    total = await uow.session.scalar(
        select(func.coalesce(func.sum(Refund.held_minor), 0)).where(
            Refund.funding_id == funding.id,
            or_(Refund.status == RefundStatus.SUCCEEDED, Refund.set_aside.is_(True)),
        )
    )
    return int(total or 0)


async def _held_for(uow: UnitOfWork, funding: EscrowFunding) -> int:
    """What of this funding is still in the challenge's escrow (the escrow account holds
    every funding's money together)."""
    position = funding.milestone_position or WHOLE_PRIZE
    released = await uow.session.scalar(
        select(func.coalesce(func.sum(EscrowMilestone.released_minor), 0)).where(
            EscrowMilestone.challenge_id == funding.challenge_id,
            EscrowMilestone.position == position,
        )
    )
    fees = 0 if await fees_are_earned(uow, funding) else held_fees(funding)
    return funding.prize_minor - int(released or 0) + fees - await _refunded_held(uow, funding)


async def _unrefunded(uow: UnitOfWork, funding: EscrowFunding) -> int:
    return funding.total_minor - await _refunded_held(uow, funding)
