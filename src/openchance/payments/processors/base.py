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


# -- payouts: connected accounts, transfers and payouts (shaped after Stripe Connect) -------


class PayoutState(StrEnum):
    """A processor payout's state (Stripe's payout statuses)."""

    PENDING = "pending"
    """Created; not yet sent to the bank."""
    IN_TRANSIT = "in_transit"
    """Sent to the bank; arrives on ``arrival_date``."""
    PAID = "paid"
    """Arrived in the bank account."""
    FAILED = "failed"
    """The bank refused it; the money is back on the connected account's balance."""
    CANCELED = "canceled"


class ProcessorAccount(BaseModel):
    """A connected account (Stripe Connect Express) as the processor holds it."""

    id: str
    details_submitted: bool
    """The holder finished onboarding."""
    payouts_enabled: bool
    """The processor lets the account be paid out (identity and bank account checked)."""
    disabled_reason: str | None = None
    """Why payouts are not enabled (Stripe's ``requirements.disabled_reason``)."""
    bank_last4: str | None = None
    """The last digits of the payout destination (the external account)."""
    metadata: dict[str, str] = {}


class ProcessorAccountLink(BaseModel):
    """A single-use onboarding link for a connected account."""

    url: str
    expires_at: datetime


class ProcessorTransfer(BaseModel):
    """Money moved from the platform's balance to a connected account's."""

    id: str
    account_id: str
    amount_minor: int
    currency: str
    metadata: dict[str, str] = {}


class ProcessorPayout(BaseModel):
    """Money sent from a connected account's balance to its bank account."""

    id: str
    account_id: str
    amount_minor: int
    currency: str
    state: PayoutState
    arrival_date: datetime | None = None
    failure_code: str | None = None
    """Why the bank refused it (``account_closed``, ``no_account``, …)."""
    metadata: dict[str, str] = {}


PAYOUT_ID_METADATA = "openchance_payout_id"
"""The metadata key that ties a processor transfer or payout to our payout."""

ACCOUNT_USER_METADATA = "openchance_user_id"
"""The metadata key that ties a connected account to its user."""


class PayoutProcessor(Protocol):
    """What payouts ask of a processor. Every mutating call carries an idempotency key;
    calls on a connected account's own objects (payouts) name the account, as Stripe's
    ``Stripe-Account`` header does."""

    @property
    def name(self) -> ProcessorName: ...

    async def create_account(
        self, *, email: str, country: str, idempotency_key: str, metadata: Mapping[str, str]
    ) -> ProcessorAccount:
        """A connected account that still has to be onboarded."""
        ...

    async def retrieve_account(self, account_id: str) -> ProcessorAccount:
        """The account as it stands now (its ``account.updated`` events may be late)."""
        ...

    async def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> ProcessorAccountLink:
        """Where the holder goes to onboard, or to update their details."""
        ...

    async def create_transfer(
        self,
        *,
        account_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorTransfer:
        """Move money from the platform's balance to the account's. Refused
        (``PaymentFailed``) when the account cannot receive it or the platform's balance
        is short."""
        ...

    async def create_payout(
        self,
        *,
        account_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayout:
        """Send money from the account's balance to its bank account. Refused
        (``PaymentFailed``, ``balance_insufficient``) when the balance is short."""
        ...

    async def retrieve_payout(self, *, account_id: str, payout_id: str) -> ProcessorPayout:
        """The payout as it stands now."""
        ...

    async def list_transfers(self, *, created_since: datetime | None) -> list[ProcessorTransfer]:
        """The platform's transfers created since then (all, without a time): what
        reconciliation compares with the ledger."""
        ...
