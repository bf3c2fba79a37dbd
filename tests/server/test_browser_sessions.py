"""Browser sessions: the HttpOnly session cookie, the CSRF cookie and the CSRF check."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from openchance import OpenChance
from tests.factories.users import STRONG_PASSWORD, create_user
from tests.server.accounts import API, bearer, login, set_cookies

LIFETIME = 7 * 24 * 3600


async def browser_login(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.post(
        f"{API}/auth/login",
        json={"email": "ada@example.org", "password": STRONG_PASSWORD, "session": "browser"},
    )
    assert response.status_code == 200, response.text
    return response


class TestBrowserLogin:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"session_absolute_lifetime_seconds": LIFETIME}

    @pytest.fixture(autouse=True)
    async def _user(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")

    async def test_the_session_cookie_is_http_only_and_same_site_lax(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await browser_login(client)

        cookie = set_cookies(response)["openchance_session"]
        assert cookie["value"].startswith("ocs_")
        assert "httponly" in cookie
        assert cookie["samesite"] == "lax"
        assert cookie["path"] == "/"
        assert cookie["max-age"] == str(LIFETIME)
        assert "secure" not in cookie  # dev mode: plain http
        assert "domain" not in cookie

    async def test_the_csrf_cookie_is_readable_by_scripts(self, client: httpx.AsyncClient) -> None:
        response = await browser_login(client)

        cookie = set_cookies(response)["openchance_csrf"]
        assert cookie["value"] == response.json()["csrf_token"]
        assert "httponly" not in cookie
        assert cookie["samesite"] == "lax"
        assert cookie["path"] == "/"

    async def test_the_cookie_signs_in_safe_requests(self, client: httpx.AsyncClient) -> None:
        await browser_login(client)

        response = await client.get(f"{API}/me")

        assert response.status_code == 200
        assert response.json()["email"] == "ada@example.org"


class TestBrowserLoginInProduction:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"mode": "production", "secret_key": "x" * 40}

    async def test_the_session_cookie_is_secure_with_the_host_prefix(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")

        cookies = set_cookies(await browser_login(client))

        assert "openchance_session" not in cookies
        session = cookies["__Host-openchance_session"]
        assert "secure" in session
        assert "httponly" in session
        assert session["path"] == "/"
        assert "domain" not in session
        assert "secure" in cookies["openchance_csrf"]

    async def test_the_host_prefixed_cookie_is_the_one_read(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        response = await browser_login(client)
        token = set_cookies(response)["__Host-openchance_session"]["value"]
        client.cookies.clear()

        plain = await client.get(f"{API}/me", headers={"Cookie": f"openchance_session={token}"})
        prefixed = await client.get(
            f"{API}/me", headers={"Cookie": f"__Host-openchance_session={token}"}
        )

        assert plain.status_code == 401
        assert prefixed.status_code == 200


class TestTokenStaysOutOfScripts:
    @pytest.fixture(autouse=True)
    async def _user(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")

    async def test_a_browser_login_returns_no_token_in_the_body(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await browser_login(client)

        assert response.json()["token"] is None
        assert response.json()["csrf_token"]


class TestCsrf:
    @pytest.fixture(autouse=True)
    async def _user(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")

    async def test_a_cookie_write_without_the_token_is_403_csrf_failed(
        self, client: httpx.AsyncClient
    ) -> None:
        await browser_login(client)

        response = await client.patch(f"{API}/me", json={"display_name": "Countess"})

        assert response.status_code == 403
        assert response.json()["code"] == "csrf_failed"
        assert (await client.get(f"{API}/me")).json()["display_name"] == "Ada Lovelace"

    async def test_a_cookie_write_with_a_wrong_token_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        await browser_login(client)

        response = await client.patch(
            f"{API}/me", json={"display_name": "Countess"}, headers={"X-CSRF-Token": "occ_nope"}
        )

        assert response.status_code == 403
        assert response.json()["code"] == "csrf_failed"

    async def test_a_cookie_write_with_the_token_passes(self, client: httpx.AsyncClient) -> None:
        csrf_token = (await browser_login(client)).json()["csrf_token"]

        response = await client.patch(
            f"{API}/me", json={"display_name": "Countess"}, headers={"X-CSRF-Token": csrf_token}
        )

        assert response.status_code == 200
        assert response.json()["display_name"] == "Countess"

    async def test_the_token_from_the_csrf_cookie_works(self, client: httpx.AsyncClient) -> None:
        await browser_login(client)
        csrf_token = client.cookies["openchance_csrf"]

        response = await client.patch(
            f"{API}/me", json={"display_name": "Countess"}, headers={"X-CSRF-Token": csrf_token}
        )

        assert response.status_code == 200

    async def test_a_bearer_write_needs_no_csrf_token(self, client: httpx.AsyncClient) -> None:
        session = await login(client, "ada@example.org", session="api")

        response = await client.patch(
            f"{API}/me", json={"display_name": "Countess"}, headers=bearer(session["token"])
        )

        assert response.status_code == 200
        assert response.json()["display_name"] == "Countess"
