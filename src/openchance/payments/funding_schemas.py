"""What escrow funding takes and gives (pydantic, the same at every edge)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from openchance.models.payments import (
    EscrowState,
    FundingStatus,
    ProcessorName,
    ReceiptKind,
    RefundStatus,
)
from openchance.payments.fees import FeeBreakdown, FeePolicy


class FundingStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int | None = Field(
        default=None,
        gt=0,
        description="The prize to fund, in minor units, within a range reward; default its "
        "maximum. Fixed and milestone rewards take their own amount.",
    )


class NextAction(StrEnum):
    """What the payer does next to complete a funding."""

    CONFIRM_WITH_CARD = "confirm_with_card"
    """Confirm the payment with a card, using ``client_secret``."""
    AUTHENTICATE = "authenticate"
    """Complete the card's 3-D Secure step."""
    WAIT = "wait"
    """Nothing: the processor is deciding, or the payment is being created."""


class FundingRead(BaseModel):
    id: uuid.UUID
    challenge_id: uuid.UUID
    milestone_position: int | None = Field(description="The milestone paid for; None: the prize.")
    status: FundingStatus
    next_action: NextAction | None = Field(description="None once succeeded or failed.")
    processor: ProcessorName
    processor_payment_id: str | None
    client_secret: str | None = Field(
        description="Only for the payer, while the payment waits for them."
    )
    currency: str
    prize_minor: int
    total_minor: int = Field(description="What the payer is charged.")
    breakdown: FeeBreakdown
    escrowed: bool = Field(description="The money went into the challenge's escrow.")
    failure_code: str | None = Field(
        description="Why the last attempt failed (card_declined, insufficient_funds, …), or, "
        "for a succeeded payment that could not be escrowed, why (already_funded, "
        "challenge_closed, amount_mismatch): that money waits in the payer's funding account."
    )
    failure_message: str | None
    created_at: datetime
    succeeded_at: datetime | None


class EscrowRead(BaseModel):
    """A challenge's escrow as both sides see it; ``fundings`` only for the payer and staff."""

    challenge_id: uuid.UUID
    funded: bool
    state: EscrowState | None = Field(description="None until first funded.")
    currency: str
    prize_minor: int = Field(description="The whole prize the challenge offers (its maximum).")
    prize_funded_minor: int = Field(
        description="Prize money paid in over time (refunds and "
        "releases do not lower it: see held_minor)."
    )
    fees_held_minor: int
    held_minor: int = Field(
        description="What the escrow holds now: prize and fees not yet "
        "released, refunded or taken back."
    )
    milestones_funded: list[int] = Field(description="Positions of the funded milestones.")
    fee_policy: FeePolicy | None = Field(
        description="The policy snapshotted at the first funding; later setting changes do "
        "not alter it. None until funded."
    )
    funded_at: datetime | None
    fundings: list[FundingRead]


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int | None = Field(
        default=None, gt=0, description="Minor units; default everything refundable."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Shown to the payer.")


class RefundRead(BaseModel):
    id: uuid.UUID
    funding_id: uuid.UUID
    challenge_id: uuid.UUID
    status: RefundStatus
    currency: str
    amount_minor: int = Field(description="What goes back to the card.")
    held_minor: int = Field(description="The part that was held (in escrow, or outside it).")
    processor_fee_minor: int = Field(description="The processor fee given back by the policy.")
    from_escrow: bool
    reason: str
    processor_refund_id: str | None
    failure_code: str | None
    failure_message: str | None
    created_at: datetime
    succeeded_at: datetime | None


class EscrowCount(BaseModel):
    state: EscrowState
    currency: str
    escrows: int
    prize_funded_minor: int = Field(description="The prize money paid into these escrows.")


class EscrowSummary(BaseModel):
    """Staff: escrows by state and currency."""

    counts: list[EscrowCount]


class PaymentHistoryLine(BaseModel):
    id: uuid.UUID = Field(
        description="The funding or refund; its receipt is at /api/v1/payments/{id}/receipt.pdf."
    )
    kind: ReceiptKind
    challenge_id: uuid.UUID
    amount_minor: int = Field(description="Charged (funding) or given back (refund).")
    currency: str
    at: datetime
    receipt_number: int | None


class PaymentHistory(BaseModel):
    lines: list[PaymentHistoryLine]
