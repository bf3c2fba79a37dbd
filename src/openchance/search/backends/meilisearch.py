"""The Meilisearch search backend, through the official ``meilisearch`` client.

The client is synchronous (``requests``), so every call runs in a worker thread with a
deadline; a new client is made per call because the client mutates its shared headers on each
request and is therefore not safe to share between threads.

Anything that goes wrong talking to Meilisearch (refused connection, timeout, 5xx, a wrong key,
a missing index, a failed indexing task) is raised as ``ProviderUnavailable("meilisearch")``:
the search service then answers from the database backend, and an index job retries later.

User input never becomes filter syntax: every string in a filter expression is quoted and
escaped here, numbers are formatted from integers, and the free text goes to Meilisearch as
the query string (which has no operators).
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import meilisearch
from meilisearch.errors import MeilisearchApiError, MeilisearchError
from meilisearch.models.task import TaskInfo

from openchance.accounts.profile_schemas import normalise_skill
from openchance.config import Settings
from openchance.errors import ConfigurationError, ProviderUnavailable
from openchance.models.challenges import Visibility
from openchance.search.backend import merge_suggestions
from openchance.search.query import (
    MAX_LIMIT,
    MAX_OFFSET,
    Facets,
    SearchDocument,
    SearchFilters,
    SearchPage,
    SearchQuery,
    SearchSort,
    SearchViewer,
    Suggestion,
)
from openchance.search.text import query_words

T = TypeVar("T")

PROVIDER = "meilisearch"

SEARCHABLE_ATTRIBUTES = ["title", "skills", "summary", "description"]
"""In order of importance: a match in the title ranks above one in the description."""

FILTERABLE_ATTRIBUTES = [
    "id",
    "category",
    "difficulty",
    "status",
    "visibility",
    "viewer_ids",
    "skills",
    "reward_currency",
    "reward_min_minor",
    "reward_max_minor",
    "deadline_ts",
]

SORTABLE_ATTRIBUTES = [
    "published_at_ts",
    "deadline_ts",
    "reward_min_minor",
    "reward_max_minor",
    "id",
]

RANKING_RULES = ["sort", "words", "typo", "proximity", "attribute", "exactness"]
"""Meilisearch's default rules with ``sort`` moved first: an explicit order (newest, deadline,
reward) is strict, as on the database backends; without one (relevance) the text rules rank."""

FACETS = ["category", "difficulty"]

INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": SEARCHABLE_ATTRIBUTES,
    "filterableAttributes": FILTERABLE_ATTRIBUTES,
    "sortableAttributes": SORTABLE_ATTRIBUTES,
    "rankingRules": RANKING_RULES,
    "typoTolerance": {"enabled": True},
    "pagination": {"maxTotalHits": MAX_OFFSET + MAX_LIMIT},
    "faceting": {"maxValuesPerFacet": 500},
}

SORTS: dict[SearchSort, list[str]] = {
    SearchSort.NEWEST: ["published_at_ts:desc", "id:asc"],
    SearchSort.DEADLINE: ["deadline_ts:asc", "id:asc"],
    SearchSort.REWARD_DESC: ["reward_max_minor:desc", "id:asc"],
    SearchSort.REWARD_ASC: ["reward_min_minor:asc", "id:asc"],
}

DEFAULT_TASK_TIMEOUT_SECONDS = 30.0
DELETE_BATCH = 500
"""Ids per delete-by-filter call."""
TASK_POLL_SECONDS = 0.02


def timestamp(moment: datetime) -> int:
    """Microseconds since the Unix epoch: exact as a Meilisearch number (a float64)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def quote(value: str) -> str:
    """``value`` as a Meilisearch filter string literal: nothing in it can be read as syntax."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def any_of(attribute: str, values: Sequence[str]) -> str:
    return f"{attribute} IN [{', '.join(quote(value) for value in values)}]"


def visibility_filter(viewer: SearchViewer) -> str | None:
    """Staff see everything; a user the public challenges and the private ones they are
    listed on; anyone else the public ones."""
    if viewer.is_staff:
        return None
    public = f"visibility = {quote(Visibility.PUBLIC.value)}"
    if viewer.user_id is None:
        return public
    return f"({public} OR viewer_ids = {quote(str(viewer.user_id))})"


def filter_expression(filters: SearchFilters, viewer: SearchViewer) -> list[str]:
    """The query's filters as a list of expressions Meilisearch ANDs together."""
    clauses = [any_of("status", [status.value for status in filters.status])]
    visible = visibility_filter(viewer)
    if visible is not None:
        clauses.append(visible)
    if filters.category:
        clauses.append(any_of("category", filters.category))
    if filters.difficulty:
        clauses.append(any_of("difficulty", [level.value for level in filters.difficulty]))
    clauses.extend(f"skills = {quote(skill)}" for skill in filters.skills)
    if filters.currency is not None:
        clauses.append(f"reward_currency = {quote(filters.currency)}")
    if filters.reward_min is not None:
        clauses.append(f"reward_max_minor >= {int(filters.reward_min)}")
    if filters.reward_max is not None:
        clauses.append(f"reward_min_minor <= {int(filters.reward_max)}")
    if filters.deadline_before is not None:
        clauses.append(f"deadline_ts < {timestamp(filters.deadline_before)}")
    if filters.deadline_after is not None:
        clauses.append(f"deadline_ts > {timestamp(filters.deadline_after)}")
    return clauses


def query_text(text: str | None) -> str:
    """The words of the free text, joined by spaces: Meilisearch reads ``"…"`` as a phrase
    and ``-word`` as a negation, so only the words are sent."""
    return " ".join(query_words(text))


def sort_expression(query: SearchQuery) -> list[str] | None:
    if query.sort is SearchSort.RELEVANCE:
        return None if query_text(query.q) else SORTS[SearchSort.NEWEST]
    return SORTS[query.sort]


def to_meilisearch(document: SearchDocument) -> dict[str, Any]:
    """What the index stores for one challenge: the document plus sortable timestamps."""
    data = document.model_dump(mode="json")
    data["deadline_ts"] = timestamp(document.deadline)
    data["published_at_ts"] = timestamp(document.published_at)
    return data


def from_meilisearch(hit: dict[str, Any]) -> SearchDocument:
    return SearchDocument.model_validate(hit)


RETRIEVED = list(SearchDocument.model_fields)


class MeilisearchBackend:
    """A :class:`~openchance.search.backend.SearchBackend` over one Meilisearch index."""

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        *,
        index: str,
        api_key: str | None = None,
        timeout_seconds: float = 2.0,
        task_timeout_seconds: float = DEFAULT_TASK_TIMEOUT_SECONDS,
    ) -> None:
        self._url = url.rstrip("/")
        self._index = index
        self._api_key = api_key
        self._timeout = timeout_seconds
        self._task_timeout = max(task_timeout_seconds, timeout_seconds)
        self._index_ready = False
        self._ensure_lock = anyio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> MeilisearchBackend:
        if not settings.meilisearch_url:
            raise ConfigurationError(
                "the meilisearch search backend needs OPENCHANCE_MEILISEARCH_URL",
                code="meilisearch_url_missing",
            )
        key = settings.meilisearch_api_key
        return cls(
            settings.meilisearch_url,
            index=settings.meilisearch_index,
            api_key=key.get_secret_value() if key is not None else None,
            timeout_seconds=settings.meilisearch_timeout_seconds,
        )

    @property
    def index_name(self) -> str:
        return self._index

    # -- the port ---------------------------------------------------------------------------

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return
        await self.ensure_index()
        body = [to_meilisearch(document) for document in documents]
        task = await self._call(lambda client: client.index(self._index).add_documents(body, "id"))
        await self._wait(task.task_uid)

    async def delete(self, ids: Sequence[uuid.UUID]) -> None:
        if not ids:
            return
        await self.ensure_index()
        keys = list(dict.fromkeys(str(document_id) for document_id in ids))
        for start in range(0, len(keys), DELETE_BATCH):
            # By filter: the client's delete-by-ids call is deprecated.
            selected = any_of("id", keys[start : start + DELETE_BATCH])
            task = await self._call(functools.partial(self._delete_matching, selected))
            await self._wait(task.task_uid)

    async def clear(self) -> None:
        await self.ensure_index()
        task = await self._call(lambda client: client.index(self._index).delete_all_documents())
        await self._wait(task.task_uid)

    async def search(self, query: SearchQuery, viewer: SearchViewer) -> SearchPage:
        params: dict[str, Any] = {
            "filter": filter_expression(query, viewer),
            "facets": FACETS,
            "offset": query.offset(),
            "limit": query.limit,
            "attributesToRetrieve": RETRIEVED,
            "matchingStrategy": "all",
        }
        sort = sort_expression(query)
        if sort is not None:
            params["sort"] = sort
        text = query_text(query.q)
        result = await self._call(lambda client: client.index(self._index).search(text, params))
        distribution: dict[str, dict[str, int]] = result.get("facetDistribution") or {}
        return SearchPage(
            documents=[from_meilisearch(hit) for hit in result["hits"]],
            facets=Facets(
                category=dict(distribution.get("category", {})),
                difficulty=dict(distribution.get("difficulty", {})),
            ),
            estimated_total=int(result.get("estimatedTotalHits", len(result["hits"]))),
        )

    async def autocomplete(self, prefix: str, viewer: SearchViewer, limit: int) -> list[Suggestion]:
        """Titles of visible open challenges matching ``prefix`` (typos tolerated, the last
        word as a prefix), and their skills starting with it (a facet search), merged as the
        database backend merges them."""
        text = query_text(prefix)
        skill_prefix = normalise_skill(prefix)
        if limit <= 0 or not (text or skill_prefix):
            return []
        clauses = filter_expression(SearchFilters.model_validate({}), viewer)
        titles: list[Suggestion] = []
        if text:
            title_params = {
                "filter": clauses,
                "limit": limit,
                "attributesToRetrieve": ["id", "title"],
                "attributesToSearchOn": ["title"],
                "matchingStrategy": "all",
            }
            found = await self._call(
                lambda client: client.index(self._index).search(text, title_params)
            )
            titles = [
                Suggestion(kind="title", text=hit["title"], challenge_id=uuid.UUID(hit["id"]))
                for hit in found["hits"]
            ]
        skills: list[Suggestion] = []
        if skill_prefix:
            facets = await self._call(
                lambda client: client.index(self._index).facet_search(
                    "skills", skill_prefix, {"filter": clauses}
                )
            )
            hits = sorted(facets["facetHits"], key=lambda hit: (-hit["count"], hit["value"]))
            skills = [Suggestion(kind="skill", text=hit["value"]) for hit in hits[:limit]]
        return merge_suggestions(titles, skills, limit)

    async def ping(self) -> None:
        health = await self._call(lambda client: client.health())
        if health.get("status") != "available":
            raise ProviderUnavailable(PROVIDER, f"Meilisearch reports {health!r}")

    # -- index management -------------------------------------------------------------------

    async def ensure_index(self) -> None:
        """Create the index and apply its settings (idempotent; done once per instance)."""
        if self._index_ready:
            return
        async with self._ensure_lock:
            if self._index_ready:
                return
            task = await self._call(
                lambda client: client.create_index(self._index, {"primaryKey": "id"})
            )
            await self._wait(task.task_uid, allow={"index_already_exists"})
            task = await self._call(
                lambda client: client.index(self._index).update_settings(INDEX_SETTINGS)
            )
            await self._wait(task.task_uid)
            self._index_ready = True

    async def drop_index(self) -> None:
        """Delete the whole index (tests and operators; ``ensure_index`` recreates it)."""
        task = await self._call(lambda client: client.delete_index(self._index))
        await self._wait(task.task_uid, allow={"index_not_found"})
        self._index_ready = False

    def _delete_matching(self, selected: str, client: meilisearch.Client) -> TaskInfo:
        return client.index(self._index).delete_documents(filter=selected)

    # -- plumbing ---------------------------------------------------------------------------

    def _client(self) -> meilisearch.Client:
        # The client's type says int, requests takes any number of seconds.
        return meilisearch.Client(self._url, self._api_key, timeout=self._timeout)  # type: ignore[arg-type]

    async def _call(self, operation: Callable[[meilisearch.Client], T]) -> T:
        """Run one client call in a worker thread, within the timeout; every failure becomes
        ``ProviderUnavailable``."""
        work = functools.partial(_guarded, operation, self._client)
        try:
            # The HTTP timeout bounds the thread; this bounds the caller even if DNS or a
            # stuck socket ignores it. The abandoned thread ends on its own timeout.
            with anyio.fail_after(self._timeout + 1.0):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            raise ProviderUnavailable(
                PROVIDER, f"Meilisearch did not answer within {self._timeout} s"
            ) from None

    async def _wait(self, task_uid: int, *, allow: frozenset[str] | set[str] = frozenset()) -> None:
        """Wait until Meilisearch has processed a task; a failed task raises (unless its
        error code is in ``allow``)."""
        deadline = time.monotonic() + self._task_timeout
        while True:
            task = await self._call(lambda client: client.get_task(task_uid))
            if task.status == "succeeded":
                return
            if task.status in {"failed", "canceled"}:
                error = task.error or {}
                if error.get("code") in allow:
                    return
                raise ProviderUnavailable(
                    PROVIDER,
                    f"Meilisearch task {task_uid} {task.status}: "
                    f"{error.get('message', 'no reason given')}",
                )
            if time.monotonic() > deadline:
                raise ProviderUnavailable(
                    PROVIDER,
                    f"Meilisearch task {task_uid} still {task.status} after {self._task_timeout} s",
                )
            await anyio.sleep(TASK_POLL_SECONDS)


def _guarded(
    operation: Callable[[meilisearch.Client], T], make_client: Callable[[], meilisearch.Client]
) -> T:
    try:
        return operation(make_client())
    except MeilisearchApiError as error:
        raise ProviderUnavailable(
            PROVIDER,
            f"Meilisearch answered {error.status_code} ({error.code or 'no code'}): "
            f"{error.message}",
        ) from error
    except MeilisearchError as error:
        raise ProviderUnavailable(PROVIDER, f"Meilisearch: {error.message}") from error
    except OSError as error:  # requests' own errors (an invalid URL, …) are OSErrors
        raise ProviderUnavailable(PROVIDER, f"Meilisearch: {error}") from error
