"""Escrow and its funding, the processor event inbox, and the local processor's own records.

A challenge's money moves through the ledger (``models/ledger.py``); these tables say why
it moved: an :class:`EscrowFunding` is one payment a challenger makes into a challenge's
escrow (the whole prize, or one milestone), an :class:`Escrow` is the challenge's escrow
with the fee policy snapshotted when it was first funded. Every processor event, from
Stripe's webhook or from the local processor, lands in :class:`ProcessorEvent` once (by
event id) and is handled by a job.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class ProcessorName(StrEnum):
    """Which payment processor handles a payment."""

    LOCAL = "local"
    """The embedded test processor: simulated cards, no network (the default)."""
    STRIPE = "stripe"
    """Stripe (PaymentIntents, Connect), through its API and signed webhooks."""


class FundingStatus(StrEnum):
    """Where one payment into escrow is."""

    CREATED = "created"
    """Written; the processor has not answered yet (a retry resumes it)."""
    PENDING = "pending"
    """The processor holds a payment the challenger has to confirm with a card."""
    REQUIRES_ACTION = "requires_action"
    """The card asked for authentication (3-D Secure) before it can be charged."""
    SUCCEEDED = "succeeded"
    """The processor confirmed the charge; the money is in the ledger."""
    FAILED = "failed"
    """The processor refused the payment for good; nothing was charged."""


OPEN_FUNDING_STATUSES = frozenset(
    {FundingStatus.CREATED, FundingStatus.PENDING, FundingStatus.REQUIRES_ACTION}
)


class EscrowState(StrEnum):
    """Where a challenge's escrow is."""

    FUNDED = "funded"
    """Money is held for the challenge."""
    FROZEN = "frozen"
    """A dispute is open: nothing is released or refunded until support decides it."""
    RELEASED = "released"
    """Every winner's every milestone was released: nothing is held any more."""
    REFUNDED = "refunded"
    """Everything held went back to the challenger."""
    SPLIT = "split"
    """Nothing is held any more: part was released to solvers, part refunded."""


class MilestoneStatus(StrEnum):
    """Where one winner's milestone (or whole-prize delivery) is."""

    IN_PROGRESS = "in_progress"
    """Being worked on (also after the challenger asked for changes)."""
    SUBMITTED = "submitted"
    """Delivered; waiting for the challenger, and released automatically when they don't
    answer within the auto-release window."""
    RELEASED = "released"
    """All of the winner's share for it went to the solver."""
    DECIDED = "decided"
    """A dispute decision settled what remained: released, refunded or split."""


SETTLED_MILESTONE_STATUSES = frozenset({MilestoneStatus.RELEASED, MilestoneStatus.DECIDED})
"""Nothing is left in escrow for a milestone in these states."""

WHOLE_PRIZE = 0
"""``EscrowMilestone.position`` of the delivery of a prize that has no milestones."""


class EventOutcome(StrEnum):
    """What handling a processor event did."""

    RECEIVED = "received"
    """Stored, not handled yet."""
    APPLIED = "applied"
    """It changed something (a funding succeeded or failed)."""
    IGNORED = "ignored"
    """Nothing to do: an event type we don't act on, or a change already applied."""


class LocalPaymentStatus(StrEnum):
    """The local processor's payment states, named after Stripe's PaymentIntent states."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    """Waiting for a card (also after a decline)."""
    REQUIRES_ACTION = "requires_action"
    """The card needs 3-D Secure authentication."""
    SUCCEEDED = "succeeded"
    """Charged."""
    CANCELED = "canceled"
    """Given up; cannot be charged any more."""


class Escrow(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "escrows"

    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="RESTRICT"), unique=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[EscrowState] = mapped_column(enum_column(EscrowState, 16))
    prize_funded_minor: Mapped[int] = mapped_column(
        BigInteger, doc="Prize money paid in (the sum of the succeeded fundings' prizes)."
    )
    fees_held_minor: Mapped[int] = mapped_column(
        BigInteger, doc="Challenger-side and fixed fees paid in and held with the prize."
    )
    fee_policy: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, doc="The FeePolicy in force when the escrow was first funded."
    )
    funded_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(
            "prize_funded_minor >= 0 AND fees_held_minor >= 0", name="amounts_not_negative"
        ),
    )


class EscrowFunding(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "escrow_fundings"

    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="RESTRICT")
    )
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("challenge_milestones.id", ondelete="SET NULL"),
        doc="The milestone this pays for; None for the whole prize.",
    )
    milestone_position: Mapped[int | None] = mapped_column(doc="Kept if the row goes.")
    payer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    processor: Mapped[ProcessorName] = mapped_column(enum_column(ProcessorName, 16))
    processor_payment_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_secret: Mapped[str | None] = mapped_column(
        String(255), doc="What the payer's client confirms the payment with."
    )
    status: Mapped[FundingStatus] = mapped_column(enum_column(FundingStatus, 24))
    currency: Mapped[str] = mapped_column(String(3))
    prize_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger, doc="What the payer is charged.")
    breakdown: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, doc="The FeeBreakdown (with its policy) the payer was shown and charged."
    )
    idempotency_key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    succeeded_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("payer_id", "idempotency_key", name="uq_escrow_fundings_key"),
        CheckConstraint("prize_minor > 0 AND total_minor >= prize_minor", name="amounts_valid"),
        Index("ix_escrow_fundings_challenge", "challenge_id", "created_at"),
    )


class EscrowMilestone(UUIDPrimaryKey, Timestamps, Base):
    """One winner's delivery of one milestone (or of the whole prize), paid from escrow."""

    __tablename__ = "escrow_milestones"

    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="RESTRICT")
    )
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT")
    )
    solver_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    rank: Mapped[int] = mapped_column(doc="The winner's place (1 first): their prize split.")
    position: Mapped[int] = mapped_column(
        doc="The challenge milestone's position; 0 for the whole prize."
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[MilestoneStatus] = mapped_column(enum_column(MilestoneStatus, 16))
    released_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    submission_count: Mapped[int] = mapped_column(default=0)
    submission_note: Mapped[str | None] = mapped_column(Text)
    submission_message_ids: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default="[]",
        doc="The winner's messages (of the application's conversation) whose files they deliver.",
    )  # fmt: skip
    submitted_at: Mapped[datetime | None]
    auto_release_at: Mapped[datetime | None]
    change_request_note: Mapped[str | None] = mapped_column(Text)
    released_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("application_id", "position", name="uq_escrow_milestones_position"),
        CheckConstraint("released_minor >= 0", name="released_not_negative"),
        Index("ix_escrow_milestones_challenge", "challenge_id", "rank", "position"),
    )


class RefundStatus(StrEnum):
    """Where a refund to the challenger's card is."""

    PENDING = "pending"
    """The money is set aside (processor clearing); the processor has not confirmed."""
    SUCCEEDED = "succeeded"
    """The processor refunded it; the money left the ledger to the world."""
    FAILED = "failed"
    """The processor refused or could not be reached; the money went back where it was."""


class Refund(UUIDPrimaryKey, Timestamps, Base):
    """Money of one funding given back to the payer's card."""

    __tablename__ = "refunds"

    funding_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("escrow_fundings.id", ondelete="RESTRICT")
    )
    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="RESTRICT")
    )
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), doc="None: the system (a cancellation)."
    )
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus, 16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger, doc="What goes back to the card.")
    held_minor: Mapped[int] = mapped_column(
        BigInteger, doc="The part taken from escrow (or from the payer's funding account)."
    )
    processor_fee_minor: Mapped[int] = mapped_column(
        BigInteger, doc="The processor fee the platform gives back (by the policy), or 0."
    )
    from_escrow: Mapped[bool] = mapped_column(
        doc="False: the payment never reached escrow and waits in the funding account."
    )
    set_aside: Mapped[bool] = mapped_column(
        default=False,
        server_default=sa_false(),
        doc="True: the money already left escrow for processor clearing (a dispute "
        "decision's refund); False: it leaves its account only when the processor pays.",
    )
    reason: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(250), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    processor_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    succeeded_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(
            "amount_minor > 0 AND held_minor > 0 AND processor_fee_minor >= 0 "
            "AND amount_minor = held_minor + processor_fee_minor",
            name="amounts_valid",
        ),
        Index("ix_refunds_funding", "funding_id", "created_at"),
    )


class DisputeStatus(StrEnum):
    """Where a dispute is."""

    OPEN = "open"
    """Support mediates; the challenge's escrow is frozen."""
    DECIDED = "decided"
    """Support decided; the money moved."""


class DisputeOutcome(StrEnum):
    """What a dispute decision does with what remains of the milestone."""

    RELEASE_ALL = "release_all"
    """All of it goes to the solver."""
    REFUND_ALL = "refund_all"
    """All of it (with the unearned challenger-side fees) goes back to the challenger."""
    SPLIT = "split"
    """Part to the solver, the rest back to the challenger, by the given amounts."""


class Dispute(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "disputes"

    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="RESTRICT")
    )
    milestone_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("escrow_milestones.id", ondelete="RESTRICT")
    )
    opened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus, 16))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    message_ids: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, doc="Messages of the application's conversation cited."
    )
    outcome: Mapped[DisputeOutcome | None] = mapped_column(enum_column(DisputeOutcome, 16))
    released_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_disputes_status", "status", "created_at"),
        Index("ix_disputes_milestone", "milestone_id"),
    )


class ReceiptKind(StrEnum):
    """What a receipt is for."""

    FUNDING = "funding"
    """A payment the processor charged."""
    REFUND = "refund"
    """Money the processor gave back to the card."""


class Receipt(UUIDPrimaryKey, Base):
    """A numbered receipt, issued in the transaction that recorded the money."""

    __tablename__ = "receipts"

    number: Mapped[int] = mapped_column(
        BigInteger, unique=True, doc="1, 2, 3, … across the installation, without gaps."
    )
    kind: Mapped[ReceiptKind] = mapped_column(enum_column(ReceiptKind, 16))
    funding_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("escrow_fundings.id", ondelete="RESTRICT")
    )
    refund_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("refunds.id", ondelete="RESTRICT"), unique=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_receipts_user", "user_id", "issued_at"),
        Index(
            "uq_receipts_funding", "funding_id", unique=True,
            sqlite_where=text("kind = 'funding'"), postgresql_where=text("kind = 'funding'"),
        ),
    )  # fmt: skip


class ReceiptSequence(Base):
    """The last receipt number given, in one row locked while the next is taken."""

    __tablename__ = "receipt_sequence"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger)


class ReconciliationRun(UUIDPrimaryKey, Base):
    """One comparison of the ledger with the processor's records, and what it found."""

    __tablename__ = "reconciliation_runs"

    processor: Mapped[ProcessorName] = mapped_column(enum_column(ProcessorName, 16))
    since: Mapped[datetime | None]
    ran_at: Mapped[datetime]
    mismatch_count: Mapped[int]
    report: Mapped[dict[str, Any]] = mapped_column(JSONDocument)

    __table_args__ = (Index("ix_reconciliation_runs_ran", "ran_at"),)


class ChargebackStatus(StrEnum):
    """Where a card dispute (chargeback) raised at the processor is."""

    OPEN = "open"
    """The cardholder disputes the charge: the challenge's escrow is frozen."""
    WON = "won"
    """Closed in the platform's favour: the money stays."""
    LOST = "lost"
    """Closed against the platform: the card network took the money back."""


class Chargeback(UUIDPrimaryKey, Timestamps, Base):
    """A card dispute on a funding's charge, as the processor reported it."""

    __tablename__ = "chargebacks"

    funding_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("escrow_fundings.id", ondelete="RESTRICT")
    )
    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="RESTRICT")
    )
    processor_dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[ChargebackStatus] = mapped_column(enum_column(ChargebackStatus, 16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_chargebacks_challenge", "challenge_id", "status"),)


class LocalDispute(Base):
    """A card dispute held by the local processor (its Dispute object)."""

    __tablename__ = "local_processor_disputes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payment_id: Mapped[str] = mapped_column(
        ForeignKey("local_processor_payments.id", ondelete="RESTRICT")
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(
        String(32), doc="Stripe's dispute states: needs_response, won, lost."
    )
    created_at: Mapped[datetime]


class ProcessorEvent(UUIDPrimaryKey, Base):
    __tablename__ = "processor_events"

    processor: Mapped[ProcessorName] = mapped_column(enum_column(ProcessorName, 16))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    outcome: Mapped[EventOutcome] = mapped_column(enum_column(EventOutcome, 16))
    received_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("processor", "event_id", name="uq_processor_events_event"),)


class LocalPayment(Base):
    """A payment held by the local processor (its PaymentIntent)."""

    __tablename__ = "local_processor_payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)
    client_secret: Mapped[str] = mapped_column(String(100))
    status: Mapped[LocalPaymentStatus] = mapped_column(enum_column(LocalPaymentStatus, 32))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    pending_card: Mapped[str | None] = mapped_column(
        String(19), doc="The card waiting for authentication (test numbers only)."
    )
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class LocalRefund(Base):
    """A refund held by the local processor (its Refund object)."""

    __tablename__ = "local_processor_refunds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payment_id: Mapped[str] = mapped_column(
        ForeignKey("local_processor_payments.id", ondelete="RESTRICT")
    )
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)
    created_at: Mapped[datetime]
