"""The address recorded for a request: the peer's, or X-Forwarded-For behind a trusted proxy."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from openchance import OpenChance
from tests.factories.users import create_user
from tests.server.accounts import API, bearer, client_at, login

PEER = "203.0.113.5"
FORWARDED = "198.51.100.7"


async def recorded_address(client: httpx.AsyncClient) -> str | None:
    """Sign in through ``client`` and read the address its session recorded."""
    session = await login(client, "ada@example.org")
    response = await client.get(f"{API}/me/sessions", headers=bearer(session["token"]))
    [row] = response.json()
    address: str | None = row["ip_address"]
    return address


class TestFromAnUntrustedPeer:
    async def test_the_peer_address_is_recorded(self, oc: OpenChance, app: FastAPI) -> None:
        await create_user(oc, email="ada@example.org")

        async with client_at(app, PEER) as client:
            assert await recorded_address(client) == PEER

    async def test_a_spoofed_forwarded_for_is_ignored(self, oc: OpenChance, app: FastAPI) -> None:
        await create_user(oc, email="ada@example.org")

        async with client_at(app, PEER, {"X-Forwarded-For": FORWARDED}) as client:
            assert await recorded_address(client) == PEER

    async def test_the_user_agent_is_recorded(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        client.headers["User-Agent"] = "Firefox/140"
        session = await login(client, "ada@example.org")

        assert session["session"]["user_agent"] == "Firefox/140"


class TestBehindATrustedProxy:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"trusted_proxies": [f"{PEER}/32", "10.0.0.0/8"]}

    async def test_the_forwarded_address_is_recorded(self, oc: OpenChance, app: FastAPI) -> None:
        await create_user(oc, email="ada@example.org")

        async with client_at(app, PEER, {"X-Forwarded-For": FORWARDED}) as client:
            assert await recorded_address(client) == FORWARDED

    async def test_an_address_the_client_put_before_the_proxy_is_ignored(
        self, oc: OpenChance, app: FastAPI
    ) -> None:
        await create_user(oc, email="ada@example.org")
        forwarded = f"192.0.2.66, {FORWARDED}, 10.1.1.1"

        async with client_at(app, PEER, {"X-Forwarded-For": forwarded}) as client:
            assert await recorded_address(client) == FORWARDED

    async def test_other_peers_are_still_not_believed(self, oc: OpenChance, app: FastAPI) -> None:
        await create_user(oc, email="ada@example.org")

        async with client_at(app, "192.0.2.99", {"X-Forwarded-For": FORWARDED}) as client:
            assert await recorded_address(client) == "192.0.2.99"


class TestSignInLimitPerAddress:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"login_attempts_per_ip": "2/minute"}

    async def test_too_many_attempts_from_one_address_are_429(
        self, oc: OpenChance, app: FastAPI
    ) -> None:
        await create_user(oc, email="ada@example.org")
        async with client_at(app, PEER) as client:
            for _ in range(2):
                await login(client, "ada@example.org")

            response = await client.post(
                f"{API}/auth/login", json={"email": "ada@example.org", "password": "x"}
            )

        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited"
        assert 0 < int(response.headers["retry-after"]) <= 60

    async def test_a_spoofed_forwarded_for_does_not_escape_the_limit(
        self, oc: OpenChance, app: FastAPI
    ) -> None:
        await create_user(oc, email="ada@example.org")
        statuses = []
        async with client_at(app, PEER) as client:
            for attempt in range(3):
                response = await client.post(
                    f"{API}/auth/login",
                    json={"email": "ada@example.org", "password": "x"},
                    headers={"X-Forwarded-For": f"192.0.2.{attempt}"},
                )
                statuses.append(response.status_code)

        assert statuses == [401, 401, 429]
