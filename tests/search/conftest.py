"""The search backends the contract suite runs against, and documents to feed them.

``search_backend`` is parametrised over :data:`SEARCH_BACKENDS`: each entry opens a backend
for one test (an async context manager, so it can clean up after itself) on the engine
under test. Add a backend by adding an entry.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest

from openchance import OpenChance
from openchance.search.backend import SearchBackend
from openchance.search.backends import DatabaseSearchBackend
from openchance.search.backends.meilisearch import MeilisearchBackend
from tests.factories.search import BASE_TIME, document
from tests.search.meilisearch_peer import MeilisearchPeer

BackendFactory = Callable[
    [OpenChance, pytest.FixtureRequest], AbstractAsyncContextManager[SearchBackend]
]
"""Opens a backend; the request gives access to other fixtures (a peer server)."""


@asynccontextmanager
async def database_backend(
    oc: OpenChance, request: pytest.FixtureRequest
) -> AsyncIterator[SearchBackend]:
    yield DatabaseSearchBackend(oc)


@asynccontextmanager
async def meilisearch_backend(
    oc: OpenChance, request: pytest.FixtureRequest
) -> AsyncIterator[SearchBackend]:
    """A real Meilisearch server (``meilisearch_peer.py``), on an index of this test alone."""
    peer: MeilisearchPeer = request.getfixturevalue("meilisearch_peer")
    name = f"test_{uuid.uuid4().hex}"
    try:
        yield MeilisearchBackend(peer.url, index=name, api_key=peer.master_key, timeout_seconds=10)
    finally:
        peer.delete_index(name)


SEARCH_BACKENDS: dict[str, BackendFactory] = {
    "database": database_backend,
    "meilisearch": meilisearch_backend,
}


@pytest.fixture(params=list(SEARCH_BACKENDS))
async def search_backend(
    request: pytest.FixtureRequest, oc: OpenChance
) -> AsyncIterator[SearchBackend]:
    async with SEARCH_BACKENDS[request.param](oc, request) as backend:
        yield backend


__all__ = ["BASE_TIME", "document"]
