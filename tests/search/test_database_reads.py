"""How the database backend runs its reads: whole on a worker thread on SQLite, on the
application's connection on PostgreSQL, ending so that psycopg keeps what it prepared."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from openchance import ConfigurationError, OpenChance, Settings
from openchance.db.engine import create_sqlite_reader
from openchance.search.backends import DatabaseSearchBackend
from openchance.search.query import SearchQuery, SearchViewer
from tests.search.conftest import document

ANONYMOUS = SearchViewer()


class TestSqliteReader:
    def test_only_a_sqlite_file_gets_one(self, tmp_path: Path) -> None:
        reader = create_sqlite_reader(f"sqlite:///{tmp_path / 'file.db'}")
        assert reader is not None
        reader.dispose()
        assert create_sqlite_reader("sqlite:///:memory:") is None
        assert create_sqlite_reader("postgresql://postgres@127.0.0.1/nothing") is None

    async def test_a_search_sees_what_was_just_indexed(self, oc: OpenChance) -> None:
        backend = DatabaseSearchBackend(oc)
        await backend.upsert([document(title="Count penguins")])

        page = await backend.search(SearchQuery(q="penguins"), ANONYMOUS)

        assert [d.title for d in page.documents] == ["Count penguins"]
        assert page.estimated_total == 1

    @pytest.mark.sqlite_only
    async def test_an_unmigrated_database_says_to_upgrade(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        empty = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'e.db'}"})
        async with OpenChance(empty) as oc:
            assert oc.sqlite_reader is not None
            with pytest.raises(ConfigurationError) as raised:
                await DatabaseSearchBackend(oc).search(SearchQuery(q="penguins"), ANONYMOUS)
        assert raised.value.code == "schema_outdated"


@pytest.mark.postgres_only
class TestPreparedStatements:
    async def test_searches_of_one_shape_are_prepared(self, oc: OpenChance) -> None:
        backend = DatabaseSearchBackend(oc)
        await backend.upsert([document(title="Count penguins")])

        for _ in range(30):
            await backend.search(SearchQuery(q="penguins", category=["design"]), ANONYMOUS)

        async with oc.unit_of_work(read_only=True) as uow:
            prepared = await uow.session.scalar(
                text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%matched%'")
            )
        assert prepared
