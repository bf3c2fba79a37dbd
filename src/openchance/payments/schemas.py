"""Inputs and outputs of the ledger: account references, postings, transactions, reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from openchance.models.ledger import AccountFloor, AccountPurpose, OwnerKind


class AccountRef(BaseModel):
    """An account named by what it is for (created on first use): purpose, owner, currency."""

    model_config = ConfigDict(frozen=True)

    purpose: AccountPurpose
    currency: str = Field(description="ISO 4217 code, upper-case.", examples=["EUR"])
    owner_kind: OwnerKind = OwnerKind.SYSTEM
    owner_id: uuid.UUID | None = None

    @classmethod
    def system(cls, purpose: AccountPurpose, currency: str) -> AccountRef:
        """``world``, ``platform_fees``, ``processor_fees`` or ``processor_clearing``."""
        return cls(purpose=purpose, currency=currency)

    @classmethod
    def funding(cls, user_id: uuid.UUID, currency: str) -> AccountRef:
        return cls(
            purpose=AccountPurpose.CHALLENGER_FUNDING,
            currency=currency,
            owner_kind=OwnerKind.USER,
            owner_id=user_id,
        )

    @classmethod
    def escrow(cls, challenge_id: uuid.UUID, currency: str) -> AccountRef:
        return cls(
            purpose=AccountPurpose.ESCROW,
            currency=currency,
            owner_kind=OwnerKind.CHALLENGE,
            owner_id=challenge_id,
        )

    @classmethod
    def payable(cls, user_id: uuid.UUID, currency: str) -> AccountRef:
        return cls(
            purpose=AccountPurpose.SOLVER_PAYABLE,
            currency=currency,
            owner_kind=OwnerKind.USER,
            owner_id=user_id,
        )


class PostingSpec(BaseModel):
    """One posting to make: an account (by reference or id), a signed amount, its currency."""

    model_config = ConfigDict(frozen=True)

    account: AccountRef | uuid.UUID
    amount_minor: int = Field(description="Signed minor units: positive raises the balance.")
    currency: str


class PostingRead(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    amount_minor: int
    currency: str
    position: int


class LedgerTransactionRead(BaseModel):
    id: uuid.UUID
    idempotency_key: str
    request_hash: str
    kind: str
    description: str
    metadata: dict[str, Any]
    reverses_id: uuid.UUID | None
    created_at: datetime
    postings: list[PostingRead]


class AccountRead(BaseModel):
    id: uuid.UUID
    purpose: AccountPurpose
    owner_kind: OwnerKind
    owner_id: uuid.UUID | None
    currency: str
    floor: AccountFloor
    balance_minor: int = Field(description="The cached balance.")
    created_at: datetime


class BalanceRead(BaseModel):
    """An account's balance twice: as cached on the account, and summed from its postings."""

    account_id: uuid.UUID
    currency: str
    cached_minor: int
    derived_minor: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def consistent(self) -> bool:
        return self.cached_minor == self.derived_minor


class StatementLine(BaseModel):
    transaction_id: uuid.UUID
    kind: str
    description: str
    created_at: datetime
    amount_minor: int
    balance_after_minor: int


class AccountStatement(BaseModel):
    """An account's postings, newest first, each with the balance it left."""

    account: AccountRead
    lines: list[StatementLine]
    has_more: bool


class InvariantViolation(BaseModel):
    subject: str = Field(description="The transaction or account, by id.")
    detail: str


class InvariantCheck(BaseModel):
    name: str
    description: str
    checked: int = Field(description="How many rows were looked at.")
    violation_count: int
    violations: list[InvariantViolation] = Field(description="The first ones found.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.violation_count == 0


class InvariantReport(BaseModel):
    checks: list[InvariantCheck]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


class OwnBalanceLine(BaseModel):
    purpose: AccountPurpose = Field(
        description="``solver_payable``: owed to you and not paid out yet; "
        "``challenger_funding``: paid in by you and not in any escrow."
    )
    currency: str
    balance_minor: int


class OwnBalances(BaseModel):
    lines: list[OwnBalanceLine]
