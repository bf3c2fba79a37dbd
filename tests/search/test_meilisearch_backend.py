"""The Meilisearch backend against a real Meilisearch server: what is particular to it (index
settings, filter quoting, error mapping). What every backend must do is in the contract suite.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from openchance.db.types import utcnow
from openchance.errors import ProviderUnavailable
from openchance.models.challenges import ChallengeStatus, RewardKind, Visibility
from openchance.search.backends.meilisearch import (
    FILTERABLE_ATTRIBUTES,
    SEARCHABLE_ATTRIBUTES,
    MeilisearchBackend,
    filter_expression,
    quote,
)
from openchance.search.query import SearchDocument, SearchFilters, SearchQuery, SearchViewer
from tests.factories.search import document as search_document
from tests.search.meilisearch_peer import MeilisearchPeer, free_port

ANONYMOUS = SearchViewer()
STAFF = SearchViewer(is_staff=True)


def document(**fields: Any) -> SearchDocument:
    """A document published now (these tests compare deadlines with the present)."""
    now = utcnow()
    return search_document(**{"deadline": now + timedelta(days=30), "published_at": now} | fields)


def backend_for(peer: MeilisearchPeer, index: str, **options: Any) -> MeilisearchBackend:
    return MeilisearchBackend(peer.url, index=index, api_key=peer.master_key, **options)


@pytest.fixture
def backend(meilisearch_peer: MeilisearchPeer, meilisearch_index: str) -> MeilisearchBackend:
    return backend_for(meilisearch_peer, meilisearch_index, timeout_seconds=5.0)


def index_settings(peer: MeilisearchPeer, index: str) -> dict[str, Any]:
    response = httpx.get(
        f"{peer.url}/indexes/{index}/settings",
        headers={"Authorization": f"Bearer {peer.master_key}"},
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def ids(page_documents: list[SearchDocument]) -> list[uuid.UUID]:
    return [item.id for item in page_documents]


@pytest.fixture
def answering_503() -> Iterator[str]:
    """An HTTP server that answers every request with 503, like a proxy before a dead
    Meilisearch."""

    @Request.application  # type: ignore[misc]
    def app(request: Request) -> Response:
        return Response('{"message": "upstream down"}', status=503, mimetype="application/json")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


class TestEnsureIndex:
    async def test_applies_the_search_settings(
        self, backend: MeilisearchBackend, meilisearch_peer: MeilisearchPeer
    ) -> None:
        await backend.ensure_index()

        settings = index_settings(meilisearch_peer, backend.index_name)
        assert settings["searchableAttributes"] == SEARCHABLE_ATTRIBUTES
        assert set(settings["filterableAttributes"]) == set(FILTERABLE_ATTRIBUTES)
        assert {"published_at_ts", "deadline_ts", "reward_min_minor", "reward_max_minor"} <= set(
            settings["sortableAttributes"]
        )
        assert settings["rankingRules"][0] == "sort"
        assert settings["typoTolerance"]["enabled"] is True

    async def test_is_idempotent(
        self,
        backend: MeilisearchBackend,
        meilisearch_peer: MeilisearchPeer,
        meilisearch_index: str,
    ) -> None:
        await backend.ensure_index()
        await backend.upsert([document(title="Kept across a second start")])

        again = backend_for(meilisearch_peer, meilisearch_index)
        await again.ensure_index()

        page = await again.search(SearchQuery(q="second start"), ANONYMOUS)
        assert [item.title for item in page.documents] == ["Kept across a second start"]

    async def test_drop_index_removes_every_document(self, backend: MeilisearchBackend) -> None:
        await backend.upsert([document()])

        await backend.drop_index()
        await backend.upsert([document(title="After the drop")])

        page = await backend.search(SearchQuery(), ANONYMOUS)
        assert [item.title for item in page.documents] == ["After the drop"]


class TestDocuments:
    async def test_round_trip_keeps_every_field(self, backend: MeilisearchBackend) -> None:
        owner = uuid.uuid4()
        original = document(
            visibility=Visibility.PRIVATE,
            viewer_ids=[owner],
            reward_kind=RewardKind.RANGE,
            reward_min_minor=50_000,
            reward_max_minor=90_000,
        )
        await backend.upsert([original])

        page = await backend.search(SearchQuery(), STAFF)

        assert page.documents == [original]

    async def test_upsert_replaces_a_document(self, backend: MeilisearchBackend) -> None:
        first = document(title="Old title")
        await backend.upsert([first])

        await backend.upsert([first.model_copy(update={"title": "New title"})])

        page = await backend.search(SearchQuery(), ANONYMOUS)
        assert [item.title for item in page.documents] == ["New title"]


class TestFilterQuoting:
    def test_a_quote_and_a_backslash_are_escaped(self) -> None:
        assert quote('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'

    async def test_operators_in_a_skill_stay_a_value(self, backend: MeilisearchBackend) -> None:
        hidden = document(visibility=Visibility.PRIVATE, viewer_ids=[uuid.uuid4()])
        await backend.upsert([hidden, document(skills=['x" OR visibility = "private'])])

        # The query model refuses such a skill; the backend must be safe without it.
        attack = SearchQuery.model_construct(skills=['x" OR visibility = "private'])
        page = await backend.search(attack, ANONYMOUS)

        assert hidden.id not in ids(page.documents)
        assert len(page.documents) == 1

    async def test_operators_in_a_category_match_nothing(self, backend: MeilisearchBackend) -> None:
        await backend.upsert([document()])

        query = SearchQuery(category=['a" OR category EXISTS OR category = "b', "x\\"])
        page = await backend.search(query, ANONYMOUS)

        assert page.documents == []

    async def test_free_text_with_filter_syntax_is_only_text(
        self, backend: MeilisearchBackend
    ) -> None:
        hidden = document(visibility=Visibility.PRIVATE, viewer_ids=[uuid.uuid4()])
        await backend.upsert([hidden])

        page = await backend.search(
            SearchQuery(q='" OR visibility = "private" NEAR( * OR'), ANONYMOUS
        )

        assert page.documents == []

    def test_a_user_sees_public_and_listed_private_challenges(self) -> None:
        user = uuid.uuid4()

        clauses = filter_expression(SearchFilters(), SearchViewer(user_id=user))

        assert f'(visibility = "public" OR viewer_ids = "{user}")' in clauses

    def test_staff_have_no_visibility_clause(self) -> None:
        clauses = filter_expression(SearchFilters(), STAFF)

        assert not [clause for clause in clauses if "visibility" in clause]


class TestStrictSort:
    async def test_an_explicit_order_wins_over_relevance(self, backend: MeilisearchBackend) -> None:
        now = utcnow()
        weak_soon = document(
            title="Kitchen planning", description="machine learning", deadline=now + timedelta(1)
        )
        strong_late = document(title="Machine learning", deadline=now + timedelta(days=9))
        await backend.upsert([strong_late, weak_soon])

        relevance = await backend.search(SearchQuery(q="machine learning"), ANONYMOUS)
        by_deadline = await backend.search(
            SearchQuery(q="machine learning", sort="deadline"), ANONYMOUS
        )

        assert ids(relevance.documents) == [strong_late.id, weak_soon.id]
        assert ids(by_deadline.documents) == [weak_soon.id, strong_late.id]

    async def test_every_word_must_match(self, backend: MeilisearchBackend) -> None:
        await backend.upsert([document(title="Machine vision"), document(title="Deep learning")])

        page = await backend.search(SearchQuery(q="machine learning"), ANONYMOUS)

        assert page.documents == []


class TestAutocomplete:
    async def test_titles_then_skills_of_visible_open_challenges(
        self, backend: MeilisearchBackend
    ) -> None:
        await backend.upsert(
            [
                document(title="Pythagorean tiles", skills=["geometry"]),
                document(title="Closed one", skills=["python"], status=ChallengeStatus.COMPLETED),
                document(
                    title="Python secret",
                    skills=["pytorch"],
                    visibility=Visibility.PRIVATE,
                    viewer_ids=[uuid.uuid4()],
                ),
                document(title="Plain", skills=["pyspark"]),
            ]
        )

        suggestions = await backend.autocomplete("pyt", ANONYMOUS, 5)

        assert [(s.kind, s.text) for s in suggestions] == [("title", "Pythagorean tiles")]

    async def test_a_skill_by_prefix_with_a_typo(self, backend: MeilisearchBackend) -> None:
        await backend.upsert([document(title="Vision model", skills=["tensorflow"])])

        suggestions = await backend.autocomplete("tensorfl0w", ANONYMOUS, 5)

        assert [(s.kind, s.text) for s in suggestions] == [("skill", "tensorflow")]

    async def test_nothing_for_blank_text(self, backend: MeilisearchBackend) -> None:
        await backend.upsert([document()])

        assert await backend.autocomplete("   ", ANONYMOUS, 5) == []


class TestUnavailable:
    async def test_ping_answers_while_up(self, backend: MeilisearchBackend) -> None:
        await backend.ping()

    async def test_a_closed_port(self) -> None:
        backend = MeilisearchBackend(f"http://127.0.0.1:{free_port()}", index="x")

        with pytest.raises(ProviderUnavailable) as raised:
            await backend.search(SearchQuery(q="anything"), ANONYMOUS)
        assert raised.value.provider == "meilisearch"
        with pytest.raises(ProviderUnavailable):
            await backend.ping()
        with pytest.raises(ProviderUnavailable):
            await backend.upsert([document()])

    async def test_a_server_that_never_answers_times_out(self, silent_port: int) -> None:
        backend = MeilisearchBackend(
            f"http://127.0.0.1:{silent_port}", index="x", timeout_seconds=0.3
        )

        with pytest.raises(ProviderUnavailable):
            await backend.search(SearchQuery(q="anything"), ANONYMOUS)

    async def test_a_5xx_answer(self, answering_503: str) -> None:
        backend = MeilisearchBackend(answering_503, index="x")

        with pytest.raises(ProviderUnavailable) as raised:
            await backend.search(SearchQuery(q="anything"), ANONYMOUS)
        assert "503" in raised.value.message

    async def test_a_wrong_key(
        self, meilisearch_peer: MeilisearchPeer, meilisearch_index: str
    ) -> None:
        backend = MeilisearchBackend(
            meilisearch_peer.url, index=meilisearch_index, api_key="not-the-key"
        )

        with pytest.raises(ProviderUnavailable) as raised:
            await backend.upsert([document()])
        assert "invalid_api_key" in raised.value.message

    async def test_a_missing_index(
        self, meilisearch_peer: MeilisearchPeer, meilisearch_index: str
    ) -> None:
        backend = backend_for(meilisearch_peer, meilisearch_index)

        with pytest.raises(ProviderUnavailable) as raised:
            await backend.search(SearchQuery(), ANONYMOUS)
        assert "index_not_found" in raised.value.message
