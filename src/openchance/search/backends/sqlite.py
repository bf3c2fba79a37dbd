"""The SQLite part of the database search backend: FTS5.

``search_fts`` indexes the documents' title, skills, summary and description (tokenizer
``unicode61 remove_diacritics 2``, bm25 weights 10/5/2/1 set as the table's rank), kept in
step with ``search_documents`` by triggers. ``search_vocabulary_trigrams`` indexes the
vocabulary by trigrams (of ``^word$``, so the first and the last letters count): the
spelling candidates of a word are the vocabulary words sharing the most, and the rarest,
trigrams with it. Both are created by the migration alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from openchance.models.search import DOCUMENTS, SearchDocumentRow, SearchDocumentSkill, SearchWord
from openchance.search.backends.fulltext import TEXT_QUERY, TextColumn, TextMatch, skill_parameter
from openchance.search.text import (
    MAX_CANDIDATES,
    QueryTerm,
    fts5_match,
    length_window,
    prefix_upper_bound,
    trigrams,
)

_documents_fts = table("search_fts", column("rowid", Integer), column("rank", Float))
_vocabulary_fts = table(
    "search_vocabulary_trigrams", column("rowid", Integer), column("rank", Float)
)
_UPDATED_COLUMNS = [c.name for c in DOCUMENTS.columns if c.name not in {"seq", "id"}]


class CrossJoin(Join):
    """``left CROSS JOIN right ON …``: in SQLite, the one way to make the left table the
    outer loop. Without it the planner may walk the documents in the order of a sort index
    and run the full-text query once per document, which takes seconds on 100,000."""

    inherit_cache = True


@compiles(CrossJoin, "sqlite")
def _cross_join(element: CrossJoin, compiler: SQLCompiler, **options: Any) -> str:
    # The left side is a table name: its first " JOIN " is the join's own.
    joined = str(compiler.visit_join(element, **options))  # type: ignore[no-untyped-call]
    return joined.replace(" JOIN ", " CROSS JOIN ", 1)


class SqliteFullText:
    indexes_words = False

    def match(self) -> TextMatch:
        return TextMatch(
            source=CrossJoin(_documents_fts, DOCUMENTS, _documents_fts.c.rowid == DOCUMENTS.c.seq),
            condition=literal_column("search_fts").op("MATCH")(bindparam(TEXT_QUERY, type_=String)),
            score=_documents_fts.c.rank,
            higher_is_better=False,  # bm25
        )

    def text_query(self, terms: Sequence[QueryTerm], *, title_only: bool = False) -> str:
        return fts5_match(terms, column="title" if title_only else None)

    def candidates(self, connection: Connection, word: str) -> list[str]:
        pieces = trigrams(f"^{word}$")
        if not pieces:
            return []
        shortest, longest = length_window(word)
        statement = (
            select(SearchWord.word)
            .join(_vocabulary_fts, _vocabulary_fts.c.rowid == SearchWord.id)
            .where(
                literal_column("search_vocabulary_trigrams").op("MATCH")(
                    bindparam("trigram_query", " OR ".join(f'"{piece}"' for piece in pieces))
                ),
                func.length(SearchWord.word).between(shortest, longest),
            )
            .order_by(_vocabulary_fts.c.rank)
            .limit(MAX_CANDIDATES)
        )
        return list(connection.scalars(statement))

    def requires_skills(self, count: int) -> ColumnElement[bool]:
        return and_(
            *(
                exists().where(
                    SearchDocumentSkill.document_id == DOCUMENTS.c.id,
                    SearchDocumentSkill.skill == bindparam(skill_parameter(position)),
                )
                for position in range(count)
            )
        )

    def optimise_statements(self) -> Sequence[str]:
        return [
            "INSERT INTO search_fts(search_fts) VALUES ('optimize')",
            "INSERT INTO search_vocabulary_trigrams(search_vocabulary_trigrams) "
            "VALUES ('optimize')",
            "ANALYZE",
        ]

    def starts_with(self, column_: TextColumn, prefix: str) -> ColumnElement[bool]:
        # SQLite's LIKE ignores case and skips the index; a range of the binary order does not.
        return and_(column_ >= prefix, column_ < prefix_upper_bound(prefix))

    def upsert_documents(self) -> Executable:
        # FTS5 tokenizes the text itself (the triggers hand it the columns).
        statement = insert(DOCUMENTS)
        return statement.on_conflict_do_update(
            index_elements=[SearchDocumentRow.id],
            set_={name: statement.excluded[name] for name in _UPDATED_COLUMNS},
        )
