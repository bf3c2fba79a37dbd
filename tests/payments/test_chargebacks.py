"""Card disputes (chargebacks): the processor's charge.dispute.* events freeze the escrow,
and a lost one gives the money back to the world."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.errors import Conflict
from openchance.models.ledger import AccountPurpose
from openchance.models.payments import (
    Chargeback,
    ChargebackStatus,
    EscrowFunding,
    EscrowState,
    LocalDispute,
    ProcessorName,
    Refund,
    RefundStatus,
)
from openchance.payments.dispute_schemas import DisputeOpen
from openchance.payments.funding_schemas import RefundRequest
from openchance.payments.inbox import receive_event
from openchance.payments.milestone_schemas import MilestoneRelease
from openchance.payments.schemas import AccountRef
from tests.factories.payments import Winners, accepted_winners, fund
from tests.support.jobs import drain

SYSTEM = Actor.system("tests")
DISPUTED_CARD = "4000 0000 0000 0259"


async def disputed(oc: OpenChance) -> tuple[Winners, uuid.UUID, str]:
    """A winner's challenge funded with the card that gets disputed; the funding and the
    processor's dispute id."""
    winners = await accepted_winners(oc)
    funding = await fund(oc, winners.owner, winners.challenge_id, card=DISPUTED_CARD)
    await drain(oc)
    async with oc.unit_of_work(read_only=True) as uow:
        dispute_id = await uow.session.scalar(select(LocalDispute.id))
    assert dispute_id is not None
    return winners, funding.id, dispute_id


async def chargeback(oc: OpenChance) -> Chargeback:
    async with oc.unit_of_work(read_only=True) as uow:
        row = (await uow.session.scalars(select(Chargeback))).one()
        return row


async def balance(oc: OpenChance, ref: AccountRef) -> int:
    account = await oc.ledger.find_account(SYSTEM, ref)
    return 0 if account is None else account.balance_minor


class TestChargebacks:
    async def test_a_disputed_charge_freezes_the_escrow(self, oc: OpenChance) -> None:
        winners, _, _ = await disputed(oc)

        assert (await chargeback(oc)).status is ChargebackStatus.OPEN
        escrow = await oc.escrow.get_escrow(winners.owner, winners.challenge_id)
        assert escrow.state is EscrowState.FROZEN
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
        with pytest.raises(Conflict) as caught:
            await oc.milestones.release_milestone(
                winners.owner, milestone.id, MilestoneRelease(amount_minor=1_000)
            )
        assert caught.value.code == "escrow_frozen"

    async def test_a_won_dispute_thaws_the_escrow(self, oc: OpenChance) -> None:
        winners, _, dispute_id = await disputed(oc)

        await oc.local_processor.close_dispute(dispute_id, won=True)
        await drain(oc)

        assert (await chargeback(oc)).status is ChargebackStatus.WON
        escrow = await oc.escrow.get_escrow(winners.owner, winners.challenge_id)
        assert escrow.state is EscrowState.FUNDED

    async def test_a_lost_dispute_ends_what_the_funding_pays_for(self, oc: OpenChance) -> None:
        winners, funding_id, dispute_id = await disputed(oc)

        await oc.local_processor.close_dispute(dispute_id, won=False)
        await drain(oc)

        assert (await chargeback(oc)).status is ChargebackStatus.LOST
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
        assert milestone.funded is False
        with pytest.raises(Conflict) as caught:
            await oc.refunds.refund_funding(SYSTEM, funding_id, RefundRequest(reason="x"))
        assert caught.value.code == "charged_back"
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_the_escrow_is_emptied_and_clearing_covers_the_rest(self, oc: OpenChance) -> None:
        winners, funding_id, dispute_id = await disputed(oc)
        funding = await oc.escrow.get_funding(winners.owner, funding_id)
        held = await balance(oc, AccountRef.escrow(winners.challenge_id, "EUR"))

        await oc.local_processor.close_dispute(dispute_id, won=False)
        await drain(oc)

        assert await balance(oc, AccountRef.escrow(winners.challenge_id, "EUR")) == 0
        clearing = await balance(oc, AccountRef.system(AccountPurpose.PROCESSOR_CLEARING, "EUR"))
        assert clearing == -(funding.total_minor - held)

    async def test_events_in_any_order_make_one_chargeback(self, oc: OpenChance) -> None:
        _, _, dispute_id = await disputed(oc)
        await oc.local_processor.close_dispute(dispute_id, won=False)

        # The created event is handled again after the closing one: nothing changes.
        async with oc.unit_of_work() as uow:
            await receive_event(
                uow, processor=ProcessorName.LOCAL, event_id="evt_replayed_created",
                event_type="charge.dispute.created", object_id=dispute_id, payload={},
            )  # fmt: skip
        await drain(oc)

        row = await chargeback(oc)
        assert row.status is ChargebackStatus.LOST
        assert (await oc.ledger.check_invariants(SYSTEM)).ok


class TestChargebacksAndDisputes:
    async def test_no_dispute_opens_while_a_card_dispute_is_open(self, oc: OpenChance) -> None:
        winners, _, _ = await disputed(oc)
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)

        with pytest.raises(Conflict) as caught:
            await oc.disputes.open_dispute(
                winners.owner, milestone.id, DisputeOpen(reason="Not delivered.")
            )
        assert caught.value.code == "escrow_frozen"

    async def test_a_lost_card_dispute_fails_the_refunds_still_to_pay(self, oc: OpenChance) -> None:
        _, funding_id, dispute_id = await disputed(oc)
        async with oc.unit_of_work() as uow:
            # A refund waiting for the processor when the card network decides.
            funding = await uow.session.get(EscrowFunding, funding_id)
            assert funding is not None
            uow.session.add(
                Refund(
                    funding_id=funding.id, challenge_id=funding.challenge_id, requested_by=None,
                    status=RefundStatus.PENDING, currency="EUR", amount_minor=10_000,
                    held_minor=10_000, processor_fee_minor=0, from_escrow=True,
                    reason="Waiting.", idempotency_key="pending-refund", request_hash="x",
                )
            )  # fmt: skip

        await oc.local_processor.close_dispute(dispute_id, won=False)
        await drain(oc)

        [refund] = await oc.refunds.list_refunds(SYSTEM, funding_id=funding_id)
        assert (refund.status, refund.failure_code) == (RefundStatus.FAILED, "charged_back")
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_a_lost_card_dispute_takes_only_its_own_funding_from_escrow(
        self, oc: OpenChance
    ) -> None:
        winners = await accepted_winners(oc, milestones=[("Data", 40_000), ("Model", 60_000)])
        await fund(oc, winners.owner, winners.challenge_id, card=DISPUTED_CARD)  # milestone 1
        await fund(oc, winners.owner, winners.challenge_id)  # milestone 2, a good card
        await drain(oc)
        async with oc.unit_of_work(read_only=True) as uow:
            dispute_id = await uow.session.scalar(select(LocalDispute.id))
        assert dispute_id is not None
        await oc.local_processor.close_dispute(dispute_id, won=False)
        await drain(oc)

        _, second = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
        released = await oc.milestones.release_milestone(
            winners.owner, second.id, MilestoneRelease(amount_minor=60_000)
        )

        assert released.status.value == "released"
        assert (await oc.ledger.check_invariants(SYSTEM)).ok
