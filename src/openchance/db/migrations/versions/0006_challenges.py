"""challenges

Revision ID: 0006_challenges
Revises: 0005_oauth_identities
Create Date: 2026-11-25 11:39:21.248081
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import openchance.db.types
from openchance.challenges.seed import SEEDED_CATEGORIES

revision: str = "0006_challenges"
down_revision: str | None = "0005_oauth_identities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_categories_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_table(
        "challenges",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
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
            "skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
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
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column(
            "prize_split",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("deadline", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("public", "private", name="visibility", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "ip_terms",
            sa.Enum(
                "none",
                "non_exclusive_licence",
                "assignment",
                name="ipterms",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("terms", sa.Text(), nullable=False),
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
            "status_changed_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("submitted_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column(
            "cancel_reason",
            sa.Enum(
                "by_challenger_before_work",
                "no_suitable_applications",
                "policy_violation",
                "duplicate",
                "client_unresponsive",
                "other",
                name="cancelreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("cancel_note", sa.Text(), nullable=True),
        sa.Column("application_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reward_max_minor >= reward_min_minor", name=op.f("ck_challenges_reward_range_ordered")
        ),
        sa.CheckConstraint("reward_min_minor > 0", name=op.f("ck_challenges_reward_positive")),
        sa.CheckConstraint("winners >= 1", name=op.f("ck_challenges_winners_positive")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_challenges_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_challenges_owner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["users.id"],
            name=op.f("fk_challenges_reviewed_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index("ix_challenges_owner", ["owner_id", "created_at"], unique=False)
        batch_op.create_index("ix_challenges_status_deadline", ["status", "deadline"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "saved_searches",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "query",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "frequency",
            sa.Enum("instant", "daily", name="alertfrequency", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("last_run_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_searches_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index("ix_saved_searches_frequency", ["frequency"], unique=False)
        batch_op.create_index("ix_saved_searches_user", ["user_id"], unique=False)

    op.create_table(
        "challenge_attachments",
        sa.Column("challenge_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_attachments_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_challenge_attachments_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_attachments")),
        sa.UniqueConstraint("key", name=op.f("uq_challenge_attachments_key")),
    )
    with op.batch_alter_table("challenge_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_challenge_attachments_challenge_id"), ["challenge_id"], unique=False
        )

    op.create_table(
        "challenge_clarifications",
        sa.Column("challenge_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_challenge_clarifications_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_clarifications_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_clarifications")),
    )
    with op.batch_alter_table("challenge_clarifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_challenge_clarifications_challenge_id"), ["challenge_id"], unique=False
        )

    op.create_table(
        "challenge_invites",
        sa.Column("challenge_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "declined", name="invitestatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR email IS NOT NULL",
            name=op.f("ck_challenge_invites_invitee_named"),
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_invites_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_challenge_invites_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_challenge_invites_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_invites")),
        sa.UniqueConstraint("challenge_id", "email", name="uq_challenge_invites_email"),
        sa.UniqueConstraint("challenge_id", "user_id", name="uq_challenge_invites_user"),
    )
    with op.batch_alter_table("challenge_invites", schema=None) as batch_op:
        batch_op.create_index("ix_challenge_invites_email", ["email"], unique=False)
        batch_op.create_index("ix_challenge_invites_user", ["user_id"], unique=False)

    op.create_table(
        "challenge_milestones",
        sa.Column("challenge_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("due_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_challenge_milestones_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_milestones_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_milestones")),
        sa.UniqueConstraint("challenge_id", "position", name="uq_challenge_milestones_position"),
    )
    _seed_categories()


def downgrade() -> None:
    op.drop_table("challenge_milestones")
    with op.batch_alter_table("challenge_invites", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_invites_user")
        batch_op.drop_index("ix_challenge_invites_email")

    op.drop_table("challenge_invites")
    with op.batch_alter_table("challenge_clarifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_clarifications_challenge_id"))

    op.drop_table("challenge_clarifications")
    with op.batch_alter_table("challenge_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_attachments_challenge_id"))

    op.drop_table("challenge_attachments")
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_searches_user")
        batch_op.drop_index("ix_saved_searches_frequency")

    op.drop_table("saved_searches")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_created")

    op.drop_table("notifications")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_challenges_status_deadline")
        batch_op.drop_index("ix_challenges_owner")

    op.drop_table("challenges")
    op.drop_table("categories")


def _seed_categories() -> None:
    """The categories every installation starts with (staff may rename or retire them)."""
    categories = sa.table(
        "categories",
        sa.column("id", sa.Uuid()),
        sa.column("slug", sa.String()),
        sa.column("name", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("created_at", openchance.db.types.UTCDateTime()),
        sa.column("updated_at", openchance.db.types.UTCDateTime()),
    )
    now = openchance.db.types.utcnow()
    op.bulk_insert(
        categories,
        [
            {
                "id": category.id,
                "slug": category.slug,
                "name": category.name,
                "position": position,
                "created_at": now,
                "updated_at": now,
            }
            for position, category in enumerate(SEEDED_CATEGORIES)
        ],
    )
