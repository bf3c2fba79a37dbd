"""Column types shared by every table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any

from babel.numbers import get_currency_precision, list_currencies
from sqlalchemy import BigInteger, DateTime, Dialect, Enum, String
from sqlalchemy.orm import Composite, composite, mapped_column
from sqlalchemy.types import TypeDecorator

from openchance.errors import InvalidInput


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every engine.

    PostgreSQL stores ``timestamptz``. SQLite has no time zones, so values are
    stored as naive UTC text and read back as aware UTC datetimes. Naive values are
    refused on the way in: a naive datetime is a bug waiting to happen.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_type: type[StrEnum], length: int = 32) -> Enum:
    """A status-like enum as a VARCHAR of its members' values (no native type to migrate)."""
    return Enum(
        enum_type,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_exponent(currency: str) -> int:
    """Number of minor-unit digits of an ISO 4217 currency (EUR → 2, JPY → 0, BHD → 3)."""
    code = normalise_currency(currency)
    return int(get_currency_precision(code))


def normalise_currency(currency: str) -> str:
    """Upper-case an ISO 4217 code and check that it exists."""
    code = currency.strip().upper()
    if len(code) != 3 or code not in _known_currencies():
        raise InvalidInput(
            f"{currency!r} is not an ISO 4217 currency code",
            errors=[{"field": "currency", "message": "unknown currency"}],
        )
    return code


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units (cents) of one ISO 4217 currency. Never a float."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidInput("amount_minor must be an integer number of minor units")
        object.__setattr__(self, "currency", normalise_currency(self.currency))

    def __composite_values__(self) -> tuple[Any, ...]:
        return (self.amount_minor, self.currency)

    def _check_same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidInput(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def format(self) -> str:
        """``Money(12345, "EUR").format()`` → ``"123.45 EUR"``."""
        exponent = self.exponent
        sign = "-" if self.amount_minor < 0 else ""
        whole, part = divmod(abs(self.amount_minor), 10**exponent)
        if exponent == 0:
            return f"{sign}{whole} {self.currency}"
        return f"{sign}{whole}.{part:0{exponent}d} {self.currency}"


def format_money_range(low: Money, high: Money) -> str:
    """``"1000.00 EUR"`` when both ends are equal, else ``"1000.00 - 2500.00 EUR"``: the
    one way a reward range reads everywhere (challenges and search hits)."""
    if low == high:
        return low.format()
    return f"{low.format().removesuffix(' ' + low.currency)} - {high.format()}"


def money_column(name: str, *, nullable: bool = False) -> Composite[Money]:
    """A :class:`Money` attribute stored as two columns: ``<name>_amount_minor`` (BIGINT)
    and ``<name>_currency`` (CHAR-like, ISO 4217).

        reward: Mapped[Money] = money_column("reward")
    """
    return composite(
        Money,
        mapped_column(f"{name}_amount_minor", BigInteger, nullable=nullable),
        mapped_column(f"{name}_currency", String(3), nullable=nullable),
    )
