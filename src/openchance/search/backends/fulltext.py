"""What differs between the engines of the database search backend: the full-text match,
the spelling candidates, prefix conditions and the document upsert. Everything else (the
filters, sorts, facets, paging, the vocabulary) is shared in ``database.py``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Connection, Executable, FromClause, Select
from sqlalchemy.orm import InstrumentedAttribute

from openchance.search.text import QueryTerm

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])
TextColumn = ColumnElement[str] | InstrumentedAttribute[str]


@dataclass(frozen=True, slots=True)
class TextMatch:
    """How a statement over ``search_documents`` is narrowed to the documents matching the
    text, and how to order them best first."""

    source: FromClause | None
    """What to select from instead of the documents alone (FTS5's table joined to them)."""
    condition: ColumnElement[bool]
    score: ColumnElement[Any]
    higher_is_better: bool

    @property
    def best_first(self) -> ColumnElement[Any]:
        return self.score.desc() if self.higher_is_better else self.score.asc()

    def apply(self, statement: AnySelect) -> AnySelect:
        if self.source is not None:
            statement = statement.select_from(self.source)
        return statement.where(self.condition)


TEXT_QUERY = "text_query"
"""The parameter holding a text match's query (FTS5 MATCH expression, or ``tsquery``)."""


def skill_parameter(position: int) -> str:
    """The parameter holding the ``position``-th skill a search requires."""
    return f"skill_{position}"


WORD_PARAMETERS = {
    "title": "title_words",
    "skills": "skills_words",
    "summary": "summary_words",
    "description": "description_words",
}


class FullText(Protocol):
    indexes_words: bool
    """Whether the upsert takes the words of each field (else the engine tokenizes)."""

    def match(self) -> TextMatch:
        """Documents holding the terms of the :data:`TEXT_QUERY` parameter (see
        :meth:`text_query`)."""
        ...

    def text_query(self, terms: Sequence[QueryTerm], *, title_only: bool = False) -> str:
        """The :data:`TEXT_QUERY` parameter that finds every term (in the title alone when
        ``title_only``)."""
        ...

    def candidates(self, connection: Connection, word: str) -> list[str]:
        """Vocabulary words that look like ``word``, likeliest first (the distances decide)."""

    def requires_skills(self, count: int) -> ColumnElement[bool]:
        """The documents that list every one of ``count`` skills, bound as the parameters
        named by :func:`skill_parameter`."""
        ...

    def optimise_statements(self) -> Sequence[str]:
        """What to run after a bulk load (statistics, index merges)."""
        ...

    def starts_with(self, column: TextColumn, prefix: str) -> ColumnElement[bool]:
        """``column`` begins with ``prefix``, in a form the column's index can answer."""

    def upsert_documents(self) -> Executable:
        """Insert or replace ``search_documents`` rows (keyed by ``id``): executed with many
        rows, each the columns by name plus, for the full text, the normalised words of the
        title, skills, summary and description as ``title_words``, … (see ``WORD_PARAMETERS``)."""
