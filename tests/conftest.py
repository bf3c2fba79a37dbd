"""Fixtures shared by every test: the engine under test, settings, a started OpenChance.

The backend is chosen by ``OPENCHANCE_TEST_BACKEND`` (``sqlite``, the default, or
``postgres``); the nox sessions ``tests`` and ``tests_postgres`` set it. Under
PostgreSQL the Redis providers are used as well.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from openchance import OpenChance, Settings
from openchance.demo import prepare_demo
from openchance.jobs import JobRegistry
from openchance.platform import core_job_registry
from tests.support import databases

BACKEND = databases.backend()

pytest_plugins = ["tests.oauth.peers", "tests.search.meilisearch_peer"]


def pytest_report_header() -> list[str]:
    return [f"openchance test backend: {BACKEND}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are deselected in the SQLite session and SQLite-only tests in
    the PostgreSQL session (each runs in the other, so nothing is skipped anywhere). Async
    tests and fixtures run on anyio's plugin in auto mode (pyproject.toml)."""
    other_engine = "sqlite_only" if BACKEND == "postgres" else "postgres_only"
    selected, deselected = [], []
    for item in items:
        if item.get_closest_marker(other_engine):
            deselected.append(item)
        else:
            selected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """In CI, a skipped test is a failure: every engine and peer must be there."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not os.environ.get("CI") or not report.skipped:
        return
    if hasattr(report, "wasxfail"):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, where nothing may be skipped: {report.longrepr}"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """SQLite: the path of a migrated template file. PostgreSQL: a migrated database URL."""
    if BACKEND == "sqlite":
        yield databases.sqlite_template(tmp_path_factory.mktemp("db-template"))
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with databases.scratch_postgres_database(worker) as url:
        databases.migrate_database(url)
        yield url


def _test_settings(
    database_url: str, redis_url: str | None, files_directory: Path, overrides: dict[str, Any]
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "files_directory": files_directory,
        "redis_url": redis_url,
        "redis_namespace": f"octest-{uuid.uuid4().hex[:12]}",
        "jobs_poll_interval_seconds": 0.05,
        "jobs_backoff_base_seconds": 0.0,
        "jobs_lease_seconds": 5.0,
        "jobs_shutdown_timeout_seconds": 2.0,
        # Funding before publishing (the default) is tested on its own; elsewhere tests
        # publish and accept without paying first.
        "escrow_funding_deadline": "not_required",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


DEMO_SEEDING = {"escrow_funding_deadline": "before_publish"}
"""The demo is seeded as ``serve --demo`` seeds it: with the default funding rule."""


async def _seed_demo(settings: Settings) -> None:
    async with OpenChance(settings, registry=core_job_registry()) as platform:
        await prepare_demo(platform)


@pytest.fixture(scope="session")
def _seeded_demo_template(
    _migrated_database: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Path]]:
    """The demo marketplace, seeded once: (SQLite template path or PostgreSQL database URL,
    the files directory the seed wrote to)."""
    directory = tmp_path_factory.mktemp("demo-template")
    files = directory / "files"
    redis = databases.redis_url() if BACKEND == "postgres" else None
    if BACKEND == "sqlite":
        path = directory / "demo-template.db"
        shutil.copyfile(_migrated_database, path)
        anyio.run(_seed_demo, _test_settings(f"sqlite:///{path}", redis, files, DEMO_SEEDING))
        yield path, files
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with databases.scratch_postgres_database(f"{worker}_demo") as url:
        databases.migrate_database(url)
        anyio.run(_seed_demo, _test_settings(url, redis, files, DEMO_SEEDING))
        yield url, files


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, _migrated_database: Any, tmp_path: Path
) -> Iterator[str]:
    """A migrated, empty database for this test alone; for a ``seeded_demo`` test, a copy
    of the seeded demo (and of its files directory)."""
    if request.node.get_closest_marker("seeded_demo"):
        template, files = request.getfixturevalue("_seeded_demo_template")
        databases.copy_files_directory(files, tmp_path / "files")
        if BACKEND == "sqlite":
            yield databases.sqlite_copy(template, tmp_path)
            return
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with databases.postgres_copy(str(template), f"{worker}_demo_copy") as url:
            yield url
        return
    if BACKEND == "sqlite":
        yield databases.sqlite_copy(_migrated_database, tmp_path)
        return
    try:
        yield str(_migrated_database)
    finally:
        databases.truncate_all(str(_migrated_database))


@pytest.fixture
def redis_url() -> str | None:
    return databases.redis_url() if BACKEND == "postgres" else None


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def settings(
    database_url: str, redis_url: str | None, settings_overrides: dict[str, Any], tmp_path: Path
) -> Settings:
    return _test_settings(database_url, redis_url, tmp_path / "files", settings_overrides)


@pytest.fixture
def registry() -> JobRegistry:
    """A fresh registry with the core's handlers (e-mail, …); tests add the ones they need."""
    return core_job_registry()


@pytest.fixture
async def oc(settings: Settings, registry: JobRegistry) -> AsyncIterator[OpenChance]:
    async with OpenChance(settings, registry=registry) as platform:
        yield platform
