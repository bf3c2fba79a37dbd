"""Inputs and outputs of payouts and payout accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from openchance.models.payments import ProcessorName
from openchance.models.payouts import PayoutAccountStatus, PayoutStatus


class PayoutAccountRead(BaseModel):
    id: uuid.UUID
    processor: ProcessorName
    country: str
    status: PayoutAccountStatus
    disabled_reason: str | None = Field(
        description="Why the processor does not pay out to it yet, when it doesn't."
    )
    bank_last4: str | None = Field(description="The last digits of the bank account paid to.")
    created_at: datetime
    updated_at: datetime


class PayoutAccountRequest(BaseModel):
    """Connect a payout account, or change where payouts go (a new onboarding)."""

    model_config = ConfigDict(extra="forbid")

    country: str | None = Field(
        default=None, pattern="^[A-Z]{2}$", description="ISO 3166 country of the account holder."
    )
    totp_code: str | None = Field(
        default=None,
        max_length=32,
        description="A fresh two-factor code: required to change an existing payout "
        "destination when two-factor authentication is on.",
    )


class PayoutAccountLinkRead(BaseModel):
    """Where the solver goes next to finish (or update) their payout account."""

    account: PayoutAccountRead
    onboarding_url: str
    expires_at: datetime


class PayoutRead(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    challenge_id: uuid.UUID
    milestone_id: uuid.UUID | None
    currency: str
    gross_minor: int = Field(description="What was released to the solver.")
    fee_minor: int = Field(description="The solver-side platform fee.")
    amount_minor: int = Field(description="What the solver is paid.")
    status: PayoutStatus
    available_at: datetime = Field(description="Not sent before (the security delay).")
    waiting_for: str | None = Field(
        description="Why a pending payout has not been sent: ``delay``, ``payout_account`` "
        "(none, or not enabled yet) or ``sending``."
    )
    arrival_date: datetime | None
    paid_at: datetime | None
    failure_code: str | None
    failure_message: str | None
    hold_reason: str | None
    held_at: datetime | None
    statement_number: int | None
    created_at: datetime
    updated_at: datetime


class PayoutHoldRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000, description="Why (kept in the audit log).")
