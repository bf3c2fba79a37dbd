"""``oc.ledger``: what staff and operators read of the ledger, and the invariant check.

Money moves only through the functions of ``payments/ledger.py``, called by the payment
use cases inside their own unit of work; this service only reads.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.accounts.policy import check_staff
from openchance.actor import Actor
from openchance.errors import NotAuthenticated
from openchance.models.ledger import LedgerAccount, OwnerKind
from openchance.payments import ledger
from openchance.payments.invariants import Progress, check_invariants
from openchance.payments.schemas import (
    AccountRead,
    AccountRef,
    AccountStatement,
    BalanceRead,
    InvariantReport,
    LedgerTransactionRead,
    OwnBalanceLine,
    OwnBalances,
)

if TYPE_CHECKING:
    from openchance.platform import OpenChance

MAX_STATEMENT_LINES = 1000


class LedgerService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def get_account(self, actor: Actor, account_id: uuid.UUID) -> AccountRead:
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await ledger.get_account(uow, account_id)

    async def find_account(self, actor: Actor, ref: AccountRef) -> AccountRead | None:
        """The account for (purpose, owner, currency), or None while it has never been used."""
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await ledger.find_account(uow, ref)

    async def balance(self, actor: Actor, account_id: uuid.UUID) -> BalanceRead:
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await ledger.balance(uow, account_id)

    async def statement(
        self, actor: Actor, account_id: uuid.UUID, *, limit: int = 50
    ) -> AccountStatement:
        check_staff(actor)
        limit = max(1, min(limit, MAX_STATEMENT_LINES))
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await ledger.account_statement(uow, account_id, limit=limit)

    async def get_transaction(
        self, actor: Actor, transaction_id: uuid.UUID
    ) -> LedgerTransactionRead:
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await ledger.get_transaction(uow, transaction_id)

    async def own_balances(self, actor: Actor) -> OwnBalances:
        """The signed-in user's own accounts: what the platform owes them, and what they
        paid in that waits outside escrow."""
        if actor.user_id is None:
            raise NotAuthenticated("sign in first")
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await uow.session.scalars(
                select(LedgerAccount)
                .where(
                    LedgerAccount.owner_kind == OwnerKind.USER,
                    LedgerAccount.owner_id == actor.user_id,
                )
                .order_by(LedgerAccount.purpose, LedgerAccount.currency)
            )
            return OwnBalances(
                lines=[
                    OwnBalanceLine(purpose=row.purpose, currency=row.currency,
                                   balance_minor=row.balance_minor)
                    for row in rows
                ]
            )  # fmt: skip

    async def check_invariants(
        self, actor: Actor, progress: Progress | None = None
    ) -> InvariantReport:
        """Every ledger invariant over the whole database, in one consistent read."""
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await check_invariants(uow, progress)
