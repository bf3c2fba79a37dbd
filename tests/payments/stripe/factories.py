"""Funding a challenge through the Stripe processor, as a challenger's browser would with
Stripe.js: the payer's side confirms with one of Stripe's test payment methods; and the
Connect fake's test-only controls (what an account holder or a bank does at Stripe)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from openchance import Actor, OpenChance
from openchance.models.ledger import LedgerTransaction
from openchance.models.payments import ProcessorEvent
from openchance.payments.funding_schemas import FundingRead
from openchance.payments.processors.base import ProcessorPayment
from openchance.payments.processors.stripe import StripeProcessor
from tests.factories.challenges import insert_challenge
from tests.factories.users import actor_for, create_user
from tests.payments.stripe.conftest import API_KEY
from tests.payments.stripe.localstripe_peer import LocalStripe

DECLINED = "pm_card_chargeCustomerFail"
"""Stripe's test method whose charge is declined (``card_declined``)."""


async def challenger(oc: OpenChance) -> tuple[Actor, uuid.UUID]:
    owner = await create_user(oc, email="owner@example.org")
    return await actor_for(oc, "owner@example.org"), await insert_challenge(oc, owner)


async def started_funding(oc: OpenChance) -> tuple[Actor, FundingRead]:
    actor, challenge_id = await challenger(oc)
    return actor, await oc.escrow.start_funding(actor, challenge_id)


async def confirm(
    stripe: StripeProcessor, funding: FundingRead, method: str = "pm_card_visa"
) -> ProcessorPayment:
    assert funding.processor_payment_id is not None
    return await stripe.confirm_payment(
        funding.processor_payment_id,
        payment_method=method,
        idempotency_key=f"test-confirm:{uuid.uuid4()}",
    )


async def card_method(api_base: str, number: str) -> str:
    """A PaymentMethod for a test card number, as Stripe.js creates it."""
    async with httpx.AsyncClient(base_url=api_base) as client:
        response = await client.post(
            "/v1/payment_methods",
            data={"type": "card", "card[number]": number, "card[exp_month]": "12",
                  "card[exp_year]": "2030", "card[cvc]": "123"},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )  # fmt: skip
    response.raise_for_status()
    method_id: str = response.json()["id"]
    return method_id


async def deposits(oc: OpenChance) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        count = await uow.session.scalar(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.kind == "funding_deposit")
        )
    return int(count or 0)


async def stored_events(oc: OpenChance) -> list[ProcessorEvent]:
    async with oc.unit_of_work(read_only=True) as uow:
        return list(
            await uow.session.scalars(select(ProcessorEvent).order_by(ProcessorEvent.received_at))
        )


async def control(localstripe: LocalStripe, path: str, **data: Any) -> dict[str, Any]:
    """One of the Connect fake's test-only routes (onboarding, crediting, settling)."""
    async with httpx.AsyncClient(base_url=localstripe.url) as client:
        response = await client.post(f"/_config/connect/{path}", data=data)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body
