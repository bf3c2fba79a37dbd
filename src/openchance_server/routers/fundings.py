"""One funding (`/api/v1/fundings/{id}`) and the local processor's payer side
(`/api/v1/processors/local/payments/{id}/…`), which plays what Stripe.js does in a browser."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from openchance.payments.funding_schemas import FundingRead, RefundRead, RefundRequest
from openchance.payments.processors.base import ProcessorPayment
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform
from openchance_server.routers.funding import IdempotencyKey

fundings = APIRouter(prefix="/fundings", tags=["payments"])
local_processor = APIRouter(prefix="/processors/local/payments", tags=["payments"])


@fundings.get("/{funding_id}", summary="A funding (its payer, staff)")
async def get_funding(funding_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> FundingRead:
    """404 for anyone else."""
    return await oc.escrow.get_funding(actor, funding_id)


@fundings.post("/{funding_id}/refresh", summary="Ask the processor how the payment stands")
async def refresh_funding(funding_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> FundingRead:
    """Applies the processor's answer at once, without waiting for its event (the same
    answer applied twice has one effect). 503 `provider_unavailable`."""
    return await oc.escrow.refresh_funding(actor, funding_id)


@fundings.post("/{funding_id}/refund", summary="Refund a funding to the card (support)")
async def refund_funding(
    funding_id: uuid.UUID,
    data: RefundRequest,
    oc: Platform,
    actor: CurrentUser,
    idempotency_key: IdempotencyKey = None,
) -> RefundRead:
    """All that is still refundable, or `amount_minor` of it. 403 `staff_only` (support
    and admins); 409 `funding_not_paid`, `nothing_to_refund`, `winner_at_work`,
    `idempotency_key_reused`; 422 `amount_exceeds_refundable`; 402 `payment_failed` or 503
    `provider_unavailable` from the processor (nothing moved)."""
    return await oc.refunds.refund_funding(actor, funding_id, data, idempotency_key=idempotency_key)


@fundings.get("/{funding_id}/refunds", summary="A funding's refunds (staff)")
async def list_funding_refunds(
    funding_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> list[RefundRead]:
    return await oc.refunds.list_refunds(actor, funding_id=funding_id)


class CardConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_secret: str = Field(max_length=255)
    card_number: str = Field(
        max_length=23, description="One of Stripe's test numbers, e.g. 4242 4242 4242 4242."
    )


class Authentication(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_secret: str = Field(max_length=255)
    approve: bool = Field(description="Complete the 3-D Secure step, or fail it.")


@local_processor.post("/{payment_id}/confirm", summary="Pay with a test card (local processor)")
async def confirm_local_payment(
    payment_id: str, data: CardConfirmation, oc: Platform, actor: CurrentUser
) -> ProcessorPayment:
    """Succeeds, declines (the payment waits for another card, `failure_code` says why) or
    asks for 3-D Secure (`state: requires_action`). 404 for a wrong `client_secret`;
    409 `payment_not_confirmable`; 422 `unknown_test_card`."""
    return await oc.local_processor.confirm_payment(
        payment_id, client_secret=data.client_secret, card_number=data.card_number
    )


@local_processor.post("/{payment_id}/authenticate", summary="Complete 3-D Secure (local)")
async def authenticate_local_payment(
    payment_id: str, data: Authentication, oc: Platform, actor: CurrentUser
) -> ProcessorPayment:
    """409 `payment_not_authenticating` when the payment did not ask for it."""
    return await oc.local_processor.authenticate(
        payment_id, client_secret=data.client_secret, approve=data.approve
    )


router = APIRouter()
router.include_router(fundings)
router.include_router(local_processor)
