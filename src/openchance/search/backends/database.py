"""The database search backend: SQLite FTS5 (the embedded default) or PostgreSQL full text
with ``pg_trgm``, on the application's own database.

The index is ``search_documents`` (one row per published challenge, with the columns the
filters and sorts use, indexed), ``search_document_skills``, ``search_document_viewers`` and
the ``search_vocabulary``, plus each engine's full-text part (``sqlite.py``,
``postgres.py``). A search is two statements: one page of documents in order, and one
grouped count of the matching documents by category and difficulty, which gives the
facets and the total alike. Spelling corrections cost a vocabulary look-up per query, and
one more per word that is not in the vocabulary.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from openchance.accounts.profile_schemas import normalise_skill
from openchance.models.challenges import ChallengeStatus, Visibility
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
from openchance.search.backend import merge_suggestions
from openchance.search.backends.fulltext import WORD_PARAMETERS, AnySelect, FullText, TextMatch
from openchance.search.backends.postgres import PostgresFullText
from openchance.search.backends.sqlite import SqliteFullText
from openchance.search.query import (
    Facets,
    SearchDocument,
    SearchFilters,
    SearchPage,
    SearchQuery,
    SearchSort,
    SearchViewer,
    Suggestion,
)
from openchance.search.text import (
    MAX_VOCABULARY_WORD,
    QueryTerm,
    build_terms,
    corrections,
    needs_correction,
    query_words,
    words,
)

if TYPE_CHECKING:
    from openchance.platform import OpenChance

T = TypeVar("T")

WRITE_BATCH = 200
"""Documents per upsert statement (16 parameters each: well inside every engine's limit)."""
LOOKUP_BATCH = 1000
"""Values per ``IN (…)`` list."""

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
        return PostgresFullText() if self.dialect == "postgresql" else SqliteFullText()

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
        async with self._platform.unit_of_work(read_only=True) as uow:
            session = uow.session
            match = await self._match(session, query.q)
            conditions = filter_conditions(query, viewer, self._fulltext)

            page = _page(query.sort, match, conditions, self.dialect)
            rows = (await session.execute(page.offset(offset).limit(query.limit))).all()

            if match is not None and (rows or offset == 0):
                # The text page carries the facets of its matches (see _page): one match.
                groups = _facet_groups(rows[0].facets if rows else None)
            else:
                counts = _matching(
                    select(D.category, D.difficulty, func.count()), match, conditions
                ).group_by(D.category, D.difficulty)
                groups = [
                    (category, difficulty.value, count)
                    for category, difficulty, count in await session.execute(counts)
                ]

            private = [row.id for row in rows if row.visibility is Visibility.PRIVATE]
            viewers = await _viewers_of(session, private)
        facets = Facets()
        total = 0
        for category, difficulty, count in groups:
            facets.category[category] = facets.category.get(category, 0) + count
            facets.difficulty[difficulty] = facets.difficulty.get(difficulty, 0) + count
            total += count
        documents = [_document(row, viewers.get(row.id, [])) for row in rows]
        return SearchPage(documents=documents, facets=facets, estimated_total=total)

    async def autocomplete(self, prefix: str, viewer: SearchViewer, limit: int) -> list[Suggestion]:
        visible = [*_visible_to(viewer), D.status == ChallengeStatus.OPEN]
        async with self._platform.unit_of_work(read_only=True) as uow:
            session = uow.session
            titles: list[Suggestion] = []
            terms = await self._terms(session, query_words(prefix))
            if terms:
                match = self._fulltext.match(terms, title_only=True)
                statement = _matching(select(D.id, D.title), match, visible)
                statement = statement.order_by(match.best_first, D.id).limit(limit)
                titles = [
                    Suggestion(kind="title", text=title, challenge_id=challenge_id)
                    for challenge_id, title in await session.execute(statement)
                ]
            skills: list[Suggestion] = []
            skill_prefix = normalise_skill(prefix)
            if skill_prefix:
                uses = func.count()
                by_use = (
                    select(SearchDocumentSkill.skill)
                    .join(D, D.id == SearchDocumentSkill.document_id)
                    .where(self._fulltext.starts_with(SearchDocumentSkill.skill, skill_prefix))
                    .where(*visible)
                    .group_by(SearchDocumentSkill.skill)
                    .order_by(uses.desc(), SearchDocumentSkill.skill)
                    .limit(limit)
                )
                skills = [
                    Suggestion(kind="skill", text=skill) for skill in await session.scalars(by_use)
                ]
        return merge_suggestions(titles, skills, limit)

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
        found: set[uuid.UUID] = set()
        async with self._platform.unit_of_work(read_only=True) as uow:
            session = uow.session
            match = await self._match(session, filters.q)
            conditions = filter_conditions(filters, viewer, self._fulltext)
            for ids in _chunks(list(dict.fromkeys(candidate_ids)), LOOKUP_BATCH):
                statement = _matching(select(D.id), match, [*conditions, D.id.in_(ids)])
                found.update(await session.scalars(statement))
        return found

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

    async def _match(self, session: AsyncSession, q: str | None) -> TextMatch | None:
        terms = await self._terms(session, query_words(q))
        return self._fulltext.match(terms) if terms else None

    async def _terms(self, session: AsyncSession, words: list[str]) -> list[QueryTerm]:
        """The query's words with the corrections of those the vocabulary does not know."""
        if not words:
            return []
        known = set(
            await session.scalars(select(SearchWord.word).where(SearchWord.word.in_(set(words))))
        )
        last = words[-1]
        prefix_known = False
        if last not in known and needs_correction(
            last, known=False, prefix_known=False, is_last=True
        ):
            beginning = select(SearchWord.id).where(
                self._fulltext.starts_with(SearchWord.word, last)
            )
            prefix_known = await session.scalar(beginning.limit(1)) is not None
        corrected: dict[str, list[str]] = {}
        for position, word in enumerate(words):
            is_last = position == len(words) - 1
            if word in corrected or not needs_correction(
                word, known=word in known, prefix_known=prefix_known, is_last=is_last
            ):
                continue
            corrected[word] = corrections(word, await self._fulltext.candidates(session, word))
        return build_terms(words, corrected)


def filter_conditions(
    filters: SearchFilters, viewer: SearchViewer, fulltext: FullText
) -> list[ColumnElement[bool]]:
    """The filters of a query, and what the viewer may see, as conditions on the documents."""
    conditions: list[ColumnElement[bool]] = [D.status.in_(filters.status), *_visible_to(viewer)]
    if filters.category:
        conditions.append(D.category.in_(filters.category))
    if filters.difficulty:
        conditions.append(D.difficulty.in_(filters.difficulty))
    if filters.currency is not None:
        conditions.append(D.reward_currency == filters.currency)
        # The challenge's [min, max] overlaps the range asked for.
        if filters.reward_min is not None:
            conditions.append(D.reward_max_minor >= filters.reward_min)
        if filters.reward_max is not None:
            conditions.append(D.reward_min_minor <= filters.reward_max)
    if filters.deadline_before is not None:
        conditions.append(D.deadline < filters.deadline_before)
    if filters.deadline_after is not None:
        conditions.append(D.deadline > filters.deadline_after)
    if filters.skills:
        conditions.append(fulltext.requires_skills(filters.skills))
    return conditions


def _visible_to(viewer: SearchViewer) -> list[ColumnElement[bool]]:
    if viewer.is_staff:
        return []
    public = D.visibility == Visibility.PUBLIC
    if viewer.user_id is None:
        return [public]
    listed = exists().where(
        SearchDocumentViewer.document_id == D.id, SearchDocumentViewer.user_id == viewer.user_id
    )
    return [or_(public, listed)]


def _matching(
    statement: AnySelect, match: TextMatch | None, conditions: Iterable[ColumnElement[bool]]
) -> AnySelect:
    if match is not None:
        statement = match.apply(statement)
    return statement.where(*conditions)


_SORT_KEYS: dict[SearchSort, tuple[str, bool]] = {
    SearchSort.NEWEST: ("published_at", True),
    SearchSort.DEADLINE: ("deadline", False),
    SearchSort.REWARD_DESC: ("reward_max_minor", True),
    SearchSort.REWARD_ASC: ("reward_min_minor", False),
}
"""Each sort's column and whether it is descending (relevance without text: newest)."""


def _page(
    sort: SearchSort,
    match: TextMatch | None,
    conditions: Sequence[ColumnElement[bool]],
    dialect: str,
) -> Select[*tuple[Any, ...]]:
    """The documents in order: the sort, then the id (equal keys keep one order, so pages
    neither repeat nor skip).

    With text, the matching documents' sort keys are gathered first (a materialised CTE)
    and only the page's rows are read: left to itself, a planner may walk the documents in
    the order of a sort index and test the text on each, which is slow for a rare match.
    Each row also carries ``facets``, the matches counted by category and difficulty as a
    JSON list of ``[category, difficulty, count]`` (an uncorrelated subquery: computed once),
    so the text is matched once per search, not once for the page and again for the facets.
    """
    if match is None:
        name, descending = _SORT_KEYS.get(sort, _SORT_KEYS[SearchSort.NEWEST])
        key = DOCUMENTS.c[name]
        return (
            select(DOCUMENTS)
            .where(*conditions)
            .order_by(key.desc() if descending else key.asc(), D.id.asc())
        )
    keys = [
        D.seq,
        D.id,
        D.category,
        D.difficulty,
        *(DOCUMENTS.c[name] for name, _ in _SORT_KEYS.values()),
    ]
    if sort is SearchSort.RELEVANCE:  # ranking reads every match's text: only when needed
        keys.append(match.score.label("score"))
    matched = (
        match.apply(select(*keys)).where(*conditions).cte("matched").prefix_with("MATERIALIZED")
    )
    if sort is SearchSort.RELEVANCE:
        score = matched.c.score
        first = score.desc() if match.higher_is_better else score.asc()
    else:
        name, descending = _SORT_KEYS[sort]
        first = matched.c[name].desc() if descending else matched.c[name].asc()
    groups = (
        select(matched.c.category, matched.c.difficulty, func.count().label("matches")).group_by(
            matched.c.category, matched.c.difficulty
        )
    ).subquery("facet_groups")
    if dialect == "postgresql":
        facets = select(
            func.json_agg(
                func.json_build_array(groups.c.category, groups.c.difficulty, groups.c.matches)
            )
        )
    else:
        facets = select(
            func.json_group_array(
                func.json_array(groups.c.category, groups.c.difficulty, groups.c.matches)
            )
        )
    return (
        select(DOCUMENTS, facets.scalar_subquery().label("facets"))
        .join(matched, matched.c.seq == D.seq)
        .order_by(first, matched.c.id.asc())
    )


def _facet_groups(facets: Any) -> list[tuple[str, str, int]]:
    """``[[category, difficulty, count], …]`` as the page's ``facets`` column holds it (JSON
    text on SQLite, decoded already on PostgreSQL; none when nothing matched)."""
    if facets is None:
        return []
    groups = json.loads(facets) if isinstance(facets, str) else facets
    return [(str(category), str(difficulty), int(count)) for category, difficulty, count in groups]


def _delete_documents(ids: Sequence[uuid.UUID]) -> Any:
    # Skills and viewers go with them (ON DELETE CASCADE); on SQLite a trigger updates FTS5.
    return delete(DOCUMENTS).where(D.id.in_(ids))


async def _viewers_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    viewers: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(SearchDocumentViewer.document_id, SearchDocumentViewer.user_id)
            .where(SearchDocumentViewer.document_id.in_(ids))
            .order_by(SearchDocumentViewer.document_id, SearchDocumentViewer.user_id)
        )
        for document_id, user_id in rows:
            viewers[document_id].append(user_id)
    return viewers


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


def _document(row: Row[Any], viewer_ids: list[uuid.UUID]) -> SearchDocument:
    return SearchDocument(
        id=row.id,
        title=row.title,
        summary=row.summary,
        description=row.description,
        skills=row.skills.split(),
        category=row.category,
        difficulty=row.difficulty,
        status=row.status,
        visibility=row.visibility,
        viewer_ids=viewer_ids,
        reward_kind=row.reward_kind,
        reward_currency=row.reward_currency,
        reward_min_minor=row.reward_min_minor,
        reward_max_minor=row.reward_max_minor,
        deadline=row.deadline,
        published_at=row.published_at,
    )


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
