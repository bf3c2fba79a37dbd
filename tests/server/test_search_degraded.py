"""With Meilisearch as the search backend: the API answers from it while it is up, and from
the database while it is down (no 500), and ``/readyz`` says ``degraded`` meanwhile."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openchance import OpenChance
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user
from tests.search.meilisearch_peer import MeilisearchProcess
from tests.server.accounts import API

SEARCH = f"{API}/challenges"
AUTOCOMPLETE = f"{API}/challenges/autocomplete"


@pytest.fixture
def meilisearch(meilisearch_binary: Path, tmp_path: Path) -> Iterator[MeilisearchProcess]:
    """A Meilisearch server of this test's own: the test stops it."""
    server = MeilisearchProcess(meilisearch_binary, tmp_path / "meilisearch")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def settings_overrides(meilisearch: MeilisearchProcess) -> dict[str, Any]:
    return {
        "search_backend": "meilisearch",
        "meilisearch_url": meilisearch.url,
        "meilisearch_api_key": meilisearch.master_key,
        "meilisearch_timeout_seconds": 5.0,
    }


@pytest.fixture
async def indexed(oc: OpenChance) -> uuid.UUID:
    """One open challenge, in both indexes."""
    owner = await create_user(oc, email="owner@example.org")
    challenge_id = await insert_challenge(oc, owner, title="Machine learning for crop yields")
    await oc.search.index_challenge(challenge_id)
    return challenge_id


def search_component(body: dict[str, Any]) -> dict[str, Any]:
    component: dict[str, Any] = next(c for c in body["components"] if c["name"] == "search")
    return component


class TestMeilisearchUp:
    async def test_search_answers(self, client: httpx.AsyncClient, indexed: uuid.UUID) -> None:
        response = await client.get(SEARCH, params={"q": "machine lerning"})

        assert response.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [str(indexed)]

    async def test_readiness_reports_meilisearch_answering(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")

        search = search_component(response.json())
        assert search["status"] == "ok"
        assert "meilisearch" in search["detail"]


class TestMeilisearchDown:
    async def test_search_answers_from_the_database(
        self, client: httpx.AsyncClient, indexed: uuid.UUID, meilisearch: MeilisearchProcess
    ) -> None:
        meilisearch.stop()

        response = await client.get(SEARCH, params={"q": "machine lerning"})

        assert response.status_code == 200
        body = response.json()
        assert [item["id"] for item in body["items"]] == [str(indexed)]
        assert body["estimated_total"] == 1

    async def test_autocomplete_answers_from_the_database(
        self, client: httpx.AsyncClient, indexed: uuid.UUID, meilisearch: MeilisearchProcess
    ) -> None:
        meilisearch.stop()

        response = await client.get(AUTOCOMPLETE, params={"q": "machi"})

        assert response.status_code == 200
        suggestions = response.json()["suggestions"]
        assert [item["text"] for item in suggestions] == ["Machine learning for crop yields"]

    async def test_readiness_is_degraded_but_ready(
        self, client: httpx.AsyncClient, meilisearch: MeilisearchProcess
    ) -> None:
        meilisearch.stop()

        response = await client.get("/readyz")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        search = search_component(body)
        assert search["status"] == "degraded"
        assert "meilisearch" in search["detail"]
