"""applications and messaging: applications with their attachments and history; conversations,
their participants (read markers), messages numbered per conversation, message attachments

Revision ID: 0008_applications_messaging
Revises: 0007_search
Create Date: 2026-12-02 14:35:06.350430
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import openchance.db.types

revision: str = "0008_applications_messaging"
down_revision: str | None = "0007_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("challenge_id", sa.Uuid(), nullable=False),
        sa.Column("solver_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "shortlisted",
                "accepted",
                "rejected",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("bid_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("bid_currency", sa.String(length=3), nullable=False),
        sa.Column(
            "milestone_bids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("estimated_days", sa.Integer(), nullable=False),
        sa.Column(
            "portfolio_links",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "terms_accepted_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "status_changed_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("bid_amount_minor > 0", name=op.f("ck_applications_bid_positive")),
        sa.CheckConstraint(
            "estimated_days > 0", name=op.f("ck_applications_estimated_days_positive")
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_applications_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_applications_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["solver_id"],
            ["users.id"],
            name=op.f("fk_applications_solver_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_applications_challenge_status",
            ["challenge_id", "status", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_applications_solver_created", ["solver_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_applications_active_solver",
            ["challenge_id", "solver_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'shortlisted', 'accepted')"),
            postgresql_where=sa.text("status IN ('submitted', 'shortlisted', 'accepted')"),
        )

    op.create_table(
        "application_attachments",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_attachments_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_application_attachments_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_attachments")),
        sa.UniqueConstraint("key", name=op.f("uq_application_attachments_key")),
    )
    with op.batch_alter_table("application_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_attachments_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "application_history",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "submitted",
                "shortlisted",
                "accepted",
                "rejected",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "submitted",
                "shortlisted",
                "accepted",
                "rejected",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_application_history_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_history_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_history")),
    )
    with op.batch_alter_table("application_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_history_application", ["application_id", "created_at"], unique=False
        )

    op.create_table(
        "conversations",
        sa.Column("challenge_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_message_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_conversations_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_conversations_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint("application_id", name=op.f("uq_conversations_application_id")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_challenge_id"), ["challenge_id"], unique=False
        )

    op.create_table(
        "conversation_participants",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "challenger",
                "solver",
                "staff",
                name="participantrole",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("last_read_seq", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_participants_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_conversation_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_participants")),
        sa.UniqueConstraint("conversation_id", "user_id", name="uq_conversation_participants_user"),
    )
    with op.batch_alter_table("conversation_participants", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_participants_user", ["user_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("text", "system", name="messagekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["users.id"],
            name=op.f("fk_messages_sender_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "conversation_id", "sender_id", "client_id", name="uq_messages_client_id"
        ),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
    )
    op.create_table(
        "message_attachments",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_attachments_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
        sa.UniqueConstraint("key", name=op.f("uq_message_attachments_key")),
    )
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_attachments_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_attachments_message_id"))

    op.drop_table("message_attachments")
    op.drop_table("messages")
    with op.batch_alter_table("conversation_participants", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_participants_user")

    op.drop_table("conversation_participants")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_challenge_id"))

    op.drop_table("conversations")
    with op.batch_alter_table("application_history", schema=None) as batch_op:
        batch_op.drop_index("ix_application_history_application")

    op.drop_table("application_history")
    with op.batch_alter_table("application_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_attachments_application_id"))

    op.drop_table("application_attachments")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_applications_active_solver",
            sqlite_where=sa.text("status IN ('submitted', 'shortlisted', 'accepted')"),
            postgresql_where=sa.text("status IN ('submitted', 'shortlisted', 'accepted')"),
        )
        batch_op.drop_index("ix_applications_solver_created")
        batch_op.drop_index("ix_applications_challenge_status")

    op.drop_table("applications")
