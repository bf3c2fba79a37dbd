"""Finding challenges: ``GET /api/v1/challenges`` (the search) and
``GET /api/v1/challenges/autocomplete``.

Included before the challenges router, so that ``/challenges/autocomplete`` is not taken
for a challenge id. Anonymous visitors search public challenges; signed-in users also find
the private challenges they own or are invited to; staff find every published challenge.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import field_validator

from openchance.search.query import SearchQuery
from openchance.search.schemas import SearchResults, Suggestions
from openchance.search.service import MAX_AUTOCOMPLETE_LIMIT, MAX_AUTOCOMPLETE_TEXT
from openchance_server.auth import ANONYMOUS_ALLOWED, CurrentActor
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/challenges", tags=["challenges"])


class ChallengeSearchParameters(SearchQuery):
    """The search's query string: each list may be repeated (``category=a&category=b``) or
    comma-separated (``category=a,b``)."""

    @field_validator("category", "difficulty", "status", "skills", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [part for item in value for part in str(item).split(",") if part.strip()]
        return value


@router.get("", summary="Search challenges", openapi_extra=ANONYMOUS_ALLOWED)
async def search_challenges(
    query: Annotated[ChallengeSearchParameters, Query()], oc: Platform, actor: CurrentActor
) -> SearchResults:
    """Free text (`q`) over title, summary, description and skills: every word must match,
    one typo is tolerated in words of 5 letters and two in words of 9, and the last word
    also matches as a prefix. Operators (`"`, `*`, `OR`, `NEAR(`, `-`) are plain text.
    Filters combine; `reward_min`/`reward_max` (minor units) need a `currency` and match
    challenges whose reward range overlaps them. `status` defaults to `open`. Follow
    `next_cursor` for the next page. 422 `invalid_input` (see `errors[].type`:
    `search_text_too_long`, `search_text_without_words`, `currency_required`, …),
    `invalid_cursor`."""
    return await oc.search.search(actor, query)


@router.get(
    "/autocomplete", summary="Complete a search as it is typed", openapi_extra=ANONYMOUS_ALLOWED
)
async def autocomplete_challenges(
    oc: Platform,
    actor: CurrentActor,
    q: Annotated[str, Query(min_length=1, max_length=MAX_AUTOCOMPLETE_TEXT)],
    limit: Annotated[int, Query(ge=1, le=MAX_AUTOCOMPLETE_LIMIT)] = 8,
) -> Suggestions:
    """Titles of open challenges matching what was typed (typos tolerated, the last word
    as a prefix), then skills beginning with it. 422 `search_text_without_words`."""
    return Suggestions(suggestions=await oc.search.autocomplete(actor, q, limit))
