"""Processor webhooks: `POST /api/v1/webhooks/stripe`, signed by Stripe (no bearer token)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from openchance.payments.webhooks import receive_stripe_webhook
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookReceived(BaseModel):
    received: Literal[True] = True
    new: bool
    """False: the event had been received before (a redelivery); nothing more happens."""


@router.post("/stripe", summary="Receive a Stripe event")
async def receive_stripe_event(
    request: Request,
    oc: Platform,
    stripe_signature: Annotated[str | None, Header()] = None,
) -> WebhookReceived:
    """The raw body is checked against `Stripe-Signature` with the endpoint's signing
    secret, then the event is stored once and handled by a job. 400
    `webhook_signature_missing`, `webhook_signature_invalid`, `webhook_timestamp_stale`
    (older than 300 s), `webhook_payload_invalid`: nothing is stored; 404 when Stripe
    webhooks are not configured."""
    new = await receive_stripe_webhook(oc, await request.body(), stripe_signature)
    return WebhookReceived(new=new)
