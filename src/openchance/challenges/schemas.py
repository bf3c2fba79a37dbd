"""What the challenge use cases take and return.

Inputs hold only what a challenger may say about their challenge: no owner, no status,
no application count. Rules that have a stable code (amounts, currency, deadline, prize
split…) raise pydantic errors whose ``type`` is that code; the server renders them as the
``errors`` of a 422 problem, with the field path in ``loc``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from openchance.accounts.profile_schemas import normalise_skills
from openchance.challenges.rewards import (
    MilestonesRewardInput,
    RewardInput,
    TermsViolation,
    check_terms,
    equal_split,
)
from openchance.db.types import Money, utcnow
from openchance.models.challenges import (
    CancelReason,
    ChallengeStatus,
    Difficulty,
    IPTerms,
    RewardKind,
    Visibility,
)

MAX_TITLE_LENGTH = 200
MAX_SUMMARY_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 50_000
MAX_TERMS_LENGTH = 10_000
MAX_CLARIFICATION_LENGTH = 10_000
MAX_NOTE_LENGTH = 2000
MAX_WINNERS = 50
MAX_APPLICATIONS_CAP = 10_000
MAX_DEADLINE_AHEAD = timedelta(days=5 * 366)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_LENGTH)
]
Summary = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SUMMARY_LENGTH)
]
Description = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_DESCRIPTION_LENGTH),
    Field(description="Markdown; rendered and sanitised as `description_html`."),
]
CategorySlug = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=64),
    Field(description="A category's slug (`GET /api/v1/categories`).", examples=["design"]),
]
Terms = Annotated[
    str,
    StringConstraints(max_length=MAX_TERMS_LENGTH),
    Field(description="Free-text terms a solver accepts when applying."),
]
Skills = Annotated[
    list[Annotated[str, StringConstraints(max_length=100)]],
    Field(
        max_length=100,
        description="Tags, normalised: lower case, spaces as hyphens, no repeats, at most 30.",
    ),
]
Winners = Annotated[int, Field(ge=1, le=MAX_WINNERS, description="How many solvers win.")]
PrizeSplit = Annotated[
    list[Annotated[int, Field(ge=1, le=100)]],
    Field(
        max_length=MAX_WINNERS,
        description="Percent of the prize per winner in rank order, adding up to 100; "
        "default: equal shares, the remainder to first place.",
    ),
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_LENGTH)]
MaxApplications = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_APPLICATIONS_CAP,
        description="Stop taking applications once this many were received; null: no cap.",
    ),
]


def check_deadline(deadline: datetime) -> datetime:
    """In UTC, in the future (``deadline_in_past``) and not absurdly far away."""
    now = utcnow()
    if deadline <= now:
        raise PydanticCustomError("deadline_in_past", "the deadline must be in the future")
    if deadline > now + MAX_DEADLINE_AHEAD:
        raise PydanticCustomError("deadline_too_far", "the deadline is more than 5 years away")
    return deadline.astimezone(now.tzinfo)


def _skills(skills: list[str] | None) -> list[str] | None:
    return None if skills is None else normalise_skills(skills)


def _milestone_dates(reward: RewardInput) -> list[datetime | None]:
    if isinstance(reward, MilestonesRewardInput):
        return [milestone.due_at for milestone in reward.milestones]
    return []


class ChallengeCreate(BaseModel):
    """A new challenge; it starts as a draft only its challenger sees."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    summary: Summary
    description: Description
    category: CategorySlug
    difficulty: Difficulty
    skills: Skills = Field(default_factory=list)
    reward: RewardInput
    winners: Winners = 1
    prize_split: PrizeSplit | None = None
    deadline: AwareDatetime = Field(description="In the future; the challenge expires then.")
    visibility: Visibility = Visibility.PUBLIC
    ip_terms: IPTerms = IPTerms.NONE
    terms: Terms = ""
    max_applications: MaxApplications | None = None

    _normalise_skills = field_validator("skills")(_skills)
    _future_deadline = field_validator("deadline")(check_deadline)

    @model_validator(mode="after")
    def _consistent(self) -> ChallengeCreate:
        if self.prize_split is None:
            self.prize_split = equal_split(self.winners)
        try:
            check_terms(
                reward_kind=RewardKind(self.reward.kind),
                winners=self.winners,
                prize_split=self.prize_split,
                deadline=self.deadline,
                milestone_due_dates=_milestone_dates(self.reward),
            )
        except TermsViolation as violation:
            raise violation.as_pydantic() from None
        return self


class ChallengeEdit(BaseModel):
    """Only the fields sent change. ``null`` is refused, except for ``prize_split`` (back to
    equal shares) and ``max_applications`` (no cap); sending ``winners`` without
    ``prize_split`` also resets it."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    summary: Summary | None = None
    description: Description | None = None
    category: CategorySlug | None = None
    difficulty: Difficulty | None = None
    skills: Skills | None = None
    reward: RewardInput | None = None
    winners: Winners | None = None
    prize_split: PrizeSplit | None = None
    deadline: AwareDatetime | None = None
    visibility: Visibility | None = None
    ip_terms: IPTerms | None = None
    terms: Terms | None = None
    max_applications: MaxApplications | None = None

    _normalise_skills = field_validator("skills")(_skills)

    @field_validator(
        "title", "summary", "description", "category", "difficulty", "skills", "reward",
        "winners", "deadline", "visibility", "ip_terms", "terms",
        mode="after",
    )  # fmt: skip
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Runs only for values sent (defaults are not validated): an explicit null.
        if value is None:
            raise PydanticCustomError("not_nullable", "this field cannot be cleared")
        return value

    @field_validator("deadline", mode="after")
    @classmethod
    def _future_deadline(cls, value: datetime | None) -> datetime | None:
        return None if value is None else check_deadline(value)


class ChallengeRejection(BaseModel):
    """A moderator's reason for sending a challenge back; the challenger sees it."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_LENGTH)
    ]


class ChallengeCancellation(BaseModel):
    """Why a challenge is cancelled; ``other`` needs a note."""

    model_config = ConfigDict(extra="forbid")

    reason: CancelReason
    note: Note | None = None

    @model_validator(mode="after")
    def _note_for_other(self) -> ChallengeCancellation:
        if not self.note:
            self.note = None
            if self.reason is CancelReason.OTHER:
                raise PydanticCustomError("note_required", "say why in the note")
        return self


class ClarificationCreate(BaseModel):
    """A dated clarification the challenger adds once the substance is frozen."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CLARIFICATION_LENGTH),
        Field(description="Markdown; rendered and sanitised as `body_html`."),
    ]


class ChallengeOrder(StrEnum):
    """The order of a list of challenges (not of search results)."""

    NEWEST = "newest"
    """Most recently created first."""
    SUBMITTED = "submitted"
    """Longest waiting first, by submission time: the moderation queue."""


class MyChallengesQuery(BaseModel):
    """Your own challenges, newest first."""

    model_config = ConfigDict(extra="forbid")

    status: ChallengeStatus | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ChallengeFilter(BaseModel):
    """Staff's list of every challenge. Without ``order``: the moderation queue order
    (longest waiting first) for ``status=pending_review``, newest first otherwise."""

    model_config = ConfigDict(extra="forbid")

    status: ChallengeStatus | None = None
    owner_id: uuid.UUID | None = None
    category: CategorySlug | None = None
    order: ChallengeOrder | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    def effective_order(self) -> ChallengeOrder:
        if self.order is not None:
            return self.order
        if self.status is ChallengeStatus.PENDING_REVIEW:
            return ChallengeOrder.SUBMITTED
        return ChallengeOrder.NEWEST


# -- what the use cases return ----------------------------------------------------------


class MoneyRead(BaseModel):
    amount_minor: int
    currency: str
    amount: str = Field(description="Major units as a decimal string.", examples=["1500.00"])
    formatted: str = Field(examples=["1500.00 EUR"])

    @classmethod
    def of(cls, amount_minor: int, currency: str) -> MoneyRead:
        formatted = Money(amount_minor, currency).format()
        return cls(
            amount_minor=amount_minor,
            currency=currency,
            amount=formatted.rsplit(" ", 1)[0],
            formatted=formatted,
        )


class MilestoneRead(BaseModel):
    id: uuid.UUID = Field(description="What an application's milestone bids refer to.")
    position: int = Field(description="1 for the first milestone.")
    title: str
    description: str
    amount: MoneyRead
    due_at: datetime | None


class RewardRead(BaseModel):
    kind: RewardKind
    currency: str
    min: MoneyRead = Field(description="Fixed and milestone rewards: the total.")
    max: MoneyRead = Field(description="Fixed and milestone rewards: the total.")
    formatted: str = Field(examples=["1000.00 - 2000.00 EUR"])
    milestones: list[MilestoneRead] = Field(description="Milestone rewards only, in order.")


class PersonRef(BaseModel):
    id: uuid.UUID
    display_name: str


class CategoryRef(BaseModel):
    slug: str
    name: str


class ClarificationRead(BaseModel):
    id: uuid.UUID
    body: str = Field(description="The Markdown source.")
    body_html: str = Field(description="Rendered and sanitised: safe to insert.")
    created_at: datetime


class ChallengeSummary(BaseModel):
    """A challenge in a list."""

    id: uuid.UUID
    title: str
    summary: str
    category: CategoryRef
    difficulty: Difficulty
    skills: list[str]
    reward: RewardRead
    winners: int
    deadline: datetime
    visibility: Visibility
    status: ChallengeStatus
    owner: PersonRef
    application_count: int
    created_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None


class ChallengeRead(ChallengeSummary):
    """A challenge as someone who may see it sees it."""

    description: str = Field(description="The Markdown source.")
    description_html: str = Field(description="Rendered and sanitised: safe to insert.")
    prize_split: list[int]
    ip_terms: IPTerms
    terms: str
    status_changed_at: datetime | None
    updated_at: datetime
    review_note: str | None = Field(
        description="A moderator's reason for sending it back: its challenger and staff only."
    )
    cancel_reason: CancelReason | None
    cancel_note: str | None
    max_applications: int | None = Field(
        description="The challenger's cap on applications received; null: no cap."
    )
    clarifications: list[ClarificationRead] = Field(description="Oldest first.")
    can_edit: bool = Field(
        description="Whether you may change the substance now (your challenge, not yet "
        "applied to, in draft, pending review or open)."
    )


class ChallengePage(BaseModel):
    items: list[ChallengeSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
