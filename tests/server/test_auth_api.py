"""``/api/v1/auth``: sign-up, verification, sign-in, sign-out and password reset over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from openchance import OpenChance
from tests.factories.users import STRONG_PASSWORD, create_user, mail_to, sign_in, token_in
from tests.server.accounts import API, bearer, login, set_cookies

NEW_PASSWORD = "amber-falcon-meadow-2024"


def registration(email: str = "ada@example.org", **extra: Any) -> dict[str, Any]:
    return {"email": email, "password": STRONG_PASSWORD, "display_name": "Ada", **extra}


class TestRegister:
    async def test_a_new_address_is_accepted(self, client: httpx.AsyncClient) -> None:
        response = await client.post(f"{API}/auth/register", json=registration())

        assert response.status_code == 202
        assert "inbox" in response.json()["message"]

    async def test_a_taken_address_gets_the_same_answer(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        fresh = await client.post(f"{API}/auth/register", json=registration("new@example.org"))

        taken = await client.post(f"{API}/auth/register", json=registration())

        assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())

    async def test_a_weak_password_is_refused(self, client: httpx.AsyncClient) -> None:
        body = registration() | {"password": "password"}

        response = await client.post(f"{API}/auth/register", json=body)

        assert response.status_code == 422
        assert response.json()["code"] == "weak_password"

    async def test_a_role_cannot_be_chosen(self, client: httpx.AsyncClient) -> None:
        response = await client.post(f"{API}/auth/register", json=registration(role="admin"))

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "role"]


class TestVerifyEmail:
    async def test_a_link_works_once(self, oc: OpenChance, client: httpx.AsyncClient) -> None:
        await client.post(f"{API}/auth/register", json=registration())
        [mail] = await mail_to(oc, "ada@example.org")
        await client.post(f"{API}/auth/verify-email", json={"token": token_in(mail)})

        again = await client.post(f"{API}/auth/verify-email", json={"token": token_in(mail)})

        assert again.status_code == 422
        assert again.json()["code"] == "token_used"

    async def test_an_unknown_token_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(f"{API}/auth/verify-email", json={"token": "oce_" + "x" * 40})

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_token"


class TestLogin:
    async def test_an_api_session_returns_a_token_and_sets_no_cookie(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")

        response = await client.post(
            f"{API}/auth/login",
            json={"email": "ada@example.org", "password": STRONG_PASSWORD, "session": "api"},
        )

        assert response.status_code == 200
        body = response.json()
        assert body["token"].startswith("ocs_")
        assert body["csrf_token"] is None
        assert body["session"]["kind"] == "api"
        assert "set-cookie" not in response.headers
        assert response.headers["cache-control"] == "no-store"

    async def test_a_wrong_password_is_401_invalid_credentials(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")

        response = await client.post(
            f"{API}/auth/login", json={"email": "ada@example.org", "password": "wrong-guess-1"}
        )

        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_an_unverified_address_is_401_email_not_verified(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org", verified=False)

        response = await client.post(
            f"{API}/auth/login", json={"email": "ada@example.org", "password": STRONG_PASSWORD}
        )

        assert response.status_code == 401
        assert response.json()["code"] == "email_not_verified"

    async def test_a_suspended_account_is_403(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org", suspended=True)

        response = await client.post(
            f"{API}/auth/login", json={"email": "ada@example.org", "password": STRONG_PASSWORD}
        )

        assert response.status_code == 403
        assert response.json()["code"] == "account_suspended"

    async def test_a_personal_access_token_cannot_be_had_by_signing_in(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")

        response = await client.post(
            f"{API}/auth/login",
            json={
                "email": "ada@example.org",
                "password": STRONG_PASSWORD,
                "session": "personal_access",
            },
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "session"]


class TestLoginLockout:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"login_failures_per_account": "2/hour"}

    async def test_repeated_failures_answer_429_with_retry_after(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        wrong = {"email": "ada@example.org", "password": "wrong-guess-1"}
        await client.post(f"{API}/auth/login", json=wrong)

        locked = await client.post(f"{API}/auth/login", json=wrong)
        still = await client.post(
            f"{API}/auth/login", json={"email": "ada@example.org", "password": STRONG_PASSWORD}
        )

        for response in (locked, still):
            assert response.status_code == 429
            assert response.json()["code"] == "account_locked"
            assert 0 < int(response.headers["retry-after"]) <= 3600


class TestLogout:
    async def test_the_bearer_token_stops_working(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        session = await login(client, "ada@example.org")

        response = await client.post(f"{API}/auth/logout", headers=bearer(session["token"]))

        assert response.status_code == 204
        assert (await client.get(f"{API}/me", headers=bearer(session["token"]))).status_code == 401

    async def test_the_browser_cookies_are_cleared(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        session = await login(client, "ada@example.org", session="browser")

        response = await client.post(
            f"{API}/auth/logout", headers={"X-CSRF-Token": session["csrf_token"]}
        )

        assert response.status_code == 204
        cookies = set_cookies(response)
        assert cookies["openchance_session"]["max-age"] == "0"
        assert cookies["openchance_csrf"]["max-age"] == "0"
        assert (await client.get(f"{API}/me")).status_code == 401

    async def test_a_browser_session_needs_its_csrf_token(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        await login(client, "ada@example.org", session="browser")

        response = await client.post(f"{API}/auth/logout")

        assert response.status_code == 403
        assert response.json()["code"] == "csrf_failed"
        assert (await client.get(f"{API}/me")).status_code == 200

    async def test_without_a_session_the_answer_is_the_same(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(f"{API}/auth/logout", headers=bearer("ocs_ended-long-ago"))

        assert response.status_code == 204


class TestPasswordReset:
    async def test_the_request_is_accepted_for_any_address(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            f"{API}/auth/password-reset", json={"email": "nobody@example.org"}
        )

        assert response.status_code == 202
        assert "If an account" in response.json()["message"]

    async def test_the_link_sets_a_new_password_and_ends_every_session(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        session = await sign_in(oc, "ada@example.org")
        await client.post(f"{API}/auth/password-reset", json={"email": "ada@example.org"})
        [mail] = await mail_to(oc, "ada@example.org")

        response = await client.post(
            f"{API}/auth/password-reset/confirm",
            json={"token": token_in(mail), "new_password": NEW_PASSWORD},
        )

        assert response.status_code == 204
        assert (await client.get(f"{API}/me", headers=bearer(session.token))).status_code == 401
        assert (await login(client, "ada@example.org", NEW_PASSWORD))["token"]
