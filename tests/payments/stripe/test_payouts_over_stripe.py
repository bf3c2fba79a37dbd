"""Payouts end to end on Stripe: an installation configured for Stripe takes the prize
and pays the solver out through the Stripe processor alone (localstripe for the card, the
Connect fake for accounts, transfers and payouts), and the fake's signed Connect events
reach our webhook endpoint on a real port, where the worker handles them.

The prize is paid with Stripe's test card; the charge then stands on the fake's platform
balance (:func:`platform_holds`: localstripe's charges and the fake's balances are not
joined, so the test puts it there)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from openchance import Actor, OpenChance
from openchance.models.ledger import AccountPurpose, LedgerTransaction, OwnerKind
from openchance.models.payments import ProcessorName
from openchance.models.payouts import PayoutAccount, PayoutAccountStatus, PayoutStatus
from openchance.payments.payout_schemas import PayoutAccountRequest, PayoutRead
from openchance.payments.processors.base import ACCOUNT_USER_METADATA, PAYOUT_ID_METADATA
from openchance.payments.processors.stripe import StripeProcessor
from openchance.payments.schemas import AccountRef
from tests.factories.payments import Winners, accepted_winners
from tests.factories.payouts import approve_delivery
from tests.factories.users import actor_for, create_user
from tests.payments.stripe.conftest import WEBHOOK_SECRET
from tests.payments.stripe.connect_fake import EVENTS, PLATFORM
from tests.payments.stripe.factories import confirm, control, stored_events
from tests.payments.stripe.localstripe_peer import LocalStripe
from tests.support.jobs import drain

SYSTEM = Actor.system("tests")


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    """Stripe's settings (the package's conftest), with payouts sent as soon as owed."""
    return {**settings_overrides, "payout_delay_hours": 0}


# -- the steps -------------------------------------------------------------------------


def platform_holds(localstripe: LocalStripe, amount_minor: int) -> None:
    """Set the platform's EUR balance at the fake (its control route only credits)."""

    async def set_balance() -> None:
        localstripe.connect.balances[PLATFORM]["eur"] = amount_minor

    localstripe.call(set_balance())


async def funded_winner(
    oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe
) -> Winners:
    """One winner accepted on a 1000.00 EUR prize the challenger paid with a test card."""
    winners = await accepted_winners(oc)
    funding = await oc.escrow.start_funding(winners.owner, winners.challenge_id)
    await confirm(stripe, funding, "pm_card_visa")
    paid = await oc.escrow.refresh_funding(winners.owner, funding.id)
    platform_holds(localstripe, paid.total_minor)
    return winners


async def new_solver(oc: OpenChance) -> Actor:
    await create_user(oc, email="solver@example.org")
    return await actor_for(oc, "solver@example.org")


async def connect(oc: OpenChance, solver: Actor) -> str:
    """The solver connects a payout account; its Stripe account id."""
    await oc.payout_accounts.connect(solver, PayoutAccountRequest())
    return await processor_account_id(oc, solver)


async def processor_account_id(oc: OpenChance, solver: Actor) -> str:
    async with oc.unit_of_work(read_only=True) as uow:
        account_id = await uow.session.scalar(
            select(PayoutAccount.processor_account_id).where(
                PayoutAccount.user_id == solver.user_id
            )
        )
    assert account_id is not None
    return account_id


@contextmanager
def deliveries(localstripe: LocalStripe, webhook_url: str, times: int = 1) -> Iterator[None]:
    """The fake's Connect events reach our endpoint, each ``times`` times (as many
    endpoints with its URL)."""
    with ExitStack() as stack:
        for _ in range(times):
            stack.enter_context(localstripe.webhook(webhook_url, WEBHOOK_SECRET, events=EVENTS))
        yield


async def onboard(
    oc: OpenChance, localstripe: LocalStripe, webhook_url: str, account_id: str, times: int = 1
) -> None:
    """The holder finishes onboarding at Stripe; the worker handles ``account.updated``."""
    with deliveries(localstripe, webhook_url, times):
        await control(localstripe, f"accounts/{account_id}/onboard", bank_last4="4321")
    await drain(oc)


async def settle(
    oc: OpenChance,
    localstripe: LocalStripe,
    webhook_url: str,
    payout_id: str,
    times: int = 1,
    **answer: str,
) -> None:
    """The bank answers the payout; the worker handles ``payout.paid`` / ``payout.failed``."""
    with deliveries(localstripe, webhook_url, times):
        await control(localstripe, f"payouts/{payout_id}/settle", **answer)
    await drain(oc)


async def only_payout(oc: OpenChance, solver: Actor) -> PayoutRead:
    [payout] = await oc.payouts.my_payouts(solver)
    return payout


def transfers_for(localstripe: LocalStripe, payout: PayoutRead) -> list[dict[str, Any]]:
    return [
        transfer
        for transfer in localstripe.connect.transfers
        if transfer["metadata"].get(PAYOUT_ID_METADATA) == str(payout.id)
    ]


def payouts_for(localstripe: LocalStripe, payout: PayoutRead) -> list[dict[str, Any]]:
    return [
        sent
        for sent in localstripe.connect.payouts.values()
        if sent["metadata"].get(PAYOUT_ID_METADATA) == str(payout.id)
    ]


async def payable(oc: OpenChance, solver: Actor) -> int:
    account = await oc.ledger.find_account(
        SYSTEM, AccountRef(purpose=AccountPurpose.SOLVER_PAYABLE, currency="EUR",
                           owner_kind=OwnerKind.USER, owner_id=solver.user_id),
    )  # fmt: skip
    return 0 if account is None else account.balance_minor


async def ledger_transfers(oc: OpenChance) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        count = await uow.session.scalar(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.kind == "payout_transfer")
        )
    return int(count or 0)


async def in_transit(
    oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
) -> tuple[Actor, str, str]:
    """A released prize paid out to the onboarded solver's bank, not arrived yet: the
    solver, their Stripe account id and the Stripe payout's id."""
    winners = await funded_winner(oc, stripe, localstripe)
    solver = winners.solvers[0]
    account_id = await connect(oc, solver)
    await onboard(oc, localstripe, webhook_url, account_id)
    await approve_delivery(oc, winners)
    await drain(oc)
    [bank_payout] = payouts_for(localstripe, await only_payout(oc, solver))
    return solver, account_id, bank_payout["id"]


# -- the tests ---------------------------------------------------------------------------


class TestPayoutAccountOverStripe:
    async def test_connecting_creates_an_express_account_and_its_onboarding_link(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        assert oc.payout_processor is stripe
        solver = await new_solver(oc)

        link = await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        account_id = await processor_account_id(oc, solver)
        at_stripe = localstripe.connect.accounts[account_id]
        assert at_stripe["type"] == "express"
        assert at_stripe["metadata"] == {ACCOUNT_USER_METADATA: str(solver.user_id)}
        assert link.onboarding_url.startswith(
            f"{localstripe.url}/_config/connect/onboarding/{account_id}/"
        )
        assert link.account.status is PayoutAccountStatus.ONBOARDING

    async def test_the_account_is_paid_out_only_when_we_say_so(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        solver = await new_solver(oc)

        await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        at_stripe = localstripe.connect.accounts[await processor_account_id(oc, solver)]
        assert at_stripe["settings"]["payouts"]["schedule"]["interval"] == "manual"

    async def test_finished_onboarding_enables_the_account_through_its_webhook(
        self, oc: OpenChance, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        solver = await new_solver(oc)
        account_id = await connect(oc, solver)

        await onboard(oc, localstripe, webhook_url, account_id)

        [event] = await stored_events(oc)
        assert (event.processor, event.type, event.object_id) == (
            ProcessorName.STRIPE, "account.updated", account_id,
        )  # fmt: skip
        assert event.payload["account"] == account_id
        account = await oc.payout_accounts.my_account(solver)
        assert account is not None
        assert account.status is PayoutAccountStatus.ENABLED
        assert account.bank_last4 == "4321"

    async def test_asking_again_once_onboarded_gives_the_express_dashboard(
        self, oc: OpenChance, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        solver = await new_solver(oc)
        account_id = await connect(oc, solver)
        await onboard(oc, localstripe, webhook_url, account_id)

        link = await oc.payout_accounts.connect(solver, PayoutAccountRequest())

        assert link.onboarding_url.startswith(
            f"{localstripe.url}/_config/connect/express/{account_id}/"
        )
        assert len(localstripe.sent("POST", f"/v1/accounts/{account_id}/login_links")) == 1


class TestPayoutOverStripe:
    async def test_a_released_prize_is_transferred_then_paid_out_to_the_connected_account(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        winners = await funded_winner(oc, stripe, localstripe)
        solver = winners.solvers[0]
        account_id = await connect(oc, solver)
        await onboard(oc, localstripe, webhook_url, account_id)

        await approve_delivery(oc, winners)
        await drain(oc)

        payout = await only_payout(oc, solver)
        assert payout.status is PayoutStatus.IN_TRANSIT
        [transfer] = transfers_for(localstripe, payout)
        assert (transfer["destination"], transfer["amount"]) == (account_id, payout.amount_minor)
        [sent_transfer] = [
            r
            for r in localstripe.sent("POST", "/v1/transfers")
            if r.idempotency_key == f"payout:{payout.id}:transfer:0"
        ]
        assert sent_transfer.stripe_account is None
        [bank_payout] = payouts_for(localstripe, payout)
        assert bank_payout["amount"] == payout.amount_minor
        assert f"payout:{payout.id}:payout:0" in {
            r.idempotency_key
            for r in localstripe.sent("POST", "/v1/payouts")
            if r.stripe_account == account_id
        }
        assert await stripe.retrieve_balance(account_id=account_id) == {"EUR": 0}
        assert await payable(oc, solver) == 0

    async def test_payout_paid_marks_the_payout_paid_with_a_statement_number(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        solver, _, payout_id = await in_transit(oc, stripe, localstripe, webhook_url)

        await settle(oc, localstripe, webhook_url, payout_id, status="paid")

        payout = await only_payout(oc, solver)
        assert payout.status is PayoutStatus.PAID
        assert payout.statement_number == 1
        assert payout.paid_at is not None

    async def test_payout_failed_marks_the_payout_failed_with_the_banks_code(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        solver, account_id, payout_id = await in_transit(oc, stripe, localstripe, webhook_url)

        await settle(
            oc, localstripe, webhook_url, payout_id, status="failed", failure_code="no_account"
        )

        payout = await only_payout(oc, solver)
        assert payout.status is PayoutStatus.FAILED
        assert payout.failure_code == "no_account"
        assert payout.statement_number is None
        assert await stripe.retrieve_balance(account_id=account_id) == {"EUR": payout.amount_minor}


class TestRedeliveries:
    """Stripe delivers an event again until it is acknowledged, and may do so anyway: here
    every event reaches our endpoint three times (three endpoints with one URL)."""

    async def test_account_updated_three_times_sends_one_transfer(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        winners = await funded_winner(oc, stripe, localstripe)
        solver = winners.solvers[0]
        account_id = await connect(oc, solver)
        await approve_delivery(oc, winners)
        await drain(oc)

        await onboard(oc, localstripe, webhook_url, account_id, times=3)

        payout = await only_payout(oc, solver)
        assert payout.status is PayoutStatus.IN_TRANSIT
        assert len(transfers_for(localstripe, payout)) == 1
        assert len(payouts_for(localstripe, payout)) == 1
        assert await ledger_transfers(oc) == 1
        assert [e.type for e in await stored_events(oc)] == ["account.updated"]

    async def test_payout_paid_three_times_numbers_one_statement(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        solver, _, payout_id = await in_transit(oc, stripe, localstripe, webhook_url)

        await settle(oc, localstripe, webhook_url, payout_id, times=3, status="paid")

        payout = await only_payout(oc, solver)
        assert payout.status is PayoutStatus.PAID
        assert payout.statement_number == 1
        assert await oc.payouts.statement_pdf(solver, payout.id)
        assert [e.type for e in await stored_events(oc)] == ["account.updated", "payout.paid"]


OWED = 90_000
"""What the winner of a 1000.00 EUR prize is paid out (10 % fee)."""


async def refused_for_the_platforms_balance(
    oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
) -> tuple[Actor, PayoutRead]:
    """A payout whose transfer Stripe refused: the platform held a cent too little."""
    winners = await funded_winner(oc, stripe, localstripe)
    solver = winners.solvers[0]
    await onboard(oc, localstripe, webhook_url, await connect(oc, solver))
    platform_holds(localstripe, OWED - 1)
    await approve_delivery(oc, winners)
    await drain(oc)
    return solver, await only_payout(oc, solver)


class TestRefusedTransfers:
    async def test_a_platform_balance_too_low_fails_the_payout_and_moves_nothing(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        solver, payout = await refused_for_the_platforms_balance(
            oc, stripe, localstripe, webhook_url
        )

        assert payout.amount_minor == OWED
        assert payout.status is PayoutStatus.FAILED
        assert payout.failure_code == "balance_insufficient"
        assert transfers_for(localstripe, payout) == []
        assert payouts_for(localstripe, payout) == []
        assert await payable(oc, solver) == OWED
        assert await ledger_transfers(oc) == 0

    async def test_a_retry_once_the_platform_is_topped_up_is_transferred(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe, webhook_url: str
    ) -> None:
        solver, refused = await refused_for_the_platforms_balance(
            oc, stripe, localstripe, webhook_url
        )
        platform_holds(localstripe, OWED)

        await oc.payouts.retry(solver, refused.id)
        await drain(oc)

        payout = await only_payout(oc, solver)
        assert (payout.status, payout.failure_code) == (PayoutStatus.IN_TRANSIT, None)
        assert len(transfers_for(localstripe, payout)) == 1
        assert await payable(oc, solver) == 0


class TestWaitingForTheAccount:
    async def test_a_payout_waits_for_an_account_not_onboarded_and_is_not_transferred(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        winners = await funded_winner(oc, stripe, localstripe)
        solver = winners.solvers[0]
        await connect(oc, solver)

        await approve_delivery(oc, winners)
        await drain(oc)

        payout = await only_payout(oc, solver)
        assert payout.status is PayoutStatus.PENDING
        assert payout.waiting_for == "payout_account"
        assert transfers_for(localstripe, payout) == []
        assert not [
            r
            for r in localstripe.sent("POST", "/v1/transfers")
            if r.idempotency_key == f"payout:{payout.id}:transfer:0"
        ]
        assert await payable(oc, solver) == payout.amount_minor
