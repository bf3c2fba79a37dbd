"""The ledger inside a caller's unit of work: accounts, posting and reversing transactions.

Escrow, payouts and refunds call these functions in their own unit of work, so a money
movement commits or rolls back together with the change that caused it. Nothing here
commits; a refusal raises, and the caller's rollback leaves no trace of the attempt.

How a transaction is written (:func:`post_transaction`):

1. The idempotency key is looked up first: a retry of the same request (same hash) gets
   the stored transaction back, a different request under the key is refused.
2. The postings are checked by :func:`~openchance.payments.ledger_rules.check_balanced`
   before anything is written.
3. Accounts named by reference are created if missing (``INSERT … ON CONFLICT DO
   NOTHING``), then *every* involved account row is locked ``FOR UPDATE`` in id order.
   Creating before locking matters: an account nobody has used yet has no row to lock, so
   two concurrent first debits would otherwise both read a balance and both pass.
4. Under those locks the new balances are computed and checked against each account's
   floor (``insufficient_funds``).
5. The transaction row is inserted with ``ON CONFLICT DO NOTHING``: when another unit of
   work inserted the same key (or reversed the same transaction) concurrently, the unique
   constraint decides, PostgreSQL waits for the other to commit, and the loser returns the
   winner's transaction or raises. No savepoint and no failed statement are needed.
6. Postings are inserted and the cached balances written.

SQLite takes the database's write lock at ``BEGIN IMMEDIATE`` (see ``db/engine.py``), so
there every step already runs alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Row, Table, bindparam, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound
from openchance.models.ledger import LedgerAccount, LedgerPosting, LedgerTransaction
from openchance.payments import ledger_rules as rules
from openchance.payments.schemas import (
    AccountRead,
    AccountRef,
    AccountStatement,
    BalanceRead,
    LedgerTransactionRead,
    PostingRead,
    PostingSpec,
    StatementLine,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

ACCOUNTS = cast(Table, LedgerAccount.__table__)
TRANSACTIONS = cast(Table, LedgerTransaction.__table__)
POSTINGS = cast(Table, LedgerPosting.__table__)

MAX_IDEMPOTENCY_KEY_LENGTH = 200
REVERSAL_KIND = "reversal"

_ACCOUNT_KEY = tuple_(ACCOUNTS.c.purpose, ACCOUNTS.c.owner_key, ACCOUNTS.c.currency)


# -- accounts ------------------------------------------------------------------------------


async def get_or_create_account(uow: UnitOfWork, ref: AccountRef) -> AccountRead:
    """The account for (purpose, owner, currency), created if it does not exist yet, and
    locked (``FOR UPDATE``) for the rest of the caller's transaction."""
    accounts, by_ref = await _create_then_lock(uow, [ref], [])
    return _account_read(accounts[by_ref[ref]])


async def find_account(uow: UnitOfWork, ref: AccountRef) -> AccountRead | None:
    """The account for (purpose, owner, currency) if it has been used; nothing is created."""
    _check_ref(ref)
    row = (
        await uow.session.execute(select(ACCOUNTS).where(_ACCOUNT_KEY.in_([_ref_key(ref)])))
    ).one_or_none()
    return None if row is None else _account_read(row)


async def get_account(uow: UnitOfWork, account_id: uuid.UUID) -> AccountRead:
    row = (
        await uow.session.execute(select(ACCOUNTS).where(ACCOUNTS.c.id == account_id))
    ).one_or_none()
    if row is None:
        raise NotFound("ledger account", account_id)
    return _account_read(row)


async def balance(uow: UnitOfWork, account_id: uuid.UUID) -> BalanceRead:
    """The account's cached balance next to the sum of its postings (they must agree)."""
    account = await get_account(uow, account_id)
    derived = await uow.session.scalar(
        select(func.coalesce(func.sum(POSTINGS.c.amount_minor), 0)).where(
            POSTINGS.c.account_id == account_id
        )
    )
    return BalanceRead(
        account_id=account.id,
        currency=account.currency,
        cached_minor=account.balance_minor,
        derived_minor=int(derived or 0),
    )


async def account_statement(
    uow: UnitOfWork, account_id: uuid.UUID, *, limit: int = 50
) -> AccountStatement:
    """The account's newest ``limit`` postings, newest first, each with the balance it left."""
    account = await get_account(uow, account_id)
    running = (
        func.sum(POSTINGS.c.amount_minor)
        .over(
            order_by=(TRANSACTIONS.c.created_at, TRANSACTIONS.c.id, POSTINGS.c.position),
            rows=(None, 0),
        )
        .label("balance_after")
    )
    history = (
        select(
            POSTINGS.c.transaction_id,
            POSTINGS.c.position,
            POSTINGS.c.amount_minor,
            TRANSACTIONS.c.kind,
            TRANSACTIONS.c.description,
            TRANSACTIONS.c.created_at,
            running,
        )
        .join(TRANSACTIONS, TRANSACTIONS.c.id == POSTINGS.c.transaction_id)
        .where(POSTINGS.c.account_id == account_id)
        .subquery()
    )
    rows = (
        await uow.session.execute(
            select(history)
            .order_by(
                history.c.created_at.desc(),
                history.c.transaction_id.desc(),
                history.c.position.desc(),
            )
            .limit(limit + 1)
        )
    ).all()
    lines = [
        StatementLine(
            transaction_id=row.transaction_id,
            kind=row.kind,
            description=row.description,
            created_at=row.created_at,
            amount_minor=row.amount_minor,
            balance_after_minor=int(row.balance_after),
        )
        for row in rows[:limit]
    ]
    return AccountStatement(account=account, lines=lines, has_more=len(rows) > limit)


# -- transactions --------------------------------------------------------------------------


async def post_transaction(
    uow: UnitOfWork,
    *,
    idempotency_key: str,
    kind: str,
    postings: Sequence[PostingSpec],
    description: str = "",
    metadata: Mapping[str, Any] | None = None,
) -> LedgerTransactionRead:
    """Write one balanced transaction, or return the one already written under the key.

    Refusals: ``too_few_postings``, ``zero_amount``, ``unknown_currency``,
    ``currency_mismatch``, ``unbalanced_transaction`` … (:class:`InvalidInput`),
    ``insufficient_funds`` and ``idempotency_key_reused`` (:class:`Conflict`), an unknown
    account id (:class:`NotFound`)."""
    meta = dict(metadata or {})
    request = {
        "kind": kind,
        "description": description,
        "metadata": meta,
        "postings": [spec.model_dump(mode="json") for spec in postings],
    }
    return await _write(
        uow,
        idempotency_key=idempotency_key,
        request_hash=rules.request_hash(request),
        kind=kind,
        specs=postings,
        description=description,
        metadata=meta,
        reverses_id=None,
    )


async def reverse_transaction(
    uow: UnitOfWork, transaction_id: uuid.UUID, *, idempotency_key: str, reason: str
) -> LedgerTransactionRead:
    """A new transaction with the original's postings negated, linked by ``reverses_id``.

    A transaction is reversed at most once (``already_reversed``); a reversal that would
    take an account below its floor (the money was spent since) is ``insufficient_funds``."""
    if not reason.strip():
        raise InvalidInput(
            "say why the transaction is reversed",
            code="reason_required",
            errors=[{"field": "reason", "message": "required"}],
        )
    request_hash = rules.request_hash({"reverses": str(transaction_id), "reason": reason})
    _check_key(idempotency_key)
    stored = await _by_key(uow, idempotency_key)
    if stored is not None:
        return _replay(stored, request_hash)
    original = await get_transaction(uow, transaction_id)
    await _check_not_reversed(uow, transaction_id)
    specs = [
        PostingSpec(account=p.account_id, amount_minor=-p.amount_minor, currency=p.currency)
        for p in original.postings
    ]
    return await _write(
        uow,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        kind=REVERSAL_KIND,
        specs=specs,
        description=reason,
        metadata={"reverses": str(transaction_id)},
        reverses_id=transaction_id,
    )


async def find_transaction(uow: UnitOfWork, idempotency_key: str) -> LedgerTransactionRead | None:
    """The transaction written under ``idempotency_key``, if any."""
    return await _by_key(uow, idempotency_key)


async def get_transaction(uow: UnitOfWork, transaction_id: uuid.UUID) -> LedgerTransactionRead:
    row = (
        await uow.session.execute(select(TRANSACTIONS).where(TRANSACTIONS.c.id == transaction_id))
    ).one_or_none()
    if row is None:
        raise NotFound("ledger transaction", transaction_id)
    return await _transaction_read(uow, row)


# -- the write path ------------------------------------------------------------------------


async def _write(
    uow: UnitOfWork,
    *,
    idempotency_key: str,
    request_hash: str,
    kind: str,
    specs: Sequence[PostingSpec],
    description: str,
    metadata: dict[str, Any],
    reverses_id: uuid.UUID | None,
) -> LedgerTransactionRead:
    _check_key(idempotency_key)
    if reverses_id is None:
        stored = await _by_key(uow, idempotency_key)
        if stored is not None:
            return _replay(stored, request_hash)
    _check_specs(specs)

    refs = [spec.account for spec in specs if isinstance(spec.account, AccountRef)]
    ids = [spec.account for spec in specs if isinstance(spec.account, uuid.UUID)]
    accounts, by_ref = await _create_then_lock(uow, refs, ids)
    postings = [
        rules.Posting(
            by_ref[spec.account] if isinstance(spec.account, AccountRef) else spec.account,
            spec.amount_minor,
            spec.currency,
        )
        for spec in specs
    ]
    rules.check_balanced(
        postings, {account_id: row.currency for account_id, row in accounts.items()}
    )
    before = {account_id: int(row.balance_minor) for account_id, row in accounts.items()}
    after = rules.apply(before, postings)
    try:
        rules.check_floors(
            before, after, {account_id: row.floor for account_id, row in accounts.items()}
        )
    except Conflict:
        # While this waited for the locks, a retry of the same request (or another reversal
        # of the same transaction) may have committed: that is the answer, not the floor.
        winner = await _committed_meanwhile(uow, idempotency_key, request_hash, reverses_id)
        if winner is None:
            raise
        return winner

    transaction_id, now = uuid.uuid4(), utcnow()
    inserted = await uow.session.scalar(
        _insert(uow, TRANSACTIONS)
        .values(
            id=transaction_id,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            kind=kind,
            description=description,
            metadata=metadata,
            reverses_id=reverses_id,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(TRANSACTIONS.c.id)
    )
    if inserted is None:
        winner = await _committed_meanwhile(uow, idempotency_key, request_hash, reverses_id)
        if winner is None:
            raise RuntimeError("the ledger transaction conflicted with a row that is not there")
        return winner

    rows = [
        {
            "id": uuid.uuid4(),
            "transaction_id": transaction_id,
            "account_id": posting.account_id,
            "amount_minor": posting.amount_minor,
            "currency": posting.currency,
            "position": position,
        }
        for position, posting in enumerate(postings)
    ]
    await uow.session.execute(POSTINGS.insert(), rows)
    changed = [
        {"account": account_id, "new_balance": after[account_id]}
        for account_id in sorted(after)
        if after[account_id] != before[account_id]
    ]
    if changed:
        await uow.session.execute(
            update(ACCOUNTS)
            .where(ACCOUNTS.c.id == bindparam("account"))
            .values(balance_minor=bindparam("new_balance")),
            changed,
        )
    return LedgerTransactionRead(
        id=transaction_id,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        kind=kind,
        description=description,
        metadata=metadata,
        reverses_id=reverses_id,
        created_at=now,
        postings=[
            PostingRead(
                id=row["id"],
                account_id=row["account_id"],
                amount_minor=row["amount_minor"],
                currency=row["currency"],
                position=row["position"],
            )
            for row in rows
        ],
    )


def _check_key(idempotency_key: str) -> None:
    if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput(
            f"an idempotency key has 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters",
            code="invalid_idempotency_key",
            errors=[{"field": "idempotency_key", "message": "1 to 200 characters"}],
        )


def _check_specs(specs: Sequence[PostingSpec]) -> None:
    """The rules that need no account row, before anything is written: each posting's
    currency must be its referenced account's (accounts by id are checked once locked)."""
    placeholders = [uuid.uuid4() for _ in specs]
    rules.check_balanced(
        [
            rules.Posting(placeholder, spec.amount_minor, spec.currency)
            for placeholder, spec in zip(placeholders, specs, strict=True)
        ],
        {
            placeholder: spec.account.currency
            if isinstance(spec.account, AccountRef)
            else spec.currency
            for placeholder, spec in zip(placeholders, specs, strict=True)
        },
    )


async def _committed_meanwhile(
    uow: UnitOfWork, idempotency_key: str, request_hash: str, reverses_id: uuid.UUID | None
) -> LedgerTransactionRead | None:
    """What another unit of work committed first under the same key: returned for the same
    request, ``idempotency_key_reused`` for another; ``already_reversed`` when another
    reversal of the same transaction committed; None when nothing did."""
    stored = await _by_key(uow, idempotency_key)
    if stored is not None:
        return _replay(stored, request_hash)
    if reverses_id is not None:
        await _check_not_reversed(uow, reverses_id)
    return None


async def _by_key(uow: UnitOfWork, idempotency_key: str) -> LedgerTransactionRead | None:
    row = (
        await uow.session.execute(
            select(TRANSACTIONS).where(TRANSACTIONS.c.idempotency_key == idempotency_key)
        )
    ).one_or_none()
    return None if row is None else await _transaction_read(uow, row)


def _replay(stored: LedgerTransactionRead, request_hash: str) -> LedgerTransactionRead:
    if stored.request_hash != request_hash:
        raise Conflict(
            f"the idempotency key {stored.idempotency_key!r} was used for another request",
            code="idempotency_key_reused",
            idempotency_key=stored.idempotency_key,
            transaction=str(stored.id),
        )
    return stored


async def _check_not_reversed(uow: UnitOfWork, transaction_id: uuid.UUID) -> None:
    reversal = await uow.session.scalar(
        select(TRANSACTIONS.c.id).where(TRANSACTIONS.c.reverses_id == transaction_id)
    )
    if reversal is not None:
        raise Conflict(
            f"transaction {transaction_id} is already reversed by {reversal}",
            code="already_reversed",
            transaction=str(transaction_id),
            reversal=str(reversal),
        )


async def _create_then_lock(
    uow: UnitOfWork, refs: Sequence[AccountRef], ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, Row[Any]], dict[AccountRef, uuid.UUID]]:
    """Create the referenced accounts that do not exist, then lock every involved account
    row in id order (one order for everyone, so two transfers cannot deadlock)."""
    unique_refs = sorted(set(refs), key=_ref_key)
    for ref in unique_refs:
        _check_ref(ref)
    if unique_refs:
        now = utcnow()
        await uow.session.execute(
            _insert(uow, ACCOUNTS)
            .values(
                [
                    {
                        "id": uuid.uuid4(),
                        "purpose": ref.purpose,
                        "owner_kind": ref.owner_kind,
                        "owner_id": ref.owner_id,
                        "owner_key": rules.owner_key(ref.owner_kind, ref.owner_id),
                        "currency": ref.currency,
                        "floor": rules.floor_for(ref.purpose),
                        "balance_minor": 0,
                        "created_at": now,
                    }
                    for ref in unique_refs
                ]
            )
            .on_conflict_do_nothing()
        )
    conditions = []
    if unique_refs:
        conditions.append(_ACCOUNT_KEY.in_([_ref_key(ref) for ref in unique_refs]))
    if ids:
        conditions.append(ACCOUNTS.c.id.in_(set(ids)))
    rows = (
        await uow.session.execute(
            select(ACCOUNTS).where(or_(*conditions)).order_by(ACCOUNTS.c.id).with_for_update()
        )
    ).all()
    accounts = {row.id: row for row in rows}
    missing = [account_id for account_id in ids if account_id not in accounts]
    if missing:
        raise NotFound("ledger account", missing[0])
    keyed = {(row.purpose, row.owner_key, row.currency): row.id for row in rows}
    return accounts, {ref: keyed[_ref_key(ref)] for ref in unique_refs}


def _check_ref(ref: AccountRef) -> None:
    rules.check_owner(ref.purpose, ref.owner_kind, ref.owner_id)
    rules.check_currency(ref.currency)


def _ref_key(ref: AccountRef) -> tuple[str, str, str]:
    return (ref.purpose.value, rules.owner_key(ref.owner_kind, ref.owner_id), ref.currency)


def _insert(uow: UnitOfWork, table: Table) -> PostgresInsert | SqliteInsert:
    """``INSERT`` in the engine's own dialect, for ``ON CONFLICT DO NOTHING``."""
    if uow.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def _transaction_read(uow: UnitOfWork, row: Row[Any]) -> LedgerTransactionRead:
    postings = (
        await uow.session.execute(
            select(POSTINGS)
            .where(POSTINGS.c.transaction_id == row.id)
            .order_by(POSTINGS.c.position)
        )
    ).all()
    return LedgerTransactionRead(
        id=row.id,
        idempotency_key=row.idempotency_key,
        request_hash=row.request_hash,
        kind=row.kind,
        description=row.description,
        metadata=row._mapping["metadata"],
        reverses_id=row.reverses_id,
        created_at=row.created_at,
        postings=[
            PostingRead(
                id=p.id,
                account_id=p.account_id,
                amount_minor=p.amount_minor,
                currency=p.currency,
                position=p.position,
            )
            for p in postings
        ],
    )


def _account_read(row: Row[Any]) -> AccountRead:
    return AccountRead(
        id=row.id,
        purpose=row.purpose,
        owner_kind=row.owner_kind,
        owner_id=row.owner_id,
        currency=row.currency,
        floor=row.floor,
        balance_minor=row.balance_minor,
        created_at=row.created_at,
    )
