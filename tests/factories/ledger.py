"""Ledger data: accounts of every purpose, deposits and transfers through the ledger itself."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from openchance import OpenChance
from openchance.models.ledger import AccountPurpose
from openchance.payments import ledger
from openchance.payments.schemas import AccountRef, LedgerTransactionRead, PostingSpec

WORLD_EUR = AccountRef.system(AccountPurpose.WORLD, "EUR")
FEES_EUR = AccountRef.system(AccountPurpose.PLATFORM_FEES, "EUR")


def new_key(label: str = "test") -> str:
    return f"{label}-{uuid.uuid4()}"


def funding(currency: str = "EUR") -> AccountRef:
    """A challenger's funding account nobody has used yet."""
    return AccountRef.funding(uuid.uuid4(), currency)


def escrow(currency: str = "EUR") -> AccountRef:
    return AccountRef.escrow(uuid.uuid4(), currency)


def move(
    source: AccountRef | uuid.UUID,
    target: AccountRef | uuid.UUID,
    amount: int,
    currency: str = "EUR",
) -> list[PostingSpec]:
    """Two postings: ``amount`` from ``source`` to ``target``."""
    return [
        PostingSpec(account=source, amount_minor=-amount, currency=currency),
        PostingSpec(account=target, amount_minor=amount, currency=currency),
    ]


async def post(
    oc: OpenChance,
    postings: list[PostingSpec],
    *,
    key: str | None = None,
    kind: str = "test",
    description: str = "",
) -> LedgerTransactionRead:
    """Post in a unit of work of its own (committed)."""
    async with oc.unit_of_work() as uow:
        return await ledger.post_transaction(
            uow,
            idempotency_key=new_key(kind) if key is None else key,
            kind=kind,
            postings=postings,
            description=description,
        )


async def deposit(
    oc: OpenChance, account: AccountRef, amount: int, *, key: str | None = None
) -> LedgerTransactionRead:
    """Money from the world into ``account`` (in its currency)."""
    world = AccountRef.system(AccountPurpose.WORLD, account.currency)
    return await post(oc, move(world, account, amount, account.currency), key=key, kind="deposit")


async def reverse(
    oc: OpenChance, transaction_id: uuid.UUID, *, key: str | None = None, reason: str = "mistake"
) -> LedgerTransactionRead:
    async with oc.unit_of_work() as uow:
        return await ledger.reverse_transaction(
            uow, transaction_id, idempotency_key=key or new_key("reversal"), reason=reason
        )


async def balance_of(oc: OpenChance, account: AccountRef) -> int:
    """The cached balance (0 for an account never used); asserts it equals the derived one."""
    async with oc.unit_of_work(read_only=True) as uow:
        found = await ledger.find_account(uow, account)
        if found is None:
            return 0
        result = await ledger.balance(uow, found.id)
    assert result.consistent, result
    return result.cached_minor


async def row_counts(oc: OpenChance) -> tuple[int, int, int]:
    """(accounts, transactions, postings) in the database."""
    async with oc.unit_of_work(read_only=True) as uow:
        counts = []
        for table in (ledger.ACCOUNTS, ledger.TRANSACTIONS, ledger.POSTINGS):
            counts.append(
                int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)
            )
    return counts[0], counts[1], counts[2]
