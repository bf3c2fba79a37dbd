"""Every ledger invariant, checked over the whole database (``openchance payments check``).

Transactions are read in pages of :data:`PAGE_SIZE` and each is judged by the same
:func:`~openchance.payments.ledger_rules.check_balanced` that refused bad ones when they
were posted; the other invariants are aggregates the database computes, returning only
the rows that break them. Violations are listed up to :data:`MAX_LISTED` per invariant,
and counted in full.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select

from openchance.errors import InvalidInput
from openchance.models.ledger import AccountFloor, AccountPurpose
from openchance.models.payouts import Payout
from openchance.payments import ledger_rules as rules
from openchance.payments.ledger import ACCOUNTS, POSTINGS, TRANSACTIONS
from openchance.payments.schemas import InvariantCheck, InvariantReport, InvariantViolation

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

PAGE_SIZE = 1000
MAX_LISTED = 50

Progress = Callable[[int, int], None]
"""Called with (transactions checked, transactions in all) after each page."""


async def check_invariants(uow: UnitOfWork, progress: Progress | None = None) -> InvariantReport:
    return InvariantReport(
        checks=[
            await _transactions_balance(uow, progress),
            await _posting_currencies(uow),
            await _cached_balances(uow),
            await _floors(uow),
            await _reversals(uow),
            await _payouts_owed(uow),
        ]
    )


class _Collector:
    def __init__(self) -> None:
        self.count = 0
        self.listed: list[InvariantViolation] = []

    def add(self, subject: object, detail: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(InvariantViolation(subject=str(subject), detail=detail))

    def check(self, name: str, description: str, checked: int) -> InvariantCheck:
        return InvariantCheck(
            name=name,
            description=description,
            checked=checked,
            violation_count=self.count,
            violations=self.listed,
        )


async def _count(uow: UnitOfWork, statement: Select[Any]) -> int:
    return int(await uow.session.scalar(statement) or 0)


async def _transactions_balance(uow: UnitOfWork, progress: Progress | None) -> InvariantCheck:
    total = await _count(uow, select(func.count()).select_from(TRANSACTIONS))
    found = _Collector()
    done = 0
    after: uuid.UUID | None = None
    while True:
        page = select(TRANSACTIONS.c.id).order_by(TRANSACTIONS.c.id).limit(PAGE_SIZE)
        if after is not None:
            page = page.where(TRANSACTIONS.c.id > after)
        ids = list(await uow.session.scalars(page))
        if not ids:
            break
        rows = (
            await uow.session.execute(
                select(
                    POSTINGS.c.transaction_id,
                    POSTINGS.c.account_id,
                    POSTINGS.c.amount_minor,
                    POSTINGS.c.currency,
                    ACCOUNTS.c.currency.label("account_currency"),
                )
                .join(ACCOUNTS, ACCOUNTS.c.id == POSTINGS.c.account_id)
                .where(POSTINGS.c.transaction_id.in_(ids))
                .order_by(POSTINGS.c.transaction_id, POSTINGS.c.position)
            )
        ).all()
        postings: dict[uuid.UUID, list[rules.Posting]] = defaultdict(list)
        currencies: dict[uuid.UUID, str] = {}
        for row in rows:
            postings[row.transaction_id].append(
                rules.Posting(row.account_id, row.amount_minor, row.currency)
            )
            currencies[row.account_id] = row.account_currency
        for transaction_id in ids:
            try:
                rules.check_balanced(postings.get(transaction_id, []), currencies)
            except InvalidInput as refusal:
                found.add(transaction_id, f"{refusal.code}: {refusal.message}")
        done += len(ids)
        after = ids[-1]
        if progress is not None:
            progress(done, max(total, done))
    return found.check(
        "transactions_balance",
        "every transaction has two or more non-zero postings in known currencies that sum "
        "to zero per currency",
        done,
    )


async def _posting_currencies(uow: UnitOfWork) -> InvariantCheck:
    found = _Collector()
    rows = (
        await uow.session.execute(
            select(POSTINGS.c.id, POSTINGS.c.currency, ACCOUNTS.c.id.label("account"))
            .add_columns(ACCOUNTS.c.currency.label("account_currency"))
            .join(ACCOUNTS, ACCOUNTS.c.id == POSTINGS.c.account_id)
            .where(POSTINGS.c.currency != ACCOUNTS.c.currency)
            .order_by(POSTINGS.c.id)
        )
    ).all()
    for row in rows:
        found.add(
            row.id, f"posting in {row.currency}, account {row.account} in {row.account_currency}"
        )
    checked = await _count(uow, select(func.count()).select_from(POSTINGS))
    return found.check(
        "posting_currencies_match_accounts",
        "every posting is in its account's currency",
        checked,
    )


def _derived() -> Any:
    return (
        select(POSTINGS.c.account_id, func.sum(POSTINGS.c.amount_minor).label("total"))
        .group_by(POSTINGS.c.account_id)
        .subquery()
    )


async def _cached_balances(uow: UnitOfWork) -> InvariantCheck:
    found = _Collector()
    derived = _derived()
    total = func.coalesce(derived.c.total, 0)
    rows = (
        await uow.session.execute(
            select(ACCOUNTS.c.id, ACCOUNTS.c.balance_minor, total.label("derived"))
            .outerjoin(derived, derived.c.account_id == ACCOUNTS.c.id)
            .where(total != ACCOUNTS.c.balance_minor)
            .order_by(ACCOUNTS.c.id)
        )
    ).all()
    for row in rows:
        found.add(row.id, f"cached balance {row.balance_minor}, postings sum to {row.derived}")
    checked = await _count(uow, select(func.count()).select_from(ACCOUNTS))
    return found.check(
        "cached_balances_match_postings",
        "every account's cached balance equals the sum of its postings",
        checked,
    )


async def _floors(uow: UnitOfWork) -> InvariantCheck:
    found = _Collector()
    derived = _derived()
    total = func.coalesce(derived.c.total, 0)
    rows = (
        await uow.session.execute(
            select(ACCOUNTS.c.id, ACCOUNTS.c.balance_minor, total.label("derived"))
            .outerjoin(derived, derived.c.account_id == ACCOUNTS.c.id)
            .where(ACCOUNTS.c.floor == AccountFloor.ZERO)
            .where((ACCOUNTS.c.balance_minor < 0) | (total < 0))
            .order_by(ACCOUNTS.c.id)
        )
    ).all()
    for row in rows:
        found.add(row.id, f"below zero: cached balance {row.balance_minor}, postings {row.derived}")
    checked = await _count(
        uow, select(func.count()).select_from(ACCOUNTS).where(ACCOUNTS.c.floor == AccountFloor.ZERO)
    )
    return found.check(
        "balances_above_floors",
        "no account that may not go negative is below zero",
        checked,
    )


async def _reversals(uow: UnitOfWork) -> InvariantCheck:
    found = _Collector()
    reversal = TRANSACTIONS.alias("reversal")
    original = TRANSACTIONS.alias("original")
    dangling = (
        await uow.session.execute(
            select(reversal.c.id, reversal.c.reverses_id)
            .outerjoin(original, original.c.id == reversal.c.reverses_id)
            .where(reversal.c.reverses_id.is_not(None), original.c.id.is_(None))
            .order_by(reversal.c.id)
        )
    ).all()
    for row in dangling:
        found.add(row.id, f"reverses {row.reverses_id}, which does not exist")
    twice = (
        await uow.session.execute(
            select(TRANSACTIONS.c.reverses_id, func.count().label("times"))
            .where(TRANSACTIONS.c.reverses_id.is_not(None))
            .group_by(TRANSACTIONS.c.reverses_id)
            .having(func.count() > 1)
            .order_by(TRANSACTIONS.c.reverses_id)
        )
    ).all()
    for row in twice:
        found.add(row.reverses_id, f"reversed {row.times} times")
    # A reversal and its original together move nothing on any account.
    net = (
        await uow.session.execute(
            select(reversal.c.id, POSTINGS.c.account_id, func.sum(POSTINGS.c.amount_minor))
            .join(
                POSTINGS,
                POSTINGS.c.transaction_id.in_([reversal.c.id, reversal.c.reverses_id]),
            )
            .where(reversal.c.reverses_id.is_not(None))
            .group_by(reversal.c.id, POSTINGS.c.account_id)
            .having(func.sum(POSTINGS.c.amount_minor) != 0)
            .order_by(reversal.c.id, POSTINGS.c.account_id)
        )
    ).all()
    for reversal_id, account_id, moved in net:
        found.add(reversal_id, f"with its original, moves {moved} on account {account_id}")
    checked = await _count(
        uow,
        select(func.count())
        .select_from(TRANSACTIONS)
        .where(TRANSACTIONS.c.reverses_id.is_not(None)),
    )
    return found.check(
        "reversals_valid",
        "every reversal undoes an existing transaction exactly, and none is reversed twice",
        checked,
    )


async def _payouts_owed(uow: UnitOfWork) -> InvariantCheck:
    """What the platform owes each solver (``solver_payable``) is exactly the payouts not
    yet transferred to them: every release owes one, every transfer pays one."""
    found = _Collector()
    owed: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    for user_id, currency, amount in await uow.session.execute(
        select(Payout.user_id, Payout.currency, func.sum(Payout.amount_minor))
        .where(Payout.transfer_id.is_(None))
        .group_by(Payout.user_id, Payout.currency)
    ):
        owed[(user_id, currency)] = int(amount)
    payable = {
        (row.owner_id, row.currency): (row.id, int(row.balance_minor))
        for row in await uow.session.execute(
            select(ACCOUNTS.c.id, ACCOUNTS.c.owner_id, ACCOUNTS.c.currency,
                   ACCOUNTS.c.balance_minor)
            .where(ACCOUNTS.c.purpose == AccountPurpose.SOLVER_PAYABLE)
        )
    }  # fmt: skip
    for key in sorted(owed.keys() | payable.keys(), key=lambda k: (str(k[0]), k[1])):
        account_id, balance = payable.get(key, (None, 0))
        if balance != owed.get(key, 0):
            found.add(
                account_id or key[0],
                f"solver {key[0]} is owed {balance} {key[1]} in the ledger, "
                f"{owed.get(key, 0)} in payouts not yet transferred",
            )
    return found.check(
        "payouts_match_payable",
        "what each solver is owed in the ledger equals their payouts not yet transferred",
        len(owed.keys() | payable.keys()),
    )
