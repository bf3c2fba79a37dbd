"""``oc.refunds``: money of a funding given back to the payer's card.

Support (and the system, when a challenge is cancelled) refunds what a funding still has
held: in escrow, its prize less what was released for it and its challenger-side fees
until they are earned; or, for a payment that never reached escrow, all of it from the
payer's funding account. By the snapshotted policy, a refund of a funding nothing was
released from also gives back the processor fee (``refund_returns_processor_fee``), which
the platform bears. A position a winner is still working on is not refundable
(``winner_at_work``): that takes a release or a dispute decision.

Money moves only when the processor has paid the card, and nothing can spend it meanwhile:

1. the refund is written ``pending`` (challenge and funding locked); from then on the
   funding pays no release (:func:`~openchance.payments.escrow.escrowed_fundings` leaves
   out a funding with a refund under way or made) and its refundable amount counts it;
2. the processor refunds the card, under the key ``refund:<refund id>``;
3. ``refund_paid`` (challenge locked): the held part leaves escrow (or the funding
   account), the processor fee part (by the policy) comes out of the platform's
   ``processor_clearing`` balance, and the whole amount goes to the world.

A processor that refuses (``PaymentFailed``) fails the refund: nothing moved. One that
cannot be reached (``provider_unavailable``), or an answer lost in a crash, leaves the
refund ``pending``: the job ``payments.pay_refund`` asks again under the same processor
key, so a refund the processor made before the connection dropped is never made twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from openchance.accounts.policy import check_support
from openchance.actor import Actor
from openchance.challenges.repository import load_challenge
from openchance.db.types import utcnow
from openchance.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    OpenChanceError,
    PaymentFailed,
    PermissionDenied,
)
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.models.ledger import AccountPurpose
from openchance.models.payments import (
    OPEN_FUNDING_STATUSES,
    SETTLED_MILESTONE_STATUSES,
    WHOLE_PRIZE,
    Chargeback,
    ChargebackStatus,
    EscrowFunding,
    EscrowMilestone,
    FundingStatus,
    Refund,
    RefundStatus,
)
from openchance.notifications.feed import notify
from openchance.payments import ledger
from openchance.payments.escrow import apply_payment, check_not_frozen, settle_escrow_state
from openchance.payments.events import RefundIssued
from openchance.payments.fees import FeeBreakdown
from openchance.payments.funding_schemas import RefundRead, RefundRequest
from openchance.payments.ledger_rules import request_hash
from openchance.payments.receipts import issue_receipt
from openchance.payments.refund_jobs import PAY_REFUND, PayRefund
from openchance.payments.release import fees_are_earned, held_fees
from openchance.payments.schemas import AccountRef, PostingSpec

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

MAX_KEY_LENGTH = 200
PAY_REFUND_SAFETY_NET = timedelta(minutes=2)
"""When the job asks the processor again if the request's own call got no answer."""


@dataclass(frozen=True, slots=True)
class Refundable:
    held_minor: int
    processor_fee_minor: int
    from_escrow: bool


class RefundService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def refund_funding(
        self,
        actor: Actor,
        funding_id: uuid.UUID,
        data: RefundRequest,
        *,
        idempotency_key: str | None = None,
    ) -> RefundRead:
        """Support, admins and the system refund a funding, fully or partly. A retry with
        the same key answers with the first refund. ``nothing_to_refund``,
        ``winner_at_work``, ``funding_not_paid`` (:class:`Conflict`),
        ``amount_exceeds_refundable`` (:class:`InvalidInput`). The processor's refusal
        (:class:`PaymentFailed`) fails the refund; its absence (``provider_unavailable``)
        leaves it ``pending`` for the retry job. Nothing moves in either case."""
        check_support(actor, "refund payments")
        key = f"refund:{funding_id}:{_checked_key(idempotency_key)}"
        digest = request_hash({"funding": str(funding_id), **data.model_dump(mode="json")})
        async with self._platform.unit_of_work() as uow:
            funding = await uow.session.get(EscrowFunding, funding_id)
            if funding is None:
                raise NotFound("funding", funding_id)
            if funding.status is not FundingStatus.SUCCEEDED:
                # Checked before any lock: a payment still settling locks the funding, then
                # the challenge; a succeeded one is never locked that way again.
                raise Conflict("the payment was never charged", code="funding_not_paid")
            if actor.user_id is not None and actor.user_id == funding.payer_id:
                raise PermissionDenied(
                    "staff do not refund their own payments: ask another member of staff",
                    code="own_payment",
                )
            challenge = await load_challenge(uow, funding.challenge_id, for_update=True)
            funding = await _lock_funding(uow, funding_id)
            existing = (
                await uow.session.scalars(select(Refund).where(Refund.idempotency_key == key))
            ).one_or_none()
            if existing is not None:
                if existing.request_hash != digest:
                    raise Conflict(
                        "this idempotency key was used for another refund",
                        code="idempotency_key_reused",
                    )
                return refund_read(existing)
            refund = await _new_refund(uow, challenge, funding, data, key, digest, actor.user_id)
            refund_id = refund.id
        try:
            await self.pay_pending_refund(refund_id)
        except PaymentFailed as refused:
            await self._fail(refund_id, refused)
            raise
        async with self._platform.unit_of_work(read_only=True) as uow:
            made = await uow.session.get(Refund, refund_id)
            assert made is not None
            return refund_read(made)

    async def list_refunds(
        self, actor: Actor, *, funding_id: uuid.UUID | None = None,
        challenge_id: uuid.UUID | None = None,
    ) -> list[RefundRead]:  # fmt: skip
        """Staff: refunds, newest first, of one funding or challenge."""
        if not actor.is_staff:
            raise PermissionDenied("only staff see refunds")
        statement = select(Refund).order_by(Refund.created_at.desc(), Refund.id.desc())
        if funding_id is not None:
            statement = statement.where(Refund.funding_id == funding_id)
        if challenge_id is not None:
            statement = statement.where(Refund.challenge_id == challenge_id)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return [refund_read(row) for row in await uow.session.scalars(statement.limit(500))]

    async def refund_cancelled_challenge(self, challenge_id: uuid.UUID, attempt: int) -> int:
        """Refund, as the system, everything refundable of a cancelled (or expired)
        challenge's payments, and give up the payments still waiting for a card (the
        cancellation's job); returns how many refunds were made."""
        system = Actor.system("refunds")
        await self._cancel_waiting_payments(challenge_id)
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_challenge(uow, challenge_id)
            fundings = list(
                await uow.session.scalars(
                    select(EscrowFunding)
                    .where(EscrowFunding.challenge_id == challenge_id,
                           EscrowFunding.status == FundingStatus.SUCCEEDED)
                    .order_by(EscrowFunding.created_at)
                )
            )  # fmt: skip
            closed = challenge.status in (ChallengeStatus.CANCELLED, ChallengeStatus.EXPIRED)
            due = []
            for funding in fundings:
                if not closed and funding.failure_code != "challenge_closed":
                    continue  # a live challenge: only a payment that arrived too late
                try:
                    left = await refundable(uow, challenge, funding)
                except Conflict:
                    continue
                if left.held_minor > 0:
                    due.append(funding.id)
        for funding_id in due:
            await self.refund_funding(
                system, funding_id,
                RefundRequest(reason=f"The challenge “{challenge.title}” was cancelled."),
                idempotency_key=f"cancellation:{attempt}",
            )  # fmt: skip
        return len(due)

    async def _cancel_waiting_payments(self, challenge_id: uuid.UUID) -> None:
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_challenge(uow, challenge_id)
            if challenge.status not in (ChallengeStatus.CANCELLED, ChallengeStatus.EXPIRED):
                return
            rows = (
                await uow.session.execute(
                    select(EscrowFunding.id, EscrowFunding.processor_payment_id).where(
                        EscrowFunding.challenge_id == challenge_id,
                        EscrowFunding.status.in_(OPEN_FUNDING_STATUSES),
                        EscrowFunding.processor_payment_id.is_not(None),
                    )
                )
            ).all()
        for funding_id, payment_id in rows:
            assert payment_id is not None
            payment = await self._platform.payment_processor.cancel_payment(payment_id)
            async with self._platform.unit_of_work() as uow:
                funding = await _lock_funding(uow, funding_id)
                await apply_payment(uow, funding, payment)

    async def pay_pending_refund(self, refund_id: uuid.UUID) -> bool:
        """Ask the processor to pay a pending refund, under its own key (a repeat after a
        lost answer is the same refund), and settle it. The processor's refusal or absence
        raises: the job asks again later. Returns whether it was paid now."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            refund = await uow.session.get(Refund, refund_id)
            if refund is None or refund.status is not RefundStatus.PENDING:
                return False
            funding = await uow.session.get(EscrowFunding, refund.funding_id)
            assert funding is not None
            assert funding.processor_payment_id is not None
            payment_id, amount = funding.processor_payment_id, refund.amount_minor
        try:
            answer = await self._platform.payment_processor.create_refund(
                payment_id=payment_id,
                amount_minor=amount,
                idempotency_key=f"refund:{refund_id}",
                metadata={"openchance_refund_id": str(refund_id)},
            )
        except PaymentFailed as refused:
            await self._fail(refund_id, refused)  # a refusal is final: nothing moved
            raise
        async with self._platform.unit_of_work() as uow:
            challenge_id = await uow.session.scalar(
                select(Refund.challenge_id).where(Refund.id == refund_id)
            )
            assert challenge_id is not None
            await load_challenge(uow, challenge_id, for_update=True)  # the money paths' order
            refund = await _lock_refund(uow, refund_id)
            if refund.status is not RefundStatus.PENDING:
                return False
            refund.processor_refund_id = answer.id
            if answer.succeeded:
                await settle_refund(uow, refund)
            return answer.succeeded

    async def _fail(self, refund_id: uuid.UUID, failure: OpenChanceError) -> None:
        """The processor refused for good: nothing moved, the funding pays again."""
        async with self._platform.unit_of_work() as uow:
            refund = await _lock_refund(uow, refund_id)
            if refund.status is not RefundStatus.PENDING or refund.set_aside:
                return
            refund.status = RefundStatus.FAILED
            refund.failure_code = failure.code
            refund.failure_message = str(failure)


async def refundable(uow: UnitOfWork, challenge: Challenge, funding: EscrowFunding) -> Refundable:
    """What of ``funding`` can still go back to the card."""
    if funding.status is not FundingStatus.SUCCEEDED:
        raise Conflict("the payment was never charged", code="funding_not_paid")
    await check_not_frozen(uow, challenge.id)
    if await uow.session.scalar(
        select(Chargeback.id).where(
            Chargeback.funding_id == funding.id, Chargeback.status == ChargebackStatus.LOST
        )
    ):
        raise Conflict("the card network took this payment back already", code="charged_back")
    taken = (
        await uow.session.execute(
            select(
                func.coalesce(func.sum(Refund.held_minor), 0),
                func.coalesce(func.sum(Refund.processor_fee_minor), 0),
            ).where(Refund.funding_id == funding.id, Refund.status != RefundStatus.FAILED)
        )
    ).one()
    held_taken, fee_taken = int(taken[0]), int(taken[1])
    breakdown = FeeBreakdown.model_validate(funding.breakdown)
    if funding.failure_code is not None:  # paid, never escrowed: all of it waits outside
        return Refundable(funding.total_minor - held_taken, 0, from_escrow=False)
    position = funding.milestone_position or WHOLE_PRIZE
    rows = list(
        await uow.session.scalars(
            select(EscrowMilestone).where(
                EscrowMilestone.challenge_id == challenge.id, EscrowMilestone.position == position
            )
        )
    )
    if any(row.status not in SETTLED_MILESTONE_STATUSES for row in rows):
        raise Conflict(
            "a winner is working on what this payment funds: release it or decide a dispute",
            code="winner_at_work",
        )
    released = sum(row.released_minor for row in rows)
    fees_earned = await fees_are_earned(uow, funding)
    fees_held = 0 if fees_earned else held_fees(funding)
    held = breakdown.prize_minor - released + fees_held - held_taken
    fee_back = 0
    if breakdown.policy.refund_returns_processor_fee and released == 0 and not fees_earned:
        fee_back = breakdown.processor_fee_minor - fee_taken
    return Refundable(max(held, 0), max(fee_back, 0), from_escrow=True)


async def _new_refund(
    uow: UnitOfWork,
    challenge: Challenge,
    funding: EscrowFunding,
    data: RefundRequest,
    key: str,
    digest: str,
    requested_by: uuid.UUID | None,
) -> Refund:
    left = await refundable(uow, challenge, funding)
    if left.held_minor <= 0:
        raise Conflict("nothing of this payment is left to refund", code="nothing_to_refund")
    most = left.held_minor + left.processor_fee_minor
    amount = most if data.amount_minor is None else data.amount_minor
    if amount > most:
        raise InvalidInput(
            f"at most {most} can be refunded",
            code="amount_exceeds_refundable",
            errors=[{"field": "amount_minor", "code": "amount_exceeds_refundable",
                     "message": f"at most {most}"}],
        )  # fmt: skip
    held = min(amount, left.held_minor)
    refund = Refund(
        funding_id=funding.id,
        challenge_id=challenge.id,
        requested_by=requested_by,
        status=RefundStatus.PENDING,
        currency=funding.currency,
        amount_minor=amount,
        held_minor=held,
        processor_fee_minor=amount - held,
        from_escrow=left.from_escrow,
        reason=data.reason,
        idempotency_key=key,
        request_hash=digest,
    )
    uow.session.add(refund)
    await uow.flush()
    await uow.enqueue(
        PAY_REFUND, PayRefund(refund_id=refund.id), delay=PAY_REFUND_SAFETY_NET,
        idempotency_key=f"pay-refund:{refund.id}",
    )  # fmt: skip
    return refund


async def settle_refund(uow: UnitOfWork, refund: Refund) -> None:
    """The processor paid the refund: the money leaves the ledger to the world, from
    processor clearing when a decision set it aside, else from where it was held (and the
    processor fee part from the platform's clearing balance)."""
    currency = refund.currency
    world = PostingSpec(
        account=AccountRef.system(AccountPurpose.WORLD, currency),
        amount_minor=refund.amount_minor, currency=currency,
    )  # fmt: skip
    if refund.set_aside:
        postings = [
            PostingSpec(account=_clearing(currency), amount_minor=-refund.amount_minor,
                        currency=currency),
            world,
        ]  # fmt: skip
    else:
        funding = await uow.session.get(EscrowFunding, refund.funding_id)
        assert funding is not None
        source = (
            AccountRef.escrow(refund.challenge_id, currency)
            if refund.from_escrow
            else AccountRef.funding(funding.payer_id, currency)
        )  # fmt: skip
        postings = [PostingSpec(account=source, amount_minor=-refund.held_minor,
                                currency=currency)]  # fmt: skip
        if refund.processor_fee_minor:
            postings.append(PostingSpec(account=_clearing(currency),
                                        amount_minor=-refund.processor_fee_minor,
                                        currency=currency))  # fmt: skip
        postings.append(world)
    await ledger.post_transaction(
        uow,
        idempotency_key=f"{refund.idempotency_key}:paid",
        kind="refund_paid",
        description=f"Refund {refund.id} paid back to the card",
        postings=postings,
        metadata={"refund_id": str(refund.id), "processor_refund_id": refund.processor_refund_id},
    )
    refund.status = RefundStatus.SUCCEEDED
    refund.succeeded_at = utcnow()
    paid_funding = await uow.session.get(EscrowFunding, refund.funding_id)
    assert paid_funding is not None
    await issue_receipt(uow, paid_funding, refund)
    challenge = await load_challenge(uow, refund.challenge_id)
    await settle_escrow_state(uow, challenge)
    uow.record(
        RefundIssued(
            challenge_id=challenge.id, owner_id=challenge.owner_id, refund_id=refund.id,
            funding_id=refund.funding_id, amount_minor=refund.amount_minor,
            currency=refund.currency,
        )
    )  # fmt: skip
    await notify(
        uow, user_id=challenge.owner_id, kind="payment.refunded",
        title=f"A refund for “{challenge.title}” is on its way to your card",
        body=refund.reason[:500], dedupe_key=f"payment.refunded:{refund.id}",
        data={"refund_id": str(refund.id), "amount_minor": refund.amount_minor,
              "currency": refund.currency},
    )  # fmt: skip


def refund_read(refund: Refund) -> RefundRead:
    return RefundRead(
        id=refund.id,
        funding_id=refund.funding_id,
        challenge_id=refund.challenge_id,
        status=refund.status,
        currency=refund.currency,
        amount_minor=refund.amount_minor,
        held_minor=refund.held_minor,
        processor_fee_minor=refund.processor_fee_minor,
        from_escrow=refund.from_escrow,
        reason=refund.reason,
        processor_refund_id=refund.processor_refund_id,
        failure_code=refund.failure_code,
        failure_message=refund.failure_message,
        created_at=refund.created_at,
        succeeded_at=refund.succeeded_at,
    )


def _clearing(currency: str) -> AccountRef:
    return AccountRef.system(AccountPurpose.PROCESSOR_CLEARING, currency)


def _checked_key(idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return f"auto:{uuid.uuid4()}"
    if not 1 <= len(idempotency_key) <= MAX_KEY_LENGTH or not (
        idempotency_key.isprintable() and idempotency_key.isascii()
    ):
        raise InvalidInput(
            f"the idempotency key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
            code="invalid_idempotency_key",
        )
    return idempotency_key


async def _lock_funding(uow: UnitOfWork, funding_id: uuid.UUID) -> EscrowFunding:
    return (
        await uow.session.scalars(
            select(EscrowFunding)
            .where(EscrowFunding.id == funding_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()


async def _lock_refund(uow: UnitOfWork, refund_id: uuid.UUID) -> Refund:
    return (
        await uow.session.scalars(select(Refund).where(Refund.id == refund_id).with_for_update())
    ).one()
