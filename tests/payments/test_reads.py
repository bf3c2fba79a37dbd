"""Reading the ledger: balances derived from postings, statements, the staff-only service."""

from __future__ import annotations

import pytest

from openchance import Actor, NotAuthenticated, OpenChance
from openchance.payments import ledger
from tests.factories.ledger import deposit, escrow, funding, move, post

SYSTEM = Actor.system("tests")


class TestBalance:
    async def test_the_derived_balance_equals_the_cached_one(self, oc: OpenChance) -> None:
        challenger = funding()
        await deposit(oc, challenger, 900)
        await post(oc, move(challenger, escrow(), 250))
        account = await oc.ledger.find_account(SYSTEM, challenger)
        assert account is not None

        result = await oc.ledger.balance(SYSTEM, account.id)

        assert (result.cached_minor, result.derived_minor) == (650, 650)
        assert result.consistent

    async def test_an_account_never_used_is_not_found_by_reference(self, oc: OpenChance) -> None:
        assert await oc.ledger.find_account(SYSTEM, funding()) is None

    async def test_anonymous_visitors_may_not_read_the_ledger(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.ledger.find_account(Actor.anonymous(), funding())


class TestAccountStatement:
    async def test_lines_are_newest_first_with_the_balance_each_left(self, oc: OpenChance) -> None:
        challenger = funding()
        await deposit(oc, challenger, 900)
        await post(oc, move(challenger, escrow(), 250), kind="escrow_funding")
        account = await oc.ledger.find_account(SYSTEM, challenger)
        assert account is not None

        statement = await oc.ledger.statement(SYSTEM, account.id)

        assert [
            (line.kind, line.amount_minor, line.balance_after_minor) for line in statement.lines
        ] == [
            ("escrow_funding", -250, 650),
            ("deposit", 900, 900),
        ]
        assert not statement.has_more

    async def test_a_limit_pages_the_statement(self, oc: OpenChance) -> None:
        challenger = funding()
        for _ in range(3):
            await deposit(oc, challenger, 100)

        async with oc.unit_of_work(read_only=True) as uow:
            found = await ledger.find_account(uow, challenger)
            assert found is not None
            statement = await ledger.account_statement(uow, found.id, limit=2)

        assert [line.balance_after_minor for line in statement.lines] == [300, 200]
        assert statement.has_more
