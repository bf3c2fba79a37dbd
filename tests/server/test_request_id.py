from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from openchance.logs import request_id_var


class TestRequestId:
    async def test_generated_when_absent(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")

        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])

    async def test_each_request_gets_its_own(self, client: httpx.AsyncClient) -> None:
        first = await client.get("/healthz")
        second = await client.get("/healthz")

        assert first.headers["x-request-id"] != second.headers["x-request-id"]

    async def test_a_sane_incoming_id_is_kept(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz", headers={"X-Request-ID": "lb-42.abc_DEF"})

        assert response.headers["x-request-id"] == "lb-42.abc_DEF"

    @pytest.mark.parametrize(
        "incoming", [b"has space", b"semi;colon", b"x" * 129, "é".encode(), b"<script>"], ids=repr
    )
    async def test_a_bad_incoming_id_is_replaced(
        self, client: httpx.AsyncClient, incoming: bytes
    ) -> None:
        response = await client.get("/healthz", headers={b"X-Request-ID": incoming})

        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])

    async def test_is_the_logging_request_id_during_the_request(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        seen: list[str | None] = []

        async def remember() -> None:
            seen.append(request_id_var.get())

        app.add_api_route("/test/remember", remember)

        response = await client.get("/test/remember")

        assert seen == [response.headers["x-request-id"]]
        assert request_id_var.get() is None
