"""The Stripe processor's Connect side (accounts, onboarding links, transfers, payouts)
over HTTP with the official client, against the in-repo Connect fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from openchance import OpenChance
from openchance.errors import Conflict, NotFound, PaymentFailed
from openchance.models.payments import ProcessorName
from openchance.payments.processors.base import PayoutState, ProcessorAccount
from openchance.payments.processors.stripe import LOGIN_LINK_SECONDS, StripeProcessor
from tests.payments.stripe.conftest import API_KEY, WEBHOOK_SECRET
from tests.payments.stripe.factories import control, stored_events
from tests.payments.stripe.localstripe_peer import LocalStripe
from tests.support.waiting import eventually


async def new_account(stripe: StripeProcessor, key: str = "acct-key") -> ProcessorAccount:
    return await stripe.create_account(
        email="solver@example.org", country="DE", idempotency_key=f"{key}:{id(stripe)}",
        metadata={"openchance_user_id": "u-1"},
    )  # fmt: skip


async def onboarded_account(stripe: StripeProcessor, localstripe: LocalStripe) -> str:
    account = await new_account(stripe, key=f"onboarded-{len(localstripe.requests)}")
    await control(localstripe, f"accounts/{account.id}/onboard", bank_last4="4321")
    return account.id


async def funded_account(
    stripe: StripeProcessor, localstripe: LocalStripe, amount: int, *, key: str
) -> str:
    account_id = await onboarded_account(stripe, localstripe)
    await control(localstripe, "platform_balance", amount=amount, currency="eur")
    await stripe.create_transfer(
        account_id=account_id, amount_minor=amount, currency="EUR", idempotency_key=key,
        metadata={},
    )  # fmt: skip
    return account_id


class TestOnboarding:
    async def test_an_account_is_paid_out_once_its_holder_onboarded(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account = await new_account(stripe)

        link = await stripe.create_account_link(
            account_id=account.id, refresh_url="http://127.0.0.1/refresh",
            return_url="http://127.0.0.1/return",
        )  # fmt: skip
        await control(localstripe, f"accounts/{account.id}/onboard", bank_last4="4321")
        onboarded = await stripe.retrieve_account(account.id)

        assert not account.payouts_enabled
        assert account.disabled_reason == "requirements.past_due"
        assert account.metadata == {"openchance_user_id": "u-1"}
        assert link.url.startswith(localstripe.url)
        assert onboarded.details_submitted
        assert onboarded.payouts_enabled
        assert onboarded.disabled_reason is None
        assert onboarded.bank_last4 == "4321"

    async def test_an_onboarded_account_gets_a_login_link_to_its_express_dashboard(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account_id = await onboarded_account(stripe, localstripe)
        before = datetime.now(UTC)

        link = await stripe.create_account_link(
            account_id=account_id, refresh_url="http://127.0.0.1/refresh",
            return_url="http://127.0.0.1/return",
        )  # fmt: skip

        assert link.url.startswith(f"{localstripe.url}/_config/connect/express/{account_id}/")
        assert len(localstripe.sent("POST", f"/v1/accounts/{account_id}/login_links")) == 1
        window = timedelta(seconds=LOGIN_LINK_SECONDS)
        assert before + window <= link.expires_at <= datetime.now(UTC) + window

    async def test_an_account_still_onboarding_gets_an_onboarding_link(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account = await new_account(stripe, key="still-onboarding")

        link = await stripe.create_account_link(
            account_id=account.id, refresh_url="http://127.0.0.1/refresh",
            return_url="http://127.0.0.1/return",
        )  # fmt: skip

        assert link.url.startswith(f"{localstripe.url}/_config/connect/onboarding/{account.id}/")
        assert localstripe.sent("POST", f"/v1/accounts/{account.id}/login_links") == []

    async def test_no_login_link_is_given_before_onboarding(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account = await new_account(stripe, key="no-dashboard-yet")

        async with httpx.AsyncClient(base_url=localstripe.url) as client:
            answer = await client.post(
                f"/v1/accounts/{account.id}/login_links",
                headers={"Authorization": f"Bearer {API_KEY}"},
            )

        assert answer.status_code == 400
        assert answer.json()["error"]["type"] == "invalid_request_error"

    async def test_an_unknown_account_is_not_found(self, stripe: StripeProcessor) -> None:
        with pytest.raises(NotFound):
            await stripe.retrieve_account("acct_unknown")


class TestTransfers:
    async def test_a_transfer_moves_the_platforms_balance_to_the_account(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account_id = await onboarded_account(stripe, localstripe)
        await control(localstripe, "platform_balance", amount=10_000, currency="eur")
        platform_before = (await stripe.retrieve_balance())["EUR"]

        transfer = await stripe.create_transfer(
            account_id=account_id, amount_minor=2_500, currency="EUR",
            idempotency_key=f"transfer:{account_id}", metadata={"openchance_payout_id": "p-1"},
        )  # fmt: skip

        assert transfer.account_id == account_id
        assert await stripe.retrieve_balance(account_id=account_id) == {"EUR": 2_500}
        assert (await stripe.retrieve_balance())["EUR"] == platform_before - 2_500
        listed = {t.id: t for t in await stripe.list_transfers(created_since=None)}
        assert listed[transfer.id].metadata == {"openchance_payout_id": "p-1"}

    async def test_an_account_not_onboarded_cannot_receive_a_transfer(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account = await new_account(stripe, key="not-onboarded")
        await control(localstripe, "platform_balance", amount=1_000, currency="eur")

        with pytest.raises(PaymentFailed) as refused:
            await stripe.create_transfer(
                account_id=account.id, amount_minor=1_000, currency="EUR",
                idempotency_key=f"transfer:{account.id}", metadata={},
            )  # fmt: skip

        assert refused.value.code == "insufficient_capabilities_for_transfer"


class TestIdempotencyKeys:
    async def test_the_same_key_and_request_is_the_same_transfer_once(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account_id = await onboarded_account(stripe, localstripe)
        await control(localstripe, "platform_balance", amount=1_000, currency="eur")
        request: dict[str, Any] = {
            "account_id": account_id, "amount_minor": 700, "currency": "EUR",
            "idempotency_key": f"same:{account_id}", "metadata": {},
        }  # fmt: skip

        first = await stripe.create_transfer(**request)
        second = await stripe.create_transfer(**request)

        assert first.id == second.id
        assert await stripe.retrieve_balance(account_id=account_id) == {"EUR": 700}

    async def test_the_same_key_with_other_parameters_is_refused(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account_id = await onboarded_account(stripe, localstripe)
        await control(localstripe, "platform_balance", amount=1_000, currency="eur")
        key = f"reused:{account_id}"
        await stripe.create_transfer(
            account_id=account_id, amount_minor=100, currency="EUR", idempotency_key=key,
            metadata={},
        )  # fmt: skip

        with pytest.raises(Conflict) as refused:
            await stripe.create_transfer(
                account_id=account_id, amount_minor=200, currency="EUR", idempotency_key=key,
                metadata={},
            )  # fmt: skip

        assert refused.value.code == "idempotency_key_reused"
        assert await stripe.retrieve_balance(account_id=account_id) == {"EUR": 100}


class TestPayouts:
    async def test_a_payout_is_made_on_the_accounts_own_balance(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account_id = await funded_account(stripe, localstripe, 900, key="fund-payout-1")

        payout = await stripe.create_payout(
            account_id=account_id, amount_minor=900, currency="EUR",
            idempotency_key=f"payout:{account_id}", metadata={"openchance_payout_id": "p-2"},
        )  # fmt: skip

        assert payout.state is PayoutState.PENDING
        assert payout.arrival_date is not None
        assert await stripe.retrieve_balance(account_id=account_id) == {"EUR": 0}
        [sent] = localstripe.sent("POST", "/v1/payouts")[-1:]
        assert sent.stripe_account == account_id
        assert sent.idempotency_key == f"payout:{account_id}"

    async def test_a_payout_beyond_the_balance_is_refused(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        account_id = await funded_account(stripe, localstripe, 500, key="fund-payout-2")

        with pytest.raises(PaymentFailed) as refused:
            await stripe.create_payout(
                account_id=account_id, amount_minor=501, currency="EUR",
                idempotency_key=f"payout:{account_id}", metadata={},
            )  # fmt: skip

        assert refused.value.code == "balance_insufficient"

    async def test_another_accounts_payout_is_not_visible(
        self, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        owner = await funded_account(stripe, localstripe, 300, key="fund-payout-3")
        other = await onboarded_account(stripe, localstripe)
        payout = await stripe.create_payout(
            account_id=owner, amount_minor=300, currency="EUR",
            idempotency_key=f"payout:{owner}", metadata={},
        )  # fmt: skip

        with pytest.raises(NotFound):
            await stripe.retrieve_payout(account_id=other, payout_id=payout.id)

        seen = await stripe.retrieve_payout(account_id=owner, payout_id=payout.id)
        assert seen.id == payout.id
        assert await stripe.retrieve_balance(account_id=other) == {}

    async def test_a_failed_payout_returns_the_money_and_is_announced(
        self,
        oc: OpenChance,
        stripe: StripeProcessor,
        localstripe: LocalStripe,
        webhook_url: str,
    ) -> None:
        account_id = await funded_account(stripe, localstripe, 400, key="fund-payout-4")
        payout = await stripe.create_payout(
            account_id=account_id, amount_minor=400, currency="EUR",
            idempotency_key=f"payout:{account_id}", metadata={},
        )  # fmt: skip

        with localstripe.webhook(webhook_url, WEBHOOK_SECRET):
            await control(localstripe, f"payouts/{payout.id}/settle", status="failed",
                          failure_code="account_closed")  # fmt: skip
            [event] = await eventually(lambda: stored_events(oc))

        failed = await stripe.retrieve_payout(account_id=account_id, payout_id=payout.id)
        assert failed.state is PayoutState.FAILED
        assert failed.failure_code == "account_closed"
        assert await stripe.retrieve_balance(account_id=account_id) == {"EUR": 400}
        assert (event.processor, event.type, event.object_id) == (
            ProcessorName.STRIPE, "payout.failed", payout.id,
        )  # fmt: skip
        assert event.payload["account"] == account_id

    async def test_a_paid_payout_is_announced(
        self,
        oc: OpenChance,
        stripe: StripeProcessor,
        localstripe: LocalStripe,
        webhook_url: str,
    ) -> None:
        account_id = await funded_account(stripe, localstripe, 400, key="fund-payout-5")
        payout = await stripe.create_payout(
            account_id=account_id, amount_minor=400, currency="EUR",
            idempotency_key=f"payout:{account_id}", metadata={},
        )  # fmt: skip

        with localstripe.webhook(webhook_url, WEBHOOK_SECRET):
            await control(localstripe, f"payouts/{payout.id}/settle", status="paid")
            [event] = await eventually(lambda: stored_events(oc))

        paid = await stripe.retrieve_payout(account_id=account_id, payout_id=payout.id)
        assert paid.state is PayoutState.PAID
        assert event.type == "payout.paid"
