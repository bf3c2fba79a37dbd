"""Posting transactions: what is accepted, what is refused, and that a refusal writes nothing."""

from __future__ import annotations

import uuid

import pytest

from openchance import Conflict, InvalidInput, NotFound, OpenChance
from openchance.models.ledger import AccountFloor, AccountPurpose, OwnerKind
from openchance.payments import ledger
from openchance.payments.schemas import AccountRef, PostingSpec
from tests.factories.ledger import (
    FEES_EUR,
    WORLD_EUR,
    balance_of,
    deposit,
    escrow,
    funding,
    move,
    new_key,
    post,
    row_counts,
)


class TestPostTransaction:
    async def test_a_balanced_transfer_moves_the_money(self, oc: OpenChance) -> None:
        challenger = funding()

        await deposit(oc, challenger, 10_000)

        assert await balance_of(oc, challenger) == 10_000
        assert await balance_of(oc, WORLD_EUR) == -10_000

    async def test_the_result_lists_the_postings_in_order(self, oc: OpenChance) -> None:
        challenger = funding()

        transaction = await deposit(oc, challenger, 2_500)

        assert [p.amount_minor for p in transaction.postings] == [-2_500, 2_500]
        assert [p.position for p in transaction.postings] == [0, 1]

    async def test_an_unbalanced_transaction_is_refused(self, oc: OpenChance) -> None:
        postings = [
            PostingSpec(account=WORLD_EUR, amount_minor=-100, currency="EUR"),
            PostingSpec(account=funding(), amount_minor=99, currency="EUR"),
        ]

        with pytest.raises(InvalidInput) as refused:
            await post(oc, postings)

        assert refused.value.code == "unbalanced_transaction"

    async def test_a_zero_amount_is_refused(self, oc: OpenChance) -> None:
        postings = [
            *move(WORLD_EUR, funding(), 100),
            PostingSpec(account=FEES_EUR, amount_minor=0, currency="EUR"),
        ]

        with pytest.raises(InvalidInput) as refused:
            await post(oc, postings)

        assert refused.value.code == "zero_amount"

    async def test_a_single_posting_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as refused:
            await post(oc, [PostingSpec(account=WORLD_EUR, amount_minor=5, currency="EUR")])

        assert refused.value.code == "too_few_postings"

    async def test_mixed_currencies_balanced_per_currency_are_accepted(
        self, oc: OpenChance
    ) -> None:
        euros, yen = funding("EUR"), funding("JPY")
        world_jpy = AccountRef.system(AccountPurpose.WORLD, "JPY")

        await post(oc, [*move(WORLD_EUR, euros, 700), *move(world_jpy, yen, 900, "JPY")])

        assert await balance_of(oc, euros) == 700
        assert await balance_of(oc, yen) == 900

    async def test_mixed_currencies_that_only_balance_in_total_are_refused(
        self, oc: OpenChance
    ) -> None:
        postings = [
            PostingSpec(account=WORLD_EUR, amount_minor=-500, currency="EUR"),
            PostingSpec(account=funding("USD"), amount_minor=500, currency="USD"),
        ]

        with pytest.raises(InvalidInput) as refused:
            await post(oc, postings)

        assert refused.value.code == "unbalanced_transaction"

    async def test_an_unknown_currency_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as refused:
            await post(
                oc, move(AccountRef.system(AccountPurpose.WORLD, "XYZ"), funding("XYZ"), 1, "XYZ")
            )

        assert refused.value.code == "unknown_currency"

    async def test_a_posting_in_another_currency_than_its_account_is_refused(
        self, oc: OpenChance
    ) -> None:
        usd_account = (await deposit(oc, funding("USD"), 100)).postings[1].account_id

        with pytest.raises(InvalidInput) as refused:
            await post(oc, move(WORLD_EUR, usd_account, 100, "EUR"))

        assert refused.value.code == "currency_mismatch"

    async def test_an_unknown_account_id_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound):
            await post(oc, move(WORLD_EUR, uuid.uuid4(), 100))

    async def test_an_owner_that_does_not_fit_the_purpose_is_refused(self, oc: OpenChance) -> None:
        not_escrow = AccountRef(
            purpose=AccountPurpose.ESCROW,
            currency="EUR",
            owner_kind=OwnerKind.USER,
            owner_id=uuid.uuid4(),
        )

        with pytest.raises(InvalidInput) as refused:
            await post(oc, move(WORLD_EUR, not_escrow, 100))

        assert refused.value.code == "owner_mismatch"

    async def test_a_refusal_leaves_no_rows(self, oc: OpenChance) -> None:
        before = await row_counts(oc)

        with pytest.raises(Conflict):
            await post(oc, move(funding(), escrow(), 100))

        assert await row_counts(oc) == before


class TestAccounts:
    async def test_an_account_is_created_once_per_purpose_owner_and_currency(
        self, oc: OpenChance
    ) -> None:
        ref = funding()
        async with oc.unit_of_work() as uow:
            first = await ledger.get_or_create_account(uow, ref)
        async with oc.unit_of_work() as uow:
            second = await ledger.get_or_create_account(uow, ref)

        assert first.id == second.id

    async def test_system_accounts_are_unique_without_an_owner(self, oc: OpenChance) -> None:
        await deposit(oc, funding(), 1)
        await deposit(oc, funding(), 1)

        accounts, _, _ = await row_counts(oc)

        assert accounts == 3  # one world account and two funding accounts

    @pytest.mark.parametrize(
        ("purpose", "floor"),
        [
            (AccountPurpose.WORLD, AccountFloor.NONE),
            (AccountPurpose.PROCESSOR_CLEARING, AccountFloor.NONE),
            (AccountPurpose.PLATFORM_FEES, AccountFloor.ZERO),
            (AccountPurpose.PROCESSOR_FEES, AccountFloor.ZERO),
        ],
    )
    async def test_the_floor_follows_the_purpose(
        self, oc: OpenChance, purpose: AccountPurpose, floor: AccountFloor
    ) -> None:
        async with oc.unit_of_work() as uow:
            account = await ledger.get_or_create_account(uow, AccountRef.system(purpose, "EUR"))

        assert account.floor is floor


class TestFloors:
    async def test_a_debit_below_zero_is_refused_with_the_balance_and_the_need(
        self, oc: OpenChance
    ) -> None:
        challenger = funding()
        await deposit(oc, challenger, 300)

        with pytest.raises(Conflict) as refused:
            await post(oc, move(challenger, escrow(), 500))

        assert refused.value.code == "insufficient_funds"
        assert refused.value.context["balance"] == 300
        assert refused.value.context["needed"] == 500

    async def test_a_refused_debit_writes_nothing(self, oc: OpenChance) -> None:
        challenger = funding()
        await deposit(oc, challenger, 300)
        before = await row_counts(oc)

        with pytest.raises(Conflict):
            await post(oc, move(challenger, escrow(), 301))

        assert await row_counts(oc) == before
        assert await balance_of(oc, challenger) == 300

    async def test_the_whole_balance_may_be_spent(self, oc: OpenChance) -> None:
        challenger, held = funding(), escrow()
        await deposit(oc, challenger, 300)

        await post(oc, move(challenger, held, 300))

        assert await balance_of(oc, challenger) == 0
        assert await balance_of(oc, held) == 300

    async def test_processor_clearing_may_go_negative(self, oc: OpenChance) -> None:
        clearing = AccountRef.system(AccountPurpose.PROCESSOR_CLEARING, "EUR")

        await post(oc, move(clearing, funding(), 1_000))

        assert await balance_of(oc, clearing) == -1_000


class TestIdempotency:
    async def test_a_retry_returns_the_first_result_and_writes_nothing(
        self, oc: OpenChance
    ) -> None:
        challenger, key = funding(), new_key()
        first = await deposit(oc, challenger, 400, key=key)
        before = await row_counts(oc)

        again = await deposit(oc, challenger, 400, key=key)

        assert again == first
        assert await row_counts(oc) == before
        assert await balance_of(oc, challenger) == 400

    async def test_a_retry_of_a_debit_is_answered_even_when_the_balance_moved_on(
        self, oc: OpenChance
    ) -> None:
        challenger, held, key = funding(), escrow(), new_key()
        await deposit(oc, challenger, 400)
        first = await post(oc, move(challenger, held, 400), key=key)

        again = await post(oc, move(challenger, held, 400), key=key)

        assert again.id == first.id

    async def test_another_request_under_the_same_key_is_refused(self, oc: OpenChance) -> None:
        challenger, key = funding(), new_key()
        await deposit(oc, challenger, 400, key=key)

        with pytest.raises(Conflict) as refused:
            await deposit(oc, challenger, 401, key=key)

        assert refused.value.code == "idempotency_key_reused"

    async def test_an_empty_key_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as refused:
            await post(oc, move(WORLD_EUR, funding(), 1), key="")

        assert refused.value.code == "invalid_idempotency_key"
