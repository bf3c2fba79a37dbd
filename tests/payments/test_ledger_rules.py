"""The pure rules: which postings form a transaction, balances, floors, request hashes."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openchance import Conflict, InvalidInput
from openchance.models.ledger import AccountFloor, AccountPurpose, OwnerKind
from openchance.payments.ledger_rules import (
    MAX_POSTING_MINOR,
    Posting,
    apply,
    balances,
    check_balanced,
    check_floors,
    check_owner,
    floor_for,
    negated,
    request_hash,
)

ACCOUNTS = [uuid.UUID(int=n) for n in range(1, 5)]
CURRENCIES = ["EUR", "USD", "JPY"]

amounts = st.integers(min_value=1, max_value=10**9)


@st.composite
def balanced_postings(draw: st.DrawFn) -> tuple[list[Posting], dict[uuid.UUID, str]]:
    """Transfers between accounts of one currency each, concatenated: balanced by design."""
    currency_of = {account: draw(st.sampled_from(CURRENCIES)) for account in ACCOUNTS}
    postings: list[Posting] = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        currency = draw(st.sampled_from(sorted(set(currency_of.values()))))
        same = [account for account in ACCOUNTS if currency_of[account] == currency]
        source, target = draw(st.sampled_from(same)), draw(st.sampled_from(same))
        amount = draw(amounts)
        postings += [Posting(source, -amount, currency), Posting(target, amount, currency)]
    return draw(st.permutations(postings)), currency_of


def _code(postings: list[Posting], currencies: dict[uuid.UUID, str]) -> str:
    with pytest.raises(InvalidInput) as refused:
        check_balanced(postings, currencies)
    return refused.value.code


class TestCheckBalanced:
    @given(balanced_postings())
    def test_transfers_in_any_order_balance(
        self, case: tuple[list[Posting], dict[uuid.UUID, str]]
    ) -> None:
        postings, currencies = case

        check_balanced(postings, currencies)

    @given(balanced_postings(), st.integers(min_value=1, max_value=10**6))
    def test_changing_one_amount_unbalances(
        self, case: tuple[list[Posting], dict[uuid.UUID, str]], extra: int
    ) -> None:
        postings, currencies = case
        first = postings[0]
        away_from_zero = extra if first.amount_minor > 0 else -extra
        changed = [Posting(first.account_id, first.amount_minor + away_from_zero, first.currency)]

        assert _code(changed + postings[1:], currencies) == "unbalanced_transaction"

    @given(balanced_postings())
    def test_the_negation_balances_and_cancels_every_balance(
        self, case: tuple[list[Posting], dict[uuid.UUID, str]]
    ) -> None:
        postings, currencies = case

        check_balanced(negated(postings), currencies)
        assert all(total == 0 for total in balances(postings + negated(postings)).values())

    def test_one_posting_is_too_few(self) -> None:
        assert _code([Posting(ACCOUNTS[0], 5, "EUR")], {ACCOUNTS[0]: "EUR"}) == "too_few_postings"

    def test_a_zero_amount_is_refused(self) -> None:
        postings = [Posting(ACCOUNTS[0], 0, "EUR"), Posting(ACCOUNTS[1], 0, "EUR")]

        assert _code(postings, dict.fromkeys(ACCOUNTS[:2], "EUR")) == "zero_amount"

    def test_a_float_amount_is_refused(self) -> None:
        postings = [Posting(ACCOUNTS[0], 1.5, "EUR"), Posting(ACCOUNTS[1], -1.5, "EUR")]  # type: ignore[arg-type]

        assert _code(postings, dict.fromkeys(ACCOUNTS[:2], "EUR")) == "invalid_amount"

    def test_an_amount_past_the_maximum_is_refused(self) -> None:
        big = MAX_POSTING_MINOR + 1
        postings = [Posting(ACCOUNTS[0], -big, "EUR"), Posting(ACCOUNTS[1], big, "EUR")]

        assert _code(postings, dict.fromkeys(ACCOUNTS[:2], "EUR")) == "amount_too_large"

    @pytest.mark.parametrize("currency", ["XYZ", "eur", "EURO", ""])
    def test_an_unknown_or_unnormalised_currency_is_refused(self, currency: str) -> None:
        postings = [Posting(ACCOUNTS[0], -1, currency), Posting(ACCOUNTS[1], 1, currency)]

        assert _code(postings, dict.fromkeys(ACCOUNTS[:2], currency)) == "unknown_currency"

    def test_a_posting_in_another_currency_than_its_account_is_refused(self) -> None:
        postings = [Posting(ACCOUNTS[0], -1, "EUR"), Posting(ACCOUNTS[1], 1, "EUR")]

        code = _code(postings, {ACCOUNTS[0]: "EUR", ACCOUNTS[1]: "USD"})

        assert code == "currency_mismatch"

    def test_currencies_balance_separately(self) -> None:
        postings = [Posting(ACCOUNTS[0], -100, "EUR"), Posting(ACCOUNTS[1], 100, "USD")]

        code = _code(postings, {ACCOUNTS[0]: "EUR", ACCOUNTS[1]: "USD"})

        assert code == "unbalanced_transaction"


class TestBalancesAndFloors:
    @given(balanced_postings())
    def test_balances_of_a_balanced_set_sum_to_zero_per_currency(
        self, case: tuple[list[Posting], dict[uuid.UUID, str]]
    ) -> None:
        postings, currencies = case
        per_currency: dict[str, int] = {}

        for account, total in balances(postings).items():
            per_currency[currencies[account]] = per_currency.get(currencies[account], 0) + total

        assert set(per_currency.values()) <= {0}

    def test_apply_adds_the_postings_to_the_balances_before(self) -> None:
        before = {ACCOUNTS[0]: 500, ACCOUNTS[1]: 0}
        postings = [Posting(ACCOUNTS[0], -200, "EUR"), Posting(ACCOUNTS[1], 200, "EUR")]

        assert apply(before, postings) == {ACCOUNTS[0]: 300, ACCOUNTS[1]: 200}

    def test_going_below_a_zero_floor_is_insufficient_funds(self) -> None:
        with pytest.raises(Conflict) as refused:
            check_floors({ACCOUNTS[0]: 100}, {ACCOUNTS[0]: -50}, {ACCOUNTS[0]: AccountFloor.ZERO})

        assert refused.value.code == "insufficient_funds"
        assert (refused.value.context["balance"], refused.value.context["needed"]) == (100, 150)

    def test_an_unbounded_account_may_go_negative(self) -> None:
        check_floors({ACCOUNTS[0]: 0}, {ACCOUNTS[0]: -50}, {ACCOUNTS[0]: AccountFloor.NONE})

    @pytest.mark.parametrize("purpose", list(AccountPurpose))
    def test_only_the_world_and_processor_clearing_may_go_negative(
        self, purpose: AccountPurpose
    ) -> None:
        unbounded = purpose in {AccountPurpose.WORLD, AccountPurpose.PROCESSOR_CLEARING}

        assert (floor_for(purpose) is AccountFloor.NONE) == unbounded


class TestOwners:
    def test_escrow_belongs_to_a_challenge(self) -> None:
        check_owner(AccountPurpose.ESCROW, OwnerKind.CHALLENGE, uuid.uuid4())

    def test_a_system_account_has_no_owner_id(self) -> None:
        with pytest.raises(InvalidInput) as refused:
            check_owner(AccountPurpose.WORLD, OwnerKind.SYSTEM, uuid.uuid4())

        assert refused.value.code == "owner_mismatch"


class TestRequestHash:
    @given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=5))
    def test_key_order_does_not_matter(self, values: dict[str, int]) -> None:
        assert request_hash(values) == request_hash(dict(reversed(list(values.items()))))

    def test_any_difference_shows(self) -> None:
        assert request_hash({"amount": 100}) != request_hash({"amount": 101})
