from __future__ import annotations

from typing import Any

import httpx
import pytest

ALLOWED = "https://app.example.org"


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type",
    }


class TestCorsWithConfiguredOrigins:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"cors_origins": [ALLOWED]}

    async def test_preflight_from_a_configured_origin_is_allowed(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options("/api/v1", headers=preflight(ALLOWED))

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert response.headers["access-control-allow-credentials"] == "true"
        assert "POST" in response.headers["access-control-allow-methods"]

    async def test_preflight_from_another_origin_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options("/api/v1", headers=preflight("https://evil.example"))

        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers

    async def test_simple_request_exposes_the_request_id(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1", headers={"Origin": ALLOWED})

        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "X-Request-ID" in response.headers["access-control-expose-headers"]


class TestCorsWithAnyOrigin:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"cors_origins": ["*"]}

    async def test_credentials_are_not_allowed(self, client: httpx.AsyncClient) -> None:
        response = await client.options("/api/v1", headers=preflight("https://any.example"))

        assert response.status_code == 200
        assert "access-control-allow-credentials" not in response.headers


class TestCorsWithoutOrigins:
    async def test_no_cors_headers_are_sent(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1", headers={"Origin": ALLOWED})

        assert "access-control-allow-origin" not in response.headers

    async def test_preflight_is_not_answered(self, client: httpx.AsyncClient) -> None:
        response = await client.options("/api/v1", headers=preflight(ALLOWED))

        assert response.status_code == 405
