"""Races on PostgreSQL, each attempt in a unit of work of its own (SQLite runs one writer
at a time, so these races cannot happen there)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable

import anyio
import pytest

from openchance import Actor, Conflict, OpenChance
from openchance.payments import ledger
from openchance.payments.schemas import AccountRef, LedgerTransactionRead, PostingSpec
from tests.factories.ledger import (
    WORLD_EUR,
    balance_of,
    deposit,
    escrow,
    funding,
    move,
    new_key,
    post,
    reverse,
    row_counts,
)

pytestmark = pytest.mark.postgres_only

SYSTEM = Actor.system("tests")
HOLD_LOCK_SECONDS = 0.5


async def _outcome(attempt: Awaitable[object]) -> str:
    """``ok``, or the code of the domain error the attempt raised."""
    try:
        await attempt
    except Conflict as refusal:
        return refusal.code
    return "ok"


class TestConcurrentFirstUse:
    async def test_two_first_debits_of_a_never_used_account_cannot_both_pass(
        self, oc: OpenChance
    ) -> None:
        """The account is created and credited 100 by a unit of work that has not committed
        yet when two debits of 100 start: to them the account does not exist. Both wait on
        the row (the insert, then the lock), and once the credit commits they run one after
        the other: one spends the 100, the other is refused. Reading the balance without
        the lock, both would see 100 and pass."""
        account = funding()
        credited = anyio.Event()
        outcomes: list[str] = []

        async def credit() -> None:
            async with oc.unit_of_work() as uow:
                await ledger.post_transaction(
                    uow,
                    idempotency_key=new_key("credit"),
                    kind="deposit",
                    postings=move(WORLD_EUR, account, 100),
                )
                credited.set()
                await anyio.sleep(HOLD_LOCK_SECONDS)

        async def debit() -> None:
            await credited.wait()
            outcomes.append(await _outcome(post(oc, move(account, escrow(), 100))))

        async with anyio.create_task_group() as group:
            group.start_soon(credit)
            group.start_soon(debit)
            group.start_soon(debit)

        assert sorted(outcomes) == ["insufficient_funds", "ok"]
        assert await balance_of(oc, account) == 0
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_two_first_credits_of_a_never_used_account_both_count(
        self, oc: OpenChance
    ) -> None:
        account = funding()
        start = anyio.Event()

        async def credit() -> None:
            await start.wait()
            await deposit(oc, account, 100)

        async with anyio.create_task_group() as group:
            group.start_soon(credit)
            group.start_soon(credit)
            start.set()

        assert await balance_of(oc, account) == 200
        assert (await row_counts(oc))[0] == 2  # the world and the account, once each


class TestConcurrentTransfers:
    async def test_a_thousand_concurrent_transfers_break_no_invariant(self, oc: OpenChance) -> None:
        accounts = [funding() for _ in range(8)] + [escrow() for _ in range(4)]
        for account in accounts:
            await deposit(oc, account, 1_000)
        chooser = random.Random(7)
        attempts = []
        for _ in range(1_000):
            source, target = chooser.sample(accounts, 2)
            attempts.append((source, target, chooser.randint(1, 400)))
        expected = {account: 1_000 for account in accounts}
        outcomes: Counter[str] = Counter()
        limiter = anyio.CapacityLimiter(16)

        async def transfer(source: AccountRef, target: AccountRef, amount: int) -> None:
            async with limiter:
                outcome = await _outcome(post(oc, move(source, target, amount)))
            outcomes[outcome] += 1
            if outcome == "ok":
                expected[source] -= amount
                expected[target] += amount

        async with anyio.create_task_group() as group:
            for attempt in attempts:
                group.start_soon(transfer, *attempt)

        report = await oc.ledger.check_invariants(SYSTEM)
        assert [check.violation_count for check in report.checks] == [0] * len(report.checks)
        assert set(outcomes) <= {"ok", "insufficient_funds"}
        assert outcomes["ok"] > 0
        for account in accounts:
            assert await balance_of(oc, account) == expected[account]
        assert sum(expected.values()) == 12_000


class TestConcurrentIdempotency:
    async def test_the_same_request_posted_concurrently_is_written_once(
        self, oc: OpenChance
    ) -> None:
        account, key = funding(), new_key()
        start = anyio.Event()
        results: list[LedgerTransactionRead] = []

        async def attempt() -> None:
            await start.wait()
            results.append(await deposit(oc, account, 300, key=key))

        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(attempt)
            start.set()

        assert len({result.id for result in results}) == 1
        assert (await row_counts(oc))[1:] == (1, 2)
        assert await balance_of(oc, account) == 300

    async def test_a_debit_retried_concurrently_is_answered_not_refused(
        self, oc: OpenChance
    ) -> None:
        """The retries wait on the account lock; once the first commits, the balance no
        longer covers a second debit, but the key, not the floor, gives the answer."""
        account, held, key = funding(), escrow(), new_key()
        await deposit(oc, account, 300)
        start = anyio.Event()
        results: list[LedgerTransactionRead] = []

        async def attempt() -> None:
            await start.wait()
            results.append(await post(oc, move(account, held, 300), key=key))

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(attempt)
            start.set()

        assert len({result.id for result in results}) == 1
        assert await balance_of(oc, account) == 0

    async def test_different_requests_under_one_key_commit_one_and_refuse_the_rest(
        self, oc: OpenChance
    ) -> None:
        """Each request moves money between accounts of its own, so none waits on another's
        row lock: the unique key alone decides."""
        key = new_key()
        start = anyio.Event()
        outcomes: list[str] = []

        async def attempt(amount: int) -> None:
            await start.wait()
            outcomes.append(await _outcome(deposit(oc, funding(), amount, key=key)))

        async with anyio.create_task_group() as group:
            for amount in range(1, 6):
                group.start_soon(attempt, amount)
            start.set()

        assert sorted(outcomes) == ["idempotency_key_reused"] * 4 + ["ok"]
        assert (await row_counts(oc))[1] == 1
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_two_concurrent_reversals_reverse_once(self, oc: OpenChance) -> None:
        original = await deposit(oc, funding(), 500)
        start = anyio.Event()
        outcomes: list[str] = []

        async def attempt() -> None:
            await start.wait()
            outcomes.append(await _outcome(reverse(oc, original.id)))

        async with anyio.create_task_group() as group:
            group.start_soon(attempt)
            group.start_soon(attempt)
            start.set()

        assert sorted(outcomes) == ["already_reversed", "ok"]
        assert (await oc.ledger.check_invariants(SYSTEM)).ok


class TestLockOrder:
    async def test_opposite_transfers_between_two_accounts_do_not_deadlock(
        self, oc: OpenChance
    ) -> None:
        first, second = funding(), funding()
        await deposit(oc, first, 10_000)
        await deposit(oc, second, 10_000)

        async def transfers(source: AccountRef, target: AccountRef) -> None:
            for _ in range(25):
                await post(
                    oc,
                    [
                        PostingSpec(account=source, amount_minor=-1, currency="EUR"),
                        PostingSpec(account=target, amount_minor=1, currency="EUR"),
                    ],
                )

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(transfers, first, second)
                group.start_soon(transfers, second, first)

        assert await balance_of(oc, first) == 10_000
        assert await balance_of(oc, second) == 10_000
