"""``/api/v1/me``: your account, password and sessions over HTTP."""

from __future__ import annotations

import httpx
import pytest

from openchance import OpenChance
from tests.factories.users import STRONG_PASSWORD, create_user, sign_in
from tests.server.accounts import API, bearer, login, set_cookies

NEW_PASSWORD = "amber-falcon-meadow-2024"


@pytest.fixture
async def token(oc: OpenChance) -> str:
    """A bearer token of Ada, signed in through the core."""
    await create_user(oc, email="ada@example.org")
    return (await sign_in(oc, "ada@example.org")).token


class TestGetMe:
    async def test_a_bearer_token_shows_your_account(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.get(f"{API}/me", headers=bearer(token))

        assert response.status_code == 200
        assert response.json()["email"] == "ada@example.org"
        assert response.json()["role"] == "user"

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/me")

        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_an_unknown_token_is_401_invalid_session(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/me", headers=bearer("ocs_made-up"))

        assert response.status_code == 401
        assert response.json()["code"] == "invalid_session"

    @pytest.mark.parametrize("header", ["Basic YWRhOnB3", "Bearer", "token-without-scheme"])
    async def test_a_malformed_authorization_header_is_401(
        self, client: httpx.AsyncClient, header: str
    ) -> None:
        response = await client.get(f"{API}/me", headers={"Authorization": header})

        assert response.status_code == 401
        assert response.json()["code"] == "invalid_authorization"

    async def test_a_bearer_token_wins_over_the_cookie(
        self, oc: OpenChance, client: httpx.AsyncClient, token: str
    ) -> None:
        await create_user(oc, email="bob@example.org")
        await login(client, "bob@example.org", session="browser")

        response = await client.get(f"{API}/me", headers=bearer(token))

        assert response.json()["email"] == "ada@example.org"


class TestUpdateMe:
    async def test_the_display_name_changes(self, client: httpx.AsyncClient, token: str) -> None:
        response = await client.patch(
            f"{API}/me", json={"display_name": "Countess"}, headers=bearer(token)
        )

        assert response.status_code == 200
        assert response.json()["display_name"] == "Countess"

    @pytest.mark.parametrize("field", ["role", "status", "email_verified"])
    async def test_fields_you_may_not_set_are_422(
        self, client: httpx.AsyncClient, token: str, field: str
    ) -> None:
        response = await client.patch(f"{API}/me", json={field: "admin"}, headers=bearer(token))

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", field]
        me = await client.get(f"{API}/me", headers=bearer(token))
        assert me.json()["role"] == "user"


class TestChangePassword:
    async def test_the_current_password_is_required(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.post(
            f"{API}/me/password",
            json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
            headers=bearer(token),
        )

        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"

    async def test_other_sessions_end_and_this_one_stays(
        self, oc: OpenChance, client: httpx.AsyncClient, token: str
    ) -> None:
        other = await sign_in(oc, "ada@example.org")

        response = await client.post(
            f"{API}/me/password",
            json={"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
            headers=bearer(token),
        )

        assert response.status_code == 204
        assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200
        assert (await client.get(f"{API}/me", headers=bearer(other.token))).status_code == 401


class TestSessions:
    async def test_the_list_marks_the_current_session(
        self, oc: OpenChance, client: httpx.AsyncClient, token: str
    ) -> None:
        other = await sign_in(oc, "ada@example.org")

        response = await client.get(f"{API}/me/sessions", headers=bearer(token))

        assert response.status_code == 200
        rows = response.json()
        assert len(rows) == 2
        assert [row["current"] for row in rows if row["id"] == str(other.session.id)] == [False]
        assert sum(row["current"] for row in rows) == 1

    async def test_another_users_session_is_not_found(
        self, oc: OpenChance, client: httpx.AsyncClient, token: str
    ) -> None:
        await create_user(oc, email="bob@example.org")
        bobs = await sign_in(oc, "bob@example.org")

        response = await client.delete(
            f"{API}/me/sessions/{bobs.session.id}", headers=bearer(token)
        )

        assert response.status_code == 404
        assert (await client.get(f"{API}/me", headers=bearer(bobs.token))).status_code == 200

    async def test_ending_the_current_browser_session_clears_its_cookies(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        session = await login(client, "ada@example.org", session="browser")

        response = await client.delete(
            f"{API}/me/sessions/{session['session']['id']}",
            headers={"X-CSRF-Token": session["csrf_token"]},
        )

        assert response.status_code == 204
        assert set_cookies(response)["openchance_session"]["max-age"] == "0"
