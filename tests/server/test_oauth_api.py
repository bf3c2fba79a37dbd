"""``/api/v1/auth/oauth/{provider}/authorize`` and ``/callback``, ``/finish``, and
``/api/v1/me/identities``, against the local OpenID Connect provider."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pyotp
import pytest
from fastapi import FastAPI

from tests.factories.users import create_user
from tests.oauth.flows import ProviderUser, consent, oidc_user, query_of
from tests.oauth.peers import oauth_settings
from tests.server.accounts import API, client_at, login, set_cookies

PUBLIC = "http://127.0.0.1:8000"
CALLBACK = f"{API}/auth/oauth/google/callback"


@pytest.fixture
def settings_overrides(oidc_issuer: str, github_url: str) -> dict[str, Any]:
    return oauth_settings(oidc_issuer, github_url)


async def authorize(client: httpx.AsyncClient, **params: str) -> httpx.Response:
    return await client.get(f"{API}/auth/oauth/google/authorize", params=params)


async def sign_in(client: httpx.AsyncClient, user: ProviderUser, **params: str) -> httpx.Response:
    """authorize → the provider's consent → our callback, in one browser."""
    leaving = await authorize(client, **params)
    assert leaving.status_code == 302, leaving.text
    answer = await consent(leaving.headers["location"], user.form)
    return await client.get(CALLBACK, params=answer)


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["openchance_csrf"]}


class TestAuthorize:
    async def test_it_sends_the_browser_to_the_provider_with_state_and_pkce(
        self, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        response = await authorize(client)

        assert response.status_code == 302
        assert response.headers["location"].startswith(f"{oidc_issuer}/oauth2/authorize?")
        query = query_of(response.headers["location"])
        assert query["state"]
        assert query["code_challenge_method"] == "S256"
        assert query["code_challenge"]
        assert query["redirect_uri"] == PUBLIC + CALLBACK

    async def test_the_attempt_is_bound_to_the_browser_by_an_http_only_cookie(
        self, client: httpx.AsyncClient
    ) -> None:
        cookie = set_cookies(await authorize(client))["openchance_oauth"]

        assert "httponly" in cookie
        assert cookie["samesite"].lower() == "lax"

    async def test_a_next_page_on_another_site_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await authorize(client, next="//evil.example/")

        assert response.status_code == 422

    async def test_the_providers_are_listed(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/auth/oauth/providers")

        assert sorted(response.json()) == ["github", "google", "linkedin"]


class TestDisabledProvider:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {}

    async def test_it_is_not_found(self, client: httpx.AsyncClient) -> None:
        response = await authorize(client)

        assert response.status_code == 404
        assert response.json()["code"] == "oauth_provider_disabled"


class TestCallback:
    async def test_sign_in_sets_the_session_cookies_and_goes_next(
        self, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        response = await sign_in(client, await oidc_user(oidc_issuer), next="/welcome")

        assert response.status_code == 303
        assert response.headers["location"] == f"{PUBLIC}/welcome"
        assert {"openchance_session", "openchance_csrf"} <= set(set_cookies(response))

    async def test_the_session_cookie_signs_the_browser_in(
        self, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        user = await oidc_user(oidc_issuer)
        await sign_in(client, user)

        me = await client.get(f"{API}/me")

        assert me.status_code == 200
        assert me.json()["email"] == user.email

    async def test_a_wrong_state_is_refused(self, client: httpx.AsyncClient) -> None:
        await authorize(client)

        response = await client.get(CALLBACK, params={"state": "made-up", "code": "x"})

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "oauth_invalid_state"

    async def test_a_callback_in_another_browser_is_refused(
        self, app: FastAPI, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        leaving = await authorize(client)
        answer = await consent(leaving.headers["location"], (await oidc_user(oidc_issuer)).form)

        async with client_at(app, "198.51.100.7") as victim:
            response = await victim.get(CALLBACK, params=answer)

        assert response.json()["code"] == "oauth_invalid_state"

    async def test_an_existing_address_asks_to_sign_in_and_link(
        self, oc: Any, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        await create_user(oc, email="grace@example.org")

        response = await sign_in(client, await oidc_user(oidc_issuer, email="grace@example.org"))

        assert response.status_code == 409
        assert response.json()["code"] == "oauth_link_requires_sign_in"


class TestTwoFactor:
    async def test_the_callback_asks_for_a_code_then_finish_signs_in(
        self, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        user = await oidc_user(oidc_issuer)
        await sign_in(client, user)
        setup = (await client.post(f"{API}/me/totp", headers=csrf(client))).json()
        first = pyotp.TOTP(setup["secret"]).at(int(time.time()) - 30)
        confirmed = await client.post(
            f"{API}/me/totp/confirm", json={"code": first}, headers=csrf(client)
        )
        assert confirmed.status_code == 200, confirmed.text
        client.cookies.clear()

        held = await sign_in(client, user)
        assert held.status_code == 401
        assert held.json()["code"] == "totp_required"
        finish = await client.post(
            f"{API}/auth/oauth/finish",
            json={
                "pending_token": held.json()["pending_token"],
                "totp_code": pyotp.TOTP(setup["secret"]).now(),
            },
        )

        assert finish.status_code == 200, finish.text
        assert finish.json()["token"] is None
        assert "openchance_session" in set_cookies(finish)


class TestIdentities:
    async def test_a_signed_in_browser_links_google(
        self, oc: Any, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        await create_user(oc, email="grace@example.org")
        await login(client, "grace@example.org", session="browser")

        linked = await sign_in(client, await oidc_user(oidc_issuer), mode="link")

        assert linked.status_code == 303
        identities = (await client.get(f"{API}/me/identities")).json()
        assert [identity["provider"] for identity in identities] == ["google"]

    async def test_the_last_way_to_sign_in_cannot_be_unlinked(
        self, client: httpx.AsyncClient, oidc_issuer: str
    ) -> None:
        await sign_in(client, await oidc_user(oidc_issuer))
        [identity] = (await client.get(f"{API}/me/identities")).json()

        response = await client.delete(
            f"{API}/me/identities/{identity['id']}", headers=csrf(client)
        )

        assert response.status_code == 409
        assert response.json()["code"] == "last_sign_in_method"
