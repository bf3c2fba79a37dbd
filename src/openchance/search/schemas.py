"""What the search use cases return: hit summaries, facets and the next page's cursor."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from openchance.db.types import Money, format_money_range
from openchance.models.challenges import ChallengeStatus, Difficulty, RewardKind, Visibility
from openchance.search.query import Facets, SearchDocument, Suggestion


class HitReward(BaseModel):
    """A challenge's reward: fixed and milestone rewards have min = max (the total)."""

    kind: RewardKind
    currency: str = Field(examples=["EUR"])
    min_minor: int
    max_minor: int
    formatted: str = Field(examples=["1000.00 EUR", "500.00 - 800.00 EUR"])

    @classmethod
    def of(cls, document: SearchDocument) -> HitReward:
        low = Money(document.reward_min_minor, document.reward_currency)
        high = Money(document.reward_max_minor, document.reward_currency)
        return cls(
            kind=document.reward_kind,
            currency=document.reward_currency,
            min_minor=document.reward_min_minor,
            max_minor=document.reward_max_minor,
            formatted=format_money_range(low, high),
        )


class ChallengeHit(BaseModel):
    """One challenge in a list of search results."""

    id: uuid.UUID
    title: str
    summary: str
    category: str = Field(description="The category's slug.")
    difficulty: Difficulty
    skills: list[str]
    status: ChallengeStatus
    visibility: Visibility
    reward: HitReward
    deadline: datetime
    published_at: datetime

    @classmethod
    def of(cls, document: SearchDocument) -> ChallengeHit:
        return cls(
            id=document.id,
            title=document.title,
            summary=document.summary,
            category=document.category,
            difficulty=document.difficulty,
            skills=document.skills,
            status=document.status,
            visibility=document.visibility,
            reward=HitReward.of(document),
            deadline=document.deadline,
            published_at=document.published_at,
        )


class SearchResults(BaseModel):
    """One page of a search."""

    items: list[ChallengeHit]
    facets: Facets = Field(
        description="Matching challenges per category and difficulty, over all pages."
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same query) for the next page; null on the last."
    )
    estimated_total: int = Field(description="How many challenges match, over all pages.")


class Suggestions(BaseModel):
    """Autocomplete: titles of open challenges first, then skills."""

    suggestions: list[Suggestion]
