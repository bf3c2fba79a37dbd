"""The PostgreSQL part of the database search backend: full-text search and ``pg_trgm``.

``search_documents.tsv`` holds the words of the title (weight A), the skills (B), the
summary (C) and the description (D), as the ``simple`` configuration sees them (no stemming,
no stop words: the words typed are the words matched), with a GIN index; results are ranked
by ``ts_rank_cd``. Spelling candidates come from the vocabulary through its trigram GIN
index (``word % 'lerning'``, most similar first). The column and the indexes are created by
the migration alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    String,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR, insert

from openchance.models.search import DOCUMENTS, SearchWord
from openchance.search.backends.fulltext import (
    TEXT_QUERY,
    WORD_PARAMETERS,
    TextColumn,
    TextMatch,
    skill_parameter,
)
from openchance.search.text import MAX_CANDIDATES, QueryTerm, length_window, tsquery

_CONFIG: ColumnElement[Any] = literal_column("'simple'::regconfig")
_TSV = literal_column("search_documents.tsv", TSVECTOR)
_WEIGHTS = (("title", "A"), ("skills", "B"), ("summary", "C"), ("description", "D"))
_documents = table(
    "search_documents",
    *(column(c.name, type_=c.type) for c in DOCUMENTS.columns),
    column("tsv", TSVECTOR),
)
_UPDATED_COLUMNS = [c.name for c in _documents.columns if c.name not in {"seq", "id"}]
_LIKE_ESCAPE = "\\"
SIMILARITY = 0.15
"""Trigram similarity (0 to 1) a spelling candidate needs; the edit distance decides after."""


class PostgresFullText:
    indexes_words = True

    def match(self) -> TextMatch:
        query = func.to_tsquery(_CONFIG, bindparam(TEXT_QUERY, type_=String))
        return TextMatch(
            source=None,
            condition=_TSV.op("@@")(query),
            score=func.ts_rank_cd(_TSV, query),
            higher_is_better=True,
        )

    def text_query(self, terms: Sequence[QueryTerm], *, title_only: bool = False) -> str:
        return tsquery(terms, weights="A" if title_only else "")

    def candidates(self, connection: Connection, word: str) -> list[str]:
        # pg_trgm's default threshold (0.3) misses one transposition in a short word
        # ("pyhton" is 0.27 from "python"): lower it for this transaction only.
        connection.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {SIMILARITY}"))
        shortest, longest = length_window(word)
        typed = literal(word, String)
        statement = (
            select(SearchWord.word)
            .where(
                SearchWord.word.op("%")(typed),
                func.length(SearchWord.word).between(shortest, longest),
            )
            .order_by(func.similarity(SearchWord.word, typed).desc(), SearchWord.word)
            .limit(MAX_CANDIDATES)
        )
        return list(connection.scalars(statement))

    def requires_skills(self, count: int) -> ColumnElement[bool]:
        # The expression the search index holds (see migration 0007), so the GIN scan
        # answers it together with the text and the other filters.
        listed = func.string_to_array(DOCUMENTS.c.skills, literal_column("' '::text"))
        skills = [bindparam(skill_parameter(position), type_=String) for position in range(count)]
        return listed.op("@>")(cast(postgresql.array(skills), ARRAY(Text)))

    def optimise_statements(self) -> Sequence[str]:
        return [
            # A bulk load leaves thousands of rows in the GIN index's pending list (its
            # fast-update buffer), which every search reads in full until a vacuum merges
            # it: merge it now.
            "SELECT gin_clean_pending_list('ix_search_documents_tsv'::regclass)",
            "ANALYZE search_documents, search_document_skills, search_document_viewers, "
            "search_vocabulary",
        ]

    def starts_with(self, column_: TextColumn, prefix: str) -> ColumnElement[bool]:
        escaped = (
            prefix.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
        )
        # A constant pattern (not `prefix || '%'`), which the text_pattern_ops index answers.
        return column_.like(escaped + "%", escape=_LIKE_ESCAPE)

    def upsert_documents(self) -> Executable:
        statement = insert(_documents).values(tsv=_VECTOR)
        return statement.on_conflict_do_update(
            index_elements=[_documents.c.id],
            set_={name: statement.excluded[name] for name in _UPDATED_COLUMNS},
        )


def _vector() -> ColumnElement[Any]:
    """``setweight(to_tsvector('simple', :title_words), 'A') || …``: our own words, so the
    index, the vocabulary and the queries agree on what a word is."""
    vector: ColumnElement[Any] | None = None
    for name, weight in _WEIGHTS:
        part = func.setweight(
            func.to_tsvector(_CONFIG, bindparam(WORD_PARAMETERS[name], type_=String)),
            literal_column(f"'{weight}'"),
        )
        vector = part if vector is None else vector.op("||")(part)
    assert vector is not None
    return vector


_VECTOR = _vector()
