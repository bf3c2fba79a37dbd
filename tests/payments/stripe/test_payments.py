"""The Stripe processor's payments against localstripe: PaymentIntents, declines, refunds,
idempotency keys and an unreachable Stripe."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from openchance import OpenChance
from openchance.db.types import utcnow
from openchance.errors import PaymentFailed, ProviderUnavailable
from openchance.models.payments import FundingStatus, ProcessorName
from openchance.payments.processors.base import PaymentState
from openchance.payments.processors.stripe import StripeProcessor
from tests.payments.stripe.conftest import API_KEY
from tests.payments.stripe.factories import (
    DECLINED,
    card_method,
    challenger,
    confirm,
    deposits,
    started_funding,
)
from tests.payments.stripe.localstripe_peer import LocalStripe


class TestFundingThroughStripe:
    async def test_a_funding_creates_a_payment_intent_tied_to_it(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        _, funding = await started_funding(oc)

        assert funding.processor is ProcessorName.STRIPE
        assert funding.processor_payment_id is not None
        payment = await stripe.retrieve_payment(funding.processor_payment_id)
        assert payment.metadata["openchance_funding_id"] == str(funding.id)
        assert payment.amount_minor == funding.total_minor
        assert payment.currency == funding.currency

    async def test_a_confirmed_test_card_funds_the_escrow(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        actor, funding = await started_funding(oc)

        await confirm(stripe, funding, "pm_card_visa")
        refreshed = await oc.escrow.refresh_funding(actor, funding.id)

        assert refreshed.status is FundingStatus.SUCCEEDED
        assert await deposits(oc) == 1

    async def test_the_card_number_4242_is_charged(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        _, funding = await started_funding(oc)
        method = await card_method(localstripe.url, "4242424242424242")

        payment = await confirm(stripe, funding, method)

        assert payment.state is PaymentState.SUCCEEDED

    async def test_a_declined_card_is_refused_with_its_code(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        actor, funding = await started_funding(oc)

        with pytest.raises(PaymentFailed) as refused:
            await confirm(stripe, funding, DECLINED)

        assert refused.value.code == "card_declined"
        refreshed = await oc.escrow.refresh_funding(actor, funding.id)
        assert refreshed.status is FundingStatus.PENDING
        assert refreshed.failure_code == "card_declined"


class TestRefunds:
    async def test_a_full_refund_shows_in_the_list(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        _, funding = await started_funding(oc)
        payment = await confirm(stripe, funding)

        refund = await stripe.create_refund(
            payment_id=payment.id, amount_minor=payment.amount_minor,
            idempotency_key=f"refund:{funding.id}", metadata={"openchance_refund_id": "r1"},
        )  # fmt: skip

        assert refund.succeeded
        assert refund.payment_id == payment.id
        assert refund.id in {r.id for r in await stripe.list_refunds(created_since=None)}

    async def test_partial_refunds_add_up_to_the_charge_and_no_more(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        _, funding = await started_funding(oc)
        payment = await confirm(stripe, funding)
        half = payment.amount_minor // 2

        first = await stripe.create_refund(
            payment_id=payment.id, amount_minor=half, idempotency_key="r-1", metadata={}
        )
        second = await stripe.create_refund(
            payment_id=payment.id, amount_minor=payment.amount_minor - half,
            idempotency_key="r-2", metadata={},
        )  # fmt: skip
        with pytest.raises(PaymentFailed) as refused:
            await stripe.create_refund(
                payment_id=payment.id, amount_minor=1, idempotency_key="r-3", metadata={}
            )

        assert first.amount_minor + second.amount_minor == payment.amount_minor
        assert refused.value.code == "refund_exceeds_charge"
        listed = {r.id: r for r in await stripe.list_refunds(created_since=None)}
        assert {first.id, second.id} <= set(listed)

    async def test_an_unpaid_payment_is_not_refundable(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        _, funding = await started_funding(oc)
        assert funding.processor_payment_id is not None

        with pytest.raises(PaymentFailed) as refused:
            await stripe.create_refund(
                payment_id=funding.processor_payment_id, amount_minor=100,
                idempotency_key="r-unpaid", metadata={},
            )  # fmt: skip

        assert refused.value.code == "charge_not_refundable"


class TestIdempotencyKeys:
    """localstripe ignores idempotency keys; what the adapter guarantees is that each
    mutating call carries the caller's key (the Connect fake checks Stripe's replay)."""

    async def test_a_payment_and_its_refund_carry_the_callers_keys(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        _, funding = await started_funding(oc)
        payment = await confirm(stripe, funding)
        await stripe.create_refund(
            payment_id=payment.id, amount_minor=100, idempotency_key="refund-key-1", metadata={}
        )

        intents = localstripe.sent("POST", "/v1/payment_intents")
        assert f"funding:{funding.id}" in {r.idempotency_key for r in intents}
        refunds = localstripe.sent("POST", "/v1/refunds")
        assert "refund-key-1" in {r.idempotency_key for r in refunds}

    async def test_a_cancel_carries_a_key_and_a_charged_payment_is_answered_as_it_is(
        self, oc: OpenChance, stripe: StripeProcessor, localstripe: LocalStripe
    ) -> None:
        _, unpaid = await started_funding(oc)
        assert unpaid.processor_payment_id is not None

        canceled = await stripe.cancel_payment(unpaid.processor_payment_id)
        again = await stripe.cancel_payment(unpaid.processor_payment_id)

        assert canceled.state is again.state is PaymentState.CANCELED
        path = f"/v1/payment_intents/{unpaid.processor_payment_id}/cancel"
        assert [r.idempotency_key for r in localstripe.sent("POST", path)] == [
            f"cancel:{unpaid.processor_payment_id}"
        ]


class TestReconciliationReads:
    async def test_the_payments_list_covers_the_window(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        _, funding = await started_funding(oc)
        payment = await confirm(stripe, funding)

        everything = {p.id: p for p in await stripe.list_payments(created_since=None)}
        later = await stripe.list_payments(created_since=utcnow() + timedelta(hours=1))

        assert everything[payment.id].state is PaymentState.SUCCEEDED
        assert payment.id not in {p.id for p in later}


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


class TestStripeDown:
    async def test_an_unreachable_stripe_is_provider_unavailable(self) -> None:
        down = StripeProcessor(
            api_key=API_KEY, api_base=f"http://127.0.0.1:{closed_port()}", max_network_retries=0
        )
        try:
            with pytest.raises(ProviderUnavailable) as unavailable:
                await down.retrieve_payment("pi_123")
        finally:
            await down.aclose()

        assert unavailable.value.provider == "stripe"

    async def test_a_funding_started_while_stripe_is_down_resumes_later(
        self, oc: OpenChance, stripe: StripeProcessor
    ) -> None:
        down = StripeProcessor(
            api_key=API_KEY, api_base=f"http://127.0.0.1:{closed_port()}", max_network_retries=0
        )
        oc.use_payment_processor(down)
        actor, challenge_id = await challenger(oc)
        try:
            with pytest.raises(ProviderUnavailable):
                await oc.escrow.start_funding(actor, challenge_id, idempotency_key="fund-1")
        finally:
            await down.aclose()
        oc.use_payment_processor(stripe)

        resumed = await oc.escrow.start_funding(actor, challenge_id, idempotency_key="fund-1")

        assert resumed.processor_payment_id is not None
        assert resumed.status is FundingStatus.PENDING
