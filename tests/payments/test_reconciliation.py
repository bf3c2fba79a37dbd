"""oc.reconciliation: the ledger compared with the local processor's records."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from openchance import Actor, OpenChance
from openchance.errors import PermissionDenied
from openchance.jobs.registry import JobRegistry
from openchance.models.payouts import PayoutAccount
from openchance.payments.funding_schemas import RefundRequest
from tests.factories.challenges import insert_challenge
from tests.factories.payments import fund
from tests.factories.payouts import connect_payout_account, released_winner
from tests.factories.users import actor_for, create_user

SYSTEM = Actor.system("tests")


async def owner(oc: OpenChance) -> tuple[Actor, uuid.UUID]:
    owner_id = await create_user(oc, email="owner@example.org")
    return await actor_for(oc, "owner@example.org"), owner_id


class TestReconcile:
    async def test_a_ledger_that_matches_the_processor_is_ok(self, oc: OpenChance) -> None:
        actor, owner_id = await owner(oc)
        challenge = await insert_challenge(oc, owner_id)
        funding = await fund(oc, actor, challenge)
        await oc.refunds.refund_funding(SYSTEM, funding.id, RefundRequest(reason="Withdrawn."))

        report = await oc.reconciliation.run(SYSTEM)

        assert report.ok, report.mismatches
        assert (report.payments_checked, report.refunds_checked) == (1, 1)

    async def test_a_charge_the_ledger_never_learned_of_is_reported(self, oc: OpenChance) -> None:
        actor, owner_id = await owner(oc)
        challenge = await insert_challenge(oc, owner_id)
        started = await oc.escrow.start_funding(actor, challenge)
        assert started.processor_payment_id is not None
        assert started.client_secret is not None
        # Charged at the processor; its event not handled (no worker ran).
        await oc.local_processor.confirm_payment(
            started.processor_payment_id, client_secret=started.client_secret,
            card_number="4242424242424242",
        )  # fmt: skip

        report = await oc.reconciliation.run(SYSTEM)

        assert [m.kind for m in report.mismatches] == ["charge_not_recorded"]
        assert report.mismatches[0].subject == started.processor_payment_id

    async def test_a_refund_made_outside_the_ledger_is_reported(self, oc: OpenChance) -> None:
        actor, owner_id = await owner(oc)
        challenge = await insert_challenge(oc, owner_id)
        funding = await fund(oc, actor, challenge)
        assert funding.processor_payment_id is not None
        await oc.local_processor.create_refund(
            payment_id=funding.processor_payment_id, amount_minor=1_000,
            idempotency_key="made-by-hand", metadata={},
        )  # fmt: skip

        report = await oc.reconciliation.run(SYSTEM)

        assert [m.kind for m in report.mismatches] == ["refund_unknown"]

    async def test_staff_see_the_last_result(self, oc: OpenChance) -> None:
        assert await oc.reconciliation.last_run(SYSTEM) is None
        first = await oc.reconciliation.run(SYSTEM)

        assert await oc.reconciliation.last_run(SYSTEM) == first

    async def test_a_challenger_cannot_reconcile(self, oc: OpenChance) -> None:
        actor, _ = await owner(oc)

        with pytest.raises(PermissionDenied):
            await oc.reconciliation.run(actor)

    def test_it_runs_daily(self, registry: JobRegistry) -> None:
        assert "payments.reconcile" in {schedule.name for schedule in registry.schedules}


class TestReconcileTransfers:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"payout_delay_hours": 0}

    async def test_a_payout_transferred_as_recorded_is_ok(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])

        report = await oc.reconciliation.run(SYSTEM)

        assert report.ok, report.mismatches
        assert report.transfers_checked == 1

    async def test_a_transfer_made_outside_the_ledger_is_reported(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        account = await connect_payout_account(oc, winners.solvers[0])
        async with oc.unit_of_work(read_only=True) as uow:
            connected = await uow.session.get(PayoutAccount, account.id)
            assert connected is not None
            connected_id = connected.processor_account_id
        transfer = await oc.local_processor.create_transfer(
            account_id=connected_id, amount_minor=500, currency="EUR",
            idempotency_key="by-hand", metadata={},
        )  # fmt: skip

        report = await oc.reconciliation.run(SYSTEM)

        assert [(m.kind, m.subject) for m in report.mismatches] == [
            ("transfer_unknown", transfer.id)
        ]

    async def test_a_paid_payout_the_processor_failed_is_reported(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        [payout] = await oc.payouts.my_payouts(winners.solvers[0])
        async with oc.engine.begin() as connection:
            await connection.execute(text("UPDATE local_processor_payouts SET status = 'failed'"))

        report = await oc.reconciliation.run(SYSTEM)

        assert [(m.kind, m.subject) for m in report.mismatches] == [
            ("payout_state_differs", str(payout.id))
        ]
        assert report.payouts_checked == 1
