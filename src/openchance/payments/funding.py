"""``oc.escrow``: a challenger funds their challenge's escrow through the payment processor.

Starting a funding takes three steps, so that a lost answer or a crash never charges twice
and never leaves money unaccounted for:

1. one unit of work locks the challenge, decides what is funded (the prize or the next
   milestone) and what it costs (the fee policy of the escrow, or of the settings for a
   first funding), and writes the funding row (``created``), keyed by the payer's
   idempotency key;
2. the processor creates the payment, under a key derived from the funding's id;
3. a second unit of work stores the processor's answer (:func:`~.escrow.apply_payment`).

A retry with the same key, or a new request for the same target and amount, resumes the
same funding: after a processor outage it asks again, under the same processor key.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from openchance.accounts.policy import check_staff
from openchance.actor import Actor
from openchance.challenges.policy import check_owner, is_owner, load_visible_challenge
from openchance.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PaymentFailed
from openchance.models.challenges import Challenge, ChallengeMilestone, RewardKind
from openchance.models.payments import Escrow, EscrowFunding, FundingStatus
from openchance.payments import escrow, ledger
from openchance.payments.fees import FeeBreakdown, FeePolicy, fee_policy_from_settings
from openchance.payments.funding_schemas import (
    EscrowCount,
    EscrowRead,
    EscrowSummary,
    FundingRead,
    FundingStart,
    NextAction,
)
from openchance.payments.ledger_rules import request_hash
from openchance.payments.processors.base import FUNDING_ID_METADATA, ProcessorPayment
from openchance.payments.schemas import AccountRef

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

MAX_IDEMPOTENCY_KEY_LENGTH = 200
MAX_LIST = 500


class EscrowService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def start_funding(
        self,
        actor: Actor,
        challenge_id: uuid.UUID,
        data: FundingStart | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> FundingRead:
        """Start (or resume) paying the challenge's prize or next milestone into escrow; the
        answer carries what the payer's client confirms the payment with. Only the
        challenger funds. Refusals: ``challenge_not_fundable``, ``already_funded``,
        ``funding_in_progress`` (another amount is being paid), ``amount_out_of_range``,
        ``idempotency_key_reused``; a processor that can't be reached raises
        ``provider_unavailable`` and the same request resumes later."""
        data = data or FundingStart()
        key = _checked_key(idempotency_key)
        processor = self._platform.payment_processor
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            check_owner(actor, challenge)
            assert actor.user_id is not None
            digest = request_hash(
                {"challenge_id": str(challenge.id), "amount_minor": data.amount_minor}
            )
            funding = await _by_key(uow, actor.user_id, key)
            if funding is not None:
                if funding.request_hash != digest or funding.challenge_id != challenge.id:
                    raise Conflict(
                        "this idempotency key was used for another funding request",
                        code="idempotency_key_reused",
                    )
                if funding.processor_payment_id is None:
                    escrow.check_fundable(challenge)
            else:
                target = await escrow.funding_target(uow, challenge, data.amount_minor)
                funding = await escrow.open_funding_for(uow, challenge.id, target)
                if funding is not None and funding.prize_minor != target.prize_minor:
                    raise Conflict(
                        "another payment for this challenge is in progress",
                        code="funding_in_progress",
                        funding_id=str(funding.id),
                    )
                if funding is None:
                    funding = await self._new_funding(
                        uow, challenge, target, payer_id=actor.user_id, key=key, digest=digest
                    )
            funding_id, needs_payment = funding.id, funding.processor_payment_id is None
            amount, currency = funding.total_minor, funding.currency
            # Stable for the funding's life: a retry must send the processor the same request.
            description = f"OpenChance escrow for challenge {challenge.id}"
        if needs_payment:
            try:
                payment = await processor.create_payment(
                    amount_minor=amount,
                    currency=currency,
                    idempotency_key=f"funding:{funding_id}",
                    description=description,
                    metadata={FUNDING_ID_METADATA: str(funding_id),
                              "challenge_id": str(challenge_id)},
                )  # fmt: skip
            except PaymentFailed as refused:
                await self._fail(funding_id, refused)
                raise
            await self._store_payment(funding_id, payment)
        return await self.get_funding(actor, funding_id)

    async def get_funding(self, actor: Actor, funding_id: uuid.UUID) -> FundingRead:
        """The payer and staff see a funding; anyone else gets not found."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            funding = await _load_seen(uow, actor, funding_id)
            return funding_read(funding, actor)

    async def refresh_funding(self, actor: Actor, funding_id: uuid.UUID) -> FundingRead:
        """Ask the processor how the payment stands and apply it at once (the synchronous
        confirmation path; the processor's event does the same, whichever comes first)."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            funding = await _load_seen(uow, actor, funding_id)
            payment_id = funding.processor_payment_id
        if payment_id is not None:
            payment = await self._platform.payment_processor.retrieve_payment(payment_id)
            await self._store_payment(funding_id, payment)
        return await self.get_funding(actor, funding_id)

    async def list_fundings(
        self,
        actor: Actor,
        *,
        status: FundingStatus | None = None,
        challenge_id: uuid.UUID | None = None,
        limit: int = 50,
    ) -> list[FundingRead]:
        """Staff: the newest fundings, optionally of one status or challenge."""
        check_staff(actor)
        statement = select(EscrowFunding).order_by(
            EscrowFunding.created_at.desc(), EscrowFunding.id.desc()
        )
        if status is not None:
            statement = statement.where(EscrowFunding.status == status)
        if challenge_id is not None:
            statement = statement.where(EscrowFunding.challenge_id == challenge_id)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await uow.session.scalars(statement.limit(max(1, min(limit, MAX_LIST))))
            return [funding_read(funding, actor) for funding in rows]

    async def escrow_summary(self, actor: Actor) -> EscrowSummary:
        """Staff: how many escrows are in each state, per currency."""
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await uow.session.execute(
                select(
                    Escrow.state, Escrow.currency, func.count(), func.sum(Escrow.prize_funded_minor)
                )
                .group_by(Escrow.state, Escrow.currency)
                .order_by(Escrow.state, Escrow.currency)
            )
            return EscrowSummary(
                counts=[
                    EscrowCount(state=state, currency=currency, escrows=count,
                                prize_funded_minor=int(total or 0))
                    for state, currency, count, total in rows.all()
                ]
            )  # fmt: skip

    async def get_escrow(self, actor: Actor, challenge_id: uuid.UUID) -> EscrowRead:
        """Whether the challenge is funded, how much, and the fee policy it carries, for
        anyone who can see the challenge; the list of payments for its challenger and staff."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id)
            held = await escrow.load_escrow(uow, challenge.id)
            fundings: list[EscrowFunding] = []
            if actor.is_staff or is_owner(actor, challenge):
                fundings = list(
                    await uow.session.scalars(
                        select(EscrowFunding)
                        .where(EscrowFunding.challenge_id == challenge.id)
                        .order_by(EscrowFunding.created_at, EscrowFunding.id)
                    )
                )
            funded = await escrow.escrowed_fundings(uow, challenge.id)
            account = await ledger.find_account(
                uow, AccountRef.escrow(challenge.id, challenge.reward_currency)
            )
            return EscrowRead(
                challenge_id=challenge.id,
                funded=_fully_funded(challenge, funded, await _milestone_count(uow, challenge)),
                state=held.state if held else None,
                currency=challenge.reward_currency,
                prize_minor=challenge.reward_max_minor,
                prize_funded_minor=held.prize_funded_minor if held else 0,
                fees_held_minor=held.fees_held_minor if held else 0,
                held_minor=account.balance_minor if account else 0,
                milestones_funded=sorted(
                    f.milestone_position for f in funded if f.milestone_position is not None
                ),
                fee_policy=FeePolicy.model_validate(held.fee_policy) if held else None,
                funded_at=held.funded_at if held else None,
                fundings=[funding_read(funding, actor) for funding in fundings],
            )

    # -- steps ---------------------------------------------------------------------------

    async def _new_funding(
        self,
        uow: UnitOfWork,
        challenge: Challenge,
        target: escrow.FundingTarget,
        *,
        payer_id: uuid.UUID,
        key: str,
        digest: str,
    ) -> EscrowFunding:
        held = await escrow.load_escrow(uow, challenge.id)
        policy = (
            FeePolicy.model_validate(held.fee_policy)
            if held is not None
            else fee_policy_from_settings(self._platform.settings)
        )
        breakdown = escrow.target_breakdown(challenge, target, policy)
        funding = EscrowFunding(
            challenge_id=challenge.id,
            milestone_id=target.milestone.id if target.milestone else None,
            milestone_position=target.milestone.position if target.milestone else None,
            payer_id=payer_id,
            processor=self._platform.payment_processor.name,
            status=FundingStatus.CREATED,
            currency=breakdown.currency,
            prize_minor=breakdown.prize_minor,
            total_minor=breakdown.total_charged_minor,
            breakdown=breakdown.model_dump(mode="json"),
            idempotency_key=key,
            request_hash=digest,
        )
        uow.session.add(funding)
        await uow.flush()
        return funding

    async def _store_payment(self, funding_id: uuid.UUID, payment: ProcessorPayment) -> None:
        async with self._platform.unit_of_work() as uow:
            funding = (
                await uow.session.scalars(
                    select(EscrowFunding).where(EscrowFunding.id == funding_id).with_for_update()
                )
            ).one()
            await escrow.apply_payment(uow, funding, payment)

    async def _fail(self, funding_id: uuid.UUID, refused: PaymentFailed) -> None:
        async with self._platform.unit_of_work() as uow:
            funding = (
                await uow.session.scalars(
                    select(EscrowFunding).where(EscrowFunding.id == funding_id).with_for_update()
                )
            ).one()
            if funding.status is FundingStatus.CREATED:
                funding.status = FundingStatus.FAILED
                funding.failure_code = refused.code
                funding.failure_message = str(refused)


def funding_read(funding: EscrowFunding, actor: Actor) -> FundingRead:
    waiting = funding.status in (FundingStatus.PENDING, FundingStatus.REQUIRES_ACTION)
    return FundingRead(
        id=funding.id,
        challenge_id=funding.challenge_id,
        milestone_position=funding.milestone_position,
        status=funding.status,
        next_action=_NEXT_ACTIONS.get(funding.status),
        processor=funding.processor,
        processor_payment_id=funding.processor_payment_id,
        client_secret=funding.client_secret
        if waiting and actor.user_id == funding.payer_id
        else None,
        currency=funding.currency,
        prize_minor=funding.prize_minor,
        total_minor=funding.total_minor,
        breakdown=FeeBreakdown.model_validate(funding.breakdown),
        escrowed=funding.status is FundingStatus.SUCCEEDED and funding.failure_code is None,
        failure_code=funding.failure_code,
        failure_message=funding.failure_message,
        created_at=funding.created_at,
        succeeded_at=funding.succeeded_at,
    )


_NEXT_ACTIONS = {
    FundingStatus.CREATED: NextAction.WAIT,
    FundingStatus.PENDING: NextAction.CONFIRM_WITH_CARD,
    FundingStatus.REQUIRES_ACTION: NextAction.AUTHENTICATE,
}


def _fully_funded(challenge: Challenge, funded: list[EscrowFunding], milestones: int) -> bool:
    if challenge.reward_kind is RewardKind.MILESTONES:
        return milestones > 0 and len({f.milestone_position for f in funded}) >= milestones
    return bool(funded)


async def _milestone_count(uow: UnitOfWork, challenge: Challenge) -> int:
    if challenge.reward_kind is not RewardKind.MILESTONES:
        return 0
    return len(
        list(
            await uow.session.scalars(
                select(ChallengeMilestone.id).where(ChallengeMilestone.challenge_id == challenge.id)
            )
        )
    )


async def _by_key(uow: UnitOfWork, payer_id: uuid.UUID, key: str) -> EscrowFunding | None:
    statement = select(EscrowFunding).where(
        EscrowFunding.payer_id == payer_id, EscrowFunding.idempotency_key == key
    )
    return (await uow.session.scalars(statement)).one_or_none()


async def _load_seen(uow: UnitOfWork, actor: Actor, funding_id: uuid.UUID) -> EscrowFunding:
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    funding = await uow.session.get(EscrowFunding, funding_id)
    if funding is None or not (actor.is_staff or actor.user_id == funding.payer_id):
        raise NotFound("funding", funding_id)
    return funding


def _checked_key(idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return f"auto:{uuid.uuid4()}"
    if not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not (
        idempotency_key.isprintable() and idempotency_key.isascii()
    ):
        raise InvalidInput(
            f"the idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII "
            "characters",
            code="invalid_idempotency_key",
        )
    return idempotency_key
