"""``/api/v1/categories``: public listing, staff changes."""

from __future__ import annotations

import httpx
import pytest

from openchance import OpenChance, Role
from openchance.challenges.seed import SEEDED_CATEGORIES
from tests.factories.users import create_user
from tests.server.accounts import API, bearer, login

CATEGORIES = f"{API}/categories"


@pytest.fixture
async def moderator(client: httpx.AsyncClient, oc: OpenChance) -> dict[str, str]:
    await create_user(oc, email="mod@example.org", role=Role.MODERATOR)
    return bearer((await login(client, "mod@example.org"))["token"])


@pytest.fixture
async def user(client: httpx.AsyncClient, oc: OpenChance) -> dict[str, str]:
    await create_user(oc, email="ada@example.org")
    return bearer((await login(client, "ada@example.org"))["token"])


class TestList:
    async def test_anyone_lists_the_categories(self, client: httpx.AsyncClient) -> None:
        response = await client.get(CATEGORIES)

        assert response.status_code == 200
        body = response.json()
        assert [item["slug"] for item in body] == [category.slug for category in SEEDED_CATEGORIES]
        assert set(body[0]) == {"id", "slug", "name", "position", "retired", "open_challenges"}

    async def test_retired_ones_come_with_include_retired(
        self, client: httpx.AsyncClient, moderator: dict[str, str]
    ) -> None:
        await client.post(f"{CATEGORIES}/design/retire", headers=moderator)

        default = (await client.get(CATEGORIES)).json()
        everything = (await client.get(CATEGORIES, params={"include_retired": "true"})).json()

        assert "design" not in {item["slug"] for item in default}
        assert {item["slug"]: item["retired"] for item in everything}["design"] is True


class TestAdd:
    async def test_a_moderator_adds_a_category(
        self, client: httpx.AsyncClient, moderator: dict[str, str]
    ) -> None:
        response = await client.post(CATEGORIES, headers=moderator, json={"name": "Education"})

        assert response.status_code == 201
        assert (response.json()["slug"], response.json()["name"]) == ("education", "Education")

    async def test_a_user_gets_403(self, client: httpx.AsyncClient, user: dict[str, str]) -> None:
        response = await client.post(CATEGORIES, headers=user, json={"name": "Education"})

        assert response.status_code == 403
        assert response.json()["code"] == "not_category_manager"

    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(CATEGORIES, json={"name": "Education"})

        assert response.status_code == 401

    async def test_a_taken_name_is_409(
        self, client: httpx.AsyncClient, moderator: dict[str, str]
    ) -> None:
        response = await client.post(
            CATEGORIES, headers=moderator, json={"name": "design", "slug": "design-two"}
        )

        assert response.status_code == 409
        assert response.json()["code"] == "category_name_taken"

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "x" * 10_000},
            {"name": ""},
            {"name": "Fine", "slug": "NOT A SLUG"},
            {"name": "<script>alert(1)</script>\x07"},
        ],
    )
    async def test_bad_input_is_422(
        self, client: httpx.AsyncClient, moderator: dict[str, str], body: dict[str, str]
    ) -> None:
        response = await client.post(CATEGORIES, headers=moderator, json=body)

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_input"


class TestRenameRetireRestore:
    async def test_a_moderator_renames_by_slug(
        self, client: httpx.AsyncClient, moderator: dict[str, str]
    ) -> None:
        response = await client.patch(
            f"{CATEGORIES}/design", headers=moderator, json={"name": "Design & UX"}
        )

        assert response.status_code == 200
        assert (response.json()["slug"], response.json()["name"]) == ("design", "Design & UX")

    async def test_a_moderator_retires_and_restores_by_id(
        self, client: httpx.AsyncClient, moderator: dict[str, str]
    ) -> None:
        category_id = next(item["id"] for item in (await client.get(CATEGORIES)).json())

        retired = await client.post(f"{CATEGORIES}/{category_id}/retire", headers=moderator)
        restored = await client.post(f"{CATEGORIES}/{category_id}/restore", headers=moderator)

        assert (retired.status_code, retired.json()["retired"]) == (200, True)
        assert (restored.status_code, restored.json()["retired"]) == (200, False)

    async def test_retiring_twice_is_409(
        self, client: httpx.AsyncClient, moderator: dict[str, str]
    ) -> None:
        await client.post(f"{CATEGORIES}/design/retire", headers=moderator)

        response = await client.post(f"{CATEGORIES}/design/retire", headers=moderator)

        assert response.status_code == 409
        assert response.json()["code"] == "category_already_retired"

    async def test_an_unknown_category_is_404(
        self, client: httpx.AsyncClient, moderator: dict[str, str]
    ) -> None:
        response = await client.patch(
            f"{CATEGORIES}/no-such-thing", headers=moderator, json={"name": "X"}
        )

        assert response.status_code == 404

    async def test_a_user_may_not_retire(
        self, client: httpx.AsyncClient, user: dict[str, str]
    ) -> None:
        response = await client.post(f"{CATEGORIES}/design/retire", headers=user)

        assert response.status_code == 403
