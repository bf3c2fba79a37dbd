"""``/api/v1/me/notifications``: your feed, paged by cursor, and marking it read."""

from __future__ import annotations

import uuid

import httpx
import pytest

from openchance import OpenChance
from openchance.notifications.feed import notify
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer

FEED = f"{API}/me/notifications"


async def _notify(oc: OpenChance, user_id: uuid.UUID, *titles: str) -> None:
    for title in titles:
        async with oc.unit_of_work() as uow:
            await notify(uow, user_id=user_id, kind="test", title=title, dedupe_key=title)


@pytest.fixture
async def ada_id(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="ada@example.org")


@pytest.fixture
async def ada(oc: OpenChance, ada_id: uuid.UUID) -> dict[str, str]:
    token = (await sign_in(oc, "ada@example.org")).token
    assert token is not None
    return bearer(token)


class TestListNotifications:
    async def test_pages_newest_first_with_the_unread_count(
        self, client: httpx.AsyncClient, oc: OpenChance, ada_id: uuid.UUID, ada: dict[str, str]
    ) -> None:
        await _notify(oc, ada_id, "one", "two", "three")

        first = await client.get(FEED, headers=ada, params={"limit": 2})
        second = await client.get(
            FEED, headers=ada, params={"limit": 2, "cursor": first.json()["next_cursor"]}
        )

        assert first.status_code == second.status_code == 200
        assert [item["title"] for item in first.json()["items"]] == ["three", "two"]
        assert [item["title"] for item in second.json()["items"]] == ["one"]
        assert second.json()["next_cursor"] is None
        assert first.json()["unread_count"] == 3

    async def test_unread_only(
        self, client: httpx.AsyncClient, oc: OpenChance, ada_id: uuid.UUID, ada: dict[str, str]
    ) -> None:
        await _notify(oc, ada_id, "one")
        await client.post(f"{FEED}/read", headers=ada, json={"all": True})

        response = await client.get(FEED, headers=ada, params={"unread_only": True})

        assert response.json()["items"] == []

    async def test_only_your_own(
        self, client: httpx.AsyncClient, oc: OpenChance, ada: dict[str, str]
    ) -> None:
        grace_id = await create_user(oc, email="grace@example.org")
        await _notify(oc, grace_id, "for grace")

        response = await client.get(FEED, headers=ada)

        assert response.json() == {"items": [], "next_cursor": None, "unread_count": 0}

    async def test_a_bad_cursor_is_422(
        self, client: httpx.AsyncClient, ada: dict[str, str]
    ) -> None:
        response = await client.get(FEED, headers=ada, params={"cursor": "nope"})

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_cursor"

    @pytest.mark.parametrize("limit", [0, 101])
    async def test_a_bad_limit_is_422(
        self, client: httpx.AsyncClient, ada: dict[str, str], limit: int
    ) -> None:
        response = await client.get(FEED, headers=ada, params={"limit": limit})

        assert response.status_code == 422

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(FEED)

        assert response.status_code == 401


class TestMarkRead:
    async def test_marks_the_ones_named(
        self, client: httpx.AsyncClient, oc: OpenChance, ada_id: uuid.UUID, ada: dict[str, str]
    ) -> None:
        await _notify(oc, ada_id, "one", "two")
        items = (await client.get(FEED, headers=ada)).json()["items"]

        response = await client.post(f"{FEED}/read", headers=ada, json={"ids": [items[0]["id"]]})

        assert response.status_code == 200
        assert response.json() == {"marked": 1, "unread_count": 1}

    async def test_an_empty_request_is_422(
        self, client: httpx.AsyncClient, ada: dict[str, str]
    ) -> None:
        response = await client.post(f"{FEED}/read", headers=ada, json={})

        assert response.status_code == 422
