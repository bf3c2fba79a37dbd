"""oc.disputes: a party disputes a funded milestone, the escrow freezes, and support's
decision moves what remains in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import pytest
from sqlalchemy import select, update

from openchance import Actor, OpenChance
from openchance.actor import Role
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound, PaymentFailed, PermissionDenied
from openchance.models.audit import AuditEntry
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.models.jobs import Job
from openchance.models.ledger import AccountPurpose, OwnerKind
from openchance.models.messaging import Conversation, Message
from openchance.models.payments import (
    DisputeOutcome,
    DisputeStatus,
    EscrowState,
    MilestoneStatus,
    RefundStatus,
)
from openchance.payments.dispute_schemas import DisputeDecision, DisputeOpen
from openchance.payments.milestone_schemas import MilestoneRead, MilestoneRelease, MilestoneSubmit
from openchance.payments.processors.base import ProcessorRefund
from openchance.payments.processors.local import LocalProcessor
from openchance.payments.schemas import AccountRef
from tests.factories.payments import (
    RefusingProcessor,
    UnreachableProcessor,
    Winners,
    accepted_winners,
    as_processor,
    fund,
)
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain

SYSTEM = Actor.system("tests")
COMPLAINT = DisputeOpen(reason="The delivered model does not run.", evidence="See the logs.")


async def balance(
    oc: OpenChance, purpose: AccountPurpose, owner_kind: OwnerKind = OwnerKind.SYSTEM,
    owner_id: uuid.UUID | None = None,
) -> int:  # fmt: skip
    account = await oc.ledger.find_account(
        SYSTEM, AccountRef(purpose=purpose, currency="EUR", owner_kind=owner_kind,
                           owner_id=owner_id),
    )  # fmt: skip
    return 0 if account is None else account.balance_minor


async def delivered(oc: OpenChance) -> tuple[Winners, MilestoneRead]:
    """One winner's funded 1000.00 EUR prize, delivered and waiting for review."""
    winners = await accepted_winners(oc)
    await fund(oc, winners.owner, winners.challenge_id)
    [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
    submitted = await oc.milestones.submit_milestone(
        winners.solvers[0], milestone.id, MilestoneSubmit(note="Done.")
    )
    return winners, submitted


async def support(oc: OpenChance) -> Actor:
    await create_user(oc, email="support@example.org", role=Role.SUPPORT)
    return await actor_for(oc, "support@example.org")


async def escrow_state(oc: OpenChance, winners: Winners) -> EscrowState | None:
    return (await oc.escrow.get_escrow(winners.owner, winners.challenge_id)).state


def decision(outcome: DisputeOutcome, **amounts: int) -> DisputeDecision:
    return DisputeDecision(outcome=outcome, note="Decided on the evidence.", **amounts)


class TestOpenDispute:
    async def test_the_winner_opens_one_and_the_escrow_freezes(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)

        dispute = await oc.disputes.open_dispute(winners.solvers[0], milestone.id, COMPLAINT)

        assert dispute.status is DisputeStatus.OPEN
        assert await escrow_state(oc, winners) is EscrowState.FROZEN

    async def test_a_frozen_escrow_releases_nothing(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        with pytest.raises(Conflict) as caught:
            await oc.milestones.approve_milestone(winners.owner, milestone.id)
        assert caught.value.code == "escrow_frozen"

    async def test_the_auto_release_waits_for_the_decision(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                update(Job).where(Job.name == "payments.auto_release_milestone")
                .values(run_at=utcnow())
            )  # fmt: skip

        await drain(oc)

        assert await balance(oc, AccountPurpose.SOLVER_PAYABLE, OwnerKind.USER,
                             winners.solvers[0].user_id) == 0  # fmt: skip

    async def test_a_stranger_gets_not_found(self, oc: OpenChance) -> None:
        _, milestone = await delivered(oc)
        await create_user(oc, email="stranger@example.org")
        stranger = await actor_for(oc, "stranger@example.org")

        with pytest.raises(NotFound):
            await oc.disputes.open_dispute(stranger, milestone.id, COMPLAINT)

    async def test_staff_cannot_open_one_for_a_party(self, oc: OpenChance) -> None:
        _, milestone = await delivered(oc)

        with pytest.raises(PermissionDenied) as caught:
            await oc.disputes.open_dispute(await support(oc), milestone.id, COMPLAINT)
        assert caught.value.code == "not_a_party"

    async def test_an_unfunded_milestone_cannot_be_disputed(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)

        with pytest.raises(Conflict) as caught:
            await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)
        assert caught.value.code == "milestone_not_funded"

    async def test_a_second_open_dispute_is_refused(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        with pytest.raises(Conflict) as caught:
            await oc.disputes.open_dispute(winners.solvers[0], milestone.id, COMPLAINT)
        assert caught.value.code == "dispute_already_open"

    async def test_messages_of_the_conversation_can_be_cited(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        async with oc.unit_of_work(read_only=True) as uow:
            message_id = await uow.session.scalar(
                select(Message.id).join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.application_id == milestone.application_id).limit(1)
            )  # fmt: skip
        assert message_id is not None

        dispute = await oc.disputes.open_dispute(
            winners.owner, milestone.id, COMPLAINT.model_copy(update={"message_ids": [message_id]})
        )

        assert dispute.message_ids == [message_id]

    async def test_a_message_from_elsewhere_is_refused(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)

        with pytest.raises(InvalidInput) as caught:
            await oc.disputes.open_dispute(
                winners.owner, milestone.id,
                COMPLAINT.model_copy(update={"message_ids": [uuid.uuid4()]}),
            )  # fmt: skip
        assert caught.value.code == "unknown_message"


class TestDecideDispute:
    async def test_release_all_pays_the_solver_and_completes_the_challenge(
        self, oc: OpenChance
    ) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        decided = await oc.disputes.decide_dispute(
            await support(oc), dispute.id, decision(DisputeOutcome.RELEASE_ALL)
        )

        assert (decided.status, decided.released_minor) == (DisputeStatus.DECIDED, 100_000)
        assert await balance(oc, AccountPurpose.SOLVER_PAYABLE, OwnerKind.USER,
                             winners.solvers[0].user_id) == 90_000  # fmt: skip
        assert await escrow_state(oc, winners) is EscrowState.RELEASED
        after = await oc.milestones.get_milestone(winners.owner, milestone.id)
        assert after.status is MilestoneStatus.DECIDED
        async with oc.unit_of_work(read_only=True) as uow:
            challenge = await uow.session.get(Challenge, winners.challenge_id)
            assert challenge is not None
            assert challenge.status is ChallengeStatus.COMPLETED
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_refund_all_pays_the_challenger_back_by_a_job(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        decided = await oc.disputes.decide_dispute(
            SYSTEM, dispute.id, decision(DisputeOutcome.REFUND_ALL)
        )
        await drain(oc)

        assert decided.refunded_minor == 105_000  # the prize and the unearned 5 % fee
        refunded = await oc.disputes.get_dispute(winners.owner, dispute.id)
        assert refunded.refund is not None
        assert refunded.refund.status is RefundStatus.SUCCEEDED
        assert await escrow_state(oc, winners) is EscrowState.REFUNDED
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_a_split_pays_both_sides_their_parts(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        await oc.disputes.decide_dispute(
            SYSTEM, dispute.id,
            decision(DisputeOutcome.SPLIT, release_minor=60_000, refund_minor=40_000),
        )  # fmt: skip
        await drain(oc)

        assert await balance(oc, AccountPurpose.SOLVER_PAYABLE, OwnerKind.USER,
                             winners.solvers[0].user_id) == 54_000  # fmt: skip
        assert await escrow_state(oc, winners) is EscrowState.SPLIT
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_a_split_must_add_up_to_what_remains(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        with pytest.raises(InvalidInput) as caught:
            await oc.disputes.decide_dispute(
                SYSTEM, dispute.id,
                decision(DisputeOutcome.SPLIT, release_minor=60_000, refund_minor=10_000),
            )  # fmt: skip
        assert caught.value.code == "split_must_add_up"
        assert await escrow_state(oc, winners) is EscrowState.FROZEN

    async def test_the_challenger_cannot_decide(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.solvers[0], milestone.id, COMPLAINT)

        with pytest.raises(PermissionDenied) as caught:
            await oc.disputes.decide_dispute(
                winners.owner, dispute.id, decision(DisputeOutcome.REFUND_ALL)
            )
        assert caught.value.code == "staff_only"

    async def test_a_repeated_decision_moves_money_once(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)
        release = decision(DisputeOutcome.RELEASE_ALL)

        first = await oc.disputes.decide_dispute(SYSTEM, dispute.id, release)
        again = await oc.disputes.decide_dispute(SYSTEM, dispute.id, release)

        assert again == first
        assert await balance(oc, AccountPurpose.SOLVER_PAYABLE, OwnerKind.USER,
                             winners.solvers[0].user_id) == 90_000  # fmt: skip

    async def test_another_decision_after_the_first_is_refused(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)
        await oc.disputes.decide_dispute(SYSTEM, dispute.id, decision(DisputeOutcome.RELEASE_ALL))

        with pytest.raises(Conflict) as caught:
            await oc.disputes.decide_dispute(
                SYSTEM, dispute.id, decision(DisputeOutcome.REFUND_ALL)
            )
        assert caught.value.code == "dispute_decided"

    async def test_a_decision_by_support_is_audited(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        await oc.disputes.decide_dispute(
            await support(oc), dispute.id, decision(DisputeOutcome.RELEASE_ALL)
        )

        async with oc.unit_of_work(read_only=True) as uow:
            actions = list(await uow.session.scalars(select(AuditEntry.action)))
        assert "dispute.decide" in actions

    async def test_a_processor_outage_delays_the_refund_but_not_the_decision(
        self, oc: OpenChance
    ) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)
        flaky = OutageThenLocal(oc.local_processor, outages=2)
        oc.use_payment_processor(as_processor(flaky))

        decided = await oc.disputes.decide_dispute(
            SYSTEM, dispute.id, decision(DisputeOutcome.REFUND_ALL)
        )
        assert decided.refund is not None
        assert decided.refund.status is RefundStatus.PENDING
        await drain(oc)  # the first attempts meet the outage, a retry pays

        paid = await oc.disputes.get_dispute(SYSTEM, dispute.id)
        assert paid.refund is not None
        assert paid.refund.status is RefundStatus.SUCCEEDED
        assert flaky.refund_calls == 3
        assert (await oc.ledger.check_invariants(SYSTEM)).ok


class OutageThenLocal(UnreachableProcessor):
    """The local processor behind a network that drops the first ``outages`` refunds."""

    def __init__(self, local: LocalProcessor, *, outages: int) -> None:
        self._local = local
        self._outages = outages
        self.refund_calls = 0

    async def create_refund(
        self, *, payment_id: str, amount_minor: int, idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorRefund:  # fmt: skip
        self.refund_calls += 1
        if self.refund_calls <= self._outages:
            return await super().create_refund(
                payment_id=payment_id, amount_minor=amount_minor,
                idempotency_key=idempotency_key, metadata=metadata,
            )  # fmt: skip
        return await self._local.create_refund(
            payment_id=payment_id, amount_minor=amount_minor,
            idempotency_key=idempotency_key, metadata=metadata,
        )  # fmt: skip


class TestDisputeQueue:
    async def test_staff_see_open_disputes_oldest_first(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)

        queue = await oc.disputes.list_disputes(SYSTEM, status=DisputeStatus.OPEN)

        assert [d.id for d in queue] == [dispute.id]

    async def test_a_party_cannot_read_the_queue(self, oc: OpenChance) -> None:
        winners, _ = await delivered(oc)

        with pytest.raises(PermissionDenied):
            await oc.disputes.list_disputes(winners.owner)


class TestDecisionsAndReleasesTogether:
    async def test_a_decision_and_a_release_from_one_funding_earn_its_fees_once(
        self, oc: OpenChance
    ) -> None:
        winners = await accepted_winners(oc, winners=2, prize_split=[50, 50])
        await fund(oc, winners.owner, winners.challenge_id)
        first, second = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
        dispute = await oc.disputes.open_dispute(winners.solvers[0], first.id, COMPLAINT)
        await oc.disputes.decide_dispute(SYSTEM, dispute.id, decision(DisputeOutcome.RELEASE_ALL))

        await oc.milestones.release_milestone(
            winners.owner, second.id, MilestoneRelease(amount_minor=50_000)
        )

        # 10 % solver fees of 2 x 500.00 and the 5 % challenger fee, once
        assert await balance(oc, AccountPurpose.PLATFORM_FEES) == 10_000 + 5_000
        assert (await oc.ledger.check_invariants(SYSTEM)).ok


class TestDecisionFees:
    async def test_refunding_one_winner_keeps_the_fees_the_other_is_paid_from(
        self, oc: OpenChance
    ) -> None:
        winners = await accepted_winners(oc, winners=2, prize_split=[60, 40])
        await fund(oc, winners.owner, winners.challenge_id)
        first, second = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
        dispute = await oc.disputes.open_dispute(winners.owner, first.id, COMPLAINT)
        decided = await oc.disputes.decide_dispute(
            SYSTEM, dispute.id, decision(DisputeOutcome.REFUND_ALL)
        )
        await drain(oc)

        released = await oc.milestones.release_milestone(
            winners.owner, second.id, MilestoneRelease(amount_minor=40_000)
        )

        assert decided.refunded_minor == 60_000  # the share only: the fees stay
        assert released.status is MilestoneStatus.RELEASED
        assert (await oc.ledger.check_invariants(SYSTEM)).ok


class TestRefusedRefundJob:
    async def test_a_refusal_on_the_job_path_fails_the_refund(self, oc: OpenChance) -> None:
        winners, milestone = await delivered(oc)
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, COMPLAINT)
        oc.use_payment_processor(as_processor(RefusingProcessor()))

        decided = await oc.disputes.decide_dispute(
            SYSTEM, dispute.id, decision(DisputeOutcome.REFUND_ALL)
        )
        assert decided.refund is not None
        with pytest.raises(PaymentFailed):
            await oc.refunds.pay_pending_refund(decided.refund.id)

        # a decision's refund is set aside: it stays pending for staff, not failed
        after = await oc.disputes.get_dispute(SYSTEM, dispute.id)
        assert after.refund is not None
        assert after.refund.status is RefundStatus.PENDING
