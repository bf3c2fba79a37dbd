"""``GET /api/v1/challenges`` (the search) and ``GET /api/v1/challenges/autocomplete``."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from openchance import OpenChance
from openchance.db.types import utcnow
from openchance.models.challenges import ChallengeStatus, Difficulty, RewardKind, Visibility
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer

SEARCH = f"{API}/challenges"
AUTOCOMPLETE = f"{API}/challenges/autocomplete"


@pytest.fixture
async def owner(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="owner@example.org")


async def published(oc: OpenChance, owner_id: uuid.UUID, **fields: Any) -> uuid.UUID:
    """A challenge in the index, as its job would have put it there."""
    challenge_id = await insert_challenge(oc, owner_id, **fields)
    await oc.search.index_challenge(challenge_id)
    return challenge_id


async def titles(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def assert_problem(response: httpx.Response, code: str, error_type: str | None = None) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == code
    if error_type is not None:
        assert error_type in [error["type"] for error in body["errors"]], body


class TestSearch:
    async def test_anyone_finds_open_public_challenges(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        challenge_id = await published(
            oc,
            owner,
            title="Machine learning for crop yields",
            reward_kind=RewardKind.RANGE,
            reward_min_minor=50_000,
            reward_max_minor=120_000,
        )
        await published(oc, owner, title="Old one", status=ChallengeStatus.COMPLETED)

        response = await client.get(SEARCH, params={"q": "machine lerning"})

        assert response.status_code == 200
        body = response.json()
        assert body["estimated_total"] == 1
        assert body["next_cursor"] is None
        assert body["facets"] == {
            "category": {"data-science-ai": 1},
            "difficulty": {"intermediate": 1},
        }
        [item] = body["items"]
        assert item["id"] == str(challenge_id)
        assert item["reward"]["formatted"] == "500.00 - 1200.00 EUR"
        assert item["category"] == "data-science-ai"

    async def test_lists_are_repeated_or_comma_separated(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        await published(oc, owner, title="A", category="design")
        await published(oc, owner, title="B", category="writing-content")
        await published(oc, owner, title="C", category="social-impact")

        repeated = await client.get(
            SEARCH, params=[("category", "design"), ("category", "social-impact")]
        )
        commas = await titles(client, category="design,writing-content")

        assert sorted(item["title"] for item in repeated.json()["items"]) == ["A", "C"]
        assert sorted(commas) == ["A", "B"]

    async def test_filters_and_sort_combine(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        soon = utcnow() + timedelta(days=5)
        await published(oc, owner, title="cheap", reward_min_minor=10_000, deadline=soon)
        await published(oc, owner, title="dear", reward_min_minor=90_000, deadline=soon)
        await published(
            oc, owner, title="expert", reward_min_minor=80_000, difficulty=Difficulty.EXPERT
        )
        await published(oc, owner, title="late", reward_min_minor=70_000)

        found = await titles(
            client,
            currency="eur",
            reward_min=50_000,
            deadline_before=(utcnow() + timedelta(days=10)).isoformat(),
            difficulty="intermediate,advanced",
            sort="reward_desc",
        )

        assert found == ["dear"]

    async def test_skills_are_all_required(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        await published(oc, owner, title="both", skills=["python", "sql"])
        await published(oc, owner, title="one", skills=["python"])

        assert await titles(client, skills="Python,SQL") == ["both"]

    async def test_next_cursor_walks_every_page(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        for n in range(5):
            await published(oc, owner, title=f"Bakery {n}")
        seen: list[str] = []
        params: dict[str, Any] = {"q": "bakery", "limit": 2}

        while True:
            body = (await client.get(SEARCH, params=params)).json()
            seen.extend(item["title"] for item in body["items"])
            if body["next_cursor"] is None:
                break
            params["cursor"] = body["next_cursor"]

        assert sorted(seen) == [f"Bakery {n}" for n in range(5)]

    async def test_private_challenges_only_for_invitees(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        invitee = await create_user(oc, email="invitee@example.org")
        await create_user(oc, email="stranger@example.org")
        await published(
            oc, owner, title="Secret", visibility=Visibility.PRIVATE, invitees=[invitee]
        )
        invitee_token = (await sign_in(oc, "invitee@example.org")).token
        stranger_token = (await sign_in(oc, "stranger@example.org")).token

        anonymous = await client.get(SEARCH)
        as_invitee = await client.get(SEARCH, headers=bearer(invitee_token))
        as_stranger = await client.get(SEARCH, headers=bearer(stranger_token))

        assert anonymous.json()["items"] == []
        assert [item["title"] for item in as_invitee.json()["items"]] == ["Secret"]
        assert as_stranger.json()["items"] == []

    async def test_a_bad_token_is_refused_rather_than_ignored(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(SEARCH, headers=bearer("not-a-token"))

        assert response.status_code == 401


class TestBadSearchInput:
    async def test_a_search_string_of_5_kb(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"q": "machine " * 640})

        assert_problem(response, "invalid_input", "search_text_too_long")

    @pytest.mark.parametrize(
        "q",
        [
            '"machine learning',
            "machine*",
            "machine OR NEAR(learning, 2)",
            "-machine AND NOT learning:",
            "{title}: ^machine + (x",
        ],
    )
    async def test_operators_are_plain_text(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID, q: str
    ) -> None:
        await published(oc, owner, title="Machine learning")

        response = await client.get(SEARCH, params={"q": q})

        assert response.status_code == 200, response.text

    async def test_a_search_string_of_punctuation_only(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"q": '" * ( ) : -'})

        assert_problem(response, "invalid_input", "search_text_without_words")

    async def test_a_cursor_that_is_not_ours(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"cursor": "not-a-cursor"})

        assert_problem(response, "invalid_cursor")

    async def test_a_cursor_of_another_query(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        for n in range(3):
            await published(oc, owner, title=f"Bakery {n}")
        cursor = (await client.get(SEARCH, params={"limit": 1})).json()["next_cursor"]

        response = await client.get(SEARCH, params={"limit": 1, "q": "bakery", "cursor": cursor})

        assert_problem(response, "invalid_cursor")

    async def test_a_reward_range_without_currency(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"reward_min": 100})

        assert_problem(response, "invalid_input", "currency_required")

    async def test_an_unknown_currency(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"reward_min": 100, "currency": "XYZ"})

        assert_problem(response, "invalid_input")

    async def test_an_unknown_sort(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"sort": "cheapest"})

        assert_problem(response, "invalid_input", "enum")

    @pytest.mark.parametrize("limit", ["0", "101", "ten"])
    async def test_a_limit_out_of_range(self, client: httpx.AsyncClient, limit: str) -> None:
        response = await client.get(SEARCH, params={"limit": limit})

        assert_problem(response, "invalid_input")

    async def test_drafts_cannot_be_asked_for(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"status": "draft"})

        assert_problem(response, "invalid_input", "status_not_searchable")

    async def test_an_unknown_parameter(self, client: httpx.AsyncClient) -> None:
        response = await client.get(SEARCH, params={"colour": "blue"})

        assert_problem(response, "invalid_input")


class TestAutocomplete:
    async def test_titles_and_skills(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        challenge_id = await published(
            oc, owner, title="Machine learning for crops", skills=["machine-learning"]
        )

        response = await client.get(AUTOCOMPLETE, params={"q": "machine l"})

        assert response.status_code == 200, response.text
        assert response.json()["suggestions"] == [
            {
                "kind": "title",
                "text": "Machine learning for crops",
                "challenge_id": str(challenge_id),
            },
            {"kind": "skill", "text": "machine-learning", "challenge_id": None},
        ]

    @pytest.mark.parametrize("q", ["", "x" * 101])
    async def test_a_text_of_the_wrong_length(self, client: httpx.AsyncClient, q: str) -> None:
        response = await client.get(AUTOCOMPLETE, params={"q": q})

        assert_problem(response, "invalid_input")

    async def test_a_text_of_punctuation_only(self, client: httpx.AsyncClient) -> None:
        response = await client.get(AUTOCOMPLETE, params={"q": '"*('})

        assert_problem(response, "search_text_without_words")

    async def test_operators_are_plain_text(
        self, client: httpx.AsyncClient, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        await published(oc, owner, title="Machine learning")

        response = await client.get(AUTOCOMPLETE, params={"q": 'machine" OR NEAR(*'})

        assert response.status_code == 200, response.text
