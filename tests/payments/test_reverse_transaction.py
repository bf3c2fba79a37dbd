"""Reversals: a correction is a new transaction with negated postings, never an edit."""

from __future__ import annotations

import uuid

import pytest

from openchance import Conflict, InvalidInput, NotFound, OpenChance
from openchance.payments import ledger
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


class TestReverseTransaction:
    async def test_the_reversal_negates_every_posting(self, oc: OpenChance) -> None:
        original = await deposit(oc, funding(), 800)

        reversal = await reverse(oc, original.id)

        assert [p.amount_minor for p in reversal.postings] == [800, -800]
        assert [p.account_id for p in reversal.postings] == [
            p.account_id for p in original.postings
        ]

    async def test_the_reversal_points_at_the_original(self, oc: OpenChance) -> None:
        original = await deposit(oc, funding(), 800)

        reversal = await reverse(oc, original.id, reason="paid twice")

        assert reversal.reverses_id == original.id
        assert reversal.kind == "reversal"
        assert reversal.description == "paid twice"

    async def test_the_balances_return_to_what_they_were(self, oc: OpenChance) -> None:
        challenger = funding()
        original = await deposit(oc, challenger, 800)

        await reverse(oc, original.id)

        assert await balance_of(oc, challenger) == 0
        assert await balance_of(oc, WORLD_EUR) == 0

    async def test_the_original_stays_as_it_was(self, oc: OpenChance) -> None:
        original = await deposit(oc, funding(), 800)
        await reverse(oc, original.id)

        async with oc.unit_of_work(read_only=True) as uow:
            stored = await ledger.get_transaction(uow, original.id)

        assert stored == original

    async def test_reversing_twice_is_refused(self, oc: OpenChance) -> None:
        original = await deposit(oc, funding(), 800)
        await reverse(oc, original.id)

        with pytest.raises(Conflict) as refused:
            await reverse(oc, original.id)

        assert refused.value.code == "already_reversed"

    async def test_a_retried_reversal_returns_the_first_one(self, oc: OpenChance) -> None:
        original = await deposit(oc, funding(), 800)
        key = new_key("reversal")
        first = await reverse(oc, original.id, key=key)

        again = await reverse(oc, original.id, key=key)

        assert again == first

    async def test_a_reversal_that_would_overdraw_an_account_is_refused(
        self, oc: OpenChance
    ) -> None:
        challenger = funding()
        original = await deposit(oc, challenger, 800)
        await post(oc, move(challenger, escrow(), 500))
        before = await row_counts(oc)

        with pytest.raises(Conflict) as refused:
            await reverse(oc, original.id)

        assert refused.value.code == "insufficient_funds"
        assert await row_counts(oc) == before

    async def test_an_unknown_transaction_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound):
            await reverse(oc, uuid.uuid4())

    async def test_a_reason_is_required(self, oc: OpenChance) -> None:
        original = await deposit(oc, funding(), 800)

        with pytest.raises(InvalidInput) as refused:
            await reverse(oc, original.id, reason="  ")

        assert refused.value.code == "reason_required"
