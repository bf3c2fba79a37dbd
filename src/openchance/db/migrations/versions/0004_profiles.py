"""profiles

Revision ID: 0004_profiles
Revises: 0003_two_factor
Create Date: 2026-11-25 09:44:03.174878
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import openchance.db.types

revision: str = "0004_profiles"
down_revision: str | None = "0003_two_factor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("headline", sa.String(length=120), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column(
            "links",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("hourly_rate_minor", sa.BigInteger(), nullable=True),
        sa.Column("hourly_rate_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "availability",
            sa.Enum(
                "available",
                "limited",
                "unavailable",
                name="availability",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("organisation_name", sa.String(length=120), nullable=True),
        sa.Column("organisation_website", sa.String(length=2048), nullable=True),
        sa.Column("avatar_key", sa.String(length=512), nullable=True),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(hourly_rate_minor IS NULL) = (hourly_rate_currency IS NULL)",
            name=op.f("ck_profiles_hourly_rate_complete"),
        ),
        sa.CheckConstraint(
            "hourly_rate_minor IS NULL OR hourly_rate_minor >= 0",
            name=op.f("ck_profiles_hourly_rate_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_profiles")),
    )


def downgrade() -> None:
    op.drop_table("profiles")
