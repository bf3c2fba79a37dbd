from __future__ import annotations

from typing import Any

import httpx
import pytest

PRODUCTION = {"mode": "production", "secret_key": "x" * 40}


class TestSecurityHeaders:
    async def test_api_responses_carry_them(self, client: httpx.AsyncClient) -> None:
        headers = (await client.get("/api/v1")).headers

        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"

    async def test_error_responses_carry_them(self, client: httpx.AsyncClient) -> None:
        headers = (await client.get("/nowhere")).headers

        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"

    async def test_docs_get_a_policy_that_lets_them_load(self, client: httpx.AsyncClient) -> None:
        policy = (await client.get("/docs")).headers["content-security-policy"]

        assert "script-src 'self' 'unsafe-inline'" in policy
        assert "frame-ancestors 'none'" in policy

    async def test_no_hsts_in_dev(self, client: httpx.AsyncClient) -> None:
        assert "strict-transport-security" not in (await client.get("/healthz")).headers


class TestSecurityHeadersInProduction:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return PRODUCTION

    async def test_hsts_is_sent(self, client: httpx.AsyncClient) -> None:
        headers = (await client.get("/healthz")).headers

        assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
