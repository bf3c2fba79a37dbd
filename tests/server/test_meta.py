from __future__ import annotations

import httpx

from openchance import __version__


class TestApiIndex:
    async def test_names_the_server_and_its_version(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1")

        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "OpenChance"
        assert body["version"] == __version__

    async def test_links_to_the_document_and_the_probes(self, client: httpx.AsyncClient) -> None:
        links = (await client.get("/api/v1")).json()["links"]

        assert links == {
            "self": "/api/v1",
            "openapi": "/openapi.json",
            "docs": "/docs",
            "redoc": "/redoc",
            "health": "/healthz",
            "ready": "/readyz",
        }
