from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from openchance_server.openapi import REGENERATE_COMMAND, render_openapi_document

CHECKED_IN = Path(__file__).parents[2] / "docs" / "openapi.json"


def checked_in() -> str:
    return CHECKED_IN.read_text(encoding="utf-8") if CHECKED_IN.exists() else ""


class TestCheckedInDocument:
    def test_matches_the_app(self) -> None:
        assert checked_in() == render_openapi_document(), (
            "docs/openapi.json is out of date with the app; regenerate it with\n"
            f"    {REGENERATE_COMMAND}"
        )

    def test_does_not_depend_on_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("OPENCHANCE_DOCS_ENABLED", "false")
        monkeypatch.setenv("OPENCHANCE_CORS_ORIGINS", "https://a.example")

        assert render_openapi_document() == checked_in()

    def test_documents_problem_responses(self) -> None:
        document = json.loads(checked_in())

        assert "Problem" in document["components"]["schemas"]
        responses = document["paths"]["/api/v1"]["get"]["responses"]
        assert "application/problem+json" in responses["4XX"]["content"]


class TestServedDocument:
    async def test_is_served(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/openapi.json")

        assert response.status_code == 200
        assert response.json()["paths"].keys() >= {"/healthz", "/readyz", "/api/v1"}
