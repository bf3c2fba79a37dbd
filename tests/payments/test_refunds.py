"""oc.refunds: a funding's money goes back to the card, never more than was charged or is
held, and a processor failure leaves the escrow as it was."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from openchance import Actor, OpenChance
from openchance.actor import Role
from openchance.challenges.schemas import ChallengeCancellation
from openchance.db.types import utcnow
from openchance.errors import (
    Conflict,
    InvalidInput,
    PaymentFailed,
    PermissionDenied,
    ProviderUnavailable,
)
from openchance.models.challenges import CancelReason, ChallengeStatus
from openchance.models.jobs import Job
from openchance.models.ledger import AccountPurpose, OwnerKind
from openchance.models.payments import EscrowState, LocalRefund, RefundStatus
from openchance.payments.funding_schemas import FundingRead, RefundRequest
from openchance.payments.milestone_schemas import MilestoneRelease
from openchance.payments.schemas import AccountRef
from tests.factories.applications import apply, bid_data
from tests.factories.challenges import insert_challenge
from tests.factories.payments import (
    RefusingProcessor,
    UnreachableProcessor,
    accepted_winners,
    as_processor,
    fund,
)
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain


async def make_jobs_due(oc: OpenChance, name: str) -> None:
    async with oc.unit_of_work() as uow:
        await uow.session.execute(update(Job).where(Job.name == name).values(run_at=utcnow()))


SYSTEM = Actor.system("tests")
BACK = RefundRequest(reason="The challenge was withdrawn.")


async def escrow_balance(oc: OpenChance, challenge_id: uuid.UUID) -> int:
    account = await oc.ledger.find_account(
        SYSTEM, AccountRef(purpose=AccountPurpose.ESCROW, currency="EUR",
                           owner_kind=OwnerKind.CHALLENGE, owner_id=challenge_id),
    )  # fmt: skip
    assert account is not None
    return account.balance_minor


async def funded(oc: OpenChance, **settings: object) -> tuple[Actor, uuid.UUID, FundingRead]:
    if settings:
        oc.settings = oc.settings.model_copy(update=settings)
    owner = await create_user(oc, email="owner@example.org")
    actor = await actor_for(oc, "owner@example.org")
    challenge = await insert_challenge(oc, owner, reward_min_minor=100_000)
    return actor, challenge, await fund(oc, actor, challenge)


async def support(oc: OpenChance) -> Actor:
    await create_user(oc, email="support@example.org", role=Role.SUPPORT)
    return await actor_for(oc, "support@example.org")


async def processor_refunded(oc: OpenChance) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        total = await uow.session.scalar(
            select(func.coalesce(func.sum(LocalRefund.amount_minor), 0))
        )
        return int(total or 0)


class TestRefundFunding:
    async def test_a_full_refund_empties_the_escrow_and_reaches_the_card(
        self, oc: OpenChance
    ) -> None:
        owner, challenge, funding = await funded(oc)

        refund = await oc.refunds.refund_funding(await support(oc), funding.id, BACK)

        breakdown = funding.breakdown
        assert refund.status is RefundStatus.SUCCEEDED
        assert refund.held_minor == breakdown.prize_minor + breakdown.challenger_fee_minor
        assert await escrow_balance(oc, challenge) == 0
        assert await processor_refunded(oc) == refund.amount_minor
        escrow = await oc.escrow.get_escrow(owner, challenge)
        assert escrow.state is EscrowState.REFUNDED
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_the_processor_fee_is_kept_unless_the_policy_returns_it(
        self, oc: OpenChance
    ) -> None:
        _, _, funding = await funded(oc)

        refund = await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)

        assert refund.processor_fee_minor == 0
        assert refund.amount_minor == funding.total_minor - funding.breakdown.processor_fee_minor

    async def test_a_policy_that_returns_the_fee_refunds_the_whole_charge(
        self, oc: OpenChance
    ) -> None:
        _, _, funding = await funded(oc, refund_returns_processor_fee=True)

        refund = await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)

        assert refund.amount_minor == funding.total_minor
        assert refund.processor_fee_minor == funding.breakdown.processor_fee_minor
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_a_partial_refund_leaves_the_rest_in_escrow(self, oc: OpenChance) -> None:
        _, challenge, funding = await funded(oc)
        before = await escrow_balance(oc, challenge)

        await oc.refunds.refund_funding(
            SYSTEM, funding.id, RefundRequest(amount_minor=20_000, reason="Prize lowered.")
        )

        assert await escrow_balance(oc, challenge) == before - 20_000

    async def test_more_than_is_held_is_refused(self, oc: OpenChance) -> None:
        _, _, funding = await funded(oc)

        with pytest.raises(InvalidInput) as caught:
            await oc.refunds.refund_funding(
                SYSTEM, funding.id, RefundRequest(amount_minor=funding.total_minor, reason="x")
            )
        assert caught.value.code == "amount_exceeds_refundable"

    async def test_a_refunded_funding_has_nothing_left_to_refund(self, oc: OpenChance) -> None:
        _, _, funding = await funded(oc)
        await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)

        with pytest.raises(Conflict) as caught:
            await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)
        assert caught.value.code == "nothing_to_refund"

    async def test_a_retry_with_the_same_key_refunds_once(self, oc: OpenChance) -> None:
        _, _, funding = await funded(oc)

        first = await oc.refunds.refund_funding(SYSTEM, funding.id, BACK, idempotency_key="r-1")
        again = await oc.refunds.refund_funding(SYSTEM, funding.id, BACK, idempotency_key="r-1")

        assert again.id == first.id
        assert await processor_refunded(oc) == first.amount_minor

    async def test_the_challenger_cannot_refund_themselves(self, oc: OpenChance) -> None:
        owner, _, funding = await funded(oc)

        with pytest.raises(PermissionDenied):
            await oc.refunds.refund_funding(owner, funding.id, BACK)

    async def test_a_processor_outage_moves_nothing_and_a_retry_pays_once(
        self, oc: OpenChance
    ) -> None:
        _, challenge, funding = await funded(oc)
        before = await escrow_balance(oc, challenge)
        local = oc.payment_processor
        oc.use_payment_processor(as_processor(UnreachableProcessor()))

        with pytest.raises(ProviderUnavailable):
            await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)

        [waiting] = await oc.refunds.list_refunds(SYSTEM, funding_id=funding.id)
        assert waiting.status is RefundStatus.PENDING
        assert await escrow_balance(oc, challenge) == before
        oc.use_payment_processor(local)
        await make_jobs_due(oc, "payments.pay_refund")
        await drain(oc)
        [paid] = await oc.refunds.list_refunds(SYSTEM, funding_id=funding.id)
        assert paid.status is RefundStatus.SUCCEEDED
        assert await processor_refunded(oc) == paid.amount_minor
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_a_pending_refund_counts_against_what_is_refundable(self, oc: OpenChance) -> None:
        _, _, funding = await funded(oc)
        oc.use_payment_processor(as_processor(UnreachableProcessor()))
        with pytest.raises(ProviderUnavailable):
            await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)

        with pytest.raises(Conflict) as caught:
            await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)
        assert caught.value.code == "nothing_to_refund"

    async def test_a_processor_refusal_fails_the_refund_and_moves_nothing(
        self, oc: OpenChance
    ) -> None:
        _, challenge, funding = await funded(oc)
        before = await escrow_balance(oc, challenge)
        oc.use_payment_processor(as_processor(RefusingProcessor()))

        with pytest.raises(PaymentFailed):
            await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)

        [failed] = await oc.refunds.list_refunds(SYSTEM, funding_id=funding.id)
        assert (failed.status, failed.failure_code) == (RefundStatus.FAILED, "processor_refused")
        assert await escrow_balance(oc, challenge) == before

    async def test_a_refunded_milestone_pays_no_release(self, oc: OpenChance) -> None:
        owner_id = await create_user(oc, email="owner@example.org")
        owner = await actor_for(oc, "owner@example.org")
        challenge = await insert_challenge(
            oc, owner_id, milestones=[("Data", 40_000), ("Model", 60_000)]
        )
        first_funding = await fund(oc, owner, challenge)
        await fund(oc, owner, challenge)
        await oc.refunds.refund_funding(SYSTEM, first_funding.id, BACK)
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")
        application = await apply(oc, solver, challenge, bid=bid_data(amount=100_000))
        await oc.applications.accept_application(owner, application.id)

        first, second = await oc.milestones.list_milestones(owner, challenge)

        assert (first.funded, second.funded) == (False, True)
        with pytest.raises(Conflict) as caught:
            await oc.milestones.release_milestone(
                owner, first.id, MilestoneRelease(amount_minor=40_000)
            )
        assert caught.value.code == "milestone_not_funded"

    async def test_after_a_refund_the_prize_can_be_funded_again(self, oc: OpenChance) -> None:
        owner, challenge, funding = await funded(oc)
        await oc.refunds.refund_funding(
            SYSTEM, funding.id, RefundRequest(amount_minor=20_000, reason="Prize lowered.")
        )
        assert (await oc.escrow.get_escrow(owner, challenge)).funded is False

        again = await fund(oc, owner, challenge)

        assert again.escrowed
        escrow = await oc.escrow.get_escrow(owner, challenge)
        assert escrow.funded is True
        assert escrow.state is EscrowState.FUNDED

    async def test_what_a_winner_works_on_is_not_refundable(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)
        funding = await fund(oc, winners.owner, winners.challenge_id)

        with pytest.raises(Conflict) as caught:
            await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)
        assert caught.value.code == "winner_at_work"

    async def test_a_partly_released_then_refunded_escrow_ends_split(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)
        funding = await fund(oc, winners.owner, winners.challenge_id)
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
        await oc.milestones.release_milestone(
            winners.owner, milestone.id, MilestoneRelease(amount_minor=100_000)
        )

        with pytest.raises(Conflict) as caught:
            await oc.refunds.refund_funding(SYSTEM, funding.id, BACK)
        assert caught.value.code == "nothing_to_refund"
        escrow = await oc.escrow.get_escrow(winners.owner, winners.challenge_id)
        assert escrow.state is EscrowState.RELEASED


class TestRefundOnCancellation:
    async def test_cancelling_a_funded_challenge_refunds_it(self, oc: OpenChance) -> None:
        owner, challenge, funding = await funded(oc)

        await oc.challenges.cancel_challenge(
            owner, challenge,
            ChallengeCancellation(reason=CancelReason.BY_CHALLENGER_BEFORE_WORK),
        )  # fmt: skip
        await drain(oc)

        [refund] = await oc.refunds.list_refunds(SYSTEM, challenge_id=challenge)
        assert refund.status is RefundStatus.SUCCEEDED
        assert refund.funding_id == funding.id
        assert await escrow_balance(oc, challenge) == 0

    async def test_a_payment_after_cancellation_is_refunded_in_full(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        actor = await actor_for(oc, "owner@example.org")
        challenge = await insert_challenge(oc, owner)
        started = await oc.escrow.start_funding(actor, challenge)
        await oc.challenges.cancel_challenge(
            actor, challenge,
            ChallengeCancellation(reason=CancelReason.BY_CHALLENGER_BEFORE_WORK),
        )  # fmt: skip

        assert started.processor_payment_id is not None
        assert started.client_secret is not None
        await oc.local_processor.confirm_payment(
            started.processor_payment_id, client_secret=started.client_secret,
            card_number="4242424242424242",
        )  # fmt: skip
        await drain(oc)

        [refund] = await oc.refunds.list_refunds(SYSTEM, challenge_id=challenge)
        assert refund.from_escrow is False
        assert refund.amount_minor == started.total_minor
        waiting = await oc.ledger.find_account(
            SYSTEM, AccountRef(purpose=AccountPurpose.CHALLENGER_FUNDING, currency="EUR",
                               owner_kind=OwnerKind.USER, owner_id=owner),
        )  # fmt: skip
        assert waiting is not None
        assert waiting.balance_minor == 0

    async def test_cancelling_an_unfunded_challenge_refunds_nothing(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        actor = await actor_for(oc, "owner@example.org")
        challenge = await insert_challenge(oc, owner, status=ChallengeStatus.OPEN)

        await oc.challenges.cancel_challenge(
            actor, challenge,
            ChallengeCancellation(reason=CancelReason.BY_CHALLENGER_BEFORE_WORK),
        )  # fmt: skip
        await drain(oc)

        assert await oc.refunds.list_refunds(SYSTEM, challenge_id=challenge) == []


class TestRefundSelfDealing:
    async def test_support_cannot_refund_their_own_payment(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="support@example.org", role=Role.SUPPORT)
        actor = await actor_for(oc, "support@example.org")
        challenge = await insert_challenge(oc, owner)
        funding = await fund(oc, actor, challenge)

        with pytest.raises(PermissionDenied) as caught:
            await oc.refunds.refund_funding(actor, funding.id, BACK)
        assert caught.value.code == "own_payment"


class TestCancellationGivesUpWaitingPayments:
    async def test_a_payment_waiting_for_a_card_is_cancelled_with_the_challenge(
        self, oc: OpenChance
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        actor = await actor_for(oc, "owner@example.org")
        challenge = await insert_challenge(oc, owner)
        started = await oc.escrow.start_funding(actor, challenge)

        await oc.challenges.cancel_challenge(
            actor, challenge,
            ChallengeCancellation(reason=CancelReason.BY_CHALLENGER_BEFORE_WORK),
        )  # fmt: skip
        await drain(oc)

        funding = await oc.escrow.get_funding(actor, started.id)
        assert (funding.status.value, funding.failure_code) == ("failed", "payment_canceled")
        assert started.processor_payment_id is not None
        assert started.client_secret is not None
        with pytest.raises(Conflict) as caught:
            await oc.local_processor.confirm_payment(
                started.processor_payment_id, client_secret=started.client_secret,
                card_number="4242424242424242",
            )  # fmt: skip
        assert caught.value.code == "payment_not_confirmable"


class TestEscrowHolding:
    async def test_the_escrow_shows_what_it_holds_after_a_partial_refund(
        self, oc: OpenChance
    ) -> None:
        owner, challenge, funding = await funded(oc)
        before = (await oc.escrow.get_escrow(owner, challenge)).held_minor

        await oc.refunds.refund_funding(
            SYSTEM, funding.id, RefundRequest(amount_minor=20_000, reason="Prize lowered.")
        )

        escrow = await oc.escrow.get_escrow(owner, challenge)
        assert escrow.held_minor == before - 20_000
        assert escrow.prize_funded_minor == funding.prize_minor
