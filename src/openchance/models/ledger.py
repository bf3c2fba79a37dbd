"""The double-entry ledger: accounts, transactions and their postings.

Every movement of money is a transaction of two or more postings whose amounts sum to zero
per currency (``openchance.payments.ledger_rules.check_balanced`` decides). Postings and
transactions are never changed or deleted: a correction is a new, reversing transaction.
The migration adds triggers that refuse ``UPDATE`` and ``DELETE`` of both tables on
PostgreSQL and SQLite alike. An account's ``balance_minor`` is a cache of the sum of its
postings, written under a row lock by the ledger and checked against the postings by
``openchance payments check``.
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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class AccountPurpose(StrEnum):
    """What an account holds money for."""

    WORLD = "world"
    """Outside the platform: money enters the ledger from it and leaves to it (system)."""
    CHALLENGER_FUNDING = "challenger_funding"
    """A challenger's money paid in and not yet put into escrow (owner: the user)."""
    ESCROW = "escrow"
    """Money held for one challenge until it is released or refunded (owner: the challenge)."""
    SOLVER_PAYABLE = "solver_payable"
    """What the platform owes a solver and has not paid out yet (owner: the user)."""
    PLATFORM_FEES = "platform_fees"
    """The platform's own revenue (system)."""
    PROCESSOR_FEES = "processor_fees"
    """What payment processors charged (system)."""
    PROCESSOR_CLEARING = "processor_clearing"
    """Money in transit at a payment processor, settled later; may go negative (system)."""


class OwnerKind(StrEnum):
    """Whose account it is."""

    SYSTEM = "system"
    """Nobody's: one account per purpose and currency."""
    USER = "user"
    """A user's (challenger funding, solver payable)."""
    CHALLENGE = "challenge"
    """A challenge's (escrow)."""


class AccountFloor(StrEnum):
    """How low an account's balance may go."""

    ZERO = "zero"
    """Never below zero: a debit past the balance is refused (``insufficient_funds``)."""
    NONE = "none"
    """May go negative (the world, processor clearing): these mirror outside balances."""


SYSTEM_OWNER_KEY = "system"
"""``owner_key`` of the accounts nobody owns (a non-null key, so uniqueness holds for them)."""


class LedgerAccount(UUIDPrimaryKey, Base):
    __tablename__ = "ledger_accounts"

    purpose: Mapped[AccountPurpose] = mapped_column(enum_column(AccountPurpose, 32))
    owner_kind: Mapped[OwnerKind] = mapped_column(enum_column(OwnerKind, 16))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        doc="The user or challenge; None for system accounts (no foreign key: ledger rows "
        "outlive what they refer to)."
    )
    owner_key: Mapped[str] = mapped_column(
        String(64), doc="``system``, or ``user:<id>`` / ``challenge:<id>``."
    )
    currency: Mapped[str] = mapped_column(String(3))
    floor: Mapped[AccountFloor] = mapped_column(enum_column(AccountFloor, 8))
    balance_minor: Mapped[int] = mapped_column(
        BigInteger, default=0, doc="The sum of the account's postings, kept under a row lock."
    )
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("purpose", "owner_key", "currency", name="uq_ledger_accounts_owner"),
        CheckConstraint("(owner_kind = 'system') = (owner_id IS NULL)", name="owner_id_iff_owned"),
        CheckConstraint("floor = 'none' OR balance_minor >= 0", name="balance_above_floor"),
        Index("ix_ledger_accounts_owner", "owner_id"),
    )


class LedgerTransaction(UUIDPrimaryKey, Base):
    __tablename__ = "ledger_transactions"

    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(
        String(64), doc="SHA-256 of the canonical request: a retry must send the same one."
    )
    kind: Mapped[str] = mapped_column(String(64), doc="e.g. ``deposit``, ``reversal``.")
    description: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"),
        unique=True,
        doc="The transaction this one reverses (each is reversed at most once).",
    )
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_ledger_transactions_created", "created_at", "id"),)


class LedgerPosting(UUIDPrimaryKey, Base):
    __tablename__ = "ledger_postings"

    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_accounts.id", ondelete="RESTRICT")
    )
    amount_minor: Mapped[int] = mapped_column(
        BigInteger, doc="Signed: positive raises the account's balance, negative lowers it."
    )
    currency: Mapped[str] = mapped_column(String(3))
    position: Mapped[int] = mapped_column(Integer, doc="0, 1, … within the transaction.")

    __table_args__ = (
        UniqueConstraint("transaction_id", "position", name="uq_ledger_postings_position"),
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
        Index("ix_ledger_postings_account", "account_id"),
    )
