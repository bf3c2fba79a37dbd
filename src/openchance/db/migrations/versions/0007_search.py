"""search: the database search index (documents, skills, viewers, vocabulary) and each
engine's full-text part (SQLite: FTS5 tables kept by triggers; PostgreSQL: a weighted
tsvector with a GIN index, pg_trgm on the vocabulary)

Revision ID: 0007_search
Revises: 0006_challenges
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openchance.db.types

revision: str = "0007_search"
down_revision: str | None = "0006_challenges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCE_NUMBER = sa.Integer().with_variant(sa.BigInteger(), "postgresql")

SQLITE_UPGRADE = (
    # External content: the text lives in search_documents; the triggers keep the index in
    # step, giving FTS5 the old values to delete (which must be exactly what it indexed).
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, skills, summary, description,
        content='search_documents', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    # Relevance: a word in the title counts most, then the skills, the summary, the text.
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 1.0)')",
    """CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, title, skills, summary, description)
        VALUES (new.seq, new.title, new.skills, new.summary, new.description);
    END""",
    """CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, skills, summary, description)
        VALUES ('delete', old.seq, old.title, old.skills, old.summary, old.description);
    END""",
    """CREATE TRIGGER search_documents_fts_update
    AFTER UPDATE OF seq, title, skills, summary, description ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, skills, summary, description)
        VALUES ('delete', old.seq, old.title, old.skills, old.summary, old.description);
        INSERT INTO search_fts(rowid, title, skills, summary, description)
        VALUES (new.seq, new.title, new.skills, new.summary, new.description);
    END""",
    # Spelling corrections: the vocabulary by trigrams, each word between ^ and $ so that
    # its first and last letters make trigrams of their own ("^py", "on$"): a short word
    # with a transposed middle ("pyhton") still shares some with the right one.
    """CREATE VIRTUAL TABLE search_vocabulary_trigrams USING fts5(word, tokenize='trigram')""",
    """CREATE TRIGGER search_vocabulary_trigrams_insert AFTER INSERT ON search_vocabulary BEGIN
        INSERT INTO search_vocabulary_trigrams(rowid, word)
        VALUES (new.id, '^' || new.word || '$');
    END""",
    """CREATE TRIGGER search_vocabulary_trigrams_delete AFTER DELETE ON search_vocabulary BEGIN
        DELETE FROM search_vocabulary_trigrams WHERE rowid = old.id;
    END""",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS search_vocabulary_trigrams_delete",
    "DROP TRIGGER IF EXISTS search_vocabulary_trigrams_insert",
    "DROP TABLE IF EXISTS search_vocabulary_trigrams",
    "DROP TRIGGER IF EXISTS search_documents_fts_update",
    "DROP TRIGGER IF EXISTS search_documents_fts_delete",
    "DROP TRIGGER IF EXISTS search_documents_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
)

POSTGRES_UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    # Written by the index with setweight A (title), B (skills), C (summary), D (text).
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector",
    # One GIN index over the text and the equality filters (btree_gin) and the skills: a
    # search's bitmap scan intersects them all and visits only the rows that match every
    # one, instead of reading each text match's row to test the filters.
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin "
    "(tsv, status, visibility, category, difficulty, reward_currency, "
    "(string_to_array(skills, ' ')))",
    "CREATE INDEX ix_search_vocabulary_trigram ON search_vocabulary USING gin (word gin_trgm_ops)",
    # Prefix look-ups (LIKE 'abc%') whatever the database's collation.
    "CREATE INDEX ix_search_vocabulary_word_pattern ON search_vocabulary (word text_pattern_ops)",
    "CREATE INDEX ix_search_document_skills_pattern ON search_document_skills "
    "(skill text_pattern_ops)",
)
POSTGRES_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_search_document_skills_pattern",
    "DROP INDEX IF EXISTS ix_search_vocabulary_word_pattern",
    "DROP INDEX IF EXISTS ix_search_vocabulary_trigram",
    "DROP INDEX IF EXISTS ix_search_documents_tsv",
    # pg_trgm and btree_gin stay: other schemas of the database may use them.
)


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("seq", SEQUENCE_NUMBER, autoincrement=True, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column(
            "difficulty",
            sa.Enum(
                "beginner",
                "intermediate",
                "advanced",
                "expert",
                name="difficulty",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "pending_review",
                "open",
                "in_progress",
                "in_review",
                "completed",
                "cancelled",
                "expired",
                name="challengestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "visibility",
            sa.Enum("public", "private", name="visibility", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "reward_kind",
            sa.Enum(
                "fixed", "range", "milestones", name="rewardkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("reward_currency", sa.String(length=3), nullable=False),
        sa.Column("reward_min_minor", sa.BigInteger(), nullable=False),
        sa.Column("reward_max_minor", sa.BigInteger(), nullable=False),
        sa.Column("deadline", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("id", name=op.f("uq_search_documents_id")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_documents_status_published", ["status", "published_at", "id"]
        )
        batch_op.create_index("ix_search_documents_status_deadline", ["status", "deadline", "id"])
        batch_op.create_index(
            "ix_search_documents_status_facets", ["status", "category", "difficulty", "visibility"]
        )
        batch_op.create_index(
            "ix_search_documents_status_reward_max", ["status", "reward_max_minor", "id"]
        )
        batch_op.create_index(
            "ix_search_documents_status_reward_min", ["status", "reward_min_minor", "id"]
        )

    op.create_table(
        "search_document_skills",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["search_documents.id"],
            name=op.f("fk_search_document_skills_document_id_search_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "skill", name=op.f("pk_search_document_skills")),
    )
    with op.batch_alter_table("search_document_skills", schema=None) as batch_op:
        batch_op.create_index("ix_search_document_skills_skill", ["skill", "document_id"])

    op.create_table(
        "search_document_viewers",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["search_documents.id"],
            name=op.f("fk_search_document_viewers_document_id_search_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "user_id", name=op.f("pk_search_document_viewers")),
    )
    with op.batch_alter_table("search_document_viewers", schema=None) as batch_op:
        batch_op.create_index("ix_search_document_viewers_user", ["user_id", "document_id"])

    op.create_table(
        "search_vocabulary",
        sa.Column("id", SEQUENCE_NUMBER, autoincrement=True, nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_vocabulary")),
        sa.UniqueConstraint("word", name=op.f("uq_search_vocabulary_word")),
    )

    statements = POSTGRES_UPGRADE if _dialect() == "postgresql" else SQLITE_UPGRADE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = POSTGRES_DOWNGRADE if _dialect() == "postgresql" else SQLITE_DOWNGRADE
    for statement in statements:
        op.execute(statement)
    op.drop_table("search_vocabulary")
    with op.batch_alter_table("search_document_viewers", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_viewers_user")
    op.drop_table("search_document_viewers")
    with op.batch_alter_table("search_document_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_skills_skill")
    op.drop_table("search_document_skills")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_status_reward_min")
        batch_op.drop_index("ix_search_documents_status_reward_max")
        batch_op.drop_index("ix_search_documents_status_facets")
        batch_op.drop_index("ix_search_documents_status_deadline")
        batch_op.drop_index("ix_search_documents_status_published")
    op.drop_table("search_documents")


def _dialect() -> str:
    return op.get_bind().dialect.name
