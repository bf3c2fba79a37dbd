"""Stripe's webhooks through our real HTTP endpoint: signed deliveries are stored once and
handled by the inbox's job, in any order and any number of times, with one effect."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from openchance import OpenChance
from openchance.models.payments import EventOutcome, FundingStatus, ProcessorName
from openchance.payments.processors.base import payment_intent_object
from openchance.payments.processors.stripe import StripeProcessor
from tests.payments.stripe.conftest import WEBHOOK_SECRET, signed
from tests.payments.stripe.factories import (
    confirm,
    deposits,
    started_funding,
    stored_events,
)
from tests.payments.stripe.localstripe_peer import LocalStripe
from tests.support.jobs import drain
from tests.support.waiting import eventually


def intent_event(event_id: str, event_type: str, payment_id: str, status: str) -> dict[str, Any]:
    """An event as Stripe sends it (its copy of the object may be stale: handlers re-read)."""
    intent = payment_intent_object(
        payment_id=payment_id, amount_minor=1, currency="eur", status=status, metadata={}
    )
    return {"id": event_id, "object": "event", "type": event_type,
            "created": int(time.time()), "data": {"object": intent}}  # fmt: skip


async def post(server_url: str, payload: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    async with httpx.AsyncClient(base_url=server_url) as client:
        return await client.post("/api/v1/webhooks/stripe", content=payload, headers=headers)


class TestDeliveredByLocalstripe:
    async def test_a_paid_intent_funds_the_escrow_through_the_webhook(
        self,
        oc: OpenChance,
        stripe: StripeProcessor,
        localstripe: LocalStripe,
        webhook_url: str,
    ) -> None:
        actor, funding = await started_funding(oc)

        with localstripe.webhook(webhook_url, WEBHOOK_SECRET):
            await confirm(stripe, funding)
            [event] = await eventually(stored_events_of(oc), timeout=10)
        await drain(oc)

        assert event.processor is ProcessorName.STRIPE
        assert event.type == "payment_intent.succeeded"
        assert (await oc.escrow.get_funding(actor, funding.id)).status is FundingStatus.SUCCEEDED
        assert await deposits(oc) == 1


def stored_events_of(oc: OpenChance) -> Any:
    async def probe() -> list[Any]:
        return await stored_events(oc)

    return probe


class TestSignedDeliveries:
    async def test_one_event_delivered_three_times_has_one_effect(
        self, oc: OpenChance, stripe: StripeProcessor, server_url: str
    ) -> None:
        actor, funding = await started_funding(oc)
        payment = await confirm(stripe, funding)
        payload, signature = signed(
            intent_event("evt_paid_1", "payment_intent.succeeded", payment.id, "succeeded")
        )

        answers = [await post(server_url, payload, signature) for _ in range(3)]
        await drain(oc)

        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a.json()["new"] for a in answers] == [True, False, False]
        [event] = await stored_events(oc)
        assert event.outcome is EventOutcome.APPLIED
        assert (await oc.escrow.get_funding(actor, funding.id)).status is FundingStatus.SUCCEEDED
        assert await deposits(oc) == 1

    @pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
    async def test_events_in_any_order_reach_the_same_end(
        self, oc: OpenChance, stripe: StripeProcessor, server_url: str, order: tuple[int, ...]
    ) -> None:
        actor, funding = await started_funding(oc)
        payment = await confirm(stripe, funding)
        # Copies as they were along the way; the handler reads the payment as it is now.
        events = [
            intent_event("evt_o_1", "payment_intent.payment_failed", payment.id,
                         "requires_payment_method"),
            intent_event("evt_o_2", "payment_intent.succeeded", payment.id, "succeeded"),
            intent_event("evt_o_3", "payment_intent.processing", payment.id, "processing"),
        ]  # fmt: skip

        for index in order:
            assert (await post(server_url, *signed(events[index]))).status_code == 200
        await drain(oc)

        assert (await oc.escrow.get_funding(actor, funding.id)).status is FundingStatus.SUCCEEDED
        assert await deposits(oc) == 1
        assert len(await stored_events(oc)) == 3

    async def test_an_event_type_we_do_not_act_on_has_no_effect(
        self, oc: OpenChance, server_url: str
    ) -> None:
        event = {"id": "evt_other", "object": "event", "type": "customer.created",
                 "created": int(time.time()), "data": {"object": {"id": "cus_1"}}}  # fmt: skip

        answer = await post(server_url, *signed(event))
        await drain(oc)

        assert answer.status_code == 200
        [stored] = await stored_events(oc)
        assert stored.outcome is EventOutcome.IGNORED
        assert await deposits(oc) == 0


class TestRefusedDeliveries:
    EVENT = {"id": "evt_refused", "object": "event", "type": "payment_intent.succeeded",
             "created": 1, "data": {"object": {"id": "pi_1"}}}  # fmt: skip

    async def test_a_wrong_signature_is_refused_and_nothing_is_stored(
        self, oc: OpenChance, server_url: str
    ) -> None:
        payload, signature = signed(self.EVENT, secret="whsec_someone_else")

        answer = await post(server_url, payload, signature)

        assert answer.status_code == 400
        assert answer.json()["code"] == "webhook_signature_invalid"
        assert await stored_events(oc) == []

    async def test_a_missing_signature_is_refused(self, oc: OpenChance, server_url: str) -> None:
        payload, _ = signed(self.EVENT)

        answer = await post(server_url, payload, None)

        assert answer.status_code == 400
        assert answer.json()["code"] == "webhook_signature_missing"
        assert await stored_events(oc) == []

    async def test_a_tampered_body_is_refused(self, oc: OpenChance, server_url: str) -> None:
        payload, signature = signed(self.EVENT)

        answer = await post(server_url, payload.replace(b"pi_1", b"pi_2"), signature)

        assert answer.json()["code"] == "webhook_signature_invalid"
        assert await stored_events(oc) == []

    async def test_a_stale_timestamp_is_refused_and_nothing_is_stored(
        self, oc: OpenChance, server_url: str
    ) -> None:
        payload, signature = signed(self.EVENT, at=int(time.time()) - 301)

        answer = await post(server_url, payload, signature)

        assert answer.status_code == 400
        assert answer.json()["code"] == "webhook_timestamp_stale"
        assert await stored_events(oc) == []


CONNECT_SECRET = "whsec_connect_endpoint"


class TestTheConnectEndpointsSecret:
    @pytest.fixture
    def settings_overrides(self, settings_overrides: dict[str, Any]) -> dict[str, Any]:
        return settings_overrides | {"stripe_connect_webhook_secret": CONNECT_SECRET}

    async def test_a_delivery_signed_by_the_connect_endpoint_is_stored(
        self, oc: OpenChance, server_url: str
    ) -> None:
        event = {"id": "evt_connect", "object": "event", "type": "account.updated",
                 "account": "acct_1", "created": int(time.time()),
                 "data": {"object": {"id": "acct_1"}}}  # fmt: skip

        answer = await post(server_url, *signed(event, secret=CONNECT_SECRET))

        assert answer.status_code == 200
        [stored] = await stored_events(oc)
        assert stored.event_id == "evt_connect"

    async def test_the_account_endpoints_secret_still_works(
        self, oc: OpenChance, server_url: str
    ) -> None:
        answer = await post(server_url, *signed(TestRefusedDeliveries.EVENT | {"created": 2}))

        assert answer.status_code == 200

    async def test_a_stale_delivery_is_refused_as_stale(
        self, oc: OpenChance, server_url: str
    ) -> None:
        payload, signature = signed(
            TestRefusedDeliveries.EVENT, secret=CONNECT_SECRET, at=int(time.time()) - 301
        )

        answer = await post(server_url, payload, signature)

        assert answer.json()["code"] == "webhook_timestamp_stale"
