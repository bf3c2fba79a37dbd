"""oc.payouts and oc.payout_accounts: released money reaches the solver's bank through
their payout account, once; staff can hold a payout; both sides see where it is."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import anyio
import pyotp
import pytest
from sqlalchemy import func, select, text, update

from openchance import Actor, OpenChance
from openchance.accounts.two_factor import TotpConfirmation
from openchance.actor import Role
from openchance.db.types import utcnow
from openchance.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PaymentFailed,
    PermissionDenied,
    ProviderUnavailable,
)
from openchance.models.audit import AuditEntry
from openchance.models.ledger import AccountPurpose, OwnerKind
from openchance.models.payments import DisputeOutcome
from openchance.models.payouts import LocalTransfer, Payout, PayoutAccountStatus, PayoutStatus
from openchance.payments.dispute_schemas import DisputeDecision, DisputeOpen
from openchance.payments.payout_schemas import PayoutAccountRequest, PayoutRead
from openchance.payments.processors.base import PayoutProcessor, ProcessorTransfer
from openchance.payments.schemas import AccountRef
from tests.factories.payments import accepted_winners, fund
from tests.factories.payouts import (
    CLOSED_ACCOUNT,
    approve_delivery,
    connect_payout_account,
    funded_winner,
    onboard,
    released_winner,
)
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain

SYSTEM = Actor.system("tests")
NO_DELAY = {"payout_delay_hours": 0}


async def payable(oc: OpenChance, solver: Actor) -> int:
    account = await oc.ledger.find_account(
        SYSTEM, AccountRef(purpose=AccountPurpose.SOLVER_PAYABLE, currency="EUR",
                           owner_kind=OwnerKind.USER, owner_id=solver.user_id),
    )  # fmt: skip
    return 0 if account is None else account.balance_minor


async def only_payout(oc: OpenChance, solver: Actor) -> PayoutRead:
    [payout] = await oc.payouts.my_payouts(solver)
    return payout


async def transfers(oc: OpenChance) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(LocalTransfer)) or 0)


async def support(oc: OpenChance) -> Actor:
    await create_user(oc, email="support@example.org", role=Role.SUPPORT)
    return await actor_for(oc, "support@example.org")


class TransferOutage:
    """The local processor with its transfers down (``provider_unavailable``)."""

    def __init__(self, oc: OpenChance) -> None:
        self._local = oc.local_processor
        self.name = self._local.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._local, name)

    async def create_transfer(self, **_: Any) -> ProcessorTransfer:
        raise ProviderUnavailable("local", "the processor did not answer")


class TransferRefusal(TransferOutage):
    async def create_transfer(self, **_: Any) -> ProcessorTransfer:
        raise PaymentFailed("the account was rejected", code="account_invalid")


def as_payout_processor(processor: TransferOutage) -> PayoutProcessor:
    return processor


class TestAReleaseOwesAPayout:
    async def test_the_winner_is_owed_what_they_were_credited(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)

        payout = await only_payout(oc, winners.solvers[0])

        assert (payout.gross_minor, payout.fee_minor, payout.amount_minor) == (
            100_000, 10_000, 90_000
        )  # fmt: skip
        assert payout.status is PayoutStatus.PENDING
        assert payout.challenge_id == winners.challenge_id

    async def test_it_waits_out_the_security_delay(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])

        payout = await only_payout(oc, winners.solvers[0])

        assert payout.status is PayoutStatus.PENDING
        assert payout.waiting_for == "delay"
        assert await payable(oc, winners.solvers[0]) == 90_000


class TestPayoutAccounts:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return NO_DELAY

    async def test_connecting_gives_an_onboarding_link(self, oc: OpenChance) -> None:
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")

        link = await oc.payout_accounts.connect(solver, PayoutAccountRequest(country="FR"))

        assert "/api/v1/processors/local/accounts/" in link.onboarding_url
        assert link.account.status is PayoutAccountStatus.ONBOARDING
        assert link.account.country == "FR"

    async def test_onboarding_enables_the_account(self, oc: OpenChance) -> None:
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")

        account = await connect_payout_account(oc, solver)

        assert account.status is PayoutAccountStatus.ENABLED
        assert account.bank_last4 == "6789"

    async def test_connecting_twice_keeps_one_account(self, oc: OpenChance) -> None:
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")
        first = await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        second = await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        assert second.account.id == first.account.id
        assert second.onboarding_url != first.onboarding_url

    async def test_an_old_onboarding_link_no_longer_works(self, oc: OpenChance) -> None:
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")
        first = await oc.payout_accounts.connect(solver, PayoutAccountRequest())
        await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        with pytest.raises(NotFound):
            await onboard(oc, first.onboarding_url)

    async def test_changing_the_bank_takes_a_fresh_code_with_two_factor(
        self, oc: OpenChance
    ) -> None:
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")
        await connect_payout_account(oc, solver)
        setup = await oc.two_factor.start_setup(solver)
        await oc.two_factor.confirm_setup(
            solver, TotpConfirmation(code=pyotp.TOTP(setup.secret).at(int(time.time()) - 30))
        )

        with pytest.raises(NotAuthenticated) as refused:
            await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        assert refused.value.code == "totp_required"
        link = await oc.payout_accounts.connect(
            solver, PayoutAccountRequest(totp_code=pyotp.TOTP(setup.secret).now())
        )
        assert link.onboarding_url

    async def test_a_change_of_bank_is_audited(self, oc: OpenChance) -> None:
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")
        await connect_payout_account(oc, solver)

        await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        async with oc.unit_of_work(read_only=True) as uow:
            actions = list(await uow.session.scalars(select(AuditEntry.action)))
        assert "payout_account.change" in actions

    async def test_anonymous_visitors_cannot_connect_one(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.payout_accounts.connect(Actor.anonymous(), PayoutAccountRequest())


class TestSending:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return NO_DELAY

    async def test_a_payout_waits_for_the_payout_account(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await drain(oc)

        payout = await only_payout(oc, winners.solvers[0])

        assert payout.waiting_for == "payout_account"

    async def test_onboarding_sends_the_waiting_payout_to_the_bank(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)

        await connect_payout_account(oc, winners.solvers[0])

        payout = await only_payout(oc, winners.solvers[0])
        assert payout.status is PayoutStatus.PAID
        assert payout.paid_at is not None
        assert await payable(oc, winners.solvers[0]) == 0

    async def test_a_paid_payout_gets_a_numbered_statement(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        payout = await only_payout(oc, winners.solvers[0])

        name, pdf = await oc.payouts.statement_pdf(winners.solvers[0], payout.id)

        assert payout.statement_number == 1
        assert name == "payout-statement-000001.pdf"
        assert pdf.startswith(b"%PDF")

    async def test_a_payout_is_transferred_once_however_often_it_is_sent(
        self, oc: OpenChance
    ) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        payout = await only_payout(oc, winners.solvers[0])

        for _ in range(3):
            await oc.payouts.send(payout.id)

        assert await transfers(oc) == 1
        assert await payable(oc, winners.solvers[0]) == 0

    async def test_concurrent_sends_transfer_it_once(self, oc: OpenChance) -> None:
        winners = await funded_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        await approve_delivery(oc, winners)
        payout = await only_payout(oc, winners.solvers[0])

        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(oc.payouts.send, payout.id)

        assert await transfers(oc) == 1
        assert await payable(oc, winners.solvers[0]) == 0
        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.IN_TRANSIT

    async def test_an_outage_leaves_it_pending_with_nothing_moved(self, oc: OpenChance) -> None:
        winners = await funded_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        oc.use_payout_processor(as_payout_processor(TransferOutage(oc)))
        await approve_delivery(oc, winners)
        payout = await only_payout(oc, winners.solvers[0])

        with pytest.raises(ProviderUnavailable):
            await oc.payouts.send(payout.id)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PENDING
        assert await payable(oc, winners.solvers[0]) == 90_000

    async def test_after_an_outage_the_retry_pays_it_once(self, oc: OpenChance) -> None:
        winners = await funded_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        oc.use_payout_processor(as_payout_processor(TransferOutage(oc)))
        await approve_delivery(oc, winners)
        payout = await only_payout(oc, winners.solvers[0])
        with pytest.raises(ProviderUnavailable):
            await oc.payouts.send(payout.id)
        oc.use_payout_processor(oc.local_processor)

        await oc.payouts.send(payout.id)
        await drain(oc)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PAID
        assert await transfers(oc) == 1

    async def test_a_refused_transfer_fails_it_with_nothing_moved(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        oc.use_payout_processor(as_payout_processor(TransferRefusal(oc)))

        await connect_payout_account(oc, winners.solvers[0])

        payout = await only_payout(oc, winners.solvers[0])
        assert payout.status is PayoutStatus.FAILED
        assert payout.failure_code == "account_invalid"
        assert await payable(oc, winners.solvers[0]) == 90_000

    async def test_a_bank_that_refuses_fails_the_payout(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)

        await connect_payout_account(oc, winners.solvers[0], CLOSED_ACCOUNT)

        payout = await only_payout(oc, winners.solvers[0])
        assert payout.status is PayoutStatus.FAILED
        assert payout.failure_code == "account_closed"

    async def test_after_a_new_bank_account_a_retry_pays_it(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0], CLOSED_ACCOUNT)
        payout = await only_payout(oc, winners.solvers[0])
        await connect_payout_account(oc, winners.solvers[0])

        await oc.payouts.retry(winners.solvers[0], payout.id)
        await drain(oc)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PAID
        assert await transfers(oc) == 1

    async def test_only_a_failed_payout_is_retried(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])

        with pytest.raises(Conflict) as refused:
            await oc.payouts.retry(winners.solvers[0], payout.id)

        assert refused.value.code == "payout_not_failed"

    async def test_a_dispute_decision_owes_the_winner_a_payout(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)
        await fund(oc, winners.owner, winners.challenge_id)
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
        dispute = await oc.disputes.open_dispute(
            winners.solvers[0], milestone.id, DisputeOpen(reason="The work was delivered.")
        )
        staff = await support(oc)

        await oc.disputes.decide_dispute(
            staff, dispute.id,
            DisputeDecision(outcome=DisputeOutcome.RELEASE_ALL, note="It was delivered."),
        )  # fmt: skip

        payout = await only_payout(oc, winners.solvers[0])
        assert payout.amount_minor == 90_000


class TestWhoSeesIt:
    async def test_the_challenger_sees_the_payouts_of_their_challenge(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)

        [payout] = await oc.payouts.challenge_payouts(winners.owner, winners.challenge_id)

        assert payout.user_id == winners.solvers[0].user_id
        assert (await oc.payouts.get_payout(winners.owner, payout.id)).id == payout.id

    async def test_the_challenger_does_not_see_why_staff_hold_it(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])
        await oc.payouts.hold(await support(oc), payout.id, "Checking the solver's identity.")

        seen = await oc.payouts.get_payout(winners.owner, payout.id)

        assert seen.status is PayoutStatus.ON_HOLD
        assert seen.hold_reason is None

    async def test_a_stranger_cannot_see_one(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])
        await create_user(oc, email="stranger@example.org")
        stranger = await actor_for(oc, "stranger@example.org")

        with pytest.raises(NotFound):
            await oc.payouts.get_payout(stranger, payout.id)

    async def test_a_stranger_sees_none_of_a_challenges_payouts(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await create_user(oc, email="stranger@example.org")
        stranger = await actor_for(oc, "stranger@example.org")

        assert await oc.payouts.challenge_payouts(stranger, winners.challenge_id) == []

    async def test_the_challenger_cannot_read_the_statement(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])

        with pytest.raises(NotFound):
            await oc.payouts.statement_pdf(winners.owner, payout.id)

    async def test_no_statement_before_the_money_arrived(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])

        with pytest.raises(Conflict) as refused:
            await oc.payouts.statement_pdf(winners.solvers[0], payout.id)

        assert refused.value.code == "not_paid_yet"

    async def test_only_staff_list_all_payouts(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)

        with pytest.raises(PermissionDenied):
            await oc.payouts.list_payouts(winners.solvers[0])

        assert len(await oc.payouts.list_payouts(await support(oc))) == 1


class TestHolds:
    async def test_support_holds_a_payout_with_a_reason(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])

        held = await oc.payouts.hold(await support(oc), payout.id, "Checking the delivery.")

        assert held.status is PayoutStatus.ON_HOLD
        assert held.hold_reason == "Checking the delivery."

    async def test_a_hold_is_audited(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])

        await oc.payouts.hold(await support(oc), payout.id, "Checking the delivery.")

        async with oc.unit_of_work(read_only=True) as uow:
            entry = (
                await uow.session.scalars(
                    select(AuditEntry).where(AuditEntry.action == "payout.hold")
                )
            ).one()
        assert entry.target_id == str(payout.id)
        assert entry.reason == "Checking the delivery."

    async def test_a_held_payout_is_not_sent(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])
        await oc.payouts.hold(await support(oc), payout.id, "Checking the delivery.")
        await connect_payout_account(oc, winners.solvers[0])

        await oc.payouts.send(payout.id, now=payout.available_at)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.ON_HOLD
        assert await transfers(oc) == 0

    async def test_releasing_the_hold_sends_it(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])
        staff = await support(oc)
        await oc.payouts.hold(staff, payout.id, "Checking the delivery.")
        await connect_payout_account(oc, winners.solvers[0])

        released = await oc.payouts.release_hold(staff, payout.id, "The delivery is fine.")
        await oc.payouts.send(payout.id, now=payout.available_at)
        await drain(oc)

        assert released.status is PayoutStatus.PENDING
        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PAID

    async def test_the_solver_cannot_hold_or_release(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])

        with pytest.raises(PermissionDenied):
            await oc.payouts.hold(winners.solvers[0], payout.id, "Mine.")

    async def test_a_paid_payout_cannot_be_held(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        payout = await only_payout(oc, winners.solvers[0])
        await oc.payouts.send(payout.id, now=payout.available_at)
        await drain(oc)

        with pytest.raises(Conflict) as refused:
            await oc.payouts.hold(await support(oc), payout.id, "Too late.")

        assert refused.value.code == "payout_not_holdable"

    async def test_releasing_a_payout_not_held_is_refused(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        payout = await only_payout(oc, winners.solvers[0])

        with pytest.raises(Conflict) as refused:
            await oc.payouts.release_hold(await support(oc), payout.id, "Nothing held.")

        assert refused.value.code == "payout_not_on_hold"

    async def test_holding_an_unknown_payout_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound):
            await oc.payouts.hold(await support(oc), uuid.uuid4(), "Who?")


class TestInvariant:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return NO_DELAY

    async def test_payouts_match_what_the_ledger_owes_before_and_after_paying(
        self, oc: OpenChance
    ) -> None:
        winners = await released_winner(oc)
        before = await oc.ledger.check_invariants(SYSTEM)
        await connect_payout_account(oc, winners.solvers[0])

        after = await oc.ledger.check_invariants(SYSTEM)

        assert before.ok, before
        assert after.ok, after

    async def test_a_lost_payout_is_reported(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        async with oc.engine.begin() as connection:
            await connection.execute(text("DELETE FROM jobs WHERE name = 'payments.send_payout'"))
            await connection.execute(text("DELETE FROM payouts"))

        report = await oc.ledger.check_invariants(SYSTEM)

        [check] = [check for check in report.checks if check.name == "payouts_match_payable"]
        assert check.violation_count == 1
        assert str(winners.solvers[0].user_id) in check.violations[0].detail


async def forget_jobs(oc: OpenChance) -> None:
    """As if every job died or was lost (what the sweep is for)."""
    async with oc.engine.begin() as connection:
        await connection.execute(text("DELETE FROM jobs"))


class TestSweep:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return NO_DELAY

    async def test_a_due_payout_no_job_will_send_is_sent(self, oc: OpenChance) -> None:
        winners = await funded_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        await approve_delivery(oc, winners)
        await forget_jobs(oc)

        assert await oc.payouts.sweep() == 1
        await drain(oc)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PAID

    async def test_a_payout_stalled_while_sending_is_sent_once(self, oc: OpenChance) -> None:
        winners = await funded_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        await approve_delivery(oc, winners)
        await forget_jobs(oc)
        async with oc.engine.begin() as connection:
            await connection.execute(
                update(Payout).values(sending_since=utcnow() - timedelta(hours=1))
            )

        await oc.payouts.sweep()
        await drain(oc)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PAID
        assert await transfers(oc) == 1

    async def test_a_payout_just_marked_as_sending_is_left_to_its_job(self, oc: OpenChance) -> None:
        winners = await funded_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        await approve_delivery(oc, winners)
        async with oc.engine.begin() as connection:
            await connection.execute(update(Payout).values(sending_since=utcnow()))

        assert await oc.payouts.sweep() == 0

    async def test_an_in_transit_payout_whose_event_never_came_is_read_back(
        self, oc: OpenChance
    ) -> None:
        winners = await funded_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        await approve_delivery(oc, winners)
        payout = await only_payout(oc, winners.solvers[0])
        await oc.payouts.send(payout.id)
        async with oc.unit_of_work(read_only=True) as uow:
            stored = await uow.session.get(Payout, payout.id)
        assert stored is not None
        processor_payout_id = stored.processor_payout_id
        assert processor_payout_id is not None
        await oc.local_processor.settle_payout(processor_payout_id)
        await forget_jobs(oc)  # the bank's answer and its event are lost
        async with oc.engine.begin() as connection:
            await connection.execute(
                update(Payout).values(arrival_date=utcnow() - timedelta(days=2))
            )

        assert await oc.payouts.sweep() == 1
        await drain(oc)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PAID


class TestLaterTurns:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return NO_DELAY

    async def test_a_paid_payout_the_bank_returns_fails_and_can_be_retried(
        self, oc: OpenChance
    ) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0])
        payout = await only_payout(oc, winners.solvers[0])
        async with oc.engine.begin() as connection:
            await connection.execute(
                text("UPDATE local_processor_payouts SET status = 'failed', "
                     "failure_code = 'account_closed'")
            )  # fmt: skip

        await oc.payouts.refresh(payout.id)

        returned = await only_payout(oc, winners.solvers[0])
        assert (returned.status, returned.failure_code) == (PayoutStatus.FAILED, "account_closed")
        retried = await oc.payouts.retry(winners.solvers[0], payout.id)
        assert retried.status is PayoutStatus.PENDING

    async def test_support_holds_a_failed_payout_so_nobody_retries_it(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0], CLOSED_ACCOUNT)
        payout = await only_payout(oc, winners.solvers[0])

        await oc.payouts.hold(await support(oc), payout.id, "Checking the bank details.")

        with pytest.raises(Conflict) as refused:
            await oc.payouts.retry(winners.solvers[0], payout.id)
        assert refused.value.code == "payout_not_failed"

    async def test_releasing_a_failed_payouts_hold_makes_a_new_attempt(
        self, oc: OpenChance
    ) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0], CLOSED_ACCOUNT)
        payout = await only_payout(oc, winners.solvers[0])
        staff = await support(oc)
        await oc.payouts.hold(staff, payout.id, "Checking the bank details.")
        await connect_payout_account(oc, winners.solvers[0])

        await oc.payouts.release_hold(staff, payout.id, "The new bank account is fine.")
        await drain(oc)

        assert (await only_payout(oc, winners.solvers[0])).status is PayoutStatus.PAID

    async def test_a_moderator_cannot_retry_a_payout(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0], CLOSED_ACCOUNT)
        payout = await only_payout(oc, winners.solvers[0])
        await create_user(oc, email="mod@example.org", role=Role.MODERATOR)

        with pytest.raises(NotFound):
            await oc.payouts.retry(await actor_for(oc, "mod@example.org"), payout.id)

    async def test_the_challenger_does_not_see_the_banks_code(self, oc: OpenChance) -> None:
        winners = await released_winner(oc)
        await connect_payout_account(oc, winners.solvers[0], CLOSED_ACCOUNT)
        payout = await only_payout(oc, winners.solvers[0])

        seen = await oc.payouts.get_payout(winners.owner, payout.id)

        assert seen.status is PayoutStatus.FAILED
        assert (seen.failure_code, seen.failure_message) == (None, None)
