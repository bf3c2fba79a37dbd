"""Random sequences of ledger operations against a model of what the balances must be.

Hypothesis drives deposits, transfers (some of them overdrafts), retries and reversals
through the real ledger functions on the real database, one unit of work each, and checks
after every step that every invariant holds and every balance is what the model says.
The async platform runs in a blocking portal (a thread with its event loop), because
Hypothesis' state machines are synchronous. Each example uses accounts of its own, so
examples share the database without seeing each other's balances.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from openchance import Actor, Conflict, OpenChance, Settings
from openchance.payments.schemas import AccountRef, LedgerTransactionRead, PostingSpec
from tests.factories.ledger import (
    WORLD_EUR,
    balance_of,
    deposit,
    move,
    new_key,
    post,
    reverse,
    row_counts,
)

T = TypeVar("T")
SYSTEM = Actor.system("tests")
ACCOUNTS_PER_EXAMPLE = 4

amounts = st.integers(min_value=1, max_value=500)
account_numbers = st.integers(min_value=0, max_value=ACCOUNTS_PER_EXAMPLE - 1)


class LedgerMachine(RuleBasedStateMachine):
    portal: BlockingPortal
    oc: OpenChance

    def __init__(self) -> None:
        super().__init__()
        # Accounts with a floor of zero, this example's alone.
        self.accounts = [AccountRef.funding(uuid.uuid4(), "EUR") for _ in range(3)] + [
            AccountRef.escrow(uuid.uuid4(), "EUR")
        ]
        self.expected = dict.fromkeys(self.accounts, 0)
        self.posted: list[tuple[LedgerTransactionRead, str, list[PostingSpec]]] = []
        self.reversed: set[uuid.UUID] = set()

    def run(self, call: Callable[[], Awaitable[T]]) -> T:
        return self.portal.call(call)

    def attempt(
        self, call: Callable[[], Awaitable[LedgerTransactionRead]]
    ) -> tuple[LedgerTransactionRead | None, str | None]:
        """The transaction, or the code of the refusal."""
        try:
            return self.run(call), None
        except Conflict as refusal:
            return None, refusal.code

    def _apply(self, postings: list[PostingSpec], sign: int = 1) -> None:
        for spec in postings:
            if isinstance(spec.account, AccountRef) and spec.account in self.expected:
                self.expected[spec.account] += sign * spec.amount_minor

    @rule(number=account_numbers, amount=amounts)
    def deposit(self, number: int, amount: int) -> None:
        account, key = self.accounts[number], new_key("deposit")
        transaction = self.run(lambda: deposit(self.oc, account, amount, key=key))
        postings = move(WORLD_EUR, account, amount)
        self.posted.append((transaction, key, postings))
        self._apply(postings)

    @rule(origin=account_numbers, destination=account_numbers, amount=amounts)
    def transfer(self, origin: int, destination: int, amount: int) -> None:
        postings = move(self.accounts[origin], self.accounts[destination], amount)
        key = new_key("transfer")
        covered = self.expected[self.accounts[origin]] >= amount or origin == destination

        transaction, refusal = self.attempt(lambda: post(self.oc, postings, key=key))

        if transaction is None:
            assert (refusal, covered) == ("insufficient_funds", False)
            return
        assert covered
        self.posted.append((transaction, key, postings))
        self._apply(postings)

    @precondition(lambda self: bool(self.posted))
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        transaction, key, postings = data.draw(st.sampled_from(self.posted))
        counts = self.run(lambda: row_counts(self.oc))

        again = self.run(lambda: post(self.oc, postings, key=key, kind=transaction.kind))

        assert again == transaction
        assert self.run(lambda: row_counts(self.oc)) == counts

    @precondition(lambda self: bool(self.posted))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        transaction, _, postings = data.draw(st.sampled_from(self.posted))
        undone: dict[AccountRef, int] = {}
        for spec in postings:
            if isinstance(spec.account, AccountRef) and spec.account in self.expected:
                undone[spec.account] = undone.get(spec.account, 0) - spec.amount_minor
        would_overdraw = any(self.expected[account] + net < 0 for account, net in undone.items())
        reversal, refusal = self.attempt(lambda: reverse(self.oc, transaction.id))

        if transaction.id in self.reversed:
            assert refusal == "already_reversed"
            return
        if reversal is None:
            assert (refusal, would_overdraw) == ("insufficient_funds", True)
            return
        assert not would_overdraw
        self.reversed.add(transaction.id)
        self._apply(postings, sign=-1)

    @invariant()
    def balances_are_what_the_model_says(self) -> None:
        async def actual() -> dict[AccountRef, int]:
            return {account: await balance_of(self.oc, account) for account in self.accounts}

        assert self.run(actual) == self.expected

    @invariant()
    def every_invariant_holds(self) -> None:
        report = self.run(lambda: self.oc.ledger.check_invariants(SYSTEM))
        assert report.ok, report


@pytest.fixture
def platform_in_portal(settings: Settings) -> Iterator[tuple[BlockingPortal, OpenChance]]:
    with start_blocking_portal() as portal:
        oc = OpenChance(settings)
        portal.call(oc.start)
        try:
            yield portal, oc
        finally:
            portal.call(oc.close)


class TestLedgerStateMachine:
    def test_random_operations_keep_every_invariant(
        self, platform_in_portal: tuple[BlockingPortal, OpenChance]
    ) -> None:
        LedgerMachine.portal, LedgerMachine.oc = platform_in_portal
        run_machine(LedgerMachine)


def run_machine(machine: Any) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=8,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
