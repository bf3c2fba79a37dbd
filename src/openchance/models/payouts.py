"""Payouts: a solver's payout account at the processor, the payouts of released money to it,
and the local processor's connected accounts, transfers and payouts.

A :class:`Payout` is made for every release to a solver (a milestone's, or a dispute
decision's share); the money stays in the solver's ``solver_payable`` ledger account until
the transfer to their connected account is made, then leaves the ledger for the world.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument
from openchance.models.payments import ProcessorName


class PayoutAccountStatus(StrEnum):
    """Where a solver's payout account is."""

    ONBOARDING = "onboarding"
    """Created at the processor; the solver has not finished its onboarding."""
    ENABLED = "enabled"
    """The processor pays out to it."""
    RESTRICTED = "restricted"
    """Onboarded, but the processor does not pay out to it (details missing or refused)."""


class PayoutAccount(UUIDPrimaryKey, Timestamps, Base):
    """A solver's connected account at the processor (Stripe Connect Express); changing
    where payouts go updates the bank account on it."""

    __tablename__ = "payout_accounts"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), unique=True
    )
    processor: Mapped[ProcessorName] = mapped_column(enum_column(ProcessorName, 16))
    processor_account_id: Mapped[str] = mapped_column(String(255), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    status: Mapped[PayoutAccountStatus] = mapped_column(enum_column(PayoutAccountStatus, 16))
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    bank_last4: Mapped[str | None] = mapped_column(String(4))


class PayoutStatus(StrEnum):
    """Where one payout is (what both sides see)."""

    PENDING = "pending"
    """Waiting: for its security delay, for the solver's payout account, or to be sent."""
    ON_HOLD = "on_hold"
    """Held by staff (with a reason); sent once released."""
    IN_TRANSIT = "in_transit"
    """Transferred to the solver's account and on its way to their bank."""
    PAID = "paid"
    """In the solver's bank account."""
    FAILED = "failed"
    """The processor or the bank refused it; see ``failure_code``."""


OPEN_PAYOUT_STATUSES = (PayoutStatus.PENDING, PayoutStatus.ON_HOLD, PayoutStatus.FAILED)
"""Payouts whose money has not reached the solver's bank and may still be sent."""


class Payout(UUIDPrimaryKey, Timestamps, Base):
    """Money released to a solver, on its way to their bank."""

    __tablename__ = "payouts"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    challenge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("challenges.id", ondelete="RESTRICT")
    )
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("escrow_milestones.id", ondelete="RESTRICT")
    )
    source_key: Mapped[str] = mapped_column(
        String(255), unique=True, doc="The ledger key of the release that owes this payout."
    )
    currency: Mapped[str] = mapped_column(String(3))
    gross_minor: Mapped[int] = mapped_column(BigInteger, doc="What was released.")
    fee_minor: Mapped[int] = mapped_column(BigInteger, doc="The solver-side platform fee.")
    amount_minor: Mapped[int] = mapped_column(BigInteger, doc="What the solver is paid.")
    status: Mapped[PayoutStatus] = mapped_column(enum_column(PayoutStatus, 16))
    available_at: Mapped[datetime] = mapped_column(doc="Not sent before (the security delay).")
    payout_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payout_accounts.id", ondelete="RESTRICT"), doc="Where it was sent."
    )
    sending_since: Mapped[datetime | None] = mapped_column(
        doc="Set while the transfer is asked for: no hold from then on."
    )
    transfer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    transferred_at: Mapped[datetime | None]
    processor_payout_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payout_attempts: Mapped[int] = mapped_column(default=0)
    arrival_date: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    held_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_at: Mapped[datetime | None]
    statement_number: Mapped[int | None] = mapped_column(BigInteger, unique=True)

    __table_args__ = (
        CheckConstraint(
            "amount_minor > 0 AND fee_minor >= 0 AND gross_minor = amount_minor + fee_minor",
            name="amounts_valid",
        ),
        Index("ix_payouts_user", "user_id", "created_at"),
        Index("ix_payouts_status", "status", "available_at"),
        Index("ix_payouts_challenge", "challenge_id", "created_at"),
    )


class LocalAccount(Base):
    """A connected account of the local processor."""

    __tablename__ = "local_processor_accounts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    country: Mapped[str] = mapped_column(String(2))
    details_submitted: Mapped[bool]
    payouts_enabled: Mapped[bool]
    bank_number: Mapped[str | None] = mapped_column(
        String(34), doc="One of Stripe's test bank account numbers."
    )
    onboarding_token: Mapped[str | None] = mapped_column(String(64))
    meta: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime]


class _LocalMoneyMovement:
    """What the local processor keeps of every transfer and payout it makes: Stripe's
    idempotency (the key and a hash of the request), the account, the amount."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(ForeignKey("local_processor_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    meta: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime]


class LocalTransfer(_LocalMoneyMovement, Base):
    """Money the local processor moved from the platform to a connected account."""

    __tablename__ = "local_processor_transfers"
    __table_args__ = (Index("ix_local_transfers_account", "account_id", "currency"),)


class LocalPayout(_LocalMoneyMovement, Base):
    """Money the local processor sent from a connected account to its bank."""

    __tablename__ = "local_processor_payouts"

    status: Mapped[str] = mapped_column(String(16))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    arrival_date: Mapped[datetime]

    __table_args__ = (Index("ix_local_payouts_account", "account_id", "currency"),)
