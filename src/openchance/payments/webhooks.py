"""Stripe's webhooks: verify the signature, then store the event in the inbox
(:func:`~openchance.payments.inbox.receive_event`), whose job acts on it after the commit.

Stripe signs an account endpoint's deliveries and a Connect endpoint's (connected accounts'
``account.updated`` and ``payout.*``) with secrets of their own: a delivery signed with
either is taken. Nothing is stored for a request whose signature does not hold or whose
timestamp is older than :data:`TOLERANCE_SECONDS` (a replay). A redelivery (Stripe retries
until it gets a 2xx) is stored once; an event type we don't act on is stored and marked
ignored by the job.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import stripe

from openchance.errors import InvalidSignature, NotFound
from openchance.models.payments import ProcessorName
from openchance.payments.inbox import receive_event

if TYPE_CHECKING:
    from openchance.platform import OpenChance

TOLERANCE_SECONDS = 300


async def receive_stripe_webhook(
    platform: OpenChance, payload: bytes, signature: str | None
) -> bool:
    """Verify and store one delivery. Returns whether the event was new. Refusals
    (``InvalidSignature``): ``webhook_signature_missing``, ``webhook_signature_invalid``,
    ``webhook_timestamp_stale``, ``webhook_payload_invalid``; ``not_found`` when no
    webhook secret is configured."""
    settings = platform.settings
    secrets = [
        secret.get_secret_value()
        for secret in (settings.stripe_webhook_secret, settings.stripe_connect_webhook_secret)
        if secret is not None and secret.get_secret_value()
    ]
    if not secrets:
        raise NotFound("webhook endpoint", "stripe", "Stripe webhooks are not configured")
    event = _verified(payload, signature, secrets)
    try:
        event_id, event_type = str(event["id"]), str(event["type"])
        data = event.get("data") or {}
        object_id = (data.get("object") or {}).get("id")
    except (KeyError, TypeError, AttributeError):
        raise InvalidSignature(
            "the payload is not a Stripe event", code="webhook_payload_invalid"
        ) from None
    async with platform.unit_of_work() as uow:
        return await receive_event(
            uow,
            processor=ProcessorName.STRIPE,
            event_id=event_id,
            event_type=event_type,
            object_id=str(object_id) if object_id is not None else None,
            payload=event,
        )


def _verified(payload: bytes, signature: str | None, secrets: list[str]) -> dict[str, Any]:
    """The event, when signed with one of ``secrets`` (the account endpoint's, the Connect
    endpoint's) within the tolerance."""
    if not signature:
        raise InvalidSignature(
            "the Stripe-Signature header is missing", code="webhook_signature_missing"
        )
    refusals: list[InvalidSignature] = []
    for secret in secrets:
        try:
            stripe.Webhook.construct_event(payload, signature, secret, tolerance=TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            refusals.append(_refusal(payload, signature, secret))
            continue
        except ValueError:
            raise InvalidSignature(
                "the payload is not JSON", code="webhook_payload_invalid"
            ) from None
        event = json.loads(payload)
        if not isinstance(event, dict):
            raise InvalidSignature(
                "the payload is not a Stripe event", code="webhook_payload_invalid"
            )
        return event
    # Signed with a known secret but too long ago says more than "no secret matches".
    stale = [r for r in refusals if r.code == "webhook_timestamp_stale"]
    raise (stale or refusals)[0]


def _refusal(payload: bytes, signature: str, secret: str) -> InvalidSignature:
    """Tell a stale timestamp from a wrong signature: checked again without the
    tolerance (0 turns it off), a stale but genuine delivery passes."""
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, secret, 0)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        return InvalidSignature(
            "the Stripe-Signature does not match the payload", code="webhook_signature_invalid"
        )
    return InvalidSignature(
        f"the signature's timestamp is more than {TOLERANCE_SECONDS} s old",
        code="webhook_timestamp_stale",
    )
