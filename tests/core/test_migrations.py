"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openchance.db import migrate
from tests.support import databases


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    if databases.backend() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with databases.scratch_postgres_database("migrations") as url:
        yield url


class TestMigrations:
    async def test_autogenerate_finds_no_difference_after_upgrade(self, database_url: str) -> None:
        assert await migrate.pending_differences(database_url) == []

    async def test_the_database_is_at_the_head_revision(self, database_url: str) -> None:
        assert await migrate.current_revision(database_url) == migrate.head_revision()

    async def test_downgrade_to_base_and_upgrade_again(self, empty_database_url: str) -> None:
        await migrate.upgrade(empty_database_url)
        await migrate.downgrade(empty_database_url, "base")
        assert await migrate.current_revision(empty_database_url) is None

        await migrate.upgrade(empty_database_url)
        assert await migrate.pending_differences(empty_database_url) == []
