"""The demo marketplace's money: funded challenges, a released milestone, a refund, and a
ledger whose every invariant holds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.models.payments import (
    DisputeStatus,
    Escrow,
    EscrowMilestone,
    EscrowState,
    MilestoneStatus,
    Refund,
    RefundStatus,
)
from openchance.models.payouts import PayoutStatus

SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.seeded_demo


async def _challenge_states(oc: OpenChance, state: EscrowState) -> set[ChallengeStatus]:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(Challenge.status).join(Escrow, Escrow.challenge_id == Challenge.id)
            .where(Escrow.state == state)
        )  # fmt: skip
        return set(rows)


class TestDemoPayments:
    async def test_every_challenge_past_acceptance_is_funded(self, oc: OpenChance) -> None:
        funded = await _challenge_states(oc, EscrowState.FUNDED)

        assert {ChallengeStatus.OPEN, ChallengeStatus.IN_PROGRESS,
                ChallengeStatus.IN_REVIEW} <= funded  # fmt: skip

    async def test_completed_challenges_were_released_to_their_winners(
        self, oc: OpenChance
    ) -> None:
        assert await _challenge_states(oc, EscrowState.RELEASED) == {ChallengeStatus.COMPLETED}

    async def test_a_cancelled_challenge_was_refunded(self, oc: OpenChance) -> None:
        assert await _challenge_states(oc, EscrowState.REFUNDED) == {ChallengeStatus.CANCELLED}
        async with oc.unit_of_work(read_only=True) as uow:
            statuses = set(await uow.session.scalars(select(Refund.status)))
        assert statuses == {RefundStatus.SUCCEEDED}

    async def test_deliveries_wait_for_review(self, oc: OpenChance) -> None:
        async with oc.unit_of_work(read_only=True) as uow:
            statuses = set(await uow.session.scalars(select(EscrowMilestone.status)))
        assert statuses == {MilestoneStatus.IN_PROGRESS, MilestoneStatus.SUBMITTED,
                            MilestoneStatus.RELEASED}  # fmt: skip

    async def test_every_ledger_invariant_holds(self, oc: OpenChance) -> None:
        report = await oc.ledger.check_invariants(SYSTEM)

        assert report.ok, report


class TestDemoDispute:
    async def test_one_delivery_is_disputed_and_waits_for_support(self, oc: OpenChance) -> None:
        queue = await oc.disputes.list_disputes(SYSTEM, status=DisputeStatus.OPEN)

        assert len(queue) == 1
        assert await _challenge_states(oc, EscrowState.FROZEN) == {ChallengeStatus.IN_REVIEW}


class TestDemoPayouts:
    async def test_a_winner_was_paid_out_to_their_bank(self, oc: OpenChance) -> None:
        paid = await oc.payouts.list_payouts(SYSTEM, status=PayoutStatus.PAID)

        assert paid
        assert all(payout.statement_number is not None for payout in paid)

    async def test_one_payout_waits_on_hold_for_support(self, oc: OpenChance) -> None:
        held = await oc.payouts.list_payouts(SYSTEM, status=PayoutStatus.ON_HOLD)

        assert len(held) == 1
        assert held[0].hold_reason
