"""``/api/v1/me/profile``, ``/api/v1/me/avatar`` and ``/api/v1/users/{id}/profile``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from openchance import OpenChance
from tests.factories.images import SCRIPT, format_and_size, image_bytes, noise_png
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer, login


@pytest.fixture
async def ada_id(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="ada@example.org", display_name="Ada Lovelace")


@pytest.fixture
async def token(oc: OpenChance, ada_id: uuid.UUID) -> str:
    return (await sign_in(oc, "ada@example.org")).token


def upload(
    data: bytes, filename: str = "me.png", content_type: str = "image/png"
) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (filename, data, content_type)}


class TestGetMyProfile:
    async def test_you_see_your_profile(self, client: httpx.AsyncClient, token: str) -> None:
        response = await client.get(f"{API}/me/profile", headers=bearer(token))

        assert response.status_code == 200
        assert response.json()["display_name"] == "Ada Lovelace"
        assert response.json()["skills"] == []

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/me/profile")

        assert response.status_code == 401


class TestPatchMyProfile:
    async def test_the_fields_sent_change(self, client: httpx.AsyncClient, token: str) -> None:
        response = await client.patch(
            f"{API}/me/profile",
            headers=bearer(token),
            json={
                "headline": "Engines",
                "skills": ["Machine Learning", "python"],
                "hourly_rate": {"amount_minor": 8500, "currency": "eur"},
                "availability": "available",
            },
        )

        assert response.status_code == 200
        body = response.json()
        assert body["headline"] == "Engines"
        assert body["skills"] == ["machine-learning", "python"]
        assert body["hourly_rate"] == {
            "amount_minor": 8500,
            "currency": "EUR",
            "formatted": "85.00 EUR",
        }
        assert body["availability"] == "available"

    @pytest.mark.parametrize("field", ["role", "user_id", "status", "avatar_key"])
    async def test_a_field_you_may_not_set_is_422(
        self, client: httpx.AsyncClient, token: str, field: str
    ) -> None:
        response = await client.patch(
            f"{API}/me/profile", headers=bearer(token), json={field: "admin"}
        )

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_input"

    async def test_an_unknown_currency_is_422_naming_the_field(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.patch(
            f"{API}/me/profile",
            headers=bearer(token),
            json={"hourly_rate": {"amount_minor": 100, "currency": "XYZ"}},
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "hourly_rate", "currency"]

    async def test_a_browser_session_needs_the_csrf_token(
        self, client: httpx.AsyncClient, ada_id: uuid.UUID
    ) -> None:
        await login(client, "ada@example.org", session="browser")

        response = await client.patch(f"{API}/me/profile", json={"headline": "x"})

        assert response.status_code == 403
        assert response.json()["code"] == "csrf_failed"


class TestPutAvatar:
    async def test_an_image_becomes_your_avatar(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.put(
            f"{API}/me/avatar", headers=bearer(token), files=upload(image_bytes())
        )

        assert response.status_code == 200
        avatar = await client.get(response.json()["avatar_url"])
        assert avatar.status_code == 200
        assert avatar.headers["content-type"] == "image/webp"
        assert format_and_size(avatar.content) == ("WEBP", (64, 48))

    async def test_a_script_named_png_is_422_unsupported_image(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.put(
            f"{API}/me/avatar", headers=bearer(token), files=upload(SCRIPT, "cat.png", "image/png")
        )

        assert response.status_code == 422
        assert response.json()["code"] == "unsupported_image"

    async def test_a_file_over_5_mb_is_422_file_too_large(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.put(
            f"{API}/me/avatar", headers=bearer(token), files=upload(noise_png((1400, 1300)))
        )

        assert response.status_code == 422
        assert response.json()["code"] == "file_too_large"

    async def test_a_body_far_over_the_limit_is_refused_unread(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.put(
            f"{API}/me/avatar", headers=bearer(token), files=upload(b"\0" * (6 * 1024 * 1024))
        )

        assert response.status_code == 422
        assert response.json()["code"] == "file_too_large"

    async def test_a_chunked_body_over_the_limit_is_refused(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        boundary = "oc-boundary"

        async def body() -> AsyncIterator[bytes]:
            yield f"--{boundary}\r\n".encode()
            yield b'Content-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
            for _ in range(7):
                yield b"\0" * (1024 * 1024)
            yield f"\r\n--{boundary}--\r\n".encode()

        response = await client.put(
            f"{API}/me/avatar",
            headers={**bearer(token), "Content-Type": f"multipart/form-data; boundary={boundary}"},
            content=body(),
        )

        assert response.status_code == 422
        assert response.json()["code"] == "file_too_large"

    async def test_without_a_file_part_it_is_422(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.put(f"{API}/me/avatar", headers=bearer(token), data={"x": "y"})

        assert response.status_code == 422
        assert response.json()["code"] == "file_missing"

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.put(f"{API}/me/avatar", files=upload(image_bytes()))

        assert response.status_code == 401


class TestDeleteAvatar:
    async def test_your_avatar_goes(self, client: httpx.AsyncClient, token: str) -> None:
        await client.put(f"{API}/me/avatar", headers=bearer(token), files=upload(image_bytes()))

        response = await client.delete(f"{API}/me/avatar", headers=bearer(token))

        assert response.status_code == 200
        assert response.json()["avatar_url"] is None


class TestPublicProfile:
    async def test_anyone_sees_a_profile(
        self, client: httpx.AsyncClient, token: str, ada_id: uuid.UUID
    ) -> None:
        await client.patch(f"{API}/me/profile", headers=bearer(token), json={"headline": "Engines"})

        response = await client.get(f"{API}/users/{ada_id}/profile")

        assert response.status_code == 200
        assert response.json()["headline"] == "Engines"
        assert response.json()["user_id"] == str(ada_id)

    async def test_a_suspended_account_is_404(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        user_id = await create_user(oc, suspended=True)

        response = await client.get(f"{API}/users/{user_id}/profile")

        assert response.status_code == 404
