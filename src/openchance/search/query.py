"""The one search query model every backend answers, and what a search returns.

Validation happens here, at the edge: a query that gets past this model can never make a
backend fail with a syntax error (free text is tokenised by us, never passed through as
query syntax).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from openchance.accounts.profile_schemas import normalise_skills
from openchance.db.types import normalise_currency
from openchance.errors import InvalidInput
from openchance.models.challenges import ChallengeStatus, Difficulty, RewardKind, Visibility
from openchance.search.text import words

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 10_000
"""Deeper pages are refused: narrow the query instead (Meilisearch has the same kind of cap)."""

SEARCHABLE_STATUSES: frozenset[ChallengeStatus] = frozenset(
    {
        ChallengeStatus.OPEN,
        ChallengeStatus.IN_PROGRESS,
        ChallengeStatus.IN_REVIEW,
        ChallengeStatus.COMPLETED,
        ChallengeStatus.EXPIRED,
        ChallengeStatus.CANCELLED,
    }
)
"""Statuses a published challenge can have; drafts and challenges in review are not indexed."""


class SearchSort(StrEnum):
    """The order of search results."""

    RELEVANCE = "relevance"
    """Best text match first (newest first when there is no text)."""
    NEWEST = "newest"
    """Most recently published first."""
    DEADLINE = "deadline"
    """Soonest deadline first."""
    REWARD_DESC = "reward_desc"
    """Highest reward (its maximum) first."""
    REWARD_ASC = "reward_asc"
    """Lowest reward (its minimum) first."""


class SearchViewer(BaseModel):
    """Who is searching: decides which private challenges are visible."""

    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID | None = None
    is_staff: bool = False


class SearchFilters(BaseModel):
    """What a query asks for, without paging: also what a saved search stores."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str | None = Field(
        default=None,
        description="Free text over title, summary, description and skills; typos tolerated, "
        "the last word matches as a prefix.",
    )
    category: list[str] = Field(default_factory=list, max_length=20, description="Slugs.")
    difficulty: list[Difficulty] = Field(default_factory=list, max_length=4)
    reward_min: int | None = Field(default=None, ge=0, le=10**13, description="Minor units.")
    reward_max: int | None = Field(default=None, ge=0, le=10**13, description="Minor units.")
    currency: str | None = Field(
        default=None, description="ISO 4217; required with `reward_min` or `reward_max`."
    )
    deadline_before: AwareDatetime | None = None
    deadline_after: AwareDatetime | None = None
    status: list[ChallengeStatus] = Field(
        default_factory=lambda: [ChallengeStatus.OPEN],
        max_length=8,
        description="Default: open challenges only.",
    )
    skills: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Every one must be required by the challenge.",
    )

    @field_validator("q")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if len(value) > MAX_QUERY_LENGTH:
            raise PydanticCustomError(
                "search_text_too_long",
                "the search text has at most {limit} characters",
                {"limit": MAX_QUERY_LENGTH},
            )
        if value and not words(value):
            raise PydanticCustomError(
                "search_text_without_words",
                "the search text has no letters or digits to search for",
            )
        return value or None

    @field_validator("category")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        slugs = list(dict.fromkeys(slug.strip().lower() for slug in value if slug.strip()))
        for slug in slugs:
            if len(slug) > 64:
                raise ValueError("a category slug has at most 64 characters")
        return slugs

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalise_currency(value)
        except InvalidInput as error:
            raise ValueError(error.message) from None

    @field_validator("status")
    @classmethod
    def _statuses(cls, value: list[ChallengeStatus]) -> list[ChallengeStatus]:
        statuses = list(dict.fromkeys(value)) or [ChallengeStatus.OPEN]
        hidden = [status.value for status in statuses if status not in SEARCHABLE_STATUSES]
        if hidden:
            raise PydanticCustomError(
                "status_not_searchable",
                "unpublished challenges are not searchable: {statuses}",
                {"statuses": ", ".join(hidden)},
            )
        return statuses

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[str]) -> list[str]:
        return normalise_skills(value)

    @model_validator(mode="after")
    def _consistent(self) -> SearchFilters:
        if (self.reward_min is not None or self.reward_max is not None) and not self.currency:
            raise PydanticCustomError("currency_required", "a reward range needs a currency")
        if (
            self.reward_min is not None
            and self.reward_max is not None
            and self.reward_min > self.reward_max
        ):
            raise PydanticCustomError("reward_range_inverted", "reward_min is above reward_max")
        if (
            self.deadline_before is not None
            and self.deadline_after is not None
            and self.deadline_after >= self.deadline_before
        ):
            raise PydanticCustomError(
                "deadline_range_inverted", "deadline_after is not before deadline_before"
            )
        return self


class SearchQuery(SearchFilters):
    """A search: filters plus order and page."""

    sort: SearchSort = SearchSort.RELEVANCE
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    def filters(self) -> SearchFilters:
        return SearchFilters.model_validate(self.model_dump(exclude={"sort", "cursor", "limit"}))

    def fingerprint(self) -> str:
        """A short hash of everything but the page, so a cursor is only valid for its query."""
        data = self.model_dump(mode="json", exclude={"cursor", "limit"})
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        return digest[:16]

    def offset(self) -> int:
        """Where this page starts: 0, or the position the cursor points at."""
        if self.cursor is None:
            return 0
        return decode_cursor(self.cursor, self.fingerprint())


def encode_cursor(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> int:
    """The offset in ``cursor``; ``InvalidInput`` (code ``invalid_cursor``) if it is not one of
    ours or belongs to another query."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = data["o"]
        if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise ValueError(offset)
        if data["f"] != fingerprint:
            raise ValueError("cursor of another query")
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "the cursor is not valid for this query (start again without it)",
            code="invalid_cursor",
        ) from None
    return offset


class SearchDocument(BaseModel):
    """What the index holds for one published challenge (built by ``search.documents``)."""

    id: uuid.UUID
    title: str
    summary: str
    description: str = Field(description="Plain text of the Markdown description.")
    skills: list[str]
    category: str = Field(description="The category's slug.")
    difficulty: Difficulty
    status: ChallengeStatus
    visibility: Visibility
    viewer_ids: list[uuid.UUID] = Field(
        description="Private challenges: the challenger and the pending invitees."
    )
    reward_kind: RewardKind
    reward_currency: str
    reward_min_minor: int
    reward_max_minor: int
    deadline: datetime
    published_at: datetime


class Facets(BaseModel):
    """How many matching challenges each category (slug) and difficulty has."""

    category: dict[str, int] = Field(default_factory=dict)
    difficulty: dict[str, int] = Field(default_factory=dict)


class SearchPage(BaseModel):
    """What a backend answers: the documents of one page, facets and an estimated total."""

    documents: list[SearchDocument]
    facets: Facets
    estimated_total: int


class Suggestion(BaseModel):
    """One autocomplete suggestion: a challenge title or a skill."""

    kind: str = Field(description="`title` or `skill`.")
    text: str
    challenge_id: uuid.UUID | None = Field(default=None, description="For titles.")
