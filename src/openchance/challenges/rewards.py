"""Rewards as challengers state them: fixed, a range, or milestones, in one currency.

An amount is given either in integer minor units (``"amount_minor": 150000``) or as a
decimal string of major units (``"amount": "1500.00"``), never as a float. Decimal strings
are checked against the currency's minor-unit exponent (``"12.345"`` EUR is refused with
``too_many_decimals``; ``"1500"`` JPY is fine, ``"1500.5"`` JPY is not). Every amount is
positive (``amount_not_positive``) and at most :data:`MAX_AMOUNT_MINOR`.

Rule violations carry a stable code as the pydantic error ``type``; the server shows it
as ``errors[].type`` of the 422 problem.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from openchance.db.types import Money, currency_exponent, normalise_currency
from openchance.errors import InvalidInput
from openchance.models.challenges import RewardKind

MAX_AMOUNT_MINOR = 10**13
"""The largest amount in minor units (what the search filters accept too)."""
MAX_MILESTONES = 20

_DECIMAL = re.compile(r"[+-]?\d{1,16}(?:\.\d{1,12})?")


def _currency(value: str) -> str:
    try:
        return normalise_currency(value)
    except InvalidInput:
        raise PydanticCustomError(
            "unknown_currency", "'{value}' is not an ISO 4217 currency code", {"value": value}
        ) from None


Currency = Annotated[
    str,
    StringConstraints(max_length=8),
    AfterValidator(_currency),
    Field(description="ISO 4217 code.", examples=["EUR"]),
]
AmountText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=32),
    Field(description="Major units as a decimal string.", examples=["1500.00"]),
]


def _check_minor(value: int) -> int:
    if value <= 0:
        raise PydanticCustomError("amount_not_positive", "the amount must be more than zero")
    if value > MAX_AMOUNT_MINOR:
        raise PydanticCustomError("amount_too_large", "the amount is too large")
    return value


AmountMinor = Annotated[
    int,
    Field(strict=True, description="Integer minor units (cents)."),
    AfterValidator(_check_minor),
]


def _decimal(text: str) -> Decimal:
    """A decimal string, positive; the exponent is checked once the currency is known."""
    if not _DECIMAL.fullmatch(text):
        raise PydanticCustomError(
            "invalid_amount", "write the amount as a decimal number such as 1500.00"
        )
    value = Decimal(text)
    if value <= 0:
        raise PydanticCustomError("amount_not_positive", "the amount must be more than zero")
    return value


def to_minor(text: str, currency: str) -> int:
    """``"1500.00"`` EUR → ``150000``; ``too_many_decimals`` past the currency's exponent."""
    value = _decimal(text)
    exponent = currency_exponent(currency)
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise PydanticCustomError(
            "too_many_decimals",
            "{currency} amounts have at most {exponent} decimal places",
            {"currency": currency, "exponent": exponent},
        )
    return _check_minor(int(scaled))


def pick_amount(text: str | None, minor: int | None, currency: str, name: str) -> int:
    """One amount from its two spellings: exactly one of them must be given."""
    if text is not None and minor is not None:
        raise PydanticCustomError(
            "ambiguous_amount", "give either {name} or {name}_minor, not both", {"name": name}
        )
    if minor is not None:
        return minor
    if text is None:
        raise PydanticCustomError("amount_required", "give {name} or {name}_minor", {"name": name})
    return to_minor(text, currency)


def check_decimal_amount(value: str | None, info: ValidationInfo) -> str | None:
    """Field validator body: a decimal amount fits its currency (reported at its own field;
    when the currency is invalid it is reported instead)."""
    if value is not None:
        currency = info.data.get("currency")
        if currency is None:
            _decimal(value)
        else:
            to_minor(value, currency)
    return value


class FixedRewardInput(BaseModel):
    """One amount."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["fixed"]
    currency: Currency
    amount: AmountText | None = None
    amount_minor: AmountMinor | None = None

    _amount = field_validator("amount")(check_decimal_amount)

    @model_validator(mode="after")
    def _one_amount(self) -> FixedRewardInput:
        self.amount_minor = pick_amount(self.amount, self.amount_minor, self.currency, "amount")
        self.amount = None
        return self

    def bounds(self) -> tuple[int, int]:
        assert self.amount_minor is not None
        return self.amount_minor, self.amount_minor


class RangeRewardInput(BaseModel):
    """A minimum and a maximum; the accepted bid decides."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["range"]
    currency: Currency
    min: AmountText | None = None
    min_minor: AmountMinor | None = None
    max: AmountText | None = None
    max_minor: AmountMinor | None = None

    _bounds = field_validator("min", "max")(check_decimal_amount)

    @model_validator(mode="after")
    def _ordered(self) -> RangeRewardInput:
        self.min_minor = pick_amount(self.min, self.min_minor, self.currency, "min")
        self.max_minor = pick_amount(self.max, self.max_minor, self.currency, "max")
        self.min = self.max = None
        if self.min_minor > self.max_minor:
            raise PydanticCustomError("range_inverted", "the minimum is above the maximum")
        return self

    def bounds(self) -> tuple[int, int]:
        assert self.min_minor is not None
        assert self.max_minor is not None
        return self.min_minor, self.max_minor


class MilestoneInput(BaseModel):
    """One step of a milestone reward; the amount's currency is the reward's."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    amount: AmountText | None = None
    amount_minor: AmountMinor | None = None
    due_at: AwareDatetime | None = Field(default=None, description="Not after the deadline.")

    _amount = field_validator("amount")(check_decimal_amount)

    @model_validator(mode="after")
    def _one_amount(self) -> MilestoneInput:
        if (self.amount is None) == (self.amount_minor is None):
            pick_amount(self.amount, self.amount_minor, "", "amount")  # neither, or both: refused
        return self


class MilestonesRewardInput(BaseModel):
    """An ordered list of milestones; the reward is their sum.

    ``total`` (or ``total_minor``), when given, must equal that sum: a check that the
    amounts add up to the prize the challenger has in mind."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["milestones"]
    currency: Currency
    milestones: list[MilestoneInput] = Field(min_length=1, max_length=MAX_MILESTONES)
    total: AmountText | None = None
    total_minor: AmountMinor | None = None

    _total = field_validator("total")(check_decimal_amount)

    @field_validator("milestones", mode="after")
    @classmethod
    def _fit_currency(cls, milestones: list[MilestoneInput], info: ValidationInfo) -> Any:
        currency = info.data.get("currency")
        for position, milestone in enumerate(milestones, start=1):
            if milestone.amount is None or currency is None:
                continue
            try:
                milestone.amount_minor = to_minor(milestone.amount, currency)
            except PydanticCustomError as error:
                raise PydanticCustomError(
                    error.type, "milestone {position}: {problem}",
                    {"position": position, "problem": error.message()},
                ) from None  # fmt: skip
            milestone.amount = None
        return milestones

    @model_validator(mode="after")
    def _adds_up(self) -> MilestonesRewardInput:
        total = self.sum_minor()
        if total > MAX_AMOUNT_MINOR:
            raise PydanticCustomError("amount_too_large", "the milestones add up to too much")
        if self.total is not None or self.total_minor is not None:
            stated = pick_amount(self.total, self.total_minor, self.currency, "total")
            if stated != total:
                raise PydanticCustomError(
                    "milestones_total_mismatch",
                    "the milestone amounts add up to {sum}, not to the total {total}",
                    {"sum": Money(total, self.currency).format(),
                     "total": Money(stated, self.currency).format()},
                )  # fmt: skip
        self.total, self.total_minor = None, total
        return self

    def sum_minor(self) -> int:
        return sum(milestone.amount_minor or 0 for milestone in self.milestones)

    def bounds(self) -> tuple[int, int]:
        total = self.sum_minor()
        return total, total


RewardInput = Annotated[
    FixedRewardInput | RangeRewardInput | MilestonesRewardInput,
    Discriminator("kind"),
]
"""A reward, told apart by ``kind``: ``fixed``, ``range`` or ``milestones``."""


# -- prize split and the rules across fields --------------------------------------------


def equal_split(winners: int) -> list[int]:
    """Equal percentages, the remainder to first place: 3 winners → [34, 33, 33]."""
    share, remainder = divmod(100, winners)
    return [share + remainder] + [share] * (winners - 1)


class TermsViolation(Exception):
    """A rule across fields (prize split, winners, milestone dates) is broken."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message

    def as_invalid_input(self) -> InvalidInput:
        return InvalidInput(
            self.message,
            code=self.code,
            errors=[{"field": self.field, "message": self.message, "code": self.code}],
        )

    def as_pydantic(self) -> PydanticCustomError:
        return PydanticCustomError(self.code, self.message)


def check_terms(
    *,
    reward_kind: RewardKind,
    winners: int,
    prize_split: list[int],
    deadline: datetime,
    milestone_due_dates: list[datetime | None],
) -> None:
    """Raise :class:`TermsViolation` for the first rule across fields that is broken."""
    if len(prize_split) != winners:
        raise TermsViolation(
            "prize_split",
            "prize_split_mismatch",
            f"give one percentage per winner: {winners} winner(s), {len(prize_split)} share(s)",
        )
    if sum(prize_split) != 100:
        raise TermsViolation(
            "prize_split",
            "prize_split_sum",
            f"the prize split adds up to {sum(prize_split)}%, not 100%",
        )
    if reward_kind is RewardKind.MILESTONES and winners != 1:
        raise TermsViolation(
            "winners", "milestones_single_winner", "a milestone reward has exactly one winner"
        )
    for position, due_at in enumerate(milestone_due_dates, start=1):
        if due_at is not None and due_at > deadline:
            raise TermsViolation(
                "reward",
                "milestone_after_deadline",
                f"milestone {position} is due after the challenge's deadline",
            )
