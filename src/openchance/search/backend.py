"""The search port: what every backend (SQLite FTS5, PostgreSQL, Meilisearch) implements.

The contract suite in ``tests/search/`` runs against each implementation.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

from openchance.search.query import (
    SearchDocument,
    SearchPage,
    SearchQuery,
    SearchViewer,
    Suggestion,
)


class SearchBackend(Protocol):
    name: str

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        """Add or replace these documents."""

    async def delete(self, ids: Sequence[uuid.UUID]) -> None:
        """Remove these documents (unknown ids are ignored)."""

    async def clear(self) -> None:
        """Remove every document (the first step of a rebuild)."""

    async def search(self, query: SearchQuery, viewer: SearchViewer) -> SearchPage:
        """One page of documents the viewer may see, matching the query, in its order."""

    async def autocomplete(self, prefix: str, viewer: SearchViewer, limit: int) -> list[Suggestion]:
        """Titles of visible open challenges and skills starting with (or close to) ``prefix``."""

    async def ping(self) -> None:
        """Raise ``ProviderUnavailable`` when the backend does not answer."""


def merge_suggestions(
    titles: Sequence[Suggestion], skills: Sequence[Suggestion], limit: int
) -> list[Suggestion]:
    """At most ``limit`` suggestions, titles first: skills get at least half the places when
    there are enough of them, and whatever places the titles leave."""
    skill_places = min(len(skills), max(limit - len(titles), limit // 2))
    title_places = min(len(titles), limit - skill_places)
    return [*titles[:title_places], *skills[:skill_places]]
