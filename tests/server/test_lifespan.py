from __future__ import annotations

from typing import Any

import anyio
import pytest

from openchance import OpenChance, Settings
from openchance.jobs import JobRegistry
from openchance_server import create_app


async def wait_for_live_workers(oc: OpenChance, count: int) -> None:
    with anyio.fail_after(5):
        while await oc.health.live_worker_count() != count:
            await anyio.sleep(0.02)


class TestPlatformLifecycle:
    async def test_starts_an_unstarted_platform_and_closes_it(
        self, settings: Settings, registry: JobRegistry
    ) -> None:
        oc = OpenChance(settings, registry=registry)
        app = create_app(oc, run_worker=False)

        async with app.router.lifespan_context(app):
            assert oc.started

        assert not oc.started

    async def test_leaves_a_started_platform_open(self, oc: OpenChance) -> None:
        app = create_app(oc, run_worker=False)

        async with app.router.lifespan_context(app):
            pass

        assert oc.started


class TestInProcessWorker:
    async def test_runs_while_the_app_runs(self, oc: OpenChance) -> None:
        app = create_app(oc, run_worker=True)

        async with app.router.lifespan_context(app):
            await wait_for_live_workers(oc, 1)

        assert await oc.health.live_worker_count() == 0

    async def test_follows_the_setting_by_default(self, oc: OpenChance) -> None:
        app = create_app(oc)

        async with app.router.lifespan_context(app):
            await wait_for_live_workers(oc, 1)

    async def test_stops_cleanly_right_after_startup(self, oc: OpenChance) -> None:
        app = create_app(oc, run_worker=True)

        with anyio.fail_after(5):
            async with app.router.lifespan_context(app):
                pass

    async def test_not_run_when_the_app_says_no(self, oc: OpenChance) -> None:
        app = create_app(oc, run_worker=False)

        async with app.router.lifespan_context(app):
            await anyio.sleep(0.2)
            assert await oc.health.live_worker_count() == 0


class TestInProcessWorkerSwitchedOff:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"run_worker_in_process": False}

    async def test_not_run_even_when_the_app_asks(self, oc: OpenChance) -> None:
        app = create_app(oc, run_worker=True)

        async with app.router.lifespan_context(app):
            await anyio.sleep(0.2)
            assert await oc.health.live_worker_count() == 0
