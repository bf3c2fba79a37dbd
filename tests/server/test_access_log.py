from __future__ import annotations

import logging

import httpx
import pytest

ACCESS = "openchance.server.access"


class TestAccessLog:
    async def test_one_line_per_request(
        self, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger=ACCESS):
            await client.get("/healthz")

        [record] = [r for r in caplog.records if r.name == ACCESS]
        assert record.method == "GET"  # type: ignore[attr-defined]
        assert record.path == "/healthz"  # type: ignore[attr-defined]
        assert record.status == 200  # type: ignore[attr-defined]
        assert record.duration_ms >= 0  # type: ignore[attr-defined]

    async def test_never_logs_the_query_string_or_headers(
        self, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger=ACCESS):
            await client.get(
                "/nowhere?token=query-secret", headers={"Authorization": "Bearer header-secret"}
            )

        [record] = [r for r in caplog.records if r.name == ACCESS]
        logged = str(record.__dict__)
        assert "query-secret" not in logged
        assert "header-secret" not in logged
        assert record.status == 404  # type: ignore[attr-defined]
