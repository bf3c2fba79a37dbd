"""What the database search backend reads: a search, autocomplete, the documents matching
a saved search. Each read is a plain function of one synchronous connection, so that it can
run whole on one thread (SQLite: a worker thread with its own connection, one round trip
for the whole read) or through ``run_sync`` on the application's async connection
(PostgreSQL). See ``database.py`` for the index itself.

A search is one statement for the page and its facets (and, past the last page, one more
for the facets), after the vocabulary look-up of its words (see :func:`terms`).
"""

from __future__ import annotations

import functools
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    bindparam,
    exists,
    func,
    or_,
    select,
)

from openchance.accounts.profile_schemas import normalise_skill
from openchance.models.challenges import ChallengeStatus, Visibility
from openchance.models.search import (
    DOCUMENTS,
    SearchDocumentRow,
    SearchDocumentSkill,
    SearchDocumentViewer,
    SearchWord,
)
from openchance.search.backend import merge_suggestions
from openchance.search.backends.fulltext import (
    TEXT_QUERY,
    AnySelect,
    FullText,
    TextMatch,
    skill_parameter,
)
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
    QueryTerm,
    build_terms,
    corrections,
    needs_correction,
    query_words,
)

LOOKUP_BATCH = 1000
"""Values per ``IN (…)`` list."""
STATEMENTS_PER_KIND = 512
"""Statements kept built per kind (page, counts): a shape is a combination of filters, a
sort and a kind of viewer, so real traffic uses far fewer."""

_FULLTEXT: dict[str, FullText] = {"postgresql": PostgresFullText(), "sqlite": SqliteFullText()}


def fulltext_for(dialect: str) -> FullText:
    """The full-text part of the engine named ``dialect``."""
    return _FULLTEXT[dialect]


D = SearchDocumentRow


def search(
    connection: Connection, query: SearchQuery, offset: int, viewer: SearchViewer
) -> SearchPage:
    """One page of the documents ``viewer`` may see that match ``query``, from ``offset``."""
    dialect = connection.dialect.name
    fulltext = fulltext_for(dialect)
    shape, parameters = _filters(query, viewer)
    text = text_query(connection, fulltext, query.q)
    if text is not None:
        parameters[TEXT_QUERY] = text
    page = _page(dialect, shape, query.sort, text is not None)
    rows = connection.execute(page, {**parameters, "offset": offset, "limit": query.limit}).all()

    if text is not None and (rows or offset == 0):
        # The text page carries the facets of its matches (see _page): one match.
        groups = _facet_groups(rows[0].facets if rows else None)
    else:
        groups = [
            (category, difficulty.value, count)
            for category, difficulty, count in connection.execute(
                _counts(dialect, shape, text is not None), parameters
            )
        ]

    private = [row.id for row in rows if row.visibility is Visibility.PRIVATE]
    viewers = _viewers_of(connection, private)
    facets = Facets()
    total = 0
    for category, difficulty, count in groups:
        facets.category[category] = facets.category.get(category, 0) + count
        facets.difficulty[difficulty] = facets.difficulty.get(difficulty, 0) + count
        total += count
    documents = [_document(row, viewers.get(row.id, [])) for row in rows]
    return SearchPage(documents=documents, facets=facets, estimated_total=total)


def autocomplete(
    connection: Connection, prefix: str, viewer: SearchViewer, limit: int
) -> list[Suggestion]:
    """Titles of visible open challenges, and skills, starting with ``prefix``."""
    fulltext = fulltext_for(connection.dialect.name)
    visible = [*_visible_to(viewer), D.status == ChallengeStatus.OPEN]
    titles: list[Suggestion] = []
    found = terms(connection, fulltext, query_words(prefix))
    if found:
        match = fulltext.match()
        statement = _matching(select(D.id, D.title), match, visible)
        statement = statement.order_by(match.best_first, D.id).limit(limit)
        parameters: dict[str, Any] = {TEXT_QUERY: fulltext.text_query(found, title_only=True)}
        if viewer.user_id is not None:
            parameters[VIEWER] = viewer.user_id
        titles = [
            Suggestion(kind="title", text=title, challenge_id=challenge_id)
            for challenge_id, title in connection.execute(statement, parameters)
        ]
    skills: list[Suggestion] = []
    skill_prefix = normalise_skill(prefix)
    if skill_prefix:
        uses = func.count()
        by_use = (
            select(SearchDocumentSkill.skill)
            .join(D, D.id == SearchDocumentSkill.document_id)
            .where(fulltext.starts_with(SearchDocumentSkill.skill, skill_prefix))
            .where(*visible)
            .group_by(SearchDocumentSkill.skill)
            .order_by(uses.desc(), SearchDocumentSkill.skill)
            .limit(limit)
        )
        viewer_parameters = {VIEWER: viewer.user_id} if viewer.user_id is not None else {}
        skills = [
            Suggestion(kind="skill", text=skill)
            for skill in connection.scalars(by_use, viewer_parameters)
        ]
    return merge_suggestions(titles, skills, limit)


def matching_ids(
    connection: Connection,
    filters: SearchFilters,
    viewer: SearchViewer,
    candidate_ids: Sequence[uuid.UUID],
) -> set[uuid.UUID]:
    """Which of ``candidate_ids`` are indexed and match ``filters`` for ``viewer``."""
    fulltext = fulltext_for(connection.dialect.name)
    shape, parameters = _filters(filters, viewer)
    text = text_query(connection, fulltext, filters.q)
    if text is not None:
        parameters[TEXT_QUERY] = text
    match = fulltext.match() if text is not None else None
    conditions = [*_conditions(shape, fulltext), D.id.in_(bindparam("ids", expanding=True))]
    statement = _matching(select(D.id), match, conditions)
    found: set[uuid.UUID] = set()
    unique = list(dict.fromkeys(candidate_ids))
    for start in range(0, len(unique), LOOKUP_BATCH):
        ids = unique[start : start + LOOKUP_BATCH]
        found.update(connection.scalars(statement, {**parameters, "ids": ids}))
    return found


def text_query(connection: Connection, fulltext: FullText, q: str | None) -> str | None:
    """The :data:`TEXT_QUERY` parameter for the words of ``q`` (None without words)."""
    found = terms(connection, fulltext, query_words(q))
    return fulltext.text_query(found) if found else None


def terms(connection: Connection, fulltext: FullText, words: list[str]) -> list[QueryTerm]:
    """The query's words with the corrections of those the vocabulary does not know."""
    if not words:
        return []
    known = set(connection.scalars(_KNOWN_WORDS, {"words": list(dict.fromkeys(words))}))
    last = words[-1]
    prefix_known = False
    if last not in known and needs_correction(last, known=False, prefix_known=False, is_last=True):
        beginning = select(SearchWord.id).where(fulltext.starts_with(SearchWord.word, last))
        prefix_known = connection.scalar(beginning.limit(1)) is not None
    corrected: dict[str, list[str]] = {}
    for position, word in enumerate(words):
        is_last = position == len(words) - 1
        if word in corrected or not needs_correction(
            word, known=word in known, prefix_known=prefix_known, is_last=is_last
        ):
            continue
        corrected[word] = corrections(word, fulltext.candidates(connection, word))
    return build_terms(words, corrected)


_KNOWN_WORDS = select(SearchWord.word).where(
    SearchWord.word.in_(bindparam("words", expanding=True))
)
VIEWER = "viewer_id"


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which filters a query uses and who asks: all its statement depends on (the values
    are parameters), so that statements are built once per shape and reused, and the
    database sees the same statement text again (PostgreSQL prepares it)."""

    viewer: Literal["staff", "anonymous", "user"]
    category: bool
    difficulty: bool
    currency: bool
    reward_min: bool
    reward_max: bool
    deadline_before: bool
    deadline_after: bool
    skills: int


def _filters(filters: SearchFilters, viewer: SearchViewer) -> tuple[_Shape, dict[str, Any]]:
    """The shape of the filters, and the parameters of its conditions."""
    parameters: dict[str, Any] = {"status": list(filters.status)}
    kind: Literal["staff", "anonymous", "user"] = "staff"
    if not viewer.is_staff:
        kind = "anonymous" if viewer.user_id is None else "user"
        if viewer.user_id is not None:
            parameters[VIEWER] = viewer.user_id
    currency = filters.currency is not None
    values = {
        "category": filters.category or None,
        "difficulty": filters.difficulty or None,
        "currency": filters.currency,
        "reward_min": filters.reward_min if currency else None,
        "reward_max": filters.reward_max if currency else None,
        "deadline_before": filters.deadline_before,
        "deadline_after": filters.deadline_after,
    }
    parameters.update({name: value for name, value in values.items() if value is not None})
    parameters.update({skill_parameter(i): skill for i, skill in enumerate(filters.skills)})
    shape = _Shape(
        viewer=kind,
        category=values["category"] is not None,
        difficulty=values["difficulty"] is not None,
        currency=currency,
        reward_min=values["reward_min"] is not None,
        reward_max=values["reward_max"] is not None,
        deadline_before=values["deadline_before"] is not None,
        deadline_after=values["deadline_after"] is not None,
        skills=len(filters.skills),
    )
    return shape, parameters


def _conditions(shape: _Shape, fulltext: FullText) -> list[ColumnElement[bool]]:
    """The filters of a shape, and what the viewer may see, as conditions on the documents
    (their values are the parameters :func:`_filters` gives)."""
    conditions: list[ColumnElement[bool]] = [
        D.status.in_(bindparam("status", expanding=True)),
        *_visible_to(shape.viewer),
    ]
    if shape.category:
        conditions.append(D.category.in_(bindparam("category", expanding=True)))
    if shape.difficulty:
        conditions.append(D.difficulty.in_(bindparam("difficulty", expanding=True)))
    if shape.currency:
        conditions.append(D.reward_currency == bindparam("currency"))
        # The challenge's [min, max] overlaps the range asked for.
        if shape.reward_min:
            conditions.append(D.reward_max_minor >= bindparam("reward_min"))
        if shape.reward_max:
            conditions.append(D.reward_min_minor <= bindparam("reward_max"))
    if shape.deadline_before:
        conditions.append(D.deadline < bindparam("deadline_before"))
    if shape.deadline_after:
        conditions.append(D.deadline > bindparam("deadline_after"))
    if shape.skills:
        conditions.append(fulltext.requires_skills(shape.skills))
    return conditions


def _visible_to(
    viewer: SearchViewer | Literal["staff", "anonymous", "user"],
) -> list[ColumnElement[bool]]:
    """What the viewer may see; for a signed-in viewer, their id is the :data:`VIEWER`
    parameter."""
    if isinstance(viewer, SearchViewer):
        viewer = "staff" if viewer.is_staff else "anonymous" if viewer.user_id is None else "user"
    if viewer == "staff":
        return []
    public = D.visibility == Visibility.PUBLIC
    if viewer == "anonymous":
        return [public]
    listed = exists().where(
        SearchDocumentViewer.document_id == D.id, SearchDocumentViewer.user_id == bindparam(VIEWER)
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

_OFFSET = bindparam("offset", type_=Integer)
_LIMIT = bindparam("limit", type_=Integer)


@functools.lru_cache(maxsize=STATEMENTS_PER_KIND)
def _page(dialect: str, shape: _Shape, sort: SearchSort, text: bool) -> Select[*tuple[Any, ...]]:
    """One page of documents in order: the sort, then the id (equal keys keep one order, so
    pages neither repeat nor skip); parameters ``offset`` and ``limit``.

    With text, the matching documents' sort keys are gathered first (a materialised CTE),
    the page is cut from those keys, and only the page's rows are read: left to itself, a
    planner may walk the documents in the order of a sort index and test the text on each,
    which is slow for a rare match, and reading every match's whole row to sort it costs
    as much as the match itself. Each row also carries ``facets``, the matches counted by
    category and difficulty as a JSON list of ``[category, difficulty, count]`` (an
    uncorrelated subquery: computed once), so the text is matched once per search, not
    once for the page and again for the facets.
    """
    fulltext = fulltext_for(dialect)
    conditions = _conditions(shape, fulltext)
    if not text:
        name, descending = _SORT_KEYS.get(sort, _SORT_KEYS[SearchSort.NEWEST])
        key = DOCUMENTS.c[name]
        return (
            select(DOCUMENTS)
            .where(*conditions)
            .order_by(_ordered(key, descending), D.id.asc())
            .offset(_OFFSET)
            .limit(_LIMIT)
        )
    match = fulltext.match()
    if sort is SearchSort.RELEVANCE:  # ranking reads every match's text: only when needed
        sort_key: ColumnElement[Any] = match.score
        descending = match.higher_is_better
    else:
        name, descending = _SORT_KEYS[sort]
        sort_key = DOCUMENTS.c[name]
    matched = (
        match.apply(select(D.seq, D.id, D.category, D.difficulty, sort_key.label("sort_key")))
        .where(*conditions)
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )
    page = (
        select(matched.c.seq, matched.c.id, matched.c.sort_key)
        .order_by(_ordered(matched.c.sort_key, descending), matched.c.id.asc())
        .offset(_OFFSET)
        .limit(_LIMIT)
        .subquery("page")
    )
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
        .select_from(page)
        .join(DOCUMENTS, DOCUMENTS.c.seq == page.c.seq)
        .order_by(_ordered(page.c.sort_key, descending), page.c.id.asc())
    )


@functools.lru_cache(maxsize=STATEMENTS_PER_KIND)
def _counts(dialect: str, shape: _Shape, text: bool) -> Select[*tuple[Any, ...]]:
    """The matching documents counted by category and difficulty."""
    fulltext = fulltext_for(dialect)
    match = fulltext.match() if text else None
    statement = select(D.category, D.difficulty, func.count())
    return _matching(statement, match, _conditions(shape, fulltext)).group_by(
        D.category, D.difficulty
    )


def _ordered(key: ColumnElement[Any], descending: bool) -> ColumnElement[Any]:
    return key.desc() if descending else key.asc()


def _facet_groups(facets: Any) -> list[tuple[str, str, int]]:
    """``[[category, difficulty, count], …]`` as the page's ``facets`` column holds it (JSON
    text on SQLite, decoded already on PostgreSQL; none when nothing matched)."""
    if facets is None:
        return []
    groups = json.loads(facets) if isinstance(facets, str) else facets
    return [(str(category), str(difficulty), int(count)) for category, difficulty, count in groups]


def _viewers_of(
    connection: Connection, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    viewers: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if ids:
        rows = connection.execute(
            select(SearchDocumentViewer.document_id, SearchDocumentViewer.user_id)
            .where(SearchDocumentViewer.document_id.in_(ids))
            .order_by(SearchDocumentViewer.document_id, SearchDocumentViewer.user_id)
        )
        for document_id, user_id in rows:
            viewers[document_id].append(user_id)
    return viewers


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
