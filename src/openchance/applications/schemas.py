"""What the application use cases take and return.

A bid is written like a challenge's reward amounts (``openchance.challenges.rewards``):
integer minor units (``amount_minor``) or a decimal string of major units (``amount``),
never a float, checked against the currency's decimals. Rules with a stable code raise
pydantic errors whose ``type`` is that code; rules that need the challenge (its currency,
its reward, its milestones) are checked by the service.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from openchance.challenges.rewards import (
    MAX_MILESTONES,
    AmountMinor,
    AmountText,
    Currency,
    check_decimal_amount,
    pick_amount,
)
from openchance.challenges.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_NOTE_LENGTH,
    MAX_PAGE_SIZE,
    MoneyRead,
    PersonRef,
)
from openchance.db.types import Money
from openchance.models.applications import ApplicationStatus
from openchance.models.challenges import ChallengeStatus

MAX_PROPOSAL_LENGTH = 10_000
MAX_ESTIMATED_DAYS = 3650
MAX_PORTFOLIO_LINKS = 10
MAX_URL_LENGTH = 2000


def _check_url(value: str) -> str:
    """An absolute http(s) URL with a host."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("invalid_url", "give an absolute http:// or https:// address")
    if any(char.isspace() for char in value):
        raise PydanticCustomError("invalid_url", "an address cannot contain spaces")
    return value


PortfolioLink = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH),
    AfterValidator(_check_url),
]
PortfolioLinks = Annotated[
    list[PortfolioLink],
    Field(
        max_length=MAX_PORTFOLIO_LINKS,
        description=f"At most {MAX_PORTFOLIO_LINKS} http(s) addresses; repeats are dropped.",
    ),
]
Proposal = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PROPOSAL_LENGTH),
    Field(description="Markdown; rendered and sanitised as `proposal_html`."),
]
EstimatedDays = Annotated[
    int, Field(ge=1, le=MAX_ESTIMATED_DAYS, description="How many days the work will take.")
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_LENGTH)]


def _unique_links(links: list[str] | None) -> list[str] | None:
    return None if links is None else list(dict.fromkeys(links))


class MilestoneBidInput(BaseModel):
    """The amount proposed for one milestone of the challenge (in the bid's currency)."""

    model_config = ConfigDict(extra="forbid")

    milestone_id: uuid.UUID = Field(
        description="A milestone of the challenge (`reward.milestones[].id`)."
    )
    amount: AmountText | None = None
    amount_minor: AmountMinor | None = None


class BidInput(BaseModel):
    """The price asked: in the challenge's currency; within a range reward, at most a fixed
    or milestone reward. For a milestone reward, optionally the amount per milestone: every
    milestone once, adding up to the bid."""

    model_config = ConfigDict(extra="forbid")

    currency: Currency
    amount: AmountText | None = None
    amount_minor: AmountMinor | None = None
    milestones: list[MilestoneBidInput] = Field(default_factory=list, max_length=MAX_MILESTONES)

    _amount = field_validator("amount")(check_decimal_amount)

    @field_validator("milestones", mode="after")
    @classmethod
    def _fit_currency(cls, milestones: list[MilestoneBidInput], info: ValidationInfo) -> Any:
        currency = info.data.get("currency")
        if currency is None:
            return milestones
        for position, bid in enumerate(milestones, start=1):
            try:
                bid.amount_minor = pick_amount(bid.amount, bid.amount_minor, currency, "amount")
            except PydanticCustomError as error:
                raise PydanticCustomError(
                    error.type, "milestone bid {position}: {problem}",
                    {"position": position, "problem": error.message()},
                ) from None  # fmt: skip
            bid.amount = None
        return milestones

    @model_validator(mode="after")
    def _adds_up(self) -> BidInput:
        self.amount_minor = pick_amount(self.amount, self.amount_minor, self.currency, "amount")
        self.amount = None
        if not self.milestones:
            return self
        ids = [bid.milestone_id for bid in self.milestones]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError(
                "duplicate_milestone_bid", "bid on each milestone at most once"
            )
        total = sum(bid.amount_minor or 0 for bid in self.milestones)
        if total != self.amount_minor:
            raise PydanticCustomError(
                "milestone_bids_mismatch",
                "the milestone bids add up to {sum}, not to the bid {bid}",
                {"sum": Money(total, self.currency).format(),
                 "bid": Money(self.amount_minor, self.currency).format()},
            )  # fmt: skip
        return self

    @property
    def minor(self) -> int:
        assert self.amount_minor is not None  # resolved by the validator
        return self.amount_minor


class ApplicationCreate(BaseModel):
    """An application to an open challenge; the solver accepts its terms by sending it."""

    model_config = ConfigDict(extra="forbid")

    accept_terms: bool = Field(description="Must be true: you accept the challenge's terms.")
    proposal: Proposal
    bid: BidInput
    estimated_days: EstimatedDays
    portfolio_links: PortfolioLinks = Field(default_factory=list)

    _dedupe_links = field_validator("portfolio_links")(_unique_links)

    @field_validator("accept_terms", mode="after")
    @classmethod
    def _terms_accepted(cls, value: bool) -> bool:
        if not value:
            raise PydanticCustomError("terms_not_accepted", "accept the challenge's terms to apply")
        return value


class ApplicationEdit(BaseModel):
    """Only the fields sent change (``null`` is refused); only while it is submitted."""

    model_config = ConfigDict(extra="forbid")

    proposal: Proposal | None = None
    bid: BidInput | None = None
    estimated_days: EstimatedDays | None = None
    portfolio_links: PortfolioLinks | None = None

    _dedupe_links = field_validator("portfolio_links")(_unique_links)

    @field_validator("proposal", "bid", "estimated_days", "portfolio_links", mode="after")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Runs only for values sent (defaults are not validated): an explicit null.
        if value is None:
            raise PydanticCustomError("not_nullable", "this field cannot be cleared")
        return value


class ApplicationDecision(BaseModel):
    """An optional note with a change of status; both sides see it in the history (a
    rejection's note is what the solver is told)."""

    model_config = ConfigDict(extra="forbid")

    note: Note = ""


class ApplicationsQuery(BaseModel):
    """A page of applications, newest first."""

    model_config = ConfigDict(extra="forbid")

    status: ApplicationStatus | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ApplicationFilter(ApplicationsQuery):
    """Staff's list of every application."""

    challenge_id: uuid.UUID | None = None
    solver_id: uuid.UUID | None = None


# -- what the use cases return ----------------------------------------------------------


class ChallengeRef(BaseModel):
    id: uuid.UUID
    title: str
    status: ChallengeStatus


class MilestoneBidRead(BaseModel):
    milestone_id: uuid.UUID
    position: int
    title: str
    amount: MoneyRead


class ApplicationAttachmentRead(BaseModel):
    """A file attached to an application."""

    id: uuid.UUID
    application_id: uuid.UUID
    filename: str = Field(description="The safe name it downloads under.")
    content_type: str = Field(description="Decided from the content, not the name.")
    size_bytes: int
    created_at: datetime
    download_url: str = Field(
        description="A signed URL that downloads the file and expires: read the application "
        "again for a fresh one."
    )


class ApplicationSummary(BaseModel):
    """An application in a list."""

    id: uuid.UUID
    challenge: ChallengeRef
    solver: PersonRef
    status: ApplicationStatus
    bid: MoneyRead
    estimated_days: int
    created_at: datetime
    status_changed_at: datetime


class ApplicationRead(ApplicationSummary):
    """An application as its solver, the challenger and staff see it."""

    proposal: str = Field(description="The Markdown source.")
    proposal_html: str = Field(description="Rendered and sanitised: safe to insert.")
    milestone_bids: list[MilestoneBidRead] = Field(description="In milestone order.")
    portfolio_links: list[str]
    attachments: list[ApplicationAttachmentRead] = Field(description="Oldest first.")
    terms_accepted_at: datetime
    updated_at: datetime
    can_edit: bool = Field(description="Whether you may change it now (yours, submitted).")


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class ApplicationHistoryRead(BaseModel):
    """One change of an application; both sides see every entry."""

    id: uuid.UUID
    action: str = Field(examples=["submit", "edit", "shortlist", "accept", "auto_reject"])
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    actor: PersonRef | None = Field(description="Null: the system or an operator.")
    note: str
    created_at: datetime
