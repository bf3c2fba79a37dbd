"""oauth identities

Revision ID: 0005_oauth_identities
Revises: 0004_profiles
Create Date: 2026-11-25 09:46:49.011980
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openchance.db.types

revision: str = "0005_oauth_identities"
down_revision: str | None = "0004_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_identities",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum(
                "google",
                "github",
                "linkedin",
                name="oauthprovider",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_identities")),
        sa.UniqueConstraint("provider", "subject", name="uq_oauth_identities_provider_subject"),
    )
    with op.batch_alter_table("oauth_identities", schema=None) as batch_op:
        batch_op.create_index("ix_oauth_identities_user", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oauth_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_oauth_identities_user")

    op.drop_table("oauth_identities")
