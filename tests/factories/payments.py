"""Funding a challenge on the local processor, as a challenger's browser would."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from openchance import Actor, OpenChance
from openchance.errors import PaymentFailed, ProviderUnavailable
from openchance.models.payments import ProcessorName
from openchance.payments.funding_schemas import FundingRead, FundingStart
from openchance.payments.processors.base import (
    PaymentProcessor,
    ProcessorDispute,
    ProcessorPayment,
    ProcessorRefund,
)
from tests.factories.applications import apply, bid_data
from tests.factories.challenges import insert_challenge
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain

SUCCEEDS = "4242 4242 4242 4242"
DECLINED_INSUFFICIENT_FUNDS = "4000 0000 0000 9995"
NEEDS_3DS = "4000 0025 0000 3155"


async def pay(oc: OpenChance, funding: FundingRead, card: str = SUCCEEDS) -> None:
    """Confirm the funding's payment with ``card`` and let the worker handle the event."""
    assert funding.processor_payment_id is not None
    assert funding.client_secret is not None
    await oc.local_processor.confirm_payment(
        funding.processor_payment_id, client_secret=funding.client_secret, card_number=card
    )
    await drain(oc)


async def fund(
    oc: OpenChance,
    actor: Actor,
    challenge_id: uuid.UUID,
    *,
    amount_minor: int | None = None,
    card: str = SUCCEEDS,
) -> FundingRead:
    """Start a funding, pay it, and return it as it stands afterwards."""
    funding = await oc.escrow.start_funding(
        actor, challenge_id, FundingStart(amount_minor=amount_minor)
    )
    await pay(oc, funding, card)
    return await oc.escrow.get_funding(actor, funding.id)


class UnreachableProcessor:
    """A processor whose network is down: every call raises ``provider_unavailable``."""

    name = ProcessorName.LOCAL

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayment:
        raise ProviderUnavailable("payments", "the payment processor did not answer")

    async def retrieve_payment(self, payment_id: str) -> ProcessorPayment:
        raise ProviderUnavailable("payments", "the payment processor did not answer")

    async def create_refund(
        self, *, payment_id: str, amount_minor: int, idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorRefund:  # fmt: skip
        raise ProviderUnavailable("payments", "the payment processor did not answer")

    async def retrieve_dispute(self, dispute_id: str) -> ProcessorDispute:
        raise ProviderUnavailable("payments", "the payment processor did not answer")

    async def cancel_payment(self, payment_id: str) -> ProcessorPayment:
        raise ProviderUnavailable("payments", "the payment processor did not answer")

    async def list_payments(self, *, created_since: datetime | None) -> list[ProcessorPayment]:
        raise ProviderUnavailable("payments", "the payment processor did not answer")

    async def list_refunds(self, *, created_since: datetime | None) -> list[ProcessorRefund]:
        raise ProviderUnavailable("payments", "the payment processor did not answer")


class RefusingProcessor(UnreachableProcessor):
    """A processor that refuses to create any payment (an account problem at Stripe)."""

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayment:
        raise PaymentFailed("the processor refused the payment", code="processor_refused")

    async def create_refund(
        self, *, payment_id: str, amount_minor: int, idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorRefund:  # fmt: skip
        raise PaymentFailed("the processor refused the refund", code="processor_refused")


def as_processor(processor: UnreachableProcessor) -> PaymentProcessor:
    return processor


@dataclass(frozen=True)
class Winners:
    """A challenge with accepted winners: the challenger, each winner and their application."""

    challenge_id: uuid.UUID
    owner: Actor
    solvers: list[Actor]
    applications: list[uuid.UUID]


async def accepted_winners(
    oc: OpenChance,
    *,
    reward_minor: int = 100_000,
    milestones: list[tuple[str, int]] | None = None,
    winners: int = 1,
    prize_split: list[int] | None = None,
) -> Winners:
    """An open challenge whose ``winners`` solvers applied, then were accepted in order."""
    owner_id = await create_user(oc, email="owner@example.org")
    owner = await actor_for(oc, "owner@example.org")
    challenge_id = await insert_challenge(
        oc, owner_id, reward_min_minor=reward_minor, milestones=milestones, winners=winners,
        prize_split=prize_split,
    )  # fmt: skip
    bid = sum(amount for _, amount in milestones) if milestones else reward_minor
    solvers, applications = [], []
    for place in range(1, winners + 1):
        email = f"solver{place}@example.org"
        await create_user(oc, email=email)
        solver = await actor_for(oc, email)
        application = await apply(oc, solver, challenge_id, bid=bid_data(amount=bid))
        solvers.append(solver)
        applications.append(application.id)
    for application_id in applications:
        await oc.applications.accept_application(owner, application_id)
    return Winners(challenge_id, owner, solvers, applications)
