"""Money: integer minor units of an ISO 4217 currency, never floats."""

from __future__ import annotations

import pytest

from openchance import InvalidInput
from openchance.db.types import Money, currency_exponent


class TestMoney:
    def test_the_currency_code_is_normalised(self) -> None:
        assert Money(100, "eur").currency == "EUR"

    def test_an_unknown_currency_is_refused(self) -> None:
        with pytest.raises(InvalidInput):
            Money(100, "XYZ")

    def test_a_float_amount_is_refused(self) -> None:
        with pytest.raises(InvalidInput):
            Money(1.5, "EUR")  # type: ignore[arg-type]

    def test_amounts_of_one_currency_add_up(self) -> None:
        assert Money(150, "EUR") + Money(250, "EUR") - Money(100, "EUR") == Money(300, "EUR")

    def test_different_currencies_do_not_mix(self) -> None:
        with pytest.raises(InvalidInput):
            Money(1, "EUR") + Money(1, "USD")

    @pytest.mark.parametrize(
        ("currency", "exponent"), [("EUR", 2), ("JPY", 0), ("BHD", 3), ("USD", 2)]
    )
    def test_the_minor_unit_exponent_comes_from_iso_4217(
        self, currency: str, exponent: int
    ) -> None:
        assert currency_exponent(currency) == exponent

    @pytest.mark.parametrize(
        ("money", "text"),
        [
            (Money(12345, "EUR"), "123.45 EUR"),
            (Money(-5, "EUR"), "-0.05 EUR"),
            (Money(500, "JPY"), "500 JPY"),
            (Money(1234, "BHD"), "1.234 BHD"),
        ],
    )
    def test_formatting_uses_the_exponent(self, money: Money, text: str) -> None:
        assert money.format() == text
