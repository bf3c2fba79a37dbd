"""``/api/v1/me/saved-searches``."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from openchance import OpenChance
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer

SAVED = f"{API}/me/saved-searches"


async def _headers(oc: OpenChance, email: str) -> dict[str, str]:
    await create_user(oc, email=email)
    token = (await sign_in(oc, email)).token
    assert token is not None
    return bearer(token)


@pytest.fixture
async def ada(oc: OpenChance) -> dict[str, str]:
    return await _headers(oc, "ada@example.org")


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "ML in euros",
        "query": {"q": "machine learning", "reward_min": 10000, "currency": "EUR"},
        "frequency": "daily",
    } | overrides


class TestCreateSavedSearch:
    async def test_saves_and_lists_it(self, client: httpx.AsyncClient, ada: dict[str, str]) -> None:
        created = await client.post(SAVED, headers=ada, json=_body())

        assert created.status_code == 201
        assert created.json()["frequency"] == "daily"
        assert created.json()["query"]["q"] == "machine learning"
        listed = await client.get(SAVED, headers=ada)
        assert [item["id"] for item in listed.json()] == [created.json()["id"]]

    @pytest.mark.parametrize(
        "overrides",
        [
            {"name": ""},
            {"name": "x" * 101},
            {"frequency": "hourly"},
            {"query": {"reward_min": 5}},
            {"query": {"q": "x" * 5000}},
            {"query": {"status": ["draft"]}},
            {"query": {"cursor": "abc"}},
        ],
    )
    async def test_bad_input_is_422(
        self, client: httpx.AsyncClient, ada: dict[str, str], overrides: dict[str, Any]
    ) -> None:
        response = await client.post(SAVED, headers=ada, json=_body(**overrides))

        assert response.status_code == 422

    async def test_a_duplicate_name_is_409(
        self, client: httpx.AsyncClient, ada: dict[str, str]
    ) -> None:
        await client.post(SAVED, headers=ada, json=_body())

        response = await client.post(SAVED, headers=ada, json=_body())

        assert response.status_code == 409
        assert response.json()["code"] == "saved_search_name_taken"

    async def test_the_26th_is_409(self, client: httpx.AsyncClient, ada: dict[str, str]) -> None:
        for index in range(25):
            saved = await client.post(SAVED, headers=ada, json=_body(name=f"search {index}"))
            assert saved.status_code == 201

        response = await client.post(SAVED, headers=ada, json=_body(name="one too many"))

        assert response.status_code == 409
        assert response.json()["code"] == "too_many_saved_searches"

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(SAVED, json=_body())

        assert response.status_code == 401


class TestDeleteSavedSearch:
    async def test_deletes_yours(self, client: httpx.AsyncClient, ada: dict[str, str]) -> None:
        created = await client.post(SAVED, headers=ada, json=_body())

        response = await client.delete(f"{SAVED}/{created.json()['id']}", headers=ada)

        assert response.status_code == 204
        assert (await client.get(SAVED, headers=ada)).json() == []

    async def test_someone_elses_is_404(
        self, client: httpx.AsyncClient, oc: OpenChance, ada: dict[str, str]
    ) -> None:
        grace = await _headers(oc, "grace@example.org")
        theirs = await client.post(SAVED, headers=grace, json=_body())

        response = await client.delete(f"{SAVED}/{theirs.json()['id']}", headers=ada)

        assert response.status_code == 404
        assert len((await client.get(SAVED, headers=grace)).json()) == 1

    async def test_an_unknown_one_is_404(
        self, client: httpx.AsyncClient, ada: dict[str, str]
    ) -> None:
        response = await client.delete(f"{SAVED}/{uuid.uuid4()}", headers=ada)

        assert response.status_code == 404
