"""What happens to money, as past-tense facts (recorded with the change, announced after
the commit)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from openchance.events import DomainEvent
from openchance.models.payments import DisputeOutcome


class EscrowFunded(DomainEvent):
    """A payment went into a challenge's escrow (the prize, or one milestone)."""

    name: ClassVar[str] = "escrow.funded"
    challenge_id: uuid.UUID
    owner_id: uuid.UUID
    funding_id: uuid.UUID
    milestone_position: int | None
    prize_minor: int
    currency: str


class EscrowReleased(DomainEvent):
    """Money for a winner's milestone went from escrow to what the platform owes them."""

    name: ClassVar[str] = "escrow.released"
    challenge_id: uuid.UUID
    owner_id: uuid.UUID
    milestone_id: uuid.UUID
    solver_id: uuid.UUID
    amount_minor: int
    solver_fee_minor: int
    currency: str
    released_by: uuid.UUID | None
    """None when the auto-release job released it."""


class RefundIssued(DomainEvent):
    """Money of a funding went back to the payer's card."""

    name: ClassVar[str] = "payment.refunded"
    challenge_id: uuid.UUID
    owner_id: uuid.UUID
    refund_id: uuid.UUID
    funding_id: uuid.UUID
    amount_minor: int
    currency: str


class DisputeOpened(DomainEvent):
    """A party disputed a milestone: the challenge's escrow is frozen."""

    name: ClassVar[str] = "dispute.opened"
    challenge_id: uuid.UUID
    owner_id: uuid.UUID
    dispute_id: uuid.UUID
    milestone_id: uuid.UUID
    opened_by: uuid.UUID | None


class DisputeDecided(DomainEvent):
    """Support decided a dispute; the money moved."""

    name: ClassVar[str] = "dispute.decided"
    challenge_id: uuid.UUID
    owner_id: uuid.UUID
    dispute_id: uuid.UUID
    outcome: DisputeOutcome
    released_minor: int
    refunded_minor: int
