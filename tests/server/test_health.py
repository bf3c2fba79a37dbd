from __future__ import annotations

import socket
from pathlib import Path

import anyio
import httpx
import pytest
from pydantic import SecretStr

from openchance import Mode, OpenChance, Settings
from openchance.jobs import JobRegistry
from openchance_server import create_app
from tests.server.conftest import BASE_URL


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unreachable_database_url(settings: Settings, tmp_path: Path) -> str:
    if settings.is_sqlite:
        # A file that is not a database. (Not an unopenable path: aiosqlite's thread then
        # races the closing event loop after a failed connect.)
        garbage = tmp_path / "not-a-database.db"
        garbage.write_bytes(b"this is not an SQLite database file" * 100)
        return f"sqlite:///{garbage}"
    return f"postgresql://postgres@127.0.0.1:{closed_port()}/openchance"


async def wait_for_live_workers(oc: OpenChance, count: int) -> None:
    with anyio.fail_after(5):
        while await oc.health.live_worker_count() != count:
            await anyio.sleep(0.02)


class TestLiveness:
    async def test_answers_ok(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


class TestReadiness:
    async def test_degraded_but_ready_without_a_worker(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        workers = next(c for c in body["components"] if c["name"] == "workers")
        assert workers["status"] == "degraded"

    async def test_ok_while_a_worker_runs(self, oc: OpenChance, client: httpx.AsyncClient) -> None:
        worker = oc.worker()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(worker.run)
            await wait_for_live_workers(oc, 1)

            response = await client.get("/readyz")

            worker.request_stop()
        assert response.status_code == 200
        assert response.json()["status"] == "ok"

    async def test_unavailable_when_the_database_is_unreachable(
        self, settings: Settings, registry: JobRegistry, tmp_path: Path
    ) -> None:
        broken = settings.model_copy(
            update={"database_url": unreachable_database_url(settings, tmp_path)}
        )
        async with OpenChance(broken, registry=registry) as oc:
            transport = httpx.ASGITransport(app=create_app(oc, run_worker=False))
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                with anyio.fail_after(5):
                    response = await client.get("/readyz")

        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "down"
        database = next(c for c in body["components"] if c["name"] == "database")
        assert database["status"] == "down"

    async def test_production_hides_error_details_from_anonymous_probes(
        self, settings: Settings, registry: JobRegistry, tmp_path: Path
    ) -> None:
        broken = settings.model_copy(
            update={
                "database_url": unreachable_database_url(settings, tmp_path),
                "mode": Mode.PRODUCTION,
                "secret_key": SecretStr("s" * 40),
            }
        )
        async with OpenChance(broken, registry=registry) as oc:
            transport = httpx.ASGITransport(app=create_app(oc, run_worker=False))
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                response = await client.get("/readyz")

        database = next(c for c in response.json()["components"] if c["name"] == "database")
        assert database == {"name": "database", "status": "down", "detail": "down"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_are_not_under_the_versioned_api(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(f"/api/v1{path}")).status_code == 404
