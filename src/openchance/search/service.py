"""Search use cases: finding challenges, autocomplete, and keeping the index in step.

One backend answers searches (:meth:`SearchService._answering_backend`); the database index
is always kept, and other backends listed by :meth:`SearchService._index_targets` are kept
in step beside it. When an answering backend other than the database does not answer
(``ProviderUnavailable``), the database answers instead, so a search never fails because a
search server is down.

The index is written only here, by the ``search.index_challenge`` job and the reindex,
never by the use cases that change challenges (they schedule the job; see ``sync.py``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import anyio
from sqlalchemy import ColumnElement, func, select

from openchance.actor import Actor
from openchance.challenges.policy import search_viewer
from openchance.config import SearchBackendKind
from openchance.errors import InvalidInput, ProviderUnavailable
from openchance.health.schemas import ComponentHealth, HealthStatus
from openchance.models.challenges import Challenge
from openchance.search.backend import SearchBackend
from openchance.search.backends.database import DatabaseSearchBackend
from openchance.search.backends.meilisearch import MeilisearchBackend
from openchance.search.documents import build_documents
from openchance.search.query import (
    MAX_OFFSET,
    SEARCHABLE_STATUSES,
    SearchDocument,
    SearchFilters,
    SearchQuery,
    SearchViewer,
    Suggestion,
    encode_cursor,
)
from openchance.search.schemas import ChallengeHit, SearchResults
from openchance.search.text import words

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

logger = logging.getLogger(__name__)

T = TypeVar("T")

REINDEX_BATCH = 500
MAX_AUTOCOMPLETE_TEXT = 100
MAX_AUTOCOMPLETE_LIMIT = 20
READINESS_TIMEOUT_SECONDS = 3.0

Progress = Callable[[int, int], None]
"""Called with (documents indexed so far, challenges to index in all)."""


class SearchService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform
        self.database = DatabaseSearchBackend(platform)
        self.meilisearch: MeilisearchBackend | None = None
        if platform.settings.search_backend is SearchBackendKind.MEILISEARCH:
            self.meilisearch = MeilisearchBackend.from_settings(platform.settings)

    # -- which backends ----------------------------------------------------------------

    def _answering_backend(self) -> SearchBackend:
        """The backend that answers searches and autocomplete."""
        return self.meilisearch or self.database

    def _index_targets(self) -> list[SearchBackend]:
        """Backends kept in step besides the database (which is always kept)."""
        return [self.meilisearch] if self.meilisearch is not None else []

    async def _answer(self, ask: Callable[[SearchBackend], Awaitable[T]]) -> T:
        backend = self._answering_backend()
        if backend is self.database:
            return await ask(backend)
        try:
            return await ask(backend)
        except ProviderUnavailable as error:
            logger.warning(
                "search backend %s unavailable, the database answers: %s", backend.name, error
            )
            return await ask(self.database)

    # -- searching ---------------------------------------------------------------------

    async def search(self, actor: Actor, query: SearchQuery) -> SearchResults:
        """One page of the challenges ``actor`` may see that match ``query``.

        422 ``invalid_cursor`` when the cursor is not one this query gave.
        """
        offset = query.offset()
        viewer = search_viewer(actor)
        page = await self._answer(lambda backend: backend.search(query, viewer))
        following = offset + len(page.documents)
        more = page.documents and following < page.estimated_total and following <= MAX_OFFSET
        return SearchResults(
            items=[ChallengeHit.of(document) for document in page.documents],
            facets=page.facets,
            next_cursor=encode_cursor(following, query.fingerprint()) if more else None,
            estimated_total=page.estimated_total,
        )

    async def autocomplete(self, actor: Actor, q: str, limit: int = 8) -> list[Suggestion]:
        """Titles of open challenges ``actor`` may see that match what was typed so far
        (typos tolerated, the last word as a prefix), then skills beginning with it.

        422 ``invalid_autocomplete_text`` (1 to 100 characters), ``search_text_without_words``,
        ``invalid_limit`` (1 to 20).
        """
        text = " ".join(q.split())
        if not 1 <= len(text) <= MAX_AUTOCOMPLETE_TEXT:
            raise InvalidInput(
                f"autocomplete takes 1 to {MAX_AUTOCOMPLETE_TEXT} characters",
                code="invalid_autocomplete_text",
                errors=[{"field": "q", "message": "1 to 100 characters"}],
            )
        if not words(text):
            raise InvalidInput(
                "the text has no letters or digits to complete",
                code="search_text_without_words",
                errors=[{"field": "q", "message": "no letters or digits"}],
            )
        if not 1 <= limit <= MAX_AUTOCOMPLETE_LIMIT:
            raise InvalidInput(
                f"limit is 1 to {MAX_AUTOCOMPLETE_LIMIT}",
                code="invalid_limit",
                errors=[{"field": "limit", "message": f"1 to {MAX_AUTOCOMPLETE_LIMIT}"}],
            )
        viewer = search_viewer(actor)
        return await self._answer(lambda backend: backend.autocomplete(text, viewer, limit))

    async def matching_ids(
        self,
        filters: SearchFilters,
        viewer: SearchViewer,
        candidate_ids: Sequence[uuid.UUID],
        *,
        refresh: bool = True,
    ) -> set[uuid.UUID]:
        """The candidates that match ``filters`` for ``viewer``, on the database index.

        With ``refresh`` the candidates are indexed first (as they are now), so the answer
        does not depend on whether their index jobs have run yet; pass ``refresh=False``
        when asking again about the same candidates.
        """
        if refresh:
            await self.index_challenges(candidate_ids)
        return await self.database.matching_ids(filters, viewer, candidate_ids)

    async def readiness(self) -> ComponentHealth:
        """Whether searches are answered, and by which backend: ``degraded`` when the
        answering backend is down and the database answers in its place."""
        backend = self._answering_backend()
        try:
            with anyio.fail_after(READINESS_TIMEOUT_SECONDS):
                await backend.ping()
        except Exception as exc:
            reason = (str(exc) or type(exc).__name__)[:300]
            if backend is self.database:
                return ComponentHealth(name="search", status=HealthStatus.DOWN, detail=reason)
            return ComponentHealth(
                name="search",
                status=HealthStatus.DEGRADED,
                detail=f"{backend.name} is not answering ({reason}); the database answers",
            )
        return ComponentHealth(
            name="search", status=HealthStatus.OK, detail=f"answered by {backend.name}"
        )

    # -- keeping the index in step -----------------------------------------------------

    async def index_challenge(self, challenge_id: uuid.UUID) -> SearchDocument | None:
        """Bring the challenge's document up to date with the challenge as it is now: add or
        replace it when published, remove it otherwise (a draft again, or deleted).

        Returns the document indexed, or None when it was removed. Idempotent.
        """
        documents = await self.index_challenges([challenge_id])
        return documents[0] if documents else None

    async def index_challenges(self, challenge_ids: Sequence[uuid.UUID]) -> list[SearchDocument]:
        """:meth:`index_challenge` for several challenges at once."""
        ids = list(dict.fromkeys(challenge_ids))
        if not ids:
            return []
        async with self._platform.unit_of_work() as uow:
            # Locked: a job that read an older state cannot write after one that read a
            # newer state (the change waits for this transaction, and so its job).
            challenges = list(
                await uow.session.scalars(
                    select(Challenge)
                    .where(Challenge.id.in_(ids))
                    .order_by(Challenge.id)
                    .with_for_update()
                )
            )
            documents = await build_documents(uow, challenges)
            indexed = {document.id for document in documents}
            removed = [challenge_id for challenge_id in ids if challenge_id not in indexed]
            await self.database.write(uow.session, upsert=documents, delete=removed)
        for target in self._index_targets():
            if documents:
                await target.upsert(documents)
            if removed:
                await target.delete(removed)
        return documents

    async def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild every index from the challenges table, in batches (each its own
        transaction, so the application keeps writing meanwhile), reporting progress.
        The vocabulary is rebuilt with the documents. Returns how many were indexed."""
        report = progress or (lambda done, total: None)
        async with self._platform.unit_of_work(read_only=True) as uow:
            counted = select(func.count()).select_from(Challenge).where(*_searchable())
            total = int(await uow.session.scalar(counted) or 0)
        async with self._platform.unit_of_work() as uow:
            await self.database.clear_in(uow.session)
        for target in self._index_targets():
            await target.clear()
        report(0, total)
        done = 0
        after: uuid.UUID | None = None
        while True:
            async with self._platform.unit_of_work() as uow:
                challenges = await _next_batch(uow, after)
                if not challenges:
                    break
                documents = await build_documents(uow, challenges)
                await self.database.write(uow.session, upsert=documents)
            for target in self._index_targets():
                await target.upsert(documents)
            after = challenges[-1].id
            done += len(documents)
            total = max(total, done)
            report(done, total)
        await self.database.optimise()
        logger.info("search index rebuilt", extra={"documents": done})
        return done


def _searchable() -> list[ColumnElement[bool]]:
    return [Challenge.status.in_(SEARCHABLE_STATUSES), Challenge.published_at.is_not(None)]


async def _next_batch(uow: UnitOfWork, after: uuid.UUID | None) -> list[Challenge]:
    statement = select(Challenge).where(*_searchable())
    if after is not None:
        statement = statement.where(Challenge.id > after)
    statement = statement.order_by(Challenge.id).limit(REINDEX_BATCH).with_for_update(read=True)
    return list(await uow.session.scalars(statement))
