"""The local processor: Stripe's test cards, client secrets and idempotency keys."""

from __future__ import annotations

import pytest

from openchance import OpenChance
from openchance.errors import Conflict, InvalidInput, NotFound
from openchance.payments.processors.base import PaymentState, ProcessorPayment


async def payment(oc: OpenChance, key: str = "key-1", amount: int = 1_000) -> ProcessorPayment:
    return await oc.local_processor.create_payment(
        amount_minor=amount, currency="EUR", idempotency_key=key, description="test",
        metadata={"order": "1"},
    )  # fmt: skip


async def confirm(oc: OpenChance, created: ProcessorPayment, card: str) -> ProcessorPayment:
    assert created.client_secret is not None
    return await oc.local_processor.confirm_payment(
        created.id, client_secret=created.client_secret, card_number=card
    )


class TestLocalProcessor:
    async def test_a_new_payment_waits_for_a_card(self, oc: OpenChance) -> None:
        created = await payment(oc)

        assert created.state is PaymentState.REQUIRES_PAYMENT_METHOD
        assert created.id.startswith("pi_local_")
        assert created.client_secret

    async def test_the_same_key_and_request_return_the_first_payment(self, oc: OpenChance) -> None:
        first = await payment(oc)

        assert (await payment(oc)).id == first.id

    async def test_the_same_key_for_another_request_is_refused(self, oc: OpenChance) -> None:
        await payment(oc)

        with pytest.raises(Conflict) as caught:
            await payment(oc, amount=2_000)
        assert caught.value.code == "idempotency_key_reused"

    async def test_the_success_card_charges(self, oc: OpenChance) -> None:
        charged = await confirm(oc, await payment(oc), "4242 4242 4242 4242")

        assert charged.state is PaymentState.SUCCEEDED

    @pytest.mark.parametrize(
        ("card", "code"),
        [
            ("4000000000000002", "card_declined"),
            ("4000000000009995", "insufficient_funds"),
            ("4000000000000069", "expired_card"),
        ],
    )
    async def test_a_declining_card_leaves_the_payment_waiting_with_the_reason(
        self, oc: OpenChance, card: str, code: str
    ) -> None:
        declined = await confirm(oc, await payment(oc), card)

        assert declined.state is PaymentState.REQUIRES_PAYMENT_METHOD
        assert declined.failure_code == code

    async def test_a_card_that_is_not_a_test_card_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as caught:
            await confirm(oc, await payment(oc), "4111 1111 1111 1112")
        assert caught.value.code == "unknown_test_card"

    async def test_a_wrong_client_secret_is_not_found(self, oc: OpenChance) -> None:
        created = await payment(oc)

        with pytest.raises(NotFound):
            await oc.local_processor.confirm_payment(
                created.id, client_secret="pi_wrong_secret", card_number="4242424242424242"
            )

    async def test_a_charged_payment_cannot_be_confirmed_again(self, oc: OpenChance) -> None:
        created = await payment(oc)
        await confirm(oc, created, "4242424242424242")

        with pytest.raises(Conflict) as caught:
            await confirm(oc, created, "4242424242424242")
        assert caught.value.code == "payment_not_confirmable"

    async def test_authenticating_a_payment_that_did_not_ask_is_refused(
        self, oc: OpenChance
    ) -> None:
        created = await payment(oc)
        assert created.client_secret is not None

        with pytest.raises(Conflict) as caught:
            await oc.local_processor.authenticate(
                created.id, client_secret=created.client_secret, approve=True
            )
        assert caught.value.code == "payment_not_authenticating"

    async def test_3ds_then_insufficient_funds_declines_after_authentication(
        self, oc: OpenChance
    ) -> None:
        created = await payment(oc)
        assert created.client_secret is not None
        waiting = await confirm(oc, created, "4000008260003178")
        assert waiting.state is PaymentState.REQUIRES_ACTION

        declined = await oc.local_processor.authenticate(
            created.id, client_secret=created.client_secret, approve=True
        )

        assert declined.state is PaymentState.REQUIRES_PAYMENT_METHOD
        assert declined.failure_code == "insufficient_funds"
