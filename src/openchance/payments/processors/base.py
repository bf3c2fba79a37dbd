"""The payment processor port: what escrow asks of a processor, shaped after Stripe's
PaymentIntents so the Stripe adapter is a thin translation.

A processor call happens outside any unit of work of ours (it is an outside system); every
mutating call carries an idempotency key derived from our own records, so a retry after a
lost answer never charges twice. A processor that cannot be reached raises
:class:`~openchance.errors.ProviderUnavailable`; one that refuses the request for good
raises :class:`~openchance.errors.PaymentFailed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel

from openchance.models.payments import ProcessorName


class PaymentState(StrEnum):
    """A processor payment's state, as the port reports it."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    """The payer has to confirm it with a card (again, after a decline)."""
    REQUIRES_ACTION = "requires_action"
    """The card asked for authentication (3-D Secure)."""
    PROCESSING = "processing"
    """Confirmed; the processor has not decided yet."""
    SUCCEEDED = "succeeded"
    """Charged."""
    CANCELED = "canceled"
    """Given up for good."""


class ProcessorPayment(BaseModel):
    """A payment as the processor holds it."""

    id: str
    state: PaymentState
    amount_minor: int
    currency: str
    client_secret: str | None = None
    metadata: dict[str, str] = {}
    failure_code: str | None = None
    """Why the last attempt failed (``card_declined``, ``insufficient_funds``, …)."""
    failure_message: str | None = None


class ProcessorRefund(BaseModel):
    """A refund as the processor holds it."""

    id: str
    payment_id: str
    amount_minor: int
    currency: str
    succeeded: bool
    """False: the processor has not finished it (Stripe's ``pending``)."""


class ProcessorDispute(BaseModel):
    """A card dispute (chargeback) as the processor holds it."""

    id: str
    payment_id: str
    amount_minor: int
    currency: str
    reason: str
    status: str
    """Stripe's: ``warning_needs_response``, ``needs_response``, ``under_review``, ``won``,
    ``lost`` …; only ``won`` and ``lost`` are final."""


FUNDING_ID_METADATA = "openchance_funding_id"
"""The metadata key that ties a processor payment to our funding (set when it is created,
so an event that arrives before we stored the payment id still finds its funding)."""


def payment_intent_object(
    *,
    payment_id: str,
    amount_minor: int,
    currency: str,
    status: str,
    metadata: Mapping[str, str],
    failure_code: str | None = None,
    failure_message: str | None = None,
) -> dict[str, Any]:
    """A payment as Stripe's PaymentIntent object (the ``data.object`` of its events)."""
    error = None
    if failure_code is not None:
        error = {"type": "card_error", "code": "card_declined", "decline_code": failure_code,
                 "message": failure_message}  # fmt: skip
        if failure_code.startswith("payment_intent_") or failure_code == "card_declined":
            error = {"type": "card_error", "code": failure_code, "message": failure_message}
    return {
        "id": payment_id,
        "object": "payment_intent",
        "amount": amount_minor,
        "currency": currency.lower(),
        "status": status,
        "metadata": dict(metadata),
        "last_payment_error": error,
    }


def payment_from_intent(intent: Mapping[str, Any]) -> ProcessorPayment:
    """The port's view of a PaymentIntent object (from an event or an API answer)."""
    error = intent.get("last_payment_error") or {}
    return ProcessorPayment(
        id=str(intent["id"]),
        state=PaymentState(intent["status"]),
        amount_minor=int(intent["amount"]),
        currency=str(intent["currency"]).upper(),
        client_secret=intent.get("client_secret"),
        metadata={str(key): str(value) for key, value in (intent.get("metadata") or {}).items()},
        failure_code=error.get("decline_code") or error.get("code"),
        failure_message=error.get("message"),
    )


class PaymentProcessor(Protocol):
    @property
    def name(self) -> ProcessorName: ...

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayment:
        """A payment the payer then confirms on their side with ``client_secret``."""
        ...

    async def retrieve_payment(self, payment_id: str) -> ProcessorPayment:
        """The payment's state now (the synchronous confirmation path)."""
        ...

    async def cancel_payment(self, payment_id: str) -> ProcessorPayment:
        """Give up a payment that was not charged (it can no longer be confirmed); a
        charged one is answered as it is."""
        ...

    async def create_refund(
        self,
        *,
        payment_id: str,
        amount_minor: int,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorRefund:
        """Give part or all of a charged payment back to the card. Never more than was
        charged: the processor refuses (``PaymentFailed``, ``refund_exceeds_charge``)."""
        ...

    async def retrieve_dispute(self, dispute_id: str) -> ProcessorDispute:
        """A card dispute as it stands now (its events may arrive in any order)."""
        ...

    async def list_payments(self, *, created_since: datetime | None) -> list[ProcessorPayment]:
        """The processor's payments created since then (all, without a time): what
        reconciliation compares with the ledger."""
        ...

    async def list_refunds(self, *, created_since: datetime | None) -> list[ProcessorRefund]:
        """The processor's refunds created since then."""
        ...
