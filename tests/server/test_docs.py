from __future__ import annotations

from typing import Any

import httpx
import pytest

PRODUCTION = {"mode": "production", "secret_key": "x" * 40}


class TestDocsInDev:
    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_are_served(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path)

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")


class TestDocsInProduction:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return PRODUCTION

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_are_absent(self, client: httpx.AsyncClient, path: str) -> None:
        assert (await client.get(path)).status_code == 404

    async def test_the_openapi_document_is_still_served(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/openapi.json")

        assert response.status_code == 200
        assert response.json()["info"]["title"] == "OpenChance"


class TestDocsInProductionWhenEnabled:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {**PRODUCTION, "docs_enabled": True}

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_are_served(self, client: httpx.AsyncClient, path: str) -> None:
        assert (await client.get(path)).status_code == 200


class TestDocsWorkOffline:
    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_pages_load_nothing_from_other_hosts(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        page = (await client.get(path)).text

        assert "https://" not in page.replace("https://github.com", "")

    @pytest.mark.parametrize(
        "asset", ["swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"]
    )
    async def test_their_assets_are_served_by_the_app(
        self, client: httpx.AsyncClient, asset: str
    ) -> None:
        response = await client.get(f"/docs-assets/{asset}")

        assert response.status_code == 200
        assert len(response.content) > 10_000

    async def test_the_page_policy_allows_only_this_origin(self, client: httpx.AsyncClient) -> None:
        policy = (await client.get("/docs")).headers["content-security-policy"]

        assert "https:" not in policy
        assert "frame-ancestors 'none'" in policy
