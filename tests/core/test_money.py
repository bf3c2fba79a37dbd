"""Money: integer minor units of an ISO 4217 currency, never floats."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openchance import InvalidInput, OpenChance
from openchance.db.types import Money, currency_exponent, money_column


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


class TestMoneyColumn:
    async def test_money_round_trips_through_the_database(self, oc: OpenChance) -> None:
        class TestBase(DeclarativeBase):
            pass

        class Prize(TestBase):
            __tablename__ = f"test_prizes_{uuid.uuid4().hex[:8]}"
            id: Mapped[int] = mapped_column(primary_key=True)
            amount: Mapped[Money] = money_column("amount")

        async with oc.engine.begin() as connection:
            await connection.run_sync(TestBase.metadata.create_all)
        try:
            async with oc.unit_of_work() as uow:
                uow.session.add(Prize(id=1, amount=Money(9_007_199_254_740_993, "jpy")))
            async with oc.unit_of_work(read_only=True) as uow:
                prize = await uow.session.get(Prize, 1)
            assert prize is not None
            assert prize.amount == Money(9_007_199_254_740_993, "JPY")
        finally:
            async with oc.engine.begin() as connection:
                await connection.run_sync(TestBase.metadata.drop_all)
