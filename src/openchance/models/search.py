"""The database search index: one denormalised row per published challenge, its skills and
the viewers of private ones, and the vocabulary of indexed words (for typo tolerance).

Written only by the search index job and the reindex (``openchance.search``), never by the
use cases. Each engine adds its own full-text part in the migration alone, outside these
models: on SQLite an FTS5 table over the documents and a trigram FTS5 table over the
vocabulary (kept in step by triggers); on PostgreSQL a weighted ``tsvector`` column with a
GIN index and a ``pg_trgm`` index on the vocabulary. :func:`is_engine_specific` names them
so that the models-versus-migrations comparison leaves them alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base
from openchance.db.types import enum_column
from openchance.models.challenges import ChallengeStatus, Difficulty, RewardKind, Visibility

SequenceNumber = Integer().with_variant(BigInteger(), "postgresql")
"""SQLite: ``INTEGER PRIMARY KEY`` is the rowid, which the FTS5 tables refer to (a rowid
that is not declared may change on VACUUM). PostgreSQL: 64 bits, as every upsert draws a
sequence value."""

ENGINE_SPECIFIC_TABLE_PREFIXES = ("search_fts", "search_vocabulary_trigrams")
"""SQLite's FTS5 tables and their shadow tables (``search_fts_data``, …)."""
ENGINE_SPECIFIC_NAMES = frozenset(
    {
        "tsv",  # PostgreSQL: search_documents.tsv, the weighted tsvector
        "ix_search_documents_tsv",
        "ix_search_vocabulary_trigram",
        "ix_search_vocabulary_word_pattern",
        "ix_search_document_skills_pattern",
    }
)


def is_engine_specific(name: str | None, type_: str) -> bool:
    """Whether a schema object belongs to one engine's full-text index (migration only)."""
    if name is None:
        return False
    if type_ == "table":
        return name.startswith(ENGINE_SPECIFIC_TABLE_PREFIXES)
    return type_ in {"column", "index"} and name in ENGINE_SPECIFIC_NAMES


class SearchDocumentRow(Base):
    """What a search can find of one published challenge, and the columns it filters and
    sorts on (the full-text columns hold plain text)."""

    __tablename__ = "search_documents"

    seq: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True, doc="The challenge's id.")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, doc="Plain text of the Markdown source.")
    skills: Mapped[str] = mapped_column(Text, doc="The skills, separated by spaces.")
    category: Mapped[str] = mapped_column(String(64), doc="The category's slug.")
    difficulty: Mapped[Difficulty] = mapped_column(enum_column(Difficulty, 16))
    status: Mapped[ChallengeStatus] = mapped_column(enum_column(ChallengeStatus, 16))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, 16))
    reward_kind: Mapped[RewardKind] = mapped_column(enum_column(RewardKind, 16))
    reward_currency: Mapped[str] = mapped_column(String(3))
    reward_min_minor: Mapped[int] = mapped_column(BigInteger)
    reward_max_minor: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[datetime]
    published_at: Mapped[datetime]

    __table_args__ = (
        # Filters start with the status (open by default); the second column serves the
        # sort or the facet counts, so the common shapes read one index range.
        Index("ix_search_documents_status_published", "status", "published_at", "id"),
        Index("ix_search_documents_status_deadline", "status", "deadline", "id"),
        Index(
            "ix_search_documents_status_facets", "status", "category", "difficulty", "visibility"
        ),
        Index("ix_search_documents_status_reward_max", "status", "reward_max_minor", "id"),
        Index("ix_search_documents_status_reward_min", "status", "reward_min_minor", "id"),
    )


class SearchDocumentSkill(Base):
    """One skill a document requires (the skills filter needs each of them)."""

    __tablename__ = "search_document_skills"

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("search_documents.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_search_document_skills_skill", "skill", "document_id"),)


class SearchDocumentViewer(Base):
    """Someone besides staff who may find a private challenge: its challenger and the
    solvers holding a pending invitation."""

    __tablename__ = "search_document_viewers"

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("search_documents.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    __table_args__ = (Index("ix_search_document_viewers_user", "user_id", "document_id"),)


class SearchWord(Base):
    """A word the index holds: where query words find their spelling corrections.

    Words are added as documents are indexed and dropped only by a reindex: a word no
    document holds any more costs nothing but a correction that finds nothing.
    """

    __tablename__ = "search_vocabulary"

    id: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    word: Mapped[str] = mapped_column(String(64), unique=True)


DOCUMENTS = cast(Table, SearchDocumentRow.__table__)
DOCUMENT_SKILLS = cast(Table, SearchDocumentSkill.__table__)
DOCUMENT_VIEWERS = cast(Table, SearchDocumentViewer.__table__)
VOCABULARY = cast(Table, SearchWord.__table__)
