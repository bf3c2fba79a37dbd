"""The database search backend: SQLite FTS5 (the embedded default) or PostgreSQL full text
with ``pg_trgm``, on the application's own database.

The index is ``search_documents`` (one row per published challenge, with the columns the
filters and sorts use, indexed), ``search_document_skills``, ``search_document_viewers`` and
the ``search_vocabulary``, plus each engine's full-text part (``sqlite.py``,
``postgres.py``). This module writes the index and runs the reads of ``reads.py``, each in
one read-only transaction: a search is the vocabulary look-up of its words (one statement,
and one more per word that is not in the vocabulary) and one statement for the page of
documents in order together with the facets and the total.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, Engine, delete, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from openchance.db.uow import database_error
from openchance.models.search import (
    DOCUMENT_SKILLS,
    DOCUMENT_VIEWERS,
    DOCUMENTS,
    VOCABULARY,
    SearchDocumentRow,
    SearchDocumentSkill,
    SearchDocumentViewer,
    SearchWord,
)
from openchance.search.backends import reads
from openchance.search.backends.fulltext import WORD_PARAMETERS, FullText
from openchance.search.query import (
    SearchDocument,
    SearchFilters,
    SearchPage,
    SearchQuery,
    SearchViewer,
    Suggestion,
)
from openchance.search.text import MAX_VOCABULARY_WORD, words

if TYPE_CHECKING:
    from openchance.platform import OpenChance

T = TypeVar("T")
P = ParamSpec("P")

WRITE_BATCH = 200
"""Documents per upsert statement (16 parameters each: well inside every engine's limit)."""
LOOKUP_BATCH = reads.LOOKUP_BATCH

D = SearchDocumentRow


class DatabaseSearchBackend:
    """The search index in the application database (see the module documentation)."""

    name = "database"

    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    @property
    def dialect(self) -> str:
        return self._platform.engine.dialect.name

    @property
    def _fulltext(self) -> FullText:
        return reads.fulltext_for(self.dialect)

    # -- the SearchBackend port ---------------------------------------------------------

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        async with self._platform.unit_of_work() as uow:
            await self.write(uow.session, upsert=documents)

    async def delete(self, ids: Sequence[uuid.UUID]) -> None:
        async with self._platform.unit_of_work() as uow:
            await self.write(uow.session, delete=ids)

    async def clear(self) -> None:
        async with self._platform.unit_of_work() as uow:
            await self.clear_in(uow.session)

    async def search(self, query: SearchQuery, viewer: SearchViewer) -> SearchPage:
        offset = query.offset()
        return await self._read(reads.search, query, offset, viewer)

    async def autocomplete(self, prefix: str, viewer: SearchViewer, limit: int) -> list[Suggestion]:
        return await self._read(reads.autocomplete, prefix, viewer, limit)

    async def ping(self) -> None:
        async with self._platform.unit_of_work(read_only=True) as uow:
            await uow.session.execute(text("SELECT 1"))

    # -- beyond the port: inside a unit of work, and for saved-search alerts -------------

    async def write(
        self,
        session: AsyncSession,
        *,
        upsert: Sequence[SearchDocument] = (),
        delete: Sequence[uuid.UUID] = (),
    ) -> None:
        """Add, replace and remove documents in the caller's transaction."""
        for ids in _chunks(list(dict.fromkeys(delete)), LOOKUP_BATCH):
            await session.execute(_delete_documents(ids))
        unique = list({document.id: document for document in upsert}.values())
        for batch in _chunks(unique, WRITE_BATCH):
            await self._write_batch(session, batch)

    async def optimise(self) -> None:
        """After a bulk load (the reindex): refresh the planner's statistics and, on SQLite,
        merge the full-text index's segments. Without fresh statistics PostgreSQL may plan a
        text search over 100,000 documents as a walk in sort order (hundreds of ms)."""
        async with self._platform.unit_of_work() as uow:
            for statement in self._fulltext.optimise_statements():
                await uow.session.execute(text(statement))

    async def clear_in(self, session: AsyncSession) -> None:
        """Remove every document and forget every word, in the caller's transaction."""
        await session.execute(delete(DOCUMENTS))
        await session.execute(delete(VOCABULARY))

    async def matching_ids(
        self, filters: SearchFilters, viewer: SearchViewer, candidate_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Which of ``candidate_ids`` are indexed and match ``filters`` for ``viewer``."""
        return await self._read(reads.matching_ids, filters, viewer, candidate_ids)

    # -- internals ---------------------------------------------------------------------

    async def _write_batch(self, session: AsyncSession, batch: Sequence[SearchDocument]) -> None:
        ids = [document.id for document in batch]
        texts = [_texts(document) for document in batch]
        rows = [_row(document) for document in batch]
        if self._fulltext.indexes_words:
            for row, fields in zip(rows, texts, strict=True):
                row.update(
                    {WORD_PARAMETERS[name]: " ".join(found) for name, found in fields.items()}
                )
        await session.execute(self._fulltext.upsert_documents(), rows)
        await session.execute(
            delete(DOCUMENT_SKILLS).where(SearchDocumentSkill.document_id.in_(ids))
        )
        await session.execute(
            delete(DOCUMENT_VIEWERS).where(SearchDocumentViewer.document_id.in_(ids))
        )
        skills = [{"document_id": d.id, "skill": s} for d in batch for s in dict.fromkeys(d.skills)]
        if skills:
            await session.execute(insert(DOCUMENT_SKILLS), skills)
        viewers = [
            {"document_id": d.id, "user_id": user_id}
            for d in batch
            for user_id in dict.fromkeys(d.viewer_ids)
        ]
        if viewers:
            await session.execute(insert(DOCUMENT_VIEWERS), viewers)
        vocabulary = {
            word
            for fields in texts
            for found in fields.values()
            for word in found
            if len(word) <= MAX_VOCABULARY_WORD
        }
        await self._learn_words(session, vocabulary)

    async def _learn_words(self, session: AsyncSession, vocabulary: set[str]) -> None:
        """Add the words the vocabulary lacks (sorted: concurrent index jobs take their locks
        in one order)."""
        for chunk in _chunks(sorted(vocabulary), LOOKUP_BATCH):
            known = set(
                await session.scalars(select(SearchWord.word).where(SearchWord.word.in_(chunk)))
            )
            missing = [{"word": word} for word in chunk if word not in known]
            if missing:
                dialect_insert = (
                    postgresql.insert if self.dialect == "postgresql" else sqlite.insert
                )
                statement = dialect_insert(VOCABULARY).on_conflict_do_nothing(
                    index_elements=["word"]
                )
                await session.execute(statement, missing)

    async def _read(
        self, read: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``read`` (a function of ``reads``) in one read-only transaction.

        SQLite: on a worker thread, with a connection of the synchronous reader engine, so
        the whole read is one round trip instead of four per statement through aiosqlite.
        PostgreSQL: on the application's connection; the transaction ends with COMMIT
        (nothing was written), as a ROLLBACK makes psycopg forget every statement it has
        prepared on the connection, and each search would be planned afresh.
        """
        reader = self._platform.sqlite_reader
        if reader is None:
            async with self._platform.unit_of_work(read_only=True) as uow:
                connection = await uow.session.connection()
                result = await connection.run_sync(read, *args, **kwargs)
                await uow.session.commit()
            return result
        try:
            return await anyio.to_thread.run_sync(
                functools.partial(_read_on, reader, read, *args, **kwargs)
            )
        except Exception as error:
            mapped = database_error(error)
            if mapped is None:
                raise
            raise mapped from error


def _read_on(
    engine: Engine, read: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    with engine.connect() as connection, connection.begin():
        return read(connection, *args, **kwargs)


def _delete_documents(ids: Sequence[uuid.UUID]) -> Any:
    # Skills and viewers go with them (ON DELETE CASCADE); on SQLite a trigger updates FTS5.
    return delete(DOCUMENTS).where(D.id.in_(ids))


def _texts(document: SearchDocument) -> dict[str, list[str]]:
    """The words of each full-text field."""
    return {
        "title": words(document.title),
        "skills": words(" ".join(document.skills)),
        "summary": words(document.summary),
        "description": words(document.description),
    }


def _row(document: SearchDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "title": document.title,
        "summary": document.summary,
        "description": document.description,
        "skills": " ".join(document.skills),
        "category": document.category,
        "difficulty": document.difficulty,
        "status": document.status,
        "visibility": document.visibility,
        "reward_kind": document.reward_kind,
        "reward_currency": document.reward_currency,
        "reward_min_minor": document.reward_min_minor,
        "reward_max_minor": document.reward_max_minor,
        "deadline": document.deadline,
        "published_at": document.published_at,
    }


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
